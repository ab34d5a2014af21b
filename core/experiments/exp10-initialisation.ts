/**
 * Experiment 10: How does initialisation affect training?
 *
 * Data: the identical recipe to Exp 9: Gaussian mixture, d = 12, class_seps 1/(i+1),
 * covariance scale 1, n = 500, shuffled 80/20 split (400/100), one-hot. One draw per
 * repeat, shared by every initialiser.
 * Model: 12 → (100, 100) sigmoid → 2 linear logits. The initialiser under test fills ALL
 * weights AND ALL biases (multilayer_perceptron passes one initializer to both):
 * xavier (Glorot uniform; a bias of n uses bound sqrt(3/n)), zeros, ones, normal_low
 * N(0, 0.01²), normal_high N(0, normal_high_std²) with std 1 (the notebook at HEAD; before
 * commit 6bacb53 it was N(0, 10²): set normal_high_std = 10 for that variant).
 * Training: MSE on the raw logits, mean((ŷ − one_hot)²) over all N×2 entries (NOT cross-
 * entropy), TF1 Adam lr 0.003, 500 steps of random_batch(64).
 * Zeros and ones are symmetric: every unit of a hidden layer computes the same function
 * and gets the same gradient, so the units stay identical for ever (up to floating-point
 * noise; the notebook credits "numerical noise from parallel cores" for zeros eventually
 * training). With all logits tied, argmax picks class 0.
 * Recorded: test accuracy at steps 0, 50, …, 450 (after that step's update), series
 * `test_accuracy`. The notebook computes a final test evaluation and discards it; we keep
 * it as the scalar `test_accuracy`.
 */
import { z } from 'zod';
import { mixtureRecipe } from '../data/gaussian-mixture';
import { INITIALIZERS } from '../nn/initializers';
import { parameterCount, type MlpSpec } from '../nn/model';
import { activation, hiddenLayers, initializer, int, learningRate, positive, repeatMixture } from './common';
import { runTrackingTestAccuracy, scheduleOf } from './test-accuracy-curve';
import type { Experiment } from './types';
import { packBytes } from './memory';

const params = z
  .object({
    initializer: initializer.default('xavier'),
    /** Std of 'normal_high': 1 at HEAD, 10 before commit 6bacb53. */
    normal_high_std: positive(1000).default(1),
    ...mixtureRecipe.shape,
    hidden: hiddenLayers.default([100, 100]),
    activation: activation.default('sigmoid'),
    lr: learningRate.default(0.003),
    steps: int(1, 200_000).default(500),
    batch_size: int(1, 20_000).default(64),
    records: int(1, 1000).default(10),
  })
  .strict();
type Params = z.infer<typeof params>;

export function modelFor(p: Params): MlpSpec {
  return {
    kind: 'mlp',
    input: p.d,
    hidden: p.hidden,
    output: 2,
    activation: p.activation,
    initializer: p.initializer,
    normalHighStd: p.normal_high_std,
  };
}

export const exp10: Experiment<typeof params> = {
  id: 'exp10',
  number: 10,
  section: 'III. Parameters and Hyperparameters',
  title: 'How does initialisation affect training?',
  question: 'How do Xavier, constant (0 or 1) and Gaussian (low or high variance) initialisations of all weights and biases change training?',
  hypothesis: 'Xavier is best; the others are poor, especially the constant initialisers.',
  conclusion:
    'Xavier is best and the small-variance Gaussian is close. Zero initialisation eventually trains (the author blames numerical noise from parallel cores); ones never trains, and N(0, 1) trains slowly.',
  // Repeat r's data is shared by every initialiser: paired.
  claims: [
    { kind: 'difference', statement: 'Xavier beats constant ones (which never trains) on final test accuracy', metric: 'test_accuracy', by: 'initializer', a: 'xavier', b: 'ones', expect: 'greater', paired: true, notebook: 'supported', quote: 'Conclusion: Xavier is best and small-variance Gaussian is close. Ones initialisation never trains, and N(0, 1) trains slowly.' },
    { kind: 'curves', statement: 'Xavier is ahead of constant zeros over training (mean test accuracy over the checkpoints)', metric: 'test_accuracy', by: 'initializer', a: 'xavier', b: 'zeros', steps: 'all', expect: 'greater', paired: true, notebook: 'supported', quote: 'Conclusion: Xavier is best and small-variance Gaussian is close. Zero initialisation eventually trains; the author attributes this to numerical noise from parallel cores.', narrows: 'Compares the mean test accuracy over all ten checkpoints rather than at the end, since zeros "eventually trains" and may catch up by then; it asks whether Xavier is ahead over the run.' },
    { kind: 'curves', statement: 'Xavier is ahead of N(0, 1) over training (mean test accuracy over the checkpoints)', metric: 'test_accuracy', by: 'initializer', a: 'xavier', b: 'normal_high', steps: 'all', expect: 'greater', paired: true, notebook: 'supported', quote: 'Conclusion: Xavier is best and small-variance Gaussian is close. Ones initialisation never trains, and N(0, 1) trains slowly.', narrows: 'Reads "trains slowly" as a lower mean test accuracy over the ten checkpoints, not the final value, which a slow network could still match.' },
    { kind: 'difference', statement: 'Xavier beats N(0, 0.01²) on final test accuracy', metric: 'test_accuracy', by: 'initializer', a: 'xavier', b: 'normal_low', expect: 'greater', paired: true, notebook: 'inconclusive', quote: 'Conclusion: Xavier is best and small-variance Gaussian is close.' },
  ],
  params,
  grid: { initializer: [...INITIALIZERS] },
  repeats: 5,
  cost: (p) => p.steps * Math.min(p.batch_size, p.n - Math.ceil(p.test_size * p.n)) * parameterCount(modelFor(p)),
  memory: (p, pack) =>
    packBytes({ model: modelFor(p), trainRows: Math.min(p.batch_size, p.n - Math.ceil(p.test_size * p.n)), evalRows: p.n, dataRows: p.n }, pack),
  async runPack(trials, ctx) {
    const p = trials[0].params;
    return runTrackingTestAccuracy(trials, ctx, { model: modelFor(p), loss: 'mean_squared_error', ...scheduleOf(p), splits: trials.map(repeatMixture) });
  },
};
