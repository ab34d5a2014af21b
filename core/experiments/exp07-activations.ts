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
import { z } from 'zod';
import type { Split } from '../data/dataset';
import { generateMoons } from '../data/moons';
import { parameterCount, type MlpSpec } from '../nn/model';
import { activation, classifierMlp, hiddenLayers, initializer, int, learningRate, repeatStream } from './common';
import { runTrackingTestAccuracy, scheduleOf } from './test-accuracy-curve';
import type { Experiment, TrialSpec } from './types';
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
  return classifierMlp(2, p.hidden, p);
}

/** The moons of one repeat, shared by every activation of that repeat. */
export function moonsFor(t: TrialSpec<Params>): Split {
  return generateMoons(repeatStream(t, 'data'), t.params.n, t.params.noise, t.params.test_size);
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
    { kind: 'difference', statement: 'ReLU beats the identity (a linear network) on test accuracy', metric: 'test_accuracy', by: 'activation', a: 'relu', b: 'identity', expect: 'greater', paired: true, notebook: 'supported', quote: 'Conclusion: every non-linearity except `sign` works about equally well; x² is as good as ReLU. Even the linear network reaches about 88–90%, so the task may be too easy and the network too shallow to generalise from.', narrows: 'Sets ReLU, a standard non-linearity, against the linear network, which the notebook puts below the non-linear ones ("even … about 88–90%"); it tests the direction of that gap, not its size.' },
    { kind: 'difference', statement: 'tanh beats the identity on test accuracy', metric: 'test_accuracy', by: 'activation', a: 'tanh', b: 'identity', expect: 'greater', paired: true, notebook: 'supported', quote: 'Conclusion: every non-linearity except `sign` works about equally well; x² is as good as ReLU. Even the linear network reaches about 88–90%, so the task may be too easy and the network too shallow to generalise from.', narrows: 'Sets tanh, a standard non-linearity, against the linear network, which the notebook puts below the non-linear ones ("even … about 88–90%"); it tests the direction of that gap, not its size.' },
    { kind: 'difference', statement: 'ReLU beats x² on test accuracy', metric: 'test_accuracy', by: 'activation', a: 'relu', b: 'square', expect: 'greater', paired: true, notebook: 'inconclusive', quote: 'Conclusion: every non-linearity except `sign` works about equally well; x² is as good as ReLU.' },
    { kind: 'difference', statement: 'ReLU beats sign on test accuracy', metric: 'test_accuracy', by: 'activation', a: 'relu', b: 'sign', expect: 'greater', paired: true, notebook: 'supported', quote: 'Conclusion: every non-linearity except `sign` works about equally well; x² is as good as ReLU.' },
  ],
  params,
  grid: { activation: [...EXP7_ACTIVATIONS] },
  repeats: 5,
  cost: (p) => p.steps * Math.min(p.batch_size, p.n - Math.ceil(p.test_size * p.n)) * parameterCount(modelFor(p)),
  memory: (p, pack) =>
    packBytes({ model: modelFor(p), trainRows: Math.min(p.batch_size, p.n - Math.ceil(p.test_size * p.n)), evalRows: p.n, dataRows: p.n }, pack),
  async runPack(trials, ctx) {
    const p = trials[0].params;
    return runTrackingTestAccuracy(trials, ctx, { model: modelFor(p), loss: 'cross_entropy', ...scheduleOf(p), splits: trials.map(moonsFor) });
  },
};
