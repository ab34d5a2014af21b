/**
 * Exp 12 figure (notebook: 4×3, 15×20, rows sharing y): per regularisation type two rows,
 * one column per strength. Row "weights": the last 50 entries of flattened W0 over the
 * snapshots for ONE run (repeat 0, named in the title; the notebook has one run per cell).
 * Row "accuracy": test accuracy over the snapshots, mean ± 1 std across repeats. Titles
 * "<type>, strength=<s>, weights" / "…, accuracy"; x is the step, the number of updates
 * applied (1, 3, …, 749; the notebook's "Epoch (x2)" counts snapshots taken every 2 steps). Headline: final test accuracy,
 * sparsity (|w| < 1e-3) and mean |w| per cell.
 */
import { bandPlot, grid, meanStd, panel, pointsOf, repeatsOf, viewLabel, viewOf } from './common';
import { extent, firstRepeat, tracePoints, weightLines } from './weight-traces';
import type { ConfigInfo, Figure, FigureData } from './types';

const TYPE_ORDER = ['l1', 'l2'];

function cells(data: FigureData): ConfigInfo[] {
  return data.configs
    .slice()
    .sort(
      (a, b) =>
        TYPE_ORDER.indexOf(String(a.params.regularization)) - TYPE_ORDER.indexOf(String(b.params.regularization)) || Number(a.params.strength) - Number(b.params.strength),
    );
}

const typeLabel = (c: ConfigInfo) => String(c.params.regularization).toUpperCase();

export const exp12Figure: Figure = {
  experiment: 'exp12',
  trialMetrics: ['weights_layer0'],
  trialRepeat: 0,
  repeatMetrics: ['test_accuracy'],
  main: { metric: 'test_accuracy', final: false, label: 'test accuracy' },
  headline(data) {
    const at = (metric: string, c: ConfigInfo) => pointsOf(data, metric, { final: true }).find((p) => p.config === c.config);
    return cells(data).map(
      (c) =>
        `${typeLabel(c)}, strength=${c.params.strength}: test accuracy ${meanStd(at('test_accuracy', c))}; sparsity ${meanStd(at('sparsity', c))}; mean |w| ${meanStd(at('mean_abs_weight', c), 4)}`,
    );
  },
  render(data, ctx) {
    const view = viewOf(ctx);
    const series = viewLabel({ ...view, repeats: false });
    const ordered = cells(data);
    const types = TYPE_ORDER.filter((t) => ordered.some((c) => c.params.regularization === t));
    const strengths = [...new Set(ordered.map((c) => Number(c.params.strength)))].sort((a, b) => a - b);
    const cols = Math.max(1, strengths.length);
    const rows = types.flatMap((type) => {
      const row = strengths.map((s) => ordered.find((c) => c.params.regularization === type && Number(c.params.strength) === s));
      const traces = row.map((c) => {
        const trial = c ? firstRepeat(data, c.config) : undefined;
        return { c, trial, points: tracePoints(trial?.traces.weights_layer0) };
      });
      const weightDomain = extent(traces.flatMap((t) => t.points.map((p) => p.value)));
      const weights = traces.map(({ c, trial, points }, i) =>
        c
          ? weightLines(ctx, points, {
              title: `${typeLabel(c)}, strength=${c.params.strength}, weights${trial ? ` (repeat ${trial.repeat})` : ': no trace yet'}`,
              yDomain: weightDomain,
            })
          : panel(ctx, `${type.toUpperCase()}, strength=${strengths[i]}: not in this sweep`),
      );
      const acc = row.map((c) =>
        c
          ? pointsOf(data, 'test_accuracy')
              .filter((p) => p.config === c.config && p.step !== null)
              // Accuracy lives in [0, 1]: clip the ±1 std band there.
              .map((p) => ({ ...p, lo: Math.max(0, p.lo), hi: Math.min(1, p.hi), x: p.step as number, series }))
          : [],
      );
      const accRepeats = row.map((c) =>
        c
          ? repeatsOf(data, 'test_accuracy', { final: false })
              .filter((p) => p.config === c.config)
              .map((p) => ({ ...p, x: p.step as number, series }))
          : [],
      );
      // Shared y over the row: whatever this view draws (band, centre, single repeats).
      const accDomain = extent([
        ...acc.flat().flatMap((p) => (view.band === 'iqr' ? [p.q1, p.q3, p[view.center]] : [p.lo, p.hi, p[view.center]])),
        ...(view.repeats ? accRepeats.flat().map((p) => p.value) : []),
      ]);
      const accuracy = row.map((c, i) =>
        c
          ? bandPlot(ctx, acc[i], {
              x: 'step',
              y: 'test accuracy',
              title: `${typeLabel(c)}, strength=${c.params.strength}, accuracy`,
              width: 300,
              height: 240,
              yDomain: accDomain,
              legend: false,
              repeats: accRepeats[i],
            })
          : panel(ctx, `${type.toUpperCase()}, strength=${strengths[i]}: not in this sweep`),
      );
      return [grid(ctx, `cols-${cols}`, weights), grid(ctx, `cols-${cols}`, accuracy)];
    });
    return grid(ctx, 'figure exp12', rows);
  },
};
