/** A small valid spec (mixture → MLP → Adam) the custom-experiment tests start from. */
import type { ExperimentSpecInput } from '../../core/custom/spec';

export function tinySpec(): ExperimentSpecInput {
  return {
    title: 'Tiny learning-rate check',
    question: 'Does a larger learning rate help a short run?',
    hypothesis: 'With few steps, lr 0.01 beats lr 0.001.',
    data: { block: 'mixture', n: 64, test_n: 50, d: 4, class_sep: 1 },
    model: { block: 'mlp', width: 8, depth: 1, activation: 'relu' },
    training: { block: 'adam', lr: 0.003, batch_size: 16, steps: 40 },
    record: [
      { metric: 'test_accuracy', at: 'checkpoints', every: 10 },
      { metric: 'test_loss', at: 'end' },
      { metric: 'weight_norm', at: 'end' },
    ],
    grid: { lr: [0.001, 0.01] },
    repeats: 2,
    claims: [{ kind: 'difference', statement: 'lr 0.01 beats 0.001', metric: 'test_accuracy', by: 'lr', a: 0.01, b: 0.001, expect: 'greater', paired: true }],
    figure: { x: 'step', y: 'test_accuracy', color: 'lr' },
  };
}
