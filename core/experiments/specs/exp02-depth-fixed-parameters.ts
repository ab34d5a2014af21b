/**
 * Experiment 2 (the notebook's, as a spec): Why are deeper networks better? (fixed 152
 * parameters).
 *
 * Data: 16 points x = linspace(0, 1 − 1/16, 16), alternating labels (even i → class 1): the
 * `alternating` block, whose test rows are the same 16 points. Nothing is drawn: every
 * trial sees the same points.
 * Model: the weight-shared ReLU net of core/nn/model.ts (the `shared` block): w_in, b_in,
 * then one 10×10 matrix applied `depth` times, linear output; 152 parameters at every depth
 * (depth L = L+1 ReLU layers), Glorot-uniform weights and biases.
 * Training: softmax cross-entropy, TF1 Adam lr 0.003, 15,000 steps of random_batch(64),
 * which on 16 points is the full set every step (a batch of at least the rows is the whole
 * set, in order: core/train/train-pack.ts).
 * Recorded: the final loss as the notebook read it, the loss of the last step's batch (the
 * 16 points) computed before that step's update (the `loss` record, float32, stored as
 * `loss`); the accuracy on the 16 points after training (float32, as TF's mean gives it,
 * stored as `accuracy`); the parameter count; and the predicted score logit₁ − logit₀ at
 * every point with its label and x (`predictions` on the training rows: series `score`,
 * `label`, `x` over the point index).
 * Streams: initial weights and batches per trial (`paired: false`; the data is fixed), under
 * the names its code used ('init', 'batch', the spec's own), so the default sweep stores
 * the numbers the TypeScript version stored.
 */
import type { ExperimentSpecInput } from '../../custom/spec';

const QUOTE = 'Accuracy increases with increasing depth in most runs.';

export const exp2Spec: ExperimentSpecInput = {
  title: 'Why are deeper networks better? (fixed 152 parameters)',
  question: 'Holding the parameter count fixed at 152, does adding depth raise accuracy on alternating labels?',
  hypothesis: 'Yes: deeper weight-shared networks fit the alternating pattern better.',
  data: { block: 'alternating', n: 16 },
  model: { block: 'shared', width: 10, depth: 1, activation: 'relu' },
  training: { block: 'adam', loss: 'cross_entropy', lr: 0.003, batch_size: 64, steps: 15_000 },
  record: [
    { metric: 'loss', at: 'end' },
    { metric: 'train_accuracy', at: 'end', float32: true, name: 'accuracy' },
    { metric: 'predictions', at: 'end', on: 'train' },
  ],
  grid: { depth: [1, 2, 3] },
  repeats: 5,
  // Fixed data, per-trial initial weights and batches: unpaired.
  paired: false,
  claims: [{ kind: 'trend', statement: 'With 152 parameters fixed, accuracy on the alternating points rises with depth', metric: 'accuracy', along: 'depth', expect: 'increasing', notebook: 'supported', quote: QUOTE }],
  // A fork keeps the score panels of dashboard/figures/exp02.ts as a named panel.
  figure: { x: 'depth', y: 'accuracy', panels: ['predictions'] },
};

/** What the notebook concluded. */
export const exp2Conclusion = QUOTE;
