/**
 * Experiment 7 (the notebook's, as a spec): Can any non-linearity be used as the activation?
 *
 * Data: sklearn-style moons, 500 points, noise 0.1, shuffled and split 400 train / 100 test
 * (`test_size: 0.2`), one-hot labels, not normalised. One draw per repeat, shared by
 * every activation (the notebook draws the moons once per `iters` loop and reuses them for
 * all activations): the task, and with it the rows, is shared by the repeat
 * (`task_shared_by: []`), while each trial draws its own initial weights and batches
 * (`paired: false`). Claims comparing activations pair within a repeat.
 * Model: 2 → (30, 30) with hidden activation a → 2 linear logits; Xavier-uniform weights
 * AND biases. a ∈ relu, tanh, square (x²), sin, sign, identity (the notebook's call; the
 * class default would be sigmoid and square).
 * Training: softmax cross-entropy, TF1 Adam lr 0.003, 800 steps of random_batch(64).
 * `sign` has a zero gradient everywhere (TF and tfjs alike), so only the output layer
 * trains with it; the hidden layers stay at their initial values.
 * Recorded: test accuracy at the notebook's checkpoints, `step % (num_steps/10) == 0`
 * evaluated after that step's update (`per_run: 10, align: 'start'`): after updates 1, 81,
 * …, 721 (10 checkpoints; `step` counts updates applied), series `test_accuracy`, as TF's
 * float32 mean. The notebook has no evaluation after the last step; the scalar
 * `test_accuracy` is our addition: test accuracy after all 800 updates; so is `loss`, the
 * training loss of the last batch (before its update, as sess.run returns it).
 */
import type { ExperimentSpecInput } from '../../custom/spec';

export const exp7Spec: ExperimentSpecInput = {
  title: 'Can any non-linearity be used as the activation?',
  question: 'Do unusual activation functions (x², sin, sign, identity) train as well as the standard ones on the moons?',
  hypothesis: 'Identity does poorly and the standard non-linearities do best.',
  data: { block: 'moons', n: 500, test_size: 0.2, noise: 0.1 },
  model: { block: 'mlp', width: 30, depth: 2, activation: 'relu', initializer: 'xavier' },
  training: { block: 'adam', loss: 'cross_entropy', lr: 0.003, batch_size: 64, steps: 800 },
  record: [
    { metric: 'test_accuracy', at: 'checkpoints', per_run: 10, align: 'start', float32: true },
    { metric: 'loss', at: 'end' },
  ],
  grid: { activation: ['relu', 'tanh', 'square', 'sin', 'sign', 'identity'] },
  repeats: 5,
  paired: false,
  task_shared_by: [],
  claims: [
    { kind: 'difference', statement: 'ReLU beats the identity (a linear network) on test accuracy', metric: 'test_accuracy', by: 'activation', a: 'relu', b: 'identity', expect: 'greater', paired: true, notebook: 'supported', quote: 'Conclusion: every non-linearity except `sign` works about equally well; x² is as good as ReLU. Even the linear network reaches about 88–90%, so the task may be too easy and the network too shallow to generalise from.', narrows: 'Sets ReLU, a standard non-linearity, against the linear network, which the notebook puts below the non-linear ones ("even … about 88–90%"); it tests the direction of that gap, not its size.' },
    { kind: 'difference', statement: 'tanh beats the identity on test accuracy', metric: 'test_accuracy', by: 'activation', a: 'tanh', b: 'identity', expect: 'greater', paired: true, notebook: 'supported', quote: 'Conclusion: every non-linearity except `sign` works about equally well; x² is as good as ReLU. Even the linear network reaches about 88–90%, so the task may be too easy and the network too shallow to generalise from.', narrows: 'Sets tanh, a standard non-linearity, against the linear network, which the notebook puts below the non-linear ones ("even … about 88–90%"); it tests the direction of that gap, not its size.' },
    { kind: 'difference', statement: 'ReLU beats x² on test accuracy', metric: 'test_accuracy', by: 'activation', a: 'relu', b: 'square', expect: 'greater', paired: true, notebook: 'inconclusive', quote: 'Conclusion: every non-linearity except `sign` works about equally well; x² is as good as ReLU.' },
    { kind: 'difference', statement: 'ReLU beats sign on test accuracy', metric: 'test_accuracy', by: 'activation', a: 'relu', b: 'sign', expect: 'greater', paired: true, notebook: 'supported', quote: 'Conclusion: every non-linearity except `sign` works about equally well; x² is as good as ReLU.' },
  ],
  figure: { x: 'step', y: 'test_accuracy', color: 'activation' },
};

/** What the notebook concluded. */
export const exp7Conclusion =
  'Every non-linearity except sign works about equally well; x² is as good as ReLU. Even the linear network reaches about 88–90%, so the task may be too easy and the network too shallow.';
