/**
 * Exp 4 figure. Figure 1 of the notebook (8×6): "Accuracy on Imbalanced Datasets", test
 * accuracy against the class ratio on a log x axis, "Without resampling" and "With
 * resampling", mean ± 1 std band over repeats. Figures 2–3 (1×2 each): at the largest ratio,
 * training points and test points over the contour of the raw class-1 logit on the 51×51
 * grid (RdBu, alpha 0.2, as plot_decision_boundary), one row per variant. These panels show
 * repeat 0 (the notebook ran them with iters = 1); grids of different repeats come from
 * different covariances, so they are not averaged. The black line (an addition) is the
 * actual decision boundary logit₁ = logit₀.
 */
import type * as PlotNS from '@observablehq/plot';
import { bandMarks, fmt, grid, meanStd, panel, pointsOf, repeatsOf, stat, viewOf, type Point, type RepeatPoint } from './common';
import type { ConfigInfo, Figure, FigureContext, FigureData, TrialRecord } from './types';

const VARIANT_LABEL: Record<string, string> = {
  none: 'Without resampling',
  tile: 'With resampling',
  replacement: 'With resampling (with replacement)',
};
const VARIANT_ORDER = ['none', 'tile', 'replacement'];
const RED = '#b2182b';
const BLUE = '#2166ac';
const GRID_SIDE = 51;

const label = (c: { params: Record<string, unknown> }) => VARIANT_LABEL[String(c.params.resample)] ?? String(c.params.resample);

function accuracy(data: FigureData): Array<Point & { x: number; series: string }> {
  return placed(pointsOf(data, 'test_accuracy', { final: true }));
}

function placed<P extends { params: Record<string, unknown> }>(rows: P[]): Array<P & { x: number; series: string }> {
  return rows
    .map((p) => ({ ...p, x: Number(p.params.class_ratio), series: label(p) }))
    .sort((a, b) => VARIANT_ORDER.indexOf(String(a.params.resample)) - VARIANT_ORDER.indexOf(String(b.params.resample)) || a.x - b.x);
}

interface Pt {
  x: number;
  y: number;
  label: number;
}

function points(t: TrialRecord, prefix: string): Pt[] {
  const x1 = t.traces[`${prefix}_x1`]?.values ?? [];
  const x2 = t.traces[`${prefix}_x2`]?.values ?? [];
  const lab = t.traces[`${prefix}_label`]?.values ?? [];
  return x1.map((x, i) => ({ x, y: x2[i], label: lab[i] }));
}

/** Filled contours of the class-1 logit, the boundary logit₁ − logit₀ = 0 and the points. */
function boundaryPlot(ctx: FigureContext, t: TrialRecord, pts: Pt[], title: string): Element {
  const { Plot } = ctx;
  const logit1 = t.traces.grid_logit1?.values ?? [];
  const logit0 = t.traces.grid_logit0?.values ?? [];
  const margin = logit1.map((v, i) => v - (logit0[i] ?? 0));
  // Sample i sits at (0.02·(i mod 51), 0.02·⌊i/51⌋): the grid cells span ±0.01 around them.
  const raster = { width: GRID_SIDE, height: GRID_SIDE, x1: -0.01, x2: 1.01, y1: -0.01, y2: 1.01 };
  // Clipped to the frame, so the boundary polygon's edges on the grid border are hidden.
  const marks: PlotNS.Markish[] = [
    Plot.contour(logit1, { ...raster, fill: Plot.identity, fillOpacity: 0.2, stroke: 'none', clip: true }),
    ...(logit0.length ? [Plot.contour(margin, { ...raster, thresholds: [0], stroke: 'black', strokeWidth: 1.2, fill: 'none', clip: true })] : []),
    Plot.dot(
      pts.filter((p) => p.label === 0),
      { x: 'x', y: 'y', r: 1.6, fill: RED },
    ),
    Plot.dot(
      pts.filter((p) => p.label === 1),
      { x: 'x', y: 'y', r: 1.6, fill: BLUE },
    ),
  ];
  return Plot.plot({
    document: ctx.document,
    title,
    width: 340,
    height: 320,
    marginLeft: 45,
    x: { label: 'Feature 1', domain: [0, 1] },
    y: { label: 'Feature 2', domain: [0, 1] },
    color: { type: 'linear', scheme: 'RdBu', legend: false },
    marks,
  });
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

function caption(ctx: FigureContext, text: string): HTMLElement {
  const p = ctx.document.createElement('p');
  p.className = 'caption';
  p.textContent = text;
  return p;
}

/** The largest ratio and, per variant, its config and the lowest repeat that has the grid. */
function boundaryCells(data: FigureData): Array<{ config: ConfigInfo; trial: TrialRecord | undefined }> {
  const maxRatio = Math.max(...data.configs.map((c) => Number(c.params.class_ratio)));
  return data.configs
    .filter((c) => Number(c.params.class_ratio) === maxRatio)
    .sort((a, b) => VARIANT_ORDER.indexOf(String(a.params.resample)) - VARIANT_ORDER.indexOf(String(b.params.resample)))
    .map((config) => ({
      config,
      trial: data.trials
        .filter((t) => t.config === config.config && t.traces.grid_logit1)
        .sort((a, b) => a.repeat - b.repeat)[0],
    }));
}

export const exp04Figure: Figure = {
  experiment: 'exp4',
  aggregateMetrics: ['test_accuracy', 'train_accuracy', 'n_minority', 'n_majority', 'n_train'],
  trialMetrics: ['grid_logit0', 'grid_logit1', 'train_x1', 'train_x2', 'train_label', 'test_x1', 'test_x2', 'test_label', 'test_accuracy'],
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
      if (!trial) return panel(ctx, `${name}, ratio ${ratio}:1`, caption(ctx, 'No decision grid stored for this cell (the decision_boundary record keeps the first repeats only).'));
      const a = accByConfig.get(config.config);
      return panel(
        ctx,
        `${name}, ratio ${ratio}:1 (repeat ${trial.repeat})`,
        grid(ctx, 'row', [
          boundaryPlot(ctx, trial, points(trial, 'train'), `${name}: training data`),
          boundaryPlot(ctx, trial, points(trial, 'test'), `${name}: test data, accuracy ${fmt(trial.scalars.test_accuracy, 2)} (all repeats ${stat(a, viewOf(ctx), 2)})`),
        ]),
      );
    });
    const note = caption(
      ctx,
      'Decision-boundary panels: repeat 0 only (its own covariance and samples; grids of different repeats are not averaged). Shading: filled contours of the raw class-1 logit (RdBu, as the notebook); black line: where logit₁ = logit₀. Training panel: up to 300 distinct points per class (tiled copies coincide); the test set is balanced and min–max scaled with its own range.',
    );
    return grid(ctx, 'figure exp4', [main, ...rows, note]);
  },
};
