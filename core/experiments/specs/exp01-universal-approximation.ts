/**
 * Experiment 1 (the notebook's, as a spec): Why use neural networks at all? (universal
 * approximation).
 *
 * Data: y = f(x) on x = linspace(−1, 1, 100) (`train_x: 'grid'`; the code's 100 points, the
 * prose says 50), noise-free, no split: training error only (the test set, the same 100
 * evenly spaced points, is not recorded). f is sin(12x), the polynomial −2x⁴ + x³ + x² − 2x
 * or |x| (core/data/targets.ts); targets rounded to float32.
 * Model: 1 → width sigmoid → 1 linear (one hidden layer), Xavier-uniform weights and biases.
 * Training: MSE, TF1 Adam lr 0.003, 10,000 full-batch steps (a batch of 20,000 rows, the
 * largest, is every point whatever n).
 * Trials share no data (the targets are fixed) and draw their own initial weights:
 * unpaired. The three functions share one network shape, so they train as one pack.
 * Recorded: `mse`, the final MSE as the last step's loss computed it before its update
 * (float32, the notebook's printed value: the `loss` record stored as `mse`); the fit of
 * that same last step as series over the point index (`predictions`: x, y_true, y_pred);
 * and the training MSE every 1,000 steps, measured after the update of steps 0, 1000, …,
 * 9000 (`train_loss` at checkpoints, align 'start', stored as `mse`: float64 over the
 * float32 outputs, steps 1, 1001, …, 9001 in updates applied).
 * The code's parameters n_hidden and num_values are the blocks' width and n; its
 * record_every is the checkpoint record's `every`.
 */
import type { ExperimentSpecInput } from '../../custom/spec';

const QUOTE = 'Conclusion: error generally falls as width grows.';
const narrows = (what: string) => `Tests the sentence on ${what} alone: each of the notebook's three functions is its own claim, so an exception to its "generally" shows as that function's verdict.`;

export const exp1Spec: ExperimentSpecInput = {
  title: 'Why use neural networks at all? (universal approximation)',
  question: 'Can a one-hidden-layer network fit arbitrary 1-D functions?',
  hypothesis: 'More hidden units give lower fitting error.',
  data: { block: 'target_1d', n: 100, test_n: 100, function: 'sin', omega: 12, coefs: [0, -2, 1, 1, -2], label_noise: 0, train_x: 'grid' },
  model: { block: 'mlp', width: 2, depth: 1, activation: 'sigmoid', initializer: 'xavier' },
  training: { block: 'adam', loss: 'mean_squared_error', lr: 0.003, batch_size: 20_000, steps: 10_000 },
  record: [
    { metric: 'loss', at: 'end', name: 'mse' },
    { metric: 'predictions', at: 'end', on: 'last_update' },
    { metric: 'train_loss', at: 'checkpoints', every: 1000, align: 'start', name: 'mse' },
  ],
  grid: { function: ['sin', 'polynomial', 'abs'], width: [2, 4, 16] },
  repeats: 5,
  paired: false,
  claims: [
    { kind: 'trend', statement: 'sin(12x): the fitting error falls as the hidden layer widens', metric: 'mse', along: 'width', expect: 'decreasing', where: { function: 'sin' }, notebook: 'supported', quote: QUOTE, narrows: narrows('sin(12x)') },
    { kind: 'trend', statement: 'Polynomial: the fitting error falls as the hidden layer widens', metric: 'mse', along: 'width', expect: 'decreasing', where: { function: 'polynomial' }, notebook: 'supported', quote: QUOTE, narrows: narrows('the polynomial') },
    { kind: 'trend', statement: '|x|: the fitting error falls as the hidden layer widens', metric: 'mse', along: 'width', expect: 'decreasing', where: { function: 'abs' }, notebook: 'supported', quote: QUOTE, narrows: narrows('|x|') },
  ],
  // The dashboard draws Exp 1 with its own figure (dashboard/figures/exp01.ts); this is the
  // generic one's hint, which a fork keeps: the fits as a named panel (core/custom/panels.ts).
  figure: { x: 'width', y: 'mse', color: 'function', panels: ['predictions'] },
};

/** What the notebook concluded. */
export const exp1Conclusion =
  'Error generally falls as width grows (sin(12x) needs the 16-unit network). The theorem says nothing about whether the parameters can be learned.';
