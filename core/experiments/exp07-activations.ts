/**
 * Experiment 7: Can any non-linearity be used as the activation?
 *
 * Data: sklearn-style moons, n = 500, noise 0.1, shuffled 80/20 split (400 train / 100
 * test), one-hot labels, not normalised. One draw per repeat, shared by every activation
 * (the notebook draws the moons once per `iters` loop and reuses them for all activations).
 * Model: 2 → (30, 30) with hidden activation a → 2 linear logits; Xavier-uniform weights
 * AND biases. a ∈ relu, tanh, square (x²), sin, sign, identity (the notebook's call; the
 * class default would be sigmoid and square).
 * Training: softmax cross-entropy, TF1 Adam lr 0.003, 800 steps of random_batch(64).
 * `sign` has a zero gradient everywhere (TF and tfjs alike), so only the output layer
 * trains with it; the hidden layers stay at their initial values.
 * Recorded: test accuracy at every step s with s % (num_steps/10) == 0, i.e. steps 0, 80,
 * …, 720 (10 checkpoints), each evaluated AFTER that step's update (= after s+1 updates),
 * series `test_accuracy`. The notebook has no evaluation after the last step; the scalar
 * `test_accuracy` (step = null) is our addition: test accuracy after all 800 updates; so is
 * `loss`, the training loss of the last batch (before its update, as sess.run returns it).
 */
import * as tf from '@tensorflow/tfjs-core';
import { z } from 'zod';
import type { Split } from '../data/dataset';
import { generateMoons } from '../data/moons';
import type { LossName } from '../nn/losses';
import { NetworkPack, parameterCount, type MlpSpec } from '../nn/model';
import { evaluateAccuracy, oneHot, stack3d, trainPack } from '../train/train-pack';
import { activation, hiddenLayers, initializer, int, learningRate, range, repeatStream, trialStream } from './common';
import type { Experiment, RunContext, TrialResult, TrialSpec } from './types';
import { packBytes } from './memory';

/** The notebook's sweep, in its plotting order. */
export const EXP7_ACTIVATIONS = ['relu', 'tanh', 'square', 'sin', 'sign', 'identity'] as const;

const params = z
  .object({
    activation: activation.default('relu'),
    n: int(4, 20_000).default(500),
    noise: z.number().min(0).max(10).default(0.1),
    test_size: z.number().min(0.01).max(0.9).default(0.2),
    hidden: hiddenLayers.default([30, 30]),
    initializer: initializer.default('xavier'),
    lr: learningRate.default(0.003),
    steps: int(1, 200_000).default(800),
    batch_size: int(1, 20_000).default(64),
    /** Test accuracy is taken where step % (steps / records) == 0: 10 checkpoints by default. */
    records: int(1, 1000).default(10),
  })
  .strict();
type Params = z.infer<typeof params>;

export function modelFor(p: Params): MlpSpec {
  return { kind: 'mlp', input: 2, hidden: p.hidden, output: 2, activation: p.activation, initializer: p.initializer };
}

/**
 * The notebook's `step % (num_steps/10) == 0` with Python 3's float division: for 800 steps
 * 0, 80, …, 720; when the division is not whole only the steps that are exact multiples
 * of the float period qualify (e.g. 75 steps → 0, 15, 30, 45, 60).
 */
export function notebookCheckpoints(steps: number, records: number): number[] {
  const every = steps / records;
  return range(steps).filter((s) => s % every === 0);
}

/** The moons of one repeat, shared by every activation of that repeat. */
export function moonsFor(t: TrialSpec<Params>): Split {
  return generateMoons(repeatStream(t, 'data'), t.params.n, t.params.noise, t.params.test_size);
}

export interface TrackedTraining {
  model: MlpSpec;
  loss: LossName;
  lr: number;
  steps: number;
  batchSize: number;
  records: number;
  /** One split per trial; all trials of a pack have the same train and test sizes. */
  splits: Split[];
}

export interface TrackedResult {
  checkpoints: number[];
  /** curves[k][i]: test accuracy of trial k at checkpoints[i]. */
  curves: number[][];
  /** Test accuracy after the last update (not recorded by the notebook). */
  final: number[];
  /** Training loss of the last step's batch, before its update (what sess.run returns). */
  finalLoss: number[];
  /** The trained pack; the caller disposes it. */
  pack: NetworkPack;
}

/**
 * The loop shared by Exp 7, 9 and 10: train every trial of the pack on its own split with
 * random mini-batches and record test accuracy at the notebook's checkpoints (after that
 * step's update). Initial weights and batches come from per-trial streams.
 */
export async function trainTrackingTestAccuracy(trials: TrialSpec[], ctx: RunContext, o: TrackedTraining): Promise<TrackedResult> {
  const { train, test } = o.splits[0];
  if (o.splits.some((s) => s.train.n !== train.n || s.test.n !== test.n)) throw new Error('all trials of a pack need the same split sizes');
  const d = train.d;
  const xTest = stack3d(o.splits.map((s) => s.test.x), test.n, d);
  const yTest = stack3d(o.splits.map((s) => oneHot(s.test.labels)), test.n, 2);
  const checkpoints = notebookCheckpoints(o.steps, o.records);
  const curves: number[][] = trials.map(() => []);
  try {
    const { pack, finalLoss } = await trainPack({
      model: o.model,
      initRngs: trials.map((t) => trialStream(t, 'init')),
      batchRngs: trials.map((t) => trialStream(t, 'batch')),
      trainX: o.splits.map((s) => s.train.x),
      trainY: o.splits.map((s) => oneHot(s.train.labels)),
      n: train.n,
      loss: o.loss,
      lr: o.lr,
      steps: o.steps,
      batchSize: o.batchSize,
      checkpoints,
      onCheckpoint: async (_step, net) => {
        const acc = await evaluateAccuracy(net, xTest, yTest);
        acc.forEach((a, k) => curves[k].push(a));
      },
      yieldToHost: ctx.yieldToHost,
    });
    const final = await evaluateAccuracy(pack, xTest, yTest);
    return { checkpoints, curves, final, finalLoss, pack };
  } finally {
    tf.dispose([xTest, yTest]);
  }
}

/** One result per trial: the checkpoint curve, the final accuracy and the parameter count. */
export function trackedResults(trials: TrialSpec[], r: TrackedResult, model: MlpSpec): TrialResult[] {
  return trials.map((t, k) => ({
    trialId: t.id,
    scalars: { test_accuracy: r.final[k], loss: r.finalLoss[k], n_params: parameterCount(model) },
    series: { test_accuracy: { steps: r.checkpoints, values: r.curves[k] } },
  }));
}

export const exp7: Experiment<typeof params> = {
  id: 'exp7',
  number: 7,
  section: 'III. Parameters and Hyperparameters',
  title: 'Can any non-linearity be used as the activation?',
  question: 'Do unusual activation functions (x², sin, sign, identity) train as well as the standard ones on the moons?',
  hypothesis: 'Identity does poorly and the standard non-linearities do best.',
  conclusion:
    'Every non-linearity except sign works about equally well; x² is as good as ReLU. Even the linear network reaches about 88–90%, so the task may be too easy and the network too shallow.',
  // Repeat r's moons are shared by every activation: paired.
  claims: [
    { kind: 'difference', statement: 'ReLU beats the identity (a linear network) on test accuracy', metric: 'test_accuracy', by: 'activation', a: 'relu', b: 'identity', expect: 'greater', paired: true, notebook: 'supported' },
    { kind: 'difference', statement: 'tanh beats the identity on test accuracy', metric: 'test_accuracy', by: 'activation', a: 'tanh', b: 'identity', expect: 'greater', paired: true, notebook: 'supported' },
    { kind: 'difference', statement: 'ReLU beats x² on test accuracy', metric: 'test_accuracy', by: 'activation', a: 'relu', b: 'square', expect: 'greater', paired: true, notebook: 'inconclusive' },
    { kind: 'difference', statement: 'ReLU beats sign on test accuracy', metric: 'test_accuracy', by: 'activation', a: 'relu', b: 'sign', expect: 'greater', paired: true, notebook: 'supported' },
  ],
  params,
  grid: { activation: [...EXP7_ACTIVATIONS] },
  repeats: 5,
  cost: (p) => p.steps * Math.min(p.batch_size, p.n - Math.ceil(p.test_size * p.n)) * parameterCount(modelFor(p)),
  memory: (p, pack) =>
    packBytes({ model: modelFor(p), trainRows: Math.min(p.batch_size, p.n - Math.ceil(p.test_size * p.n)), evalRows: p.n, dataRows: p.n }, pack),
  async runPack(trials, ctx) {
    const p = trials[0].params;
    const model = modelFor(p);
    const r = await trainTrackingTestAccuracy(trials, ctx, {
      model,
      loss: 'cross_entropy',
      lr: p.lr,
      steps: p.steps,
      batchSize: p.batch_size,
      records: p.records,
      splits: trials.map(moonsFor),
    });
    r.pack.dispose();
    return trackedResults(trials, r, model);
  },
};
