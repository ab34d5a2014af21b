/**
 * Exp 2 figure (notebook: 2×3): per depth, a diagram of [1] + [3]×L + [1] (the notebook
 * draws 3 nodes for legibility) and the true class-1 indicator with the mean predicted
 * score logit₁ − logit₀ ± 1 std and a line at 0; titles carry accuracy and parameter count.
 * The panels are the `predictions` panel's score plots (dashboard/figures/panels/predictions.ts).
 */
import { fmt, grid, meanStd, panel, pointsOf } from './common';
import { scorePlots } from './panels/predictions';
import { networkDiagram } from './diagram';
import type { Figure } from './types';

export const exp02Figure: Figure = {
  experiment: 'exp2',
  aggregateMetrics: ['x', 'label', 'score', 'accuracy', 'n_params', 'loss'],
  repeatMetrics: ['score'],
  main: { metric: 'accuracy', final: true, label: 'accuracy' },
  headline(data) {
    return pointsOf(data, 'accuracy', { final: true })
      .sort((a, b) => Number(a.params.depth) - Number(b.params.depth))
      .map((p) => `depth ${p.params.depth}: accuracy ${meanStd(p)}`);
  },
  render(data, ctx) {
    const configs = data.configs.slice().sort((a, b) => Number(a.params.depth) - Number(b.params.depth));
    const acc = new Map(pointsOf(data, 'accuracy', { final: true }).map((p) => [p.config, p]));
    const nParams = new Map(pointsOf(data, 'n_params', { final: true }).map((p) => [p.config, p.mean]));
    const diagrams = configs.map((c) => panel(ctx, `depth ${c.params.depth}`, networkDiagram(ctx, [1, ...Array(Number(c.params.depth)).fill(3), 1])));
    const panels = configs.map((c) => {
      const a = acc.get(c.config);
      const title = a
        ? `${c.params.depth} layers, ${nParams.get(c.config) ?? '?'} params, Acc: ${fmt(a.mean * 100, 1)}%${a.n > 1 ? ` ± ${fmt((a.std ?? NaN) * 100, 1)}` : ''}`
        : `${c.params.depth} layers`;
      return panel(ctx, `depth ${c.params.depth}`, ...scorePlots(ctx, data, c.config, { title }));
    });
    return grid(ctx, 'figure exp2', [grid(ctx, 'row', diagrams), grid(ctx, 'row', panels)]);
  },
};
