/**
 * Exp 4 figure. Figure 1 of the notebook (8×6): "Accuracy on Imbalanced Datasets", test
 * accuracy against the class ratio on a log x axis, "Without resampling" and "With
 * resampling", mean ± 1 std band over repeats. Figures 2–3 (1×2 each): at the largest ratio,
 * training points and test points over the contour of the raw class-1 logit on the 51×51
 * grid (RdBu, alpha 0.2, as plot_decision_boundary), one row per variant. These panels show
 * repeat 0 (the notebook ran them with iters = 1); grids of different repeats come from
 * different covariances, so they are not averaged. The black line (an addition) is the
 * actual decision boundary logit₁ = logit₀. The cells are drawn by the `decision_boundary`
 * panel's functions (dashboard/figures/panels/decision-boundary.ts).
 */
import { bandMarks, caption, fmt, grid, meanStd, pointsOf, repeatsOf, stat, viewOf, type Point, type RepeatPoint } from './common';
import { BOUNDARY_TRACES, boundaryCell, boundaryTrial } from './panels/decision-boundary';
import type { ConfigInfo, Figure, FigureContext, FigureData, TrialRecord } from './types';

const VARIANT_LABEL: Record<string, string> = {
  none: 'Without resampling',
  tile: 'With resampling',
  replacement: 'With resampling (with replacement)',
};
const VARIANT_ORDER = ['none', 'tile', 'replacement'];

const label = (c: { params: Record<string, unknown> }) => VARIANT_LABEL[String(c.params.resample)] ?? String(c.params.resample);

function accuracy(data: FigureData): Array<Point & { x: number; series: string }> {
  return placed(pointsOf(data, 'test_accuracy', { final: true }));
}

function placed<P extends { params: Record<string, unknown> }>(rows: P[]): Array<P & { x: number; series: string }> {
  return rows
    .map((p) => ({ ...p, x: Number(p.params.class_ratio), series: label(p) }))
    .sort((a, b) => VARIANT_ORDER.indexOf(String(a.params.resample)) - VARIANT_ORDER.indexOf(String(b.params.resample)) || a.x - b.x);
}

/** Figure 1: bandPlot's marks, with the legend in the notebook's order and matplotlib's first colours. */
function accuracyPlot(ctx: FigureContext, acc: Array<Point & { x: number; series: string }>, repeats: RepeatPoint[]): Element {
  const { Plot } = ctx;
  const series = [...new Set(acc.map((p) => p.series))];
  return Plot.plot({
    document: ctx.document,
    title: 'Accuracy on Imbalanced Datasets',
    width: 560,
    height: 400,
    marginLeft: 50,
    x: { label: 'Ratio (X:1)', type: 'log', ticks: [...new Set(acc.map((p) => p.x))], tickFormat: (d: number) => String(d) },
    y: { label: 'Test Accuracy', grid: true },
    color: { legend: true, domain: series, range: ['#1f77b4', '#ff7f0e', '#2ca02c'] },
    marks: bandMarks(Plot, acc, { fillOpacity: 0.3, r: 2.5, view: viewOf(ctx), repeats, repeatKind: 'dot' }),
  });
}

/** The largest ratio and, per variant, its config and the lowest repeat that has the grid. */
function boundaryCells(data: FigureData): Array<{ config: ConfigInfo; trial: TrialRecord | undefined }> {
  const maxRatio = Math.max(...data.configs.map((c) => Number(c.params.class_ratio)));
  return data.configs
    .filter((c) => Number(c.params.class_ratio) === maxRatio)
    .sort((a, b) => VARIANT_ORDER.indexOf(String(a.params.resample)) - VARIANT_ORDER.indexOf(String(b.params.resample)))
    .map((config) => ({
      config,
      trial: boundaryTrial(data, config.config),
    }));
}

export const exp04Figure: Figure = {
  experiment: 'exp4',
  aggregateMetrics: ['test_accuracy', 'train_accuracy', 'n_minority', 'n_majority', 'n_train'],
  trialMetrics: [...BOUNDARY_TRACES, 'test_accuracy'],
  trialRepeat: 0,
  repeatMetrics: ['test_accuracy'],
  main: { metric: 'test_accuracy', final: true, label: 'test accuracy' },
  headline(data) {
    const acc = accuracy(data);
    const ratios = [...new Set(acc.map((p) => p.x))].sort((a, b) => a - b);
    const shown = ratios.length > 1 ? [ratios[0], ratios[ratios.length - 1]] : ratios;
    return acc.filter((p) => shown.includes(p.x)).map((p) => `${p.series}, ratio ${p.x}:1: test accuracy ${meanStd(p)}`);
  },
  render(data, ctx) {
    const acc = accuracy(data);
    const main = accuracyPlot(ctx, acc, placed(repeatsOf(data, 'test_accuracy', { final: true })));
    const accByConfig = new Map(acc.map((p) => [p.config, p]));
    const rows = boundaryCells(data).map(({ config, trial }) => {
      const name = label(config);
      const ratio = Number(config.params.class_ratio);
      const a = accByConfig.get(config.config);
      return boundaryCell(ctx, trial, {
        cell: trial ? `${name}, ratio ${ratio}:1 (repeat ${trial.repeat})` : `${name}, ratio ${ratio}:1`,
        train: `${name}: training data`,
        test: `${name}: test data, accuracy ${fmt(trial?.scalars.test_accuracy, 2)} (all repeats ${stat(a, viewOf(ctx), 2)})`,
      });
    });
    const note = caption(
      ctx,
      'Decision-boundary panels: repeat 0 only (its own covariance and samples; grids of different repeats are not averaged). Shading: filled contours of the raw class-1 logit (RdBu, as the notebook); black line: where logit₁ = logit₀. Training panel: up to 300 distinct points per class (tiled copies coincide); the test set is balanced and min–max scaled with its own range.',
    );
    return grid(ctx, 'figure exp4', [main, ...rows, note]);
  },
};
