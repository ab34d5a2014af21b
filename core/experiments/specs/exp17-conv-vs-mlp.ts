/**
 * Experiment 17 (an open question of the notebook, as a spec): on small images, does a
 * convolution's locality beat an MLP with the same number of parameters, and most when
 * data is scarce?
 */
import type { ExperimentSpecInput } from '../../custom/spec';

export const exp17Spec: ExperimentSpecInput = {
  title: 'A small conv net or an MLP of equal size on images?',
  question: 'On 8×8 images of oriented bars (4 orientations, pixel noise), does a one-convolution net beat an MLP with the same number of parameters, across training-set sizes?',
  hypothesis: 'The conv net reaches a higher test accuracy than the equal-size MLP, and its advantage is largest with few training images.',
  note: 'Default sweep, seed 0, 5 repeats (10 s CPU): contradicted. The MLP of equal size (one hidden layer of 35 units, 2,419 parameters) matched or beat the conv net (2,428 parameters) at every size: test accuracy 0.512 vs 0.475 with 40 images (conv -0.037, 95% CI [-0.066, -0.009]), 0.778 vs 0.778 with 160, 0.988 vs 0.957 with 640. Both fit their training sets (train accuracy at least 0.999). This conv net has no pooling: almost all its parameters sit in the dense layer over the 144 flattened feature values, so the convolution buys little weight sharing; with pixel noise 0.5 instead of 0.3 both were worse and the MLP still ahead (0.72 vs 0.63 at 640).',
  data: { block: 'images', n: 200, test_n: 400, side: 8, noise: 0.3, classes: 4 },
  model: { block: 'conv', architecture: 'conv', filters: 4, kernel: 3, width: 16, depth: 1, activation: 'relu' },
  training: { block: 'adam', loss: 'cross_entropy', lr: 0.003, batch_size: 32, steps: 400 },
  record: [
    { metric: 'test_accuracy', at: 'checkpoints', every: 50 },
    { metric: 'train_accuracy', at: 'end' },
  ],
  grid: { architecture: ['conv', 'mlp'], n: [40, 160, 640] },
  repeats: 5,
  claims: [
    { kind: 'difference', statement: 'The conv net reaches a higher test accuracy than the equal-size MLP (over training-set sizes)', metric: 'test_accuracy', by: 'architecture', a: 'conv', b: 'mlp', expect: 'greater', paired: true },
    { kind: 'difference', statement: 'With 40 training images, the conv net beats the equal-size MLP', metric: 'test_accuracy', by: 'architecture', a: 'conv', b: 'mlp', expect: 'greater', where: { n: 40 }, paired: true },
    { kind: 'trend', statement: 'The MLP improves with more training images', metric: 'test_accuracy', along: 'n', expect: 'increasing', where: { architecture: 'mlp' }, paired: true },
  ],
  figure: { x: 'n', y: 'test_accuracy', color: 'architecture' },
};
