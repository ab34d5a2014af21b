/**
 * Exp 1 figure (notebook: 4×3 grid): a network diagram per width, then one panel per
 * (function, width) with the true curve and the mean prediction ± 1 std across repeats;
 * titles carry the mean final MSE. In the repeats view the centre is the median, the band
 * the IQR and every repeat's prediction a faint line: a seed stuck on a flat fit shows as
 * one, where the mean would bend halfway towards it. The panels are the `predictions`
 * panel's fit plots (dashboard/figures/panels/predictions.ts).
 */
import { grid, meanStd, panel, pointsOf, stat, viewOf } from './common';
import { fitPlot } from './panels/predictions';
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
    const widths = [...new Set(data.configs.map((c) => Number(c.params.width)))].sort((a, b) => a - b);
    const functions = [...new Set(data.configs.map((c) => String(c.params.function)))];
    const mse = new Map(pointsOf(data, 'mse', { final: true }).map((p) => [p.config, p]));
    const diagrams = widths.map((w) => panel(ctx, `[1, ${w}, 1]`, networkDiagram(ctx, [1, w, 1])));
    const panels = data.configs
      .slice()
      .sort((a, b) => functions.indexOf(String(a.params.function)) - functions.indexOf(String(b.params.function)) || Number(a.params.width) - Number(b.params.width))
      .map((c, i) =>
        fitPlot(ctx, data, c.config, {
          title: `${FUNCTION_LABEL[String(c.params.function)] ?? c.params.function}: ${c.params.width} hidden units, MSE ${stat(mse.get(c.config), view, 4)}`,
          width: 340,
          height: 240,
          legend: i === 0,
        }),
      );
    return grid(ctx, 'figure exp1', [grid(ctx, 'row', diagrams), grid(ctx, `cols-${Math.max(1, widths.length)}`, panels)]);
  },
};
