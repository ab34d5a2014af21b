/**
 * The decision-boundary panel (Exp 4's figures 2–3 of the notebook): per config, repeat 0's
 * training points and test points over the filled contours of its class-1 logit on the
 * 51×51 grid of [0, 1]² (RdBu, alpha 0.2, as plot_decision_boundary) and, an addition, the
 * black line logit₁ = logit₀. It reads the `decision_boundary` record's traces (grid_logit0,
 * grid_logit1, train_*, test_*; core/train/decision-boundary.ts), which networks and the
 * classical blocks store alike (a classical model's predicted class ±1 as logit₁, 0 as
 * logit₀). Grids of different repeats come from different draws, so they are not averaged.
 * dashboard/figures/exp04.ts draws its cells with the same marks.
 */
import type * as PlotNS from '@observablehq/plot';
import { caption, fmt, grid, panel } from '../common';
import type { FigureContext, FigureData, TrialRecord } from '../types';
import { configName, panelConfigs, panelSection } from './layout';
import type { Panel } from './types';

const RED = '#b2182b';
const BLUE = '#2166ac';
const GRID_SIDE = 51;

/** The traces one boundary cell reads. */
export const BOUNDARY_TRACES = ['grid_logit0', 'grid_logit1', 'train_x1', 'train_x2', 'train_label', 'test_x1', 'test_x2', 'test_label'];

/** Why a cell has no plots: its repeats did not keep the grid (or have not finished). */
export const NO_BOUNDARY_GRID = 'No decision grid stored for this cell (the decision_boundary record keeps the first repeats only).';

interface PlotSize {
  width: number;
  height: number;
}
/** Exp 4's plots, two to a row of its figure. */
const EXP4_SIZE: PlotSize = { width: 340, height: 320 };
/** The panel's: two configs (four plots) to a row of a sweep page's card. */
const PANEL_SIZE: PlotSize = { width: 290, height: 275 };

export interface BoundaryPoint {
  x: number;
  y: number;
  label: number;
}

/** The training ('train') or test ('test') points a trial stored with its grid. */
export function boundaryPoints(t: TrialRecord, prefix: 'train' | 'test'): BoundaryPoint[] {
  const x1 = t.traces[`${prefix}_x1`]?.values ?? [];
  const x2 = t.traces[`${prefix}_x2`]?.values ?? [];
  const lab = t.traces[`${prefix}_label`]?.values ?? [];
  return x1.map((x, i) => ({ x, y: x2[i], label: lab[i] }));
}

/** The lowest repeat of a config that stored the grid. */
export function boundaryTrial(data: FigureData, config: string): TrialRecord | undefined {
  return data.trials.filter((t) => t.config === config && t.traces.grid_logit1).sort((a, b) => a.repeat - b.repeat)[0];
}

/** Filled contours of the class-1 logit, the boundary logit₁ − logit₀ = 0 and the points. */
export function boundaryPlot(ctx: FigureContext, t: TrialRecord, pts: BoundaryPoint[], title: string, size: PlotSize = EXP4_SIZE): Element {
  const { Plot } = ctx;
  const logit1 = t.traces.grid_logit1?.values ?? [];
  const logit0 = t.traces.grid_logit0?.values ?? [];
  const margin = logit1.map((v, i) => v - (logit0[i] ?? 0));
  // Sample i sits at (0.02·(i mod 51), 0.02·⌊i/51⌋): the grid cells span ±0.01 around them.
  const raster = { width: GRID_SIDE, height: GRID_SIDE, x1: -0.01, x2: 1.01, y1: -0.01, y2: 1.01 };
  // A classical model stores its predicted class (±1): two values, no logit to grade. Each
  // class's region is shaded in its points' colour; one value everywhere (one class
  // predicted on the whole square) has no boundary at all.
  const levels = new Set(logit1);
  const constant = levels.size === 1;
  const square = (fill: string) => Plot.rect([{ x1: 0, x2: 1, y1: 0, y2: 1 }], { x1: 'x1', x2: 'x2', y1: 'y1', y2: 'y2', fill, fillOpacity: 0.2 });
  const shading: PlotNS.Markish[] = constant
    ? [square(logit1[0] > (logit0[0] ?? 0) ? BLUE : RED)]
    : levels.size === 2
      ? [
          Plot.contour(margin, { ...raster, thresholds: [0], fill: BLUE, fillOpacity: 0.2, stroke: 'none', clip: true }),
          Plot.contour(
            margin.map((v) => -v),
            { ...raster, thresholds: [0], fill: RED, fillOpacity: 0.2, stroke: 'none', clip: true },
          ),
        ]
      : [Plot.contour(logit1, { ...raster, fill: Plot.identity, fillOpacity: 0.2, stroke: 'none', clip: true })];
  // Clipped to the frame, so the boundary polygon's edges on the grid border are hidden.
  const marks: PlotNS.Markish[] = [
    ...shading,
    ...(logit0.length && !constant ? [Plot.contour(margin, { ...raster, thresholds: [0], stroke: 'black', strokeWidth: 1.2, fill: 'none', clip: true })] : []),
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
    width: size.width,
    height: size.height,
    marginLeft: 45,
    x: { label: 'Feature 1', domain: [0, 1] },
    y: { label: 'Feature 2', domain: [0, 1] },
    color: { type: 'linear', scheme: 'RdBu', legend: false },
    marks,
  });
}

/**
 * One cell: a heading and the training and test plots side by side, or, without a stored
 * grid, the heading and why.
 */
export function boundaryCell(ctx: FigureContext, trial: TrialRecord | undefined, titles: { cell: string; train: string; test: string }, size: PlotSize = EXP4_SIZE): HTMLElement {
  if (!trial) return panel(ctx, titles.cell, caption(ctx, NO_BOUNDARY_GRID));
  return panel(ctx, titles.cell, grid(ctx, 'row', [boundaryPlot(ctx, trial, boundaryPoints(trial, 'train'), titles.train, size), boundaryPlot(ctx, trial, boundaryPoints(trial, 'test'), titles.test, size)]));
}

export const decisionBoundaryPanel: Panel = {
  name: 'decision_boundary',
  record: 'decision_boundary',
  aggregateMetrics: () => [],
  // test_accuracy for the test plot's title, where the spec records it.
  trialMetrics: () => [...BOUNDARY_TRACES, 'test_accuracy'],
  repeatMetrics: () => [],
  render(data, ctx, o) {
    const { shown, note } = panelConfigs(data, o.x);
    let outside = 0;
    const cells = shown.map((config) => {
      const name = configName(data, config);
      const trial = boundaryTrial(data, config.config);
      if (trial) outside += [...boundaryPoints(trial, 'train'), ...boundaryPoints(trial, 'test')].filter((p) => !(p.x >= 0 && p.x <= 1 && p.y >= 0 && p.y <= 1)).length;
      const accuracy = trial?.scalars.test_accuracy;
      // The cell's heading names the config; the plots say which points they show.
      return boundaryCell(ctx, trial, {
        cell: trial ? `${name} (repeat ${trial.repeat})` : name,
        train: 'training data',
        test: `test data${typeof accuracy === 'number' ? `, accuracy ${fmt(accuracy, 2)}` : ''}`,
      }, PANEL_SIZE);
    });
    return panelSection(
      ctx,
      'decision_boundary',
      'Decision boundary',
      grid(ctx, 'row', cells),
      'Repeat 0 of each config (its own draw; grids of different repeats are not averaged): shading, filled contours of the class-1 logit (RdBu; for a classical model, which stores its predicted class ±1, the region of each class); black line, where logit₁ = logit₀; red class 0, blue class 1. Training panel: distinct training points per class as the record keeps them.' +
        // The grid covers [0, 1]² only: say so when the data is not scaled onto it.
        (outside ? ` ${outside} points lie outside [0, 1]², the square the grid covers (the mixture's scaling 'minmax' maps the data onto it).` : ''),
      note,
    );
  },
};
