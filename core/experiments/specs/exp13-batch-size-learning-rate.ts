/**
 * Experiment 13 (an open question of the notebook, as a spec): is the best learning rate
 * proportional to the batch size? At a fixed number of epochs, a batch k times larger takes
 * k times fewer Adam updates; the "linear scaling rule" says the learning rate should grow
 * with it.
 */
import type { ExperimentSpecInput } from '../../custom/spec';

export const exp13Spec: ExperimentSpecInput = {
  title: 'Is the best learning rate proportional to the batch size?',
  question: 'At a fixed number of epochs, which Adam learning rate works best for each batch size, and does it grow with the batch?',
  hypothesis: 'Larger batches want larger learning rates: small batches do best with a small rate, large batches with a large one.',
  data: { block: 'mixture', n: 800, test_n: 400, d: 12, class_sep: 1 },
  model: { block: 'mlp', width: 64, depth: 2, activation: 'relu' },
  training: { block: 'adam', loss: 'cross_entropy', lr: 0.003, batch_size: 32, epochs: 10 },
  record: [
    { metric: 'test_accuracy', at: 'end' },
    { metric: 'test_loss', at: 'end' },
    { metric: 'train_loss', at: 'end' },
  ],
  grid: { batch_size: [8, 32, 128], lr: [0.0003, 0.001, 0.003, 0.01, 0.03] },
  repeats: 5,
  claims: [
    { kind: 'difference', statement: 'Batch 128: lr 0.01 reaches a lower training loss than lr 0.001', metric: 'train_loss', by: 'lr', a: 0.01, b: 0.001, expect: 'less', where: { batch_size: 128 }, paired: true },
    { kind: 'difference', statement: 'Batch 8: lr 0.01 reaches a higher training loss than lr 0.001', metric: 'train_loss', by: 'lr', a: 0.01, b: 0.001, expect: 'greater', where: { batch_size: 8 }, paired: true },
    { kind: 'trend', statement: 'Batch 128: test accuracy rises with the learning rate up to 0.01', metric: 'test_accuracy', along: 'lr', values: [0.0003, 0.001, 0.003, 0.01], expect: 'increasing', where: { batch_size: 128 }, paired: true },
  ],
  figure: { x: 'lr', y: 'train_loss', color: 'batch_size' },
};
