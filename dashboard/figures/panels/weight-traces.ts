/**
 * The weight-traces panel (Exp 12's "weights" rows): per config, the trajectories of the
 * weights a `weight_tail` record traces (`weights_layer{j}`, one line per tracked entry) of
 * repeat 0 over the checkpoints, one row of configs per traced matrix, the y axis shared
 * along a row. A trajectory is one run's, so repeats are not averaged. Drawn with the
 * shared marks of dashboard/figures/weight-traces.ts, as Exp 11 and Exp 12 draw theirs.
 */
import { grid, panel } from '../common';
import { extent, firstRepeat, tracePoints, weightLines } from '../weight-traces';
import { configName, panelConfigs, panelSection } from './layout';
import type { Panel, PanelOptions } from './types';

/** The traces the spec's weight_tail records store (layer 0 unless given). */
export function tracedLayers(o: PanelOptions): string[] {
  const layers = o.record.filter((r) => r.metric === 'weight_tail').map((r) => r.layer ?? 0);
  return [...new Set(layers)].sort((a, b) => a - b).map((j) => `weights_layer${j}`);
}

export const weightTracesPanel: Panel = {
  name: 'weight_traces',
  record: 'weight_tail',
  aggregateMetrics: () => [],
  trialMetrics: tracedLayers,
  repeatMetrics: () => [],
  render(data, ctx, o) {
    const { shown, note } = panelConfigs(data, o.x);
    const cols = `cols-${Math.max(1, Math.min(3, shown.length))}`;
    const rows = tracedLayers(o).map((trace) => {
      const traces = shown.map((c) => {
        const trial = firstRepeat(data, c.config);
        return { c, trial, points: tracePoints(trial?.traces[trace]) };
      });
      const domain = extent(traces.flatMap((t) => t.points.map((p) => p.value)));
      return grid(
        ctx,
        cols,
        traces.map(({ c, trial, points }) =>
          points.length ? weightLines(ctx, points, { title: `${configName(data, c)}, ${trace} (repeat ${trial!.repeat})`, yDomain: domain }) : panel(ctx, `${configName(data, c)}, ${trace}: no trace yet`),
        ),
      );
    });
    return panelSection(
      ctx,
      'weight_traces',
      'Weight trajectories',
      grid(ctx, 'cols-1', rows),
      'Repeat 0 of each config: every traced weight (the last entries of the flattened matrix, as the weight_tail record keeps them) at every checkpoint, one line per weight; x is the number of updates applied.',
      note,
    );
  },
};
