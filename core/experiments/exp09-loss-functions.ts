/**
 * Experiment 9: Does the loss function matter?
 *
 * Data: Gaussian mixture (core/data/gaussian-mixture.ts), d = 12, class_seps 1/(i+1) = 1, 1/2, …, 1/12 (the code;
 * the markdown says "separated by 1 in every dimension": pass class_seps = 1 for that),
 * covariance scale 1, n = 500, shuffled 80/20 split (400/100), one-hot labels. One draw per
 * repeat, shared by every loss.
 * Model: 12 → (100, 100) sigmoid → 2 linear logits, Xavier-uniform weights and biases.
 * Training: TF1 Adam lr 0.003, 500 steps of random_batch(64), with the loss under test,
 * every one applied to RAW logits against the one-hot labels (core/nn/losses.ts): softmax cross-entropy,
 * mean |ŷ−y|, mean (ŷ−y)², mean (ŷ−y)⁴, tf.losses.hinge_loss (labels → ±1, mean over all
 * N×2 entries of relu(1 − y±·ŷ)), and the control `constant` = 0 × MSE, whose gradient is
 * exactly zero, so TF1 Adam never moves any weight.
 * Recorded: test accuracy at steps 0, 50, …, 450 (s % (steps/10) == 0, after that step's
 * update), series `test_accuracy`. The notebook evaluates nothing after the last step; the
 * scalar `test_accuracy` is our addition (after all 500 updates).
 */
import { z } from 'zod';
import { mixtureRecipe } from '../data/gaussian-mixture';
import { LOSSES } from '../nn/losses';
import { parameterCount, type MlpSpec } from '../nn/model';
import { activation, classifierMlp, hiddenLayers, initializer, int, learningRate, loss, repeatMixture } from './common';
import { runTrackingTestAccuracy, scheduleOf } from './test-accuracy-curve';
import type { Experiment } from './types';
import { packBytes } from './memory';

const params = z
  .object({
    loss: loss.default('cross_entropy'),
    ...mixtureRecipe.shape,
    hidden: hiddenLayers.default([100, 100]),
    activation: activation.default('sigmoid'),
    initializer: initializer.default('xavier'),
    lr: learningRate.default(0.003),
    steps: int(1, 200_000).default(500),
    batch_size: int(1, 20_000).default(64),
    records: int(1, 1000).default(10),
  })
  .strict();
type Params = z.infer<typeof params>;

export function modelFor(p: Params): MlpSpec {
  return classifierMlp(p.d, p.hidden, p);
}

export const exp9: Experiment<typeof params> = {
  id: 'exp9',
  number: 9,
  section: 'III. Parameters and Hyperparameters',
  title: 'Does the loss function matter?',
  question: 'Does the choice of loss (cross-entropy, MAE, MSE, 4th power, hinge) change test accuracy, against a constant-loss control?',
  hypothesis: 'Cross-entropy is best, the other losses do worse, and the constant loss never learns.',
  conclusion: 'All losses perform about the same, apart from the constant control; the 4th-power loss is slightly worse early on.',
  // Repeat r's data is shared by every loss: paired.
  claims: [
    { kind: 'difference', statement: 'Cross-entropy beats the constant (never-learning) control on test accuracy', metric: 'test_accuracy', by: 'loss', a: 'cross_entropy', b: 'constant', expect: 'greater', paired: true, notebook: 'supported', quote: 'Conclusion: all losses perform about the same, apart from the control.' },
    { kind: 'difference', statement: 'Cross-entropy beats mean squared error on test accuracy', metric: 'test_accuracy', by: 'loss', a: 'cross_entropy', b: 'mean_squared_error', expect: 'greater', paired: true, notebook: 'inconclusive', quote: 'Conclusion: all losses perform about the same, apart from the control.' },
    { kind: 'difference', statement: 'Cross-entropy beats mean absolute error on test accuracy', metric: 'test_accuracy', by: 'loss', a: 'cross_entropy', b: 'mean_abs_error', expect: 'greater', paired: true, notebook: 'inconclusive', quote: 'Conclusion: all losses perform about the same, apart from the control.' },
    { kind: 'curves', statement: 'Early in training (steps 0–200) cross-entropy is ahead of the 4th-power loss', metric: 'test_accuracy', by: 'loss', a: 'cross_entropy', b: 'mean_fourth_pow_error', steps: [0, 50, 100, 150, 200], expect: 'greater', paired: true, notebook: 'supported', quote: 'The 4th-power loss is slightly worse early on.', narrows: 'Reads "early on" as the first five checkpoints, steps 0–200 of 500, and compares the 4th-power loss with cross-entropy only.' },
  ],
  params,
  grid: { loss: [...LOSSES] },
  repeats: 5,
  // Packs differ only in the loss; trainPack takes one loss per pack, so each loss keeps its
  // own pack (the default key: all repeats of one grid cell).
  cost: (p) => p.steps * Math.min(p.batch_size, p.n - Math.ceil(p.test_size * p.n)) * parameterCount(modelFor(p)),
  memory: (p, pack) =>
    packBytes({ model: modelFor(p), trainRows: Math.min(p.batch_size, p.n - Math.ceil(p.test_size * p.n)), evalRows: p.n, dataRows: p.n }, pack),
  async runPack(trials, ctx) {
    const p = trials[0].params;
    return runTrackingTestAccuracy(trials, ctx, { model: modelFor(p), loss: p.loss, ...scheduleOf(p), splits: trials.map(repeatMixture) });
  },
};
