/**
 * Experiment 11 (the notebook's, as a spec): Do weights in different layers converge at
 * different speeds?
 *
 * Data: Gaussian mixture, d = 12, class 1's mean 1/(i+1) (the code's "1/i"), covariance
 * scale 1, n = 500 shuffled and split 400/100, one-hot labels. The notebook makes a single
 * draw and runs once; here the default is 5 repeats (so the change curves carry bands),
 * each drawing its own data, initial weights and batches (`paired: false`: the trial's own
 * streams; the data stream keeps its code's name 'data').
 * Model: 12 → (50, 50, 50) sigmoid → 2 linear logits, Xavier-uniform weights and biases;
 * weight matrices W0 12×50, W1 50×50, W2 50×50, W3 50×2 (biases are not followed).
 * Training: MSE on raw logits, TF1 Adam lr 0.003, 750 steps (the notebook's argument; the
 * class default is 500), random_batch(64).
 * Recorded after the update of every even step (steps 0, 2, …, 748: after updates 1, 3,
 * …, 749; 375 snapshots; the code hard-codes the interval 2 and ignores its `store_every`):
 *   trace  weights_layer{j}       the last 50 entries of each row-major flattened weight
 *                                 matrix (W0–W2: the last row, the outgoing weights of the
 *                                 last input or unit; W3: rows 25–49 × both outputs), the
 *                                 notebook's Figure A (record weight_tail, one per matrix).
 *                                 The notebook keeps full copies of all four matrices but
 *                                 only ever uses these tails.
 *   series weight_change_layer{j} ‖tail_i − tail_{i−1}‖₂ of those 50 entries, 374 values at
 *                                 updates 3, 5, …, 749 (the notebook's Figure B; record
 *                                 weight_change), and its scalars
 *          steps_to_converge_layer{j}: the first checkpoint from which the change, smoothed
 *                                 over 11 snapshots, stays below half its maximum (751 when
 *                                 it never settles), to test "later layers converge faster"
 *                                 in numbers, and final_change_layer{j}: the mean change
 *                                 over the last tenth of the run
 *   series test_accuracy          at the snapshots (float32, as TF's mean), and its final
 *                                 value as the scalar.
 * The notebook's x label "Epoch (x2)" counts snapshots; the figure's x axis is the step
 * (updates applied).
 */
import type { ExperimentSpecInput } from '../../custom/spec';

const QUOTE = 'Conclusion: later layers converge faster, while earlier layers follow more complicated paths that take longer to settle.';
const LAYERS = [0, 1, 2, 3];
/** Every even step's update, as the notebook's snapshots. */
const SNAPSHOTS = { at: 'checkpoints', every: 2, align: 'start' } as const;

export const exp11Spec: ExperimentSpecInput = {
  title: 'Do weights in different layers converge at different speeds?',
  question: 'During training, do the weights of later layers settle sooner than those of earlier layers?',
  hypothesis: 'Later layers converge faster, because changes are amplified as they propagate backwards.',
  data: { block: 'mixture', n: 500, test_size: 0.2, d: 12, class_sep: 1, class_sep_decay: 'inverse', covariance_scale: 1 },
  model: { block: 'mlp', width: 50, depth: 3, activation: 'sigmoid', initializer: 'xavier' },
  training: { block: 'adam', loss: 'mean_squared_error', lr: 0.003, batch_size: 64, steps: 750 },
  record: [
    { metric: 'test_accuracy', ...SNAPSHOTS, float32: true },
    ...LAYERS.map((layer) => ({ metric: 'weight_tail' as const, ...SNAPSHOTS, layer, entries: 50 })),
    ...LAYERS.map((layer) => ({ metric: 'weight_change' as const, ...SNAPSHOTS, layer, entries: 50, converge_fraction: 0.5, converge_window: 11, final_fraction: 0.1 })),
  ],
  grid: {},
  repeats: 5,
  paired: false,
  // Layers are compared within each trial (metrics kind); trials are independent.
  claims: [
    {
      kind: 'metrics',
      statement: 'Later layers converge sooner: steps until the weight change settles fall from layer 0 to layer 3',
      metrics: LAYERS.map((j) => `steps_to_converge_layer${j}`),
      expect: 'decreasing',
      notebook: 'supported',
      quote: QUOTE,
      narrows: 'Measures "converge" as the first step from which the smoothed weight change stays below half its maximum, and asks for it to fall from layer 0 to layer 3 within each run; the notebook read it off its plots of the weight changes.',
    },
    {
      kind: 'metrics',
      statement: 'Earlier layers keep moving longer: the weight change over the last tenth of training falls from layer 0 to layer 3',
      metrics: LAYERS.map((j) => `final_change_layer${j}`),
      expect: 'decreasing',
      notebook: 'supported',
      quote: QUOTE,
      narrows: 'Reads "take longer to settle" as a larger mean weight change over the last tenth of training, falling from layer 0 to layer 3 within each run.',
    },
  ],
  figure: { x: 'step', y: 'test_accuracy', panels: ['weight_traces'] },
};

/** What the notebook concluded. */
export const exp11Conclusion = 'Later layers converge faster, while earlier layers follow more complicated paths that take longer to settle.';
