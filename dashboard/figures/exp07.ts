/**
 * Exp 7 figure (notebook: a 15×3 strip of activation shapes, then an 8×8 accuracy plot):
 * each swept activation drawn over linspace(−10, 10, 1000) and titled by name, then
 * "Test Accuracy with Various Activations": mean test accuracy ± 1 std across repeats at
 * every checkpoint, one line per activation. The notebook's x axis is the checkpoint index
 * ("∝ Epochs"); we plot the updates applied at each checkpoint (1, then every steps/10).
 */
import { linspace } from '../../core/data/dataset';
import { activateScalar, type Activation } from '../../core/nn/activation-scalar';
import { checkpointCurves, configsInGridOrder, lastCheckpointLines } from './checkpoint-curves';
import { grid, panel, viewLabel, viewOf } from './common';
import type { Figure } from './types';

export const exp07Figure: Figure = {
  experiment: 'exp7',
  aggregateMetrics: ['test_accuracy'],
  repeatMetrics: ['test_accuracy'],
  main: { metric: 'test_accuracy', final: false, label: 'test accuracy' },
  headline(data) {
    return lastCheckpointLines(data, { metric: 'test_accuracy', param: 'activation', what: 'test accuracy' });
  },
  render(data, ctx) {
    const { Plot } = ctx;
    const xs = linspace(-10, 10, 1000);
    const shapes = configsInGridOrder(data, 'activation').map((c) => {
      const name = String(c.params.activation) as Activation;
      const pts = xs.map((x) => ({ x, y: activateScalar(name, x) }));
      return Plot.plot({
        document: ctx.document,
        title: name,
        width: 170,
        height: 140,
        marginLeft: 40,
        x: { label: null, ticks: 3 },
        y: { label: null, ticks: 4, grid: true },
        marks: [Plot.ruleY([0], { stroke: '#bbb' }), Plot.lineY(pts, { x: 'x', y: 'y' })],
      });
    });
    const curves = checkpointCurves(data, ctx, {
      metric: 'test_accuracy',
      param: 'activation',
      title: 'Test Accuracy with Various Activations',
      x: 'Updates applied (∝ Epochs; the notebook plots the checkpoint index)',
      y: 'Test Accuracy',
    });
    return grid(ctx, 'figure exp7', [
      panel(ctx, 'Activation functions on [−10, 10]', grid(ctx, 'row', shapes)),
      panel(ctx, `Test accuracy across repeats: ${viewLabel(viewOf(ctx))}`, curves),
    ]);
  },
};
