/**
 * Experiment 1: Why use neural networks at all? (universal approximation).
 *
 * Data: y = f(x) on x = linspace(−1, 1, 100), noise-free, no split (training error only).
 * Model: 1 → n_hidden sigmoid → 1 linear, Xavier-uniform weights and biases.
 * Training: MSE, TF1 Adam lr 0.003, 10,000 full-batch steps.
 * Recorded: final MSE and y_pred of the last step (before its update), the fit as a series
 * over the point index, and the training MSE every 1,000 steps.
 */
import { z } from 'zod';
import { linspace } from '../data/dataset';
import { sampleTarget, targetOptions } from '../data/targets';
import { parameterCount, type MlpSpec } from '../nn/model';
import { atCheckpoints, Curves, mseRecorder } from '../train/recorders';
import { everyNSteps, stack3d, trainPack } from '../train/train-pack';
import { activation, initializer, int, learningRate, packStreams, range } from './common';
import type { Experiment, TrialResult } from './types';
import { packBytes } from './memory';

const params = z
  .object({
    ...targetOptions.shape,
    n_hidden: int(1, 4096).default(2),
    /** The code's 100 points (the prose says 50). */
    num_values: int(2, 100_000).default(100),
    steps: int(1, 1_000_000).default(10_000),
    lr: learningRate.default(0.003),
    activation: activation.default('sigmoid'),
    initializer: initializer.default('xavier'),
    record_every: int(1, 1_000_000).default(1000),
  })
  .strict();
type Params = z.infer<typeof params>;

/** 1 → n_hidden → 1 linear: a one-hidden-layer regressor. */
export function modelFor(p: Params): MlpSpec {
  return { kind: 'mlp', input: 1, hidden: [p.n_hidden], output: 1, activation: p.activation, initializer: p.initializer };
}

export const exp1: Experiment<typeof params> = {
  id: 'exp1',
  number: 1,
  section: 'I. Basics',
  title: 'Why use neural networks at all? (universal approximation)',
  question: 'Can a one-hidden-layer network fit arbitrary 1-D functions?',
  hypothesis: 'More hidden units give lower fitting error.',
  conclusion:
    'Error generally falls as width grows (sin(12x) needs the 16-unit network). The theorem says nothing about whether the parameters can be learned.',
  // Trials share no data (the targets are fixed) and draw their own initial weights: unpaired.
  claims: [
    { kind: 'trend', statement: 'sin(12x): the fitting error falls as the hidden layer widens', metric: 'mse', along: 'n_hidden', expect: 'decreasing', where: { function: 'sin' }, notebook: 'supported', quote: 'Conclusion: error generally falls as width grows.', narrows: 'Tests the sentence on sin(12x) alone: each of the notebook\'s three functions is its own claim, so an exception to its "generally" shows as that function\'s verdict.' },
    { kind: 'trend', statement: 'Polynomial: the fitting error falls as the hidden layer widens', metric: 'mse', along: 'n_hidden', expect: 'decreasing', where: { function: 'polynomial' }, notebook: 'supported', quote: 'Conclusion: error generally falls as width grows.', narrows: 'Tests the sentence on the polynomial alone: each of the notebook\'s three functions is its own claim, so an exception to its "generally" shows as that function\'s verdict.' },
    { kind: 'trend', statement: '|x|: the fitting error falls as the hidden layer widens', metric: 'mse', along: 'n_hidden', expect: 'decreasing', where: { function: 'abs' }, notebook: 'supported', quote: 'Conclusion: error generally falls as width grows.', narrows: 'Tests the sentence on |x| alone: each of the notebook\'s three functions is its own claim, so an exception to its "generally" shows as that function\'s verdict.' },
  ],
  params,
  grid: { function: ['sin', 'polynomial', 'abs'], n_hidden: [2, 4, 16] },
  repeats: 5,
  cost: (p) => p.steps * p.num_values * (p.n_hidden + 1),
  // The MSE curve has one point per record_every steps; the fit one per input point.
  seriesPoints: (p) => Math.max(Math.ceil(p.steps / p.record_every), p.num_values),
  // Full batch: every step runs all num_values points through n_hidden units, per network.
  memory: (p, pack) => packBytes({ model: modelFor(p), trainRows: p.num_values, evalRows: p.num_values, dataRows: p.num_values }, pack),
  // The three target functions share one network shape, so they train as one pack.
  packKey: ({ function: _f, omega: _o, coefs: _c, ...shape }) => JSON.stringify(shape),
  async runPack(trials, ctx) {
    const p = trials[0].params;
    const model = modelFor(p);
    const xs = linspace(-1, 1, p.num_values);
    const x = Float32Array.from(xs);
    const ys = trials.map((t) => sampleTarget(t.params, xs));
    const xStack = stack3d(trials.map(() => x), p.num_values, 1);
    const mse = new Curves(trials.length);
    try {
      // Full batch: every step fits all points; the MSE curve is measured after the update.
      const { finalLoss, finalOutputs, pack } = await trainPack({
        model,
        ...packStreams(trials),
        trainX: trials.map(() => x),
        trainY: ys,
        n: p.num_values,
        loss: 'mean_squared_error',
        lr: p.lr,
        steps: p.steps,
        batchSize: p.num_values,
        checkpoints: everyNSteps(p.steps, p.record_every),
        onCheckpoint: atCheckpoints([mseRecorder(xStack, ys, mse)]),
        yieldToHost: ctx.yieldToHost, engine: ctx.engine,
      });
      pack.dispose();
      const index = range(p.num_values);
      return trials.map(
        (t, k): TrialResult => ({
          trialId: t.id,
          scalars: { mse: finalLoss[k], n_params: parameterCount(model) },
          series: {
            y_pred: { steps: index, values: Array.from(finalOutputs[k]) },
            y_true: { steps: index, values: Array.from(ys[k]) },
            x: { steps: index, values: xs },
            mse: mse.curve(k),
          },
        }),
      );
    } finally {
      xStack.dispose();
    }
  },
};
