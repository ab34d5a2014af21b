/**
 * Exp 10 figure (notebook: 8×8, `--o`): "Performance for Various Initializers", mean test
 * accuracy ± 1 std across repeats at every checkpoint, one line per initialiser with the
 * notebook's legend (Xavier, Constant (0), Constant (1), Normal (Low Var), Normal (High
 * Var)). The notebook labels the x axis "Epochs"; the points are checkpoints every
 * steps/10 training steps, which we plot as the training step.
 */
import { checkpointCurves, lastCheckpointLines } from './checkpoint-curves';
import { grid } from './common';
import type { Figure } from './types';

/** The notebook's legend for each initialiser. */
const INITIALIZER_LABELS: Record<string, string> = {
  xavier: 'Xavier',
  zeros: 'Constant (0)',
  ones: 'Constant (1)',
  normal_low: 'Normal (Low Var)',
  normal_high: 'Normal (High Var)',
};
const label = (v: string) => INITIALIZER_LABELS[v] ?? v;

export const exp10Figure: Figure = {
  experiment: 'exp10',
  aggregateMetrics: ['test_accuracy'],
  repeatMetrics: ['test_accuracy'],
  main: { metric: 'test_accuracy', final: false, label: 'test accuracy' },
  headline(data) {
    return lastCheckpointLines(data, { metric: 'test_accuracy', param: 'initializer', label, what: 'test accuracy' });
  },
  render(data, ctx) {
    return grid(ctx, 'figure exp10', [
      checkpointCurves(data, ctx, {
        metric: 'test_accuracy',
        param: 'initializer',
        label,
        title: 'Performance for Various Initializers',
        x: 'Updates applied (the notebook labels its checkpoint index "Epochs")',
        y: 'Test Accuracy',
      }),
    ]);
  },
};
