/**
 * Experiment 10 (the notebook's, as a spec): How does initialisation affect training?
 *
 * Data: the identical recipe to Exp 9: Gaussian mixture, d = 12, class 1's mean 1/(i+1),
 * covariance scale 1, 500 rows shuffled and split 400/100, one-hot. One draw per repeat,
 * shared by every initialiser (`task_shared_by: []`); initial weights and batches per trial.
 * Model: 12 → (100, 100) sigmoid → 2 linear logits. The initialiser under test fills ALL
 * weights AND ALL biases (multilayer_perceptron passes one initializer to both):
 * xavier (Glorot uniform; a bias of n uses bound sqrt(3/n)), zeros, ones, normal_low
 * N(0, 0.01²), normal_high N(0, normal_high_std²) with std 1 (the notebook at HEAD; before
 * its commit 6bacb53 it was N(0, 10²): set normal_high_std = 10 for that variant).
 * Training: MSE on the raw logits, mean((ŷ − one_hot)²) over all N×2 entries (NOT cross-
 * entropy), TF1 Adam lr 0.003, 500 steps of random_batch(64).
 * Zeros and ones are symmetric: every unit of a hidden layer computes the same function
 * and gets the same gradient, so the units stay identical for ever (up to floating-point
 * noise; the notebook credits "numerical noise from parallel cores" for zeros eventually
 * training). With all logits tied, argmax picks class 0.
 * Recorded: test accuracy at the notebook's checkpoints (after updates 1, 51, …, 451),
 * series `test_accuracy` (float32). The notebook computes a final test evaluation and
 * discards it; we keep it as the scalar `test_accuracy`, and the last batch's `loss`.
 */
import type { ExperimentSpecInput } from '../../custom/spec';

export const exp10Spec: ExperimentSpecInput = {
  title: 'How does initialisation affect training?',
  question: 'How do Xavier, constant (0 or 1) and Gaussian (low or high variance) initialisations of all weights and biases change training?',
  hypothesis: 'Xavier is best; the others are poor, especially the constant initialisers.',
  data: { block: 'mixture', n: 500, test_size: 0.2, d: 12, class_sep: 1, class_sep_decay: 'inverse', covariance_scale: 1 },
  model: { block: 'mlp', width: 100, depth: 2, activation: 'sigmoid', initializer: 'xavier', normal_high_std: 1 },
  training: { block: 'adam', loss: 'mean_squared_error', lr: 0.003, batch_size: 64, steps: 500 },
  record: [
    { metric: 'test_accuracy', at: 'checkpoints', per_run: 10, align: 'start', float32: true },
    { metric: 'loss', at: 'end' },
  ],
  grid: { initializer: ['xavier', 'zeros', 'ones', 'normal_low', 'normal_high'] },
  repeats: 5,
  paired: false,
  task_shared_by: [],
  claims: [
    { kind: 'difference', statement: 'Xavier beats constant ones (which never trains) on final test accuracy', metric: 'test_accuracy', by: 'initializer', a: 'xavier', b: 'ones', expect: 'greater', paired: true, notebook: 'supported', quote: 'Conclusion: Xavier is best and small-variance Gaussian is close. Ones initialisation never trains, and N(0, 1) trains slowly.' },
    { kind: 'curves', statement: 'Xavier is ahead of constant zeros over training (mean test accuracy over the checkpoints)', metric: 'test_accuracy', by: 'initializer', a: 'xavier', b: 'zeros', steps: 'all', expect: 'greater', paired: true, notebook: 'supported', quote: 'Conclusion: Xavier is best and small-variance Gaussian is close. Zero initialisation eventually trains; the author attributes this to numerical noise from parallel cores.', narrows: 'Compares the mean test accuracy over all ten checkpoints rather than at the end, since zeros "eventually trains" and may catch up by then; it asks whether Xavier is ahead over the run.' },
    { kind: 'curves', statement: 'Xavier is ahead of N(0, 1) over training (mean test accuracy over the checkpoints)', metric: 'test_accuracy', by: 'initializer', a: 'xavier', b: 'normal_high', steps: 'all', expect: 'greater', paired: true, notebook: 'supported', quote: 'Conclusion: Xavier is best and small-variance Gaussian is close. Ones initialisation never trains, and N(0, 1) trains slowly.', narrows: 'Reads "trains slowly" as a lower mean test accuracy over the ten checkpoints, not the final value, which a slow network could still match.' },
    { kind: 'difference', statement: 'Xavier beats N(0, 0.01²) on final test accuracy', metric: 'test_accuracy', by: 'initializer', a: 'xavier', b: 'normal_low', expect: 'greater', paired: true, notebook: 'inconclusive', quote: 'Conclusion: Xavier is best and small-variance Gaussian is close.' },
  ],
  figure: { x: 'step', y: 'test_accuracy', color: 'initializer' },
};

/** What the notebook concluded. */
export const exp10Conclusion =
  'Xavier is best and the small-variance Gaussian is close. Zero initialisation eventually trains (the author blames numerical noise from parallel cores); ones never trains, and N(0, 1) trains slowly.';
