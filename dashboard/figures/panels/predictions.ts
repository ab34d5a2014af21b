/**
 * The predictions panel: per config, what the `predictions` record stored over the row
 * index (core/blocks/recorders.ts), as a band over repeats, single repeats faint:
 *
 * - a fit (`y_true`, `y_pred`; Exp 1's 'last_update', and a regression's `label`, `score`):
 *   the true curve and the predicted one against x (`fitPlot`, Exp 1's panels);
 * - two classes (`score` = logit₁ − logit₀, `label`): the score with a line at 0 and the
 *   true classes as dots under it (`scorePlots`, Exp 2's panels).
 *
 * Against the stored `x` (one input column), else the row index. dashboard/figures/exp01.ts
 * and exp02.ts draw their panels with these functions.
 */
import { bandPlot, grid, panel, pointsOf, repeatsOf, viewLabel, viewOf } from '../common';
import type { ConfigInfo, FigureContext, FigureData } from '../types';
import { configName, panelConfigs, panelSection } from './layout';
import type { Panel } from './types';

/** Rows' x: the stored `x` of that row where the record keeps one column, else the row index. */
function rowX(data: FigureData): { x: (p: { config: string; step: number | null }) => number; label: string } {
  const xs = new Map(pointsOf(data, 'x').map((p) => [`${p.config}|${p.step}`, p.mean]));
  if (!xs.size) return { x: (p) => p.step ?? 0, label: 'row' };
  return { x: (p) => xs.get(`${p.config}|${p.step}`) ?? 0, label: 'x' };
}

/**
 * The true curve (`truth`, a line) and the predicted one (`predicted`, a band over repeats
 * with the centre line per the view) against x, for one config.
 */
export function fitPlot(
  ctx: FigureContext,
  data: FigureData,
  config: string,
  o: { title: string; width: number; height: number; legend: boolean; truth?: string; predicted?: string },
): Element {
  const truth = o.truth ?? 'y_true';
  const predictedMetric = o.predicted ?? 'y_pred';
  const at = rowX(data);
  const series = (metric: string, name: string) =>
    pointsOf(data, metric)
      .filter((p) => p.config === config && p.step !== null)
      .map((p) => ({ ...p, x: at.x(p), series: name }));
  const predicted = `predicted y (${viewLabel({ ...viewOf(ctx), repeats: false })})`;
  const repeats = repeatsOf(data, predictedMetric, { final: false })
    .filter((p) => p.config === config)
    .map((p) => ({ ...p, x: at.x(p), series: predicted }));
  return bandPlot(ctx, [...series(truth, 'true y'), ...series(predictedMetric, predicted)], {
    x: at.label,
    y: 'y',
    repeats,
    title: o.title,
    width: o.width,
    height: o.height,
    legend: o.legend,
  });
}

/**
 * The score logit₁ − logit₀ (band over repeats, dots, a line at 0) and under it the true
 * class of each row, for one config: two plots.
 */
export function scorePlots(ctx: FigureContext, data: FigureData, config: string, o: { title?: string }): [Element, Element] {
  const { Plot } = ctx;
  const scoreLabel = `predicted score (${viewLabel({ ...viewOf(ctx), repeats: false })})`;
  const at = rowX(data);
  const score = pointsOf(data, 'score')
    .filter((p) => p.config === config)
    .map((p) => ({ ...p, x: at.x(p), series: scoreLabel }));
  const repeats = repeatsOf(data, 'score', { final: false })
    .filter((p) => p.config === config)
    .map((p) => ({ ...p, x: at.x(p), series: scoreLabel }));
  const labels = pointsOf(data, 'label')
    .filter((p) => p.config === config)
    .map((p) => ({ x: at.x(p), label: p.mean }));
  const plot = bandPlot(ctx, score, {
    x: at.label,
    y: 'logit₁ − logit₀',
    title: o.title,
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
    x: { label: at.label },
    y: { label: 'class 1', domain: [-0.2, 1.2], ticks: [0, 1] },
    color: { type: 'categorical', domain: [0, 1], range: ['#2166ac', '#b2182b'] },
    marks: [Plot.dot(labels, { x: 'x', y: 'label', fill: 'label', r: 4 }), Plot.ruleY([0.5], { strokeDasharray: '2,2' })],
  });
  return [plot, truth];
}

/** How a config's predictions are drawn: a fit of y_true, of a regression's label (not 0/1), or a two-class score. */
function kindOf(data: FigureData, config: ConfigInfo): 'fit' | 'regression' | 'score' {
  if (data.aggregate.some((r) => r.config === config.config && r.metric === 'y_pred')) return 'fit';
  // Repeat 0's labels (fetched whole, trialMetrics): classes are 0 and 1, a regression's targets are not.
  const labels = data.trials.find((t) => t.config === config.config && t.series?.label)?.series.label.values ?? [];
  return labels.some((v) => v !== 0 && v !== 1) ? 'regression' : 'score';
}

export const predictionsPanel: Panel = {
  name: 'predictions',
  record: 'predictions',
  aggregateMetrics: () => ['x', 'y_true', 'y_pred', 'score', 'label'],
  trialMetrics: () => ['label'],
  repeatMetrics: () => ['y_pred', 'score'],
  render(data, ctx, o) {
    const { shown, note } = panelConfigs(data, o.x);
    const cells = shown.map((config, i) => {
      const title = configName(data, config);
      const kind = kindOf(data, config);
      if (kind === 'fit') return fitPlot(ctx, data, config.config, { title, width: 340, height: 240, legend: i === 0 });
      if (kind === 'regression') return fitPlot(ctx, data, config.config, { title, width: 340, height: 240, legend: i === 0, truth: 'label', predicted: 'score' });
      // The panel's heading names the config; the plot needs no title of its own.
      return panel(ctx, title, ...scorePlots(ctx, data, config.config, {}));
    });
    return panelSection(
      ctx,
      'predictions',
      'Predictions',
      grid(ctx, `cols-${Math.max(1, Math.min(3, shown.length))}`, cells),
      `Stored predictions over the rows, per config: ${viewLabel(viewOf(ctx))}. A fit: the true y and the predicted y; two classes: the score logit₁ − logit₀ (the class is 1 above the black line) and the true class under it.`,
      note,
    );
  },
};
