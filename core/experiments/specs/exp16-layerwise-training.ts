/**
 * Experiment 16 (an open question of the notebook, as a spec): is greedy layer-wise training
 * (one hidden layer at a time, earlier ones frozen) as good as training every layer
 * together, at the same number of updates?
 */
import type { ExperimentSpecInput } from '../../custom/spec';

export const exp16Spec: ExperimentSpecInput = {
  title: 'End-to-end or greedy layer-wise training?',
  question: 'With the same number of Adam updates, does training all layers together beat growing the network one frozen layer at a time, and does the answer change with depth?',
  hypothesis: 'End-to-end training reaches a higher test accuracy than greedy layer-wise training, and the gap grows with depth.',
  note: 'Default sweep, seed 0, 5 repeats (4 s CPU): end-to-end training won clearly at the same 600 updates: test accuracy 0.820 vs 0.708 at depth 2 and 0.838 vs 0.588 at depth 4 (over depths +0.181, 95% CI [0.119, 0.252]; depth 4 +0.251 [0.185, 0.316]), training loss 0.39/0.34 against 0.54/0.66. Greedy training got worse with depth (each of the 4 stages has only 150 updates and frozen sigmoid layers below it), end-to-end slightly better, so the gap grew with depth. No joint fine-tuning was used (finetune_steps 0).',
  data: { block: 'mixture', n: 500, test_n: 400, d: 12, class_sep: 1 },
  model: { block: 'mlp', width: 32, depth: 3, activation: 'sigmoid' },
  training: { block: 'layerwise', loss: 'cross_entropy', lr: 0.003, batch_size: 32, steps: 600, schedule: 'end_to_end', finetune_steps: 0 },
  record: [
    { metric: 'test_accuracy', at: 'checkpoints', every: 50 },
    { metric: 'train_loss', at: 'end' },
  ],
  grid: { schedule: ['end_to_end', 'layerwise'], depth: [2, 4] },
  repeats: 5,
  claims: [
    { kind: 'difference', statement: 'End-to-end training reaches a higher test accuracy than layer-wise (over depths)', metric: 'test_accuracy', by: 'schedule', a: 'end_to_end', b: 'layerwise', expect: 'greater', paired: true },
    { kind: 'difference', statement: 'Depth 4: end-to-end training reaches a higher test accuracy than layer-wise', metric: 'test_accuracy', by: 'schedule', a: 'end_to_end', b: 'layerwise', expect: 'greater', where: { depth: 4 }, paired: true },
    { kind: 'difference', statement: 'End-to-end training reaches a lower training loss than layer-wise', metric: 'train_loss', by: 'schedule', a: 'end_to_end', b: 'layerwise', expect: 'less', paired: true },
  ],
  figure: { x: 'step', y: 'test_accuracy', color: 'schedule', facet: 'depth' },
};
