/**
 * Experiment 2: Why are deeper networks better? (fixed 152 parameters).
 *
 * Data: 16 points x = linspace(0, 1 − 1/16, 16), alternating labels (even i → class 1).
 * Model: the weight-shared ReLU net of core/nn/model.ts: w_in, b_in, then one 10×10 matrix applied
 * `depth` times, linear output; 152 parameters at every depth (depth L = L+1 ReLU layers).
 * Training: softmax cross-entropy, TF1 Adam lr 0.003, 15,000 steps of random_batch(64),
 * which on 16 points is the full set every step.
 * Recorded: final loss and accuracy on the 16 points, parameter count, and the predicted
 * score logit₁ − logit₀ at every point.
 */
import * as tf from '@tensorflow/tfjs-core';
import { z } from 'zod';
import { parameterCount, type SharedSpec } from '../nn/model';
import { evaluateAccuracy, oneHot, predict, stack3d, trainPack } from '../train/train-pack';
import { activation, int, learningRate, range, trialStream } from './common';
import type { Experiment, TrialResult } from './types';
import { packBytes } from './memory';

const params = z
  .object({
    depth: int(1, 64).default(1),
    width: int(1, 512).default(10),
    n_points: int(2, 10_000).default(16),
    steps: int(1, 1_000_000).default(15_000),
    lr: learningRate.default(0.003),
    batch_size: int(1, 100_000).default(64),
    activation: activation.default('relu'),
  })
  .strict();
type Params = z.infer<typeof params>;

export function modelFor(p: Params): SharedSpec {
  return { kind: 'shared', input: 1, width: p.width, depth: p.depth, output: 2, activation: p.activation };
}

/** x_i = i/n and label 1 for even i, 0 for odd i (the notebook's resized [[0,1],[1,0]]). */
export function alternatingPoints(n: number): { x: Float32Array; labels: Float32Array } {
  return {
    x: Float32Array.from(range(n), (i) => i / n),
    labels: Float32Array.from(range(n), (i) => (i % 2 === 0 ? 1 : 0)),
  };
}

export const exp2: Experiment<typeof params> = {
  id: 'exp2',
  number: 2,
  section: 'I. Basics',
  title: 'Why are deeper networks better? (fixed 152 parameters)',
  question: 'Holding the parameter count fixed at 152, does adding depth raise accuracy on alternating labels?',
  hypothesis: 'Yes: deeper weight-shared networks fit the alternating pattern better.',
  conclusion: 'Accuracy increases with increasing depth in most runs.',
  // Fixed data, per-trial initial weights and batches: unpaired.
  claims: [
    { kind: 'trend', statement: 'With 152 parameters fixed, accuracy on the alternating points rises with depth', metric: 'accuracy', along: 'depth', expect: 'increasing', notebook: 'supported' },
  ],
  params,
  grid: { depth: [1, 2, 3] },
  repeats: 5,
  cost: (p) => p.steps * Math.min(p.batch_size, p.n_points) * p.width * (p.depth + 2),
  memory: (p, pack) => packBytes({ model: modelFor(p), trainRows: Math.min(p.batch_size, p.n_points), evalRows: p.n_points, dataRows: p.n_points }, pack),
  async runPack(trials, ctx) {
    const p = trials[0].params;
    const K = trials.length;
    const { x, labels } = alternatingPoints(p.n_points);
    const y = oneHot(labels);
    const { finalLoss, pack } = await trainPack({
      model: modelFor(p),
      initRngs: trials.map((t) => trialStream(t, 'init')),
      batchRngs: trials.map((t) => trialStream(t, 'batch')),
      trainX: trials.map(() => x),
      trainY: trials.map(() => y),
      n: p.n_points,
      loss: 'cross_entropy',
      lr: p.lr,
      steps: p.steps,
      batchSize: p.batch_size,
      yieldToHost: ctx.yieldToHost,
    });
    const xs = stack3d(trials.map(() => x), p.n_points, 1);
    const ys = stack3d(trials.map(() => y), p.n_points, 2);
    const accuracy = await evaluateAccuracy(pack, xs, ys);
    const logits = await predict(pack, xs);
    pack.dispose();
    tf.dispose([xs, ys]);
    const index = range(p.n_points);
    return range(K).map(
      (k): TrialResult => ({
        trialId: trials[k].id,
        scalars: { loss: finalLoss[k], accuracy: accuracy[k], n_params: parameterCount(modelFor(p)) },
        series: {
          score: { steps: index, values: index.map((i) => logits[k][2 * i + 1] - logits[k][2 * i]) },
          label: { steps: index, values: Array.from(labels) },
          x: { steps: index, values: Array.from(x) },
        },
      }),
    );
  },
};
