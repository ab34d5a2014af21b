/**
 * Experiment 5 (the notebook's, as a spec): Memorising or generalising? Random vs. true
 * labels, after Arpit et al. (arXiv 1706.05394).
 *
 * Data: per repeat ONE Gaussian mixture of pool_n = max(ns) = 300 points, d = 6, class_sep 1
 * in every coordinate, covariance_scale 1, one-hot labels, test_size 0 (all rows train,
 * shuffled: a pool of 300 rows with `test_n: 0`). It is shared by every n and by the
 * true/random-label runs of that repeat (`task_shared_by: ['pool_n', 'd']`: per repeat,
 * pool size and dimension, the keys the notebook port drew it with). With random labels
 * (`features: labels 'random'`) the one-hot rows of all 300 points are permuted (one
 * permutation per repeat: a pool's feature draws are shared like its task), which keeps the
 * class balance and breaks the point–label link. Each config uses the first n rows
 * (`pool_n`). There is no test set: everything measured is training accuracy.
 * Model: 6 → [200, 200, 200] sigmoid → 2 logits (the notebook passes three layers of 200;
 * the class default is (100, 100)), Xavier-uniform weights and biases.
 * Training: softmax cross-entropy, TF1 Adam lr 0.003, 2,500 steps of random_batch(64) (a
 * fresh permutation each step; for n ≤ 64 the whole set every step). Weights and batches
 * are per trial (`paired: false`).
 * Recorded: accuracy on the full n-row training subset at the notebook's checkpoints,
 * `step % (num_steps/10) == 0` evaluated after that step's update (`per_run: 10, align:
 * 'start'`): after updates 1, 251, …, 2251 (`step` counts updates applied; the notebook's
 * step indices 0, 250, …, 2250), series `train_accuracy` as TF's float32 mean, as
 * `return_accuracy_per_epoch`; and the final post-training accuracy (scalar
 * `train_accuracy`, computed but not stored by the notebook in that mode).
 */
import type { ExperimentSpecInput } from '../../custom/spec';

const QUOTE = 'Conclusion: memorisation capacity is about 150 points, and even within capacity random labels are learned more slowly.';

export const exp5Spec: ExperimentSpecInput = {
  title: 'Memorising or generalising? (random vs. true labels)',
  question: 'How many randomly labelled points can the network memorise, and do random labels take longer to learn than true ones?',
  hypothesis: 'Random labels take longer to learn than true labels.',
  data: { block: 'mixture', n: 300, pool_n: 300, test_n: 0, d: 6, class_sep: 1, covariance_scale: 1 },
  features: { block: 'pipeline', labels: 'true' },
  model: { block: 'mlp', width: 200, depth: 3, activation: 'sigmoid', initializer: 'xavier' },
  training: { block: 'adam', loss: 'cross_entropy', lr: 0.003, batch_size: 64, steps: 2500 },
  record: [{ metric: 'train_accuracy', at: 'checkpoints', per_run: 10, align: 'start', float32: true }],
  grid: { labels: ['true', 'random'], n: [50, 100, 150, 200, 250, 300] },
  repeats: 5,
  paired: false,
  task_shared_by: ['pool_n', 'd'],
  claims: [
    { kind: 'curves', statement: 'Within capacity (n = 150), true labels are learned faster: training accuracy over the checkpoints is higher than with random labels', metric: 'train_accuracy', by: 'labels', a: 'true', b: 'random', steps: 'all', expect: 'greater', where: { n: 150 }, paired: true, notebook: 'supported', quote: QUOTE, narrows: 'Tests the size the notebook plots for this, n = 150 (its "Training Accuracy (n=150)" panel), and reads "learned more slowly" as the mean training-accuracy curve over the ten checkpoints lying higher for true labels.' },
    { kind: 'difference', statement: 'Beyond capacity (n = 300), random labels are still less well fitted after training', metric: 'train_accuracy', by: 'labels', a: 'true', b: 'random', expect: 'greater', where: { n: 300 }, paired: true, notebook: 'supported', quote: QUOTE, narrows: 'Reads the capacity of about 150 points at the largest size, n = 300, twice that: there random labels should not all be memorised, so their final training accuracy should stay below that of true labels.' },
  ],
  figure: { x: 'n', y: 'train_accuracy', color: 'labels' },
};

/** What the notebook concluded. */
export const exp5Conclusion = 'Memorisation capacity is about 150 points, and even within capacity random labels are learned more slowly than true ones.';
