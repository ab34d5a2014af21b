/**
 * Exp 7 figure (notebook: a 15×3 strip of activation shapes, then an 8×8 accuracy plot):
 * each swept activation drawn over linspace(−10, 10, 1000) and titled by name, then
 * "Test Accuracy with Various Activations": mean test accuracy ± 1 std across repeats at
 * every checkpoint, one line per activation. The notebook's x axis is the checkpoint index
 * ("∝ Epochs"); we plot the real training step (checkpoints every steps/10 steps).
 */
import { linspace } from '../../core/data/dataset';
import { activateScalar, type Activation } from '../../core/nn/activation-scalar';
import { bandMarks, grid, meanStd, panel, pointsOf, repeatsOf, viewLabel, viewOf, type Point } from './common';
import type { Figure, FigureContext, FigureData } from './types';

/** The configs in grid order, so legends and headlines follow the notebook's order. */
export function configsInGridOrder(data: FigureData, param: string): FigureData['configs'] {
  const order = (data.experiment.grid[param] ?? []).map(String);
  const rank = (v: unknown) => (order.indexOf(String(v)) === -1 ? order.length : order.indexOf(String(v)));
  return data.configs.slice().sort((a, b) => rank(a.params[param]) - rank(b.params[param]) || a.index - b.index);
}

/**
 * Mean ± std band of a checkpoint series, one dashed line with dots per config of `param`
 * (the notebook's `--o`), labelled by `label`.
 */
export function checkpointCurves(
  data: FigureData,
  ctx: FigureContext,
  o: { metric: string; param: string; label?: (value: string) => string; title: string; x: string; y: string },
): Element {
  const label = o.label ?? ((v: string) => v);
  const names = new Map(data.configs.map((c) => [c.config, label(String(c.params[o.param]))]));
  const points = pointsOf(data, o.metric, { final: false }).map((p) => ({ ...p, x: p.step ?? 0, series: names.get(p.config) ?? p.config }));
  const repeats = repeatsOf(data, o.metric, { final: false }).map((p) => ({ ...p, x: p.step ?? 0, series: names.get(p.config) ?? p.config }));
  // The legend follows the notebook's (grid) order rather than Plot's sorted names.
  const domain = configsInGridOrder(data, o.param).map((c) => label(String(c.params[o.param])));
  const { Plot } = ctx;
  return Plot.plot({
    document: ctx.document,
    title: o.title,
    width: 560,
    height: 400,
    marginLeft: 50,
    x: { label: o.x },
    y: { label: o.y, grid: true, domain: [0, 1] },
    color: { legend: true, domain },
    marks: bandMarks(Plot, points, { fillOpacity: 0.2, r: 2.5, dash: '4,3', clip: true, view: viewOf(ctx), repeats }),
  });
}

/** "name: metric at the last checkpoint" lines, in grid order. */
export function lastCheckpointLines(data: FigureData, o: { metric: string; param: string; label?: (value: string) => string; what: string }): string[] {
  const label = o.label ?? ((v: string) => v);
  const series = pointsOf(data, o.metric, { final: false });
  const final = new Map(pointsOf(data, o.metric, { final: true }).map((p) => [p.config, p]));
  return configsInGridOrder(data, o.param).map((c) => {
    const mine = series.filter((p) => p.config === c.config);
    const last = mine.reduce<Point | undefined>((best, p) => (best === undefined || (p.step ?? 0) > (best.step ?? 0) ? p : best), undefined);
    const after = final.get(c.config);
    return `${label(String(c.params[o.param]))}: ${o.what} at step ${last?.step ?? '–'} ${meanStd(last)}${after ? `; after training ${meanStd(after)}` : ''}`;
  });
}

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
      x: 'Training step (∝ Epochs; the notebook plots the checkpoint index)',
      y: 'Test Accuracy',
    });
    return grid(ctx, 'figure exp7', [
      panel(ctx, 'Activation functions on [−10, 10]', grid(ctx, 'row', shapes)),
      panel(ctx, `Test accuracy across repeats: ${viewLabel(viewOf(ctx))}`, curves),
    ]);
  },
};
