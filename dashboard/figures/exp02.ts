/**
 * Exp 2 figure (notebook: 2×3): per depth, a diagram of [1] + [3]×L + [1] (the notebook
 * draws 3 nodes for legibility) and the true class-1 indicator with the mean predicted
 * score logit₁ − logit₀ ± 1 std and a line at 0; titles carry accuracy and parameter count.
 */
import { bandPlot, fmt, grid, meanStd, panel, pointsOf, repeatsOf, viewLabel, viewOf } from './common';
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
    const { Plot } = ctx;
    const scoreLabel = `predicted score (${viewLabel({ ...viewOf(ctx), repeats: false })})`;
    const configs = data.configs.slice().sort((a, b) => Number(a.params.depth) - Number(b.params.depth));
    const acc = new Map(pointsOf(data, 'accuracy', { final: true }).map((p) => [p.config, p]));
    const nParams = new Map(pointsOf(data, 'n_params', { final: true }).map((p) => [p.config, p.mean]));
    const xs = new Map(pointsOf(data, 'x').map((p) => [`${p.config}|${p.step}`, p.mean]));
    const diagrams = configs.map((c) => panel(ctx, `depth ${c.params.depth}`, networkDiagram(ctx, [1, ...Array(Number(c.params.depth)).fill(3), 1])));
    const panels = configs.map((c) => {
      const score = pointsOf(data, 'score')
        .filter((p) => p.config === c.config)
        .map((p) => ({ ...p, x: xs.get(`${p.config}|${p.step}`) ?? 0, series: scoreLabel }));
      const repeats = repeatsOf(data, 'score', { final: false })
        .filter((p) => p.config === c.config)
        .map((p) => ({ ...p, x: xs.get(`${p.config}|${p.step}`) ?? 0, series: scoreLabel }));
      const labels = pointsOf(data, 'label')
        .filter((p) => p.config === c.config)
        .map((p) => ({ x: xs.get(`${p.config}|${p.step}`) ?? 0, label: p.mean }));
      const a = acc.get(c.config);
      const plot = bandPlot(ctx, score, {
        x: 'x',
        y: 'logit₁ − logit₀',
        title: a
          ? `${c.params.depth} layers, ${nParams.get(c.config) ?? '?'} params, Acc: ${fmt(a.mean * 100, 1)}%${a.n > 1 ? ` ± ${fmt((a.std ?? NaN) * 100, 1)}` : ''}`
          : `${c.params.depth} layers`,
        width: 340,
        height: 260,
        marker: true,
        legend: false,
        repeats,
        extra: [Plot.ruleY([0], { stroke: 'black' })],
      });
      const truth = Plot.plot({
        document: ctx.document,
        width: 340,
        height: 90,
        x: { label: 'x' },
        y: { label: 'class 1', domain: [-0.2, 1.2], ticks: [0, 1] },
        color: { type: 'categorical', domain: [0, 1], range: ['#2166ac', '#b2182b'] },
        marks: [Plot.dot(labels, { x: 'x', y: 'label', fill: 'label', r: 4 }), Plot.ruleY([0.5], { strokeDasharray: '2,2' })],
      });
      return panel(ctx, `depth ${c.params.depth}`, plot, truth);
    });
    return grid(ctx, 'figure exp2', [grid(ctx, 'row', diagrams), grid(ctx, 'row', panels)]);
  },
};
