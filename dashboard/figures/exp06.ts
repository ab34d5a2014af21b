/**
 * Exp 6 figure (notebook: one panel): "Test Accuracy with Unsupervised Preprocessing", test
 * accuracy against the number of dummy dimensions on a log x axis, one dashed line with
 * markers per PCA setting (legend: No PCA, PCA dim = 10, 5, 1). The notebook plots only the
 * mean over its 3 repeats; here each line has a ±1 std band over repeats.
 */
import { bandMarks, fmt, grid, meanStd, pointsOf, repeatsOf, viewLabel, viewOf, type Point } from './common';
import type { Figure, FigureData } from './types';

const COLORS = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b'];

function pcaLabel(v: unknown): string {
  return v === 'none' || v === null || v === undefined ? 'No PCA' : `PCA dim = ${v}`;
}

/** The notebook's legend order: No PCA first, then the PCA settings as the grid lists them. */
function seriesOrder(data: FigureData): string[] {
  const grid = (data.experiment.grid.pca_dim as unknown[] | undefined) ?? [];
  const seen = [...new Set(data.configs.map((c) => pcaLabel(c.params.pca_dim)))];
  const ranked = grid.map(pcaLabel);
  return seen.sort((a, b) => (ranked.indexOf(a) + 1 || 99) - (ranked.indexOf(b) + 1 || 99) || a.localeCompare(b));
}

function rows(data: FigureData): Array<Point & { x: number; series: string }> {
  return placed(pointsOf(data, 'test_accuracy', { final: true }));
}

function placed<P extends { params: Record<string, unknown> }>(rows: P[]): Array<P & { x: number; series: string }> {
  return rows.map((p) => ({ ...p, x: Number(p.params.dummy_dim), series: pcaLabel(p.params.pca_dim) }));
}

export const exp06Figure: Figure = {
  experiment: 'exp6',
  aggregateMetrics: ['test_accuracy', 'train_accuracy', 'input_dim'],
  repeatMetrics: ['test_accuracy'],
  main: { metric: 'test_accuracy', final: true, label: 'test accuracy' },
  headline(data) {
    const all = rows(data);
    const dims = [...new Set(all.map((r) => r.x))].sort((a, b) => a - b);
    const shown = dims.length > 1 ? [dims[0], dims[dims.length - 1]] : dims;
    const order = seriesOrder(data);
    return all
      .filter((r) => shown.includes(r.x))
      .sort((a, b) => order.indexOf(a.series) - order.indexOf(b.series) || a.x - b.x)
      .map((r) => `${r.series}, ${r.x} dummy dims: test accuracy ${meanStd(r)}`);
  },
  render(data, ctx) {
    const { Plot } = ctx;
    const all = rows(data);
    const order = seriesOrder(data);
    const reps = Math.max(0, ...all.map((r) => r.n));
    const plot = Plot.plot({
      document: ctx.document,
      title: 'Test Accuracy with Unsupervised Preprocessing',
      caption: `Test accuracy, ${viewLabel(viewOf(ctx))}, over ${reps} repeats (the notebook plots the mean of 3). Chance is 0.5; the test set has ${fmt(testRows(data), 0)} points.`,
      width: 620,
      height: 420,
      marginLeft: 50,
      x: { label: 'Dummy Dimensionality', type: 'log', ticks: [...new Set(all.map((r) => r.x))], tickFormat: (d: number) => String(d) },
      y: { label: 'Test Accuracy', grid: true },
      color: { legend: true, domain: order, range: COLORS },
      marks: bandMarks(Plot, all, { fillOpacity: 0.2, r: 3, dash: '5,3', view: viewOf(ctx), repeats: placed(repeatsOf(data, 'test_accuracy', { final: true })), repeatKind: 'dot' }),
    });
    return grid(ctx, 'figure exp6', [plot]);
  },
};

/** ceil(test_size · n) rows, from the sweep's parameters. */
function testRows(data: FigureData): number {
  const p = data.configs[0]?.params ?? data.experiment.defaults;
  return Math.ceil(Number(p.test_size ?? 0.2) * Number(p.n ?? 100));
}
