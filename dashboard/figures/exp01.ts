/**
 * Exp 1 figure (notebook: 4×3 grid): a network diagram per width, then one panel per
 * (function, width) with the true curve and the mean prediction ± 1 std across repeats;
 * titles carry the mean final MSE. In the repeats view the centre is the median, the band
 * the IQR and every repeat's prediction a faint line: a seed stuck on a flat fit shows as
 * one, where the mean would bend halfway towards it.
 */
import { bandPlot, grid, meanStd, panel, pointsOf, repeatsOf, stat, viewLabel, viewOf } from './common';
import { networkDiagram } from './diagram';
import type { Figure } from './types';

const FUNCTION_LABEL: Record<string, string> = { sin: 'sin(ωx)', polynomial: 'polynomial', abs: '|x|' };

export const exp01Figure: Figure = {
  experiment: 'exp1',
  aggregateMetrics: ['x', 'y_true', 'y_pred', 'mse'],
  repeatMetrics: ['y_pred'],
  main: { metric: 'mse', final: true, label: 'final MSE' },
  headline(data) {
    const mse = pointsOf(data, 'mse', { final: true });
    return mse
      .sort((a, b) => String(a.params.function).localeCompare(String(b.params.function)) || Number(a.params.width) - Number(b.params.width))
      .map((p) => `${FUNCTION_LABEL[String(p.params.function)] ?? p.params.function}, ${p.params.width} hidden units: MSE ${meanStd(p, 4)}`);
  },
  render(data, ctx) {
    const view = viewOf(ctx);
    const xs = pointsOf(data, 'x');
    const xAt = new Map(xs.map((p) => [`${p.config}|${p.step}`, p.mean]));
    const widths = [...new Set(data.configs.map((c) => Number(c.params.width)))].sort((a, b) => a - b);
    const functions = [...new Set(data.configs.map((c) => String(c.params.function)))];
    const mse = new Map(pointsOf(data, 'mse', { final: true }).map((p) => [p.config, p]));
    const diagrams = widths.map((w) => panel(ctx, `[1, ${w}, 1]`, networkDiagram(ctx, [1, w, 1])));
    const panels = data.configs
      .slice()
      .sort((a, b) => functions.indexOf(String(a.params.function)) - functions.indexOf(String(b.params.function)) || Number(a.params.width) - Number(b.params.width))
      .map((c, i) => {
        const series = (metric: string, name: string) =>
          pointsOf(data, metric)
            .filter((p) => p.config === c.config && p.step !== null)
            .map((p) => ({ ...p, x: xAt.get(`${p.config}|${p.step}`) ?? 0, series: name }));
        const predicted = `predicted y (${viewLabel({ ...view, repeats: false })})`;
        const repeats = repeatsOf(data, 'y_pred', { final: false })
          .filter((p) => p.config === c.config)
          .map((p) => ({ ...p, x: xAt.get(`${p.config}|${p.step}`) ?? 0, series: predicted }));
        const m = mse.get(c.config);
        return bandPlot(ctx, [...series('y_true', 'true y'), ...series('y_pred', predicted)], {
          x: 'x',
          y: 'y',
          repeats,
          title: `${FUNCTION_LABEL[String(c.params.function)] ?? c.params.function}: ${c.params.width} hidden units, MSE ${stat(m, view, 4)}`,
          width: 340,
          height: 240,
          legend: i === 0,
        });
      });
    return grid(ctx, 'figure exp1', [grid(ctx, 'row', diagrams), grid(ctx, `cols-${Math.max(1, widths.length)}`, panels)]);
  },
};
