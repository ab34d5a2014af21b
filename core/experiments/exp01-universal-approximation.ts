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
import { parameterCount, type MlpSpec } from '../nn/model';
import { everyNSteps, predict, stack3d, trainPack } from '../train/train-pack';
import { activation, initializer, int, learningRate, range, trialStream } from './common';
import type { Experiment, TrialResult } from './types';
import { packBytes } from './memory';

export const TARGET_FUNCTIONS = ['sin', 'polynomial', 'abs'] as const;

const params = z
  .object({
    function: z.enum(TARGET_FUNCTIONS).default('sin'),
    /** ω of sin(ωx); the notebook passes 12 (the class default is 6). */
    omega: z.number().min(-1000).max(1000).default(12),
    /** Ascending coefficients: Σ coefs[k]·x^k; the notebook's −2x⁴ + x³ + x² − 2x. */
    coefs: z.array(z.number()).min(1).max(20).default([0, -2, 1, 1, -2]),
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

export function targetFunction(p: Params): (x: number) => number {
  switch (p.function) {
    case 'sin':
      return (x) => Math.sin(p.omega * x);
    case 'polynomial':
      return (x) => p.coefs.reduce((s, c, k) => s + c * x ** k, 0);
    case 'abs':
      return Math.abs;
  }
}

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
    { kind: 'trend', statement: 'sin(12x): the fitting error falls as the hidden layer widens', metric: 'mse', along: 'n_hidden', expect: 'decreasing', where: { function: 'sin' }, notebook: 'supported' },
    { kind: 'trend', statement: 'Polynomial: the fitting error falls as the hidden layer widens', metric: 'mse', along: 'n_hidden', expect: 'decreasing', where: { function: 'polynomial' }, notebook: 'supported' },
    { kind: 'trend', statement: '|x|: the fitting error falls as the hidden layer widens', metric: 'mse', along: 'n_hidden', expect: 'decreasing', where: { function: 'abs' }, notebook: 'supported' },
  ],
  params,
  grid: { function: ['sin', 'polynomial', 'abs'], n_hidden: [2, 4, 16] },
  repeats: 5,
  cost: (p) => p.steps * p.num_values * (p.n_hidden + 1),
  // Full batch: every step runs all num_values points through n_hidden units, per network.
  memory: (p, pack) => packBytes({ model: modelFor(p), trainRows: p.num_values, evalRows: p.num_values, dataRows: p.num_values }, pack),
  // The three target functions share one network shape, so they train as one pack.
  packKey: ({ function: _f, omega: _o, coefs: _c, ...shape }) => JSON.stringify(shape),
  async runPack(trials, ctx) {
    const p = trials[0].params;
    const xs = linspace(-1, 1, p.num_values);
    const x = Float32Array.from(xs);
    const ys = trials.map((t) => Float32Array.from(xs.map(targetFunction(t.params))));
    const K = trials.length;
    const lossCurve: number[][] = trials.map(() => []);
    const xStack = stack3d(trials.map(() => x), p.num_values, 1);
    const checkpoints = everyNSteps(p.steps, p.record_every);
    const { finalLoss, finalOutputs, pack } = await trainPack({
      model: modelFor(p),
      initRngs: trials.map((t) => trialStream(t, 'init')),
      batchRngs: trials.map((t) => trialStream(t, 'batch')),
      trainX: trials.map(() => x),
      trainY: ys,
      n: p.num_values,
      loss: 'mean_squared_error',
      lr: p.lr,
      steps: p.steps,
      batchSize: p.num_values,
      checkpoints,
      onCheckpoint: async (_step, net) => {
        const preds = await predict(net, xStack);
        preds.forEach((pr, k) => lossCurve[k].push(pr.reduce((s, v, i) => s + (v - ys[k][i]) ** 2, 0) / pr.length));
      },
      yieldToHost: ctx.yieldToHost,
    });
    pack.dispose();
    xStack.dispose();
    const index = range(p.num_values);
    return range(K).map(
      (k): TrialResult => ({
        trialId: trials[k].id,
        scalars: { mse: finalLoss[k], n_params: parameterCount(modelFor(p)) },
        series: {
          y_pred: { steps: index, values: Array.from(finalOutputs[k]) },
          y_true: { steps: index, values: Array.from(ys[k]) },
          x: { steps: index, values: xs },
          mse: { steps: checkpoints, values: lossCurve[k] },
        },
      }),
    );
  },
};
