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
import { z } from 'zod';
import { alternatingOptions, alternatingPoints } from '../data/alternating';
import type { Table } from '../data/dataset';
import { parameterCount, type SharedSpec } from '../nn/model';
import { accuracyOn, disposeSets, stackTables, trainClassifiers } from '../train/classifier';
import { predict } from '../train/train-pack';
import { activation, int, learningRate, packStreams, range } from './common';
import type { Experiment, TrialResult } from './types';
import { packBytes } from './memory';

const params = z
  .object({
    depth: int(1, 64).default(1),
    width: int(1, 512).default(10),
    n_points: alternatingOptions.shape.n_points,
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
    { kind: 'trend', statement: 'With 152 parameters fixed, accuracy on the alternating points rises with depth', metric: 'accuracy', along: 'depth', expect: 'increasing', notebook: 'supported', quote: 'Accuracy increases with increasing depth in most runs.' },
  ],
  params,
  grid: { depth: [1, 2, 3] },
  repeats: 5,
  cost: (p) => p.steps * Math.min(p.batch_size, p.n_points) * p.width * (p.depth + 2),
  memory: (p, pack) => packBytes({ model: modelFor(p), trainRows: Math.min(p.batch_size, p.n_points), evalRows: p.n_points, dataRows: p.n_points }, pack),
  async runPack(trials, ctx) {
    const p = trials[0].params;
    const { x, labels } = alternatingPoints(p.n_points);
    const points: Table = { n: p.n_points, d: 1, x, labels };
    const tables = trials.map(() => points);
    const { finalLoss, pack } = await trainClassifiers({
      model: modelFor(p),
      train: tables,
      ...packStreams(trials),
      loss: 'cross_entropy',
      lr: p.lr,
      steps: p.steps,
      batchSize: p.batch_size,
      yieldToHost: ctx.yieldToHost, engine: ctx.engine,
    });
    // Scored on the same 16 points it trained on; the score is logit₁ − logit₀ per point.
    const set = stackTables(tables);
    const accuracy = await accuracyOn(pack, set);
    const logits = await predict(pack, set.x);
    pack.dispose();
    disposeSets(set);
    const index = range(p.n_points);
    return trials.map(
      (t, k): TrialResult => ({
        trialId: t.id,
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
