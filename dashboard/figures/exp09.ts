/**
 * Exp 9 figure (notebook: 8×8, `--o`): "Test Accuracy with Different Losses", mean test
 * accuracy ± 1 std across repeats at every checkpoint, one line per loss, legend = the
 * loss names. The notebook's x axis is the checkpoint index ("∝ Epochs"); we plot the
 * training step (a checkpoint every steps/10 steps).
 */
import { checkpointCurves, lastCheckpointLines } from './checkpoint-curves';
import { grid } from './common';
import type { Figure } from './types';

export const exp09Figure: Figure = {
  experiment: 'exp9',
  aggregateMetrics: ['test_accuracy'],
  repeatMetrics: ['test_accuracy'],
  main: { metric: 'test_accuracy', final: false, label: 'test accuracy' },
  headline(data) {
    return lastCheckpointLines(data, { metric: 'test_accuracy', param: 'loss', what: 'test accuracy' });
  },
  render(data, ctx) {
    return grid(ctx, 'figure exp9', [
      checkpointCurves(data, ctx, {
        metric: 'test_accuracy',
        param: 'loss',
        title: 'Test Accuracy with Different Losses',
        x: 'Updates applied (∝ Epochs; the notebook plots the checkpoint index)',
        y: 'Test Accuracy',
      }),
    ]);
  },
};
