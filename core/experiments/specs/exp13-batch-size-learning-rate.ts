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
  note: 'Default sweep, seed 0, 5 repeats (Node, tfjs WASM, 12 s CPU): the best rate grows with the batch, but less than in proportion. By training loss after 10 epochs the best rate was 0.003 for batch 8 (0.46), 0.01 for batch 32 (0.47) and 0.01 for batch 128 (0.53); 16x the batch moved the best rate about 3x, not 16x, and 0.03 was worse than 0.01 at every batch. Batch 128: lr 0.01 beat 0.001 (training loss -0.073, 95% CI [-0.101, -0.046]; test accuracy 0.674 vs 0.630). Batch 8: lr 0.01 vs 0.001 inconclusive (+0.022, CI [-0.037, 0.067]); only 0.03 clearly failed there (test accuracy 0.563). Test accuracies stay between 0.56 and 0.70 on this mixture, with a spread of 0.04-0.09 between repeats.',
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
