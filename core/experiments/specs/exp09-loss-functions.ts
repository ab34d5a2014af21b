/**
 * Experiment 9 (the notebook's, as a spec): Does the loss function matter?
 *
 * Data: Gaussian mixture, d = 12, class 1's mean 1/(i+1) = 1, 1/2, …, 1/12 (the code,
 * `class_sep_decay: 'inverse'`; the markdown says "separated by 1 in every dimension": set
 * class_sep_decay 'none' for that), covariance scale 1, 500 rows shuffled and split 400/100
 * (`test_size: 0.2`), one-hot labels. One draw per repeat, shared by every loss
 * (`task_shared_by: []`); initial weights and batches per trial (`paired: false`).
 * Model: 12 → (100, 100) sigmoid → 2 linear logits, Xavier-uniform weights and biases.
 * Training: TF1 Adam lr 0.003, 500 steps of random_batch(64), with the loss under test,
 * every one applied to RAW logits against the one-hot labels (core/nn/losses.ts): softmax
 * cross-entropy, mean |ŷ−y|, mean (ŷ−y)², mean (ŷ−y)⁴, tf.losses.hinge_loss (labels → ±1,
 * mean over all N×2 entries of relu(1 − y±·ŷ)), and the control `constant` = 0 × MSE,
 * whose gradient is exactly zero, so TF1 Adam never moves any weight.
 * Recorded: test accuracy at the notebook's checkpoints (s % (steps/10) == 0, after that
 * step's update): after updates 1, 51, …, 451, series `test_accuracy` (float32, as TF's
 * mean). The notebook evaluates nothing after the last step; the scalar `test_accuracy` is
 * our addition (after all 500 updates), as is `loss` (the last batch's training loss).
 */
import type { ExperimentSpecInput } from '../../custom/spec';

export const exp9Spec: ExperimentSpecInput = {
  title: 'Does the loss function matter?',
  question: 'Does the choice of loss (cross-entropy, MAE, MSE, 4th power, hinge) change test accuracy, against a constant-loss control?',
  hypothesis: 'Cross-entropy is best, the other losses do worse, and the constant loss never learns.',
  data: { block: 'mixture', n: 500, test_size: 0.2, d: 12, class_sep: 1, class_sep_decay: 'inverse', covariance_scale: 1 },
  model: { block: 'mlp', width: 100, depth: 2, activation: 'sigmoid', initializer: 'xavier' },
  training: { block: 'adam', loss: 'cross_entropy', lr: 0.003, batch_size: 64, steps: 500 },
  record: [
    { metric: 'test_accuracy', at: 'checkpoints', per_run: 10, align: 'start', float32: true },
    { metric: 'loss', at: 'end' },
  ],
  grid: { loss: ['cross_entropy', 'mean_abs_error', 'mean_squared_error', 'mean_fourth_pow_error', 'hinge_loss', 'constant'] },
  repeats: 5,
  paired: false,
  task_shared_by: [],
  claims: [
    { kind: 'difference', statement: 'Cross-entropy beats the constant (never-learning) control on test accuracy', metric: 'test_accuracy', by: 'loss', a: 'cross_entropy', b: 'constant', expect: 'greater', paired: true, notebook: 'supported', quote: 'Conclusion: all losses perform about the same, apart from the control.' },
    { kind: 'difference', statement: 'Cross-entropy beats mean squared error on test accuracy', metric: 'test_accuracy', by: 'loss', a: 'cross_entropy', b: 'mean_squared_error', expect: 'greater', paired: true, notebook: 'inconclusive', quote: 'Conclusion: all losses perform about the same, apart from the control.' },
    { kind: 'difference', statement: 'Cross-entropy beats mean absolute error on test accuracy', metric: 'test_accuracy', by: 'loss', a: 'cross_entropy', b: 'mean_abs_error', expect: 'greater', paired: true, notebook: 'inconclusive', quote: 'Conclusion: all losses perform about the same, apart from the control.' },
    { kind: 'curves', statement: 'Early in training (the first five checkpoints, after updates 1–201) cross-entropy is ahead of the 4th-power loss', metric: 'test_accuracy', by: 'loss', a: 'cross_entropy', b: 'mean_fourth_pow_error', steps: [1, 51, 101, 151, 201], expect: 'greater', paired: true, notebook: 'supported', quote: 'The 4th-power loss is slightly worse early on.', narrows: 'Reads "early on" as the first five checkpoints, after updates 1 to 201 of 500 (the notebook\'s steps 0–200), and compares the 4th-power loss with cross-entropy only.' },
  ],
  figure: { x: 'step', y: 'test_accuracy', color: 'loss' },
};

/** What the notebook concluded. */
export const exp9Conclusion = 'All losses perform about the same, apart from the constant control; the 4th-power loss is slightly worse early on.';
