/**
 * Exp 11 figures (notebook: two 1×4 rows, 16×4 each).
 * Figure A: "Layer j weights", the trajectories of the 50 tracked weights of each layer for
 * ONE run (the notebook has one run; here repeat 0, named in the titles), from the
 * `weights_layer{j}` traces. x is the step, the number of updates applied (1, 3, …, 749;
 * the notebook's "Epoch (x2)" axis counts snapshots, which are every 2 steps).
 * Figure B: "Layer j convergence", the L2 norm of the change between consecutive snapshots,
 * mean ± 1 std across repeats, shared y, y label "Diff between weights"; a dashed rule marks
 * the mean settling step (steps_to_converge_layer{j}).
 */
import { bandPlot, fmt, grid, meanStd, panel, pointsOf, repeatsOf, viewLabel, viewOf } from './common';
import type { ConfigInfo, Figure, FigureData } from './types';
import { extent, firstRepeat, tracePoints, weightLines } from './weight-traces';

/** Layer indices j for which metric `<prefix>{j}` exists in the aggregate or the trials. */
export function layersOf(data: FigureData, prefix: string): number[] {
  const re = new RegExp(`^${prefix}(\\d+)$`);
  const names = [...data.aggregate.map((r) => r.metric), ...data.trials.flatMap((t) => Object.keys(t.traces ?? {}))];
  return [...new Set(names.map((m) => re.exec(m)?.[1]).filter((j): j is string => j !== undefined).map(Number))].sort((a, b) => a - b);
}

function configLabel(c: ConfigInfo, many: boolean): string {
  return many ? c.config : '';
}

export const exp11Figure: Figure = {
  experiment: 'exp11',
  trialMetrics: ['weights_layer0', 'weights_layer1', 'weights_layer2', 'weights_layer3'],
  trialRepeat: 0,
  repeatMetrics: ['weight_change_layer0', 'weight_change_layer1', 'weight_change_layer2', 'weight_change_layer3'],
  main: { metric: 'test_accuracy', final: true, label: 'final test accuracy' },
  headline(data) {
    const many = data.configs.length > 1;
    const lines: string[] = [];
    for (const c of data.configs) {
      const prefix = many ? `${c.config}, ` : '';
      const at = (metric: string) => pointsOf(data, metric, { final: true }).find((p) => p.config === c.config);
      for (const j of layersOf(data, 'steps_to_converge_layer')) {
        lines.push(`${prefix}layer ${j}: settles at step ${meanStd(at(`steps_to_converge_layer${j}`), 0)}; late change ${meanStd(at(`final_change_layer${j}`), 4)}`);
      }
      lines.push(`${prefix}final test accuracy: ${meanStd(at('test_accuracy'))}`);
    }
    return lines;
  },
  render(data, ctx) {
    const { Plot } = ctx;
    const many = data.configs.length > 1;
    const weightLayers = layersOf(data, 'weights_layer');
    const changeLayers = layersOf(data, 'weight_change_layer');

    // Figure A: one row per config, repeat 0's trajectories.
    const rowsA = data.configs.map((c) => {
      const trial = firstRepeat(data, c.config);
      const label = configLabel(c, many);
      const panels = weightLayers.map((j) =>
        weightLines(ctx, tracePoints(trial?.traces[`weights_layer${j}`]), {
          title: `Layer ${j} weights${trial ? ` (repeat ${trial.repeat}${label ? `, ${label}` : ''})` : ': no trace yet'}`,
        }),
      );
      return grid(ctx, `cols-${Math.max(1, weightLayers.length)}`, panels);
    });

    // Figure B: the change norm per layer (centre, band, single repeats), one colour per config, shared y.
    const view = viewOf(ctx);
    const seriesName = (config: string) => (many ? config : viewLabel({ ...view, repeats: false }));
    const changes = changeLayers.map((j) =>
      pointsOf(data, `weight_change_layer${j}`)
        .filter((p) => p.step !== null)
        .map((p) => ({ ...p, x: p.step as number, series: seriesName(p.config) })),
    );
    const changeRepeats = changeLayers.map((j) =>
      repeatsOf(data, `weight_change_layer${j}`, { final: false }).map((p) => ({ ...p, x: p.step as number, series: seriesName(p.config) })),
    );
    const yMax = Math.max(
      0,
      ...changes.flat().map((p) => (view.band === 'iqr' ? Math.max(p.q3, p[view.center]) : Math.max(p.hi, p[view.center]))),
      ...(view.repeats ? changeRepeats.flat().map((p) => p.value) : []),
    );
    const settle = (j: number) => pointsOf(data, `steps_to_converge_layer${j}`, { final: true });
    const panelsB = changeLayers.map((j, i) =>
      bandPlot(ctx, changes[i], {
        x: 'step',
        y: 'Diff between weights',
        title: `Layer ${j} convergence (settles: ${settle(j)
          .map((p) => fmt(p.mean, 0))
          .join(', ')})`,
        width: 300,
        height: 240,
        yDomain: [0, yMax || 1],
        legend: many && i === 0,
        repeats: changeRepeats[i],
        extra: [Plot.ruleX(settle(j), { x: 'mean', stroke: 'black', strokeDasharray: '4,3' })],
      }),
    );
    return grid(ctx, 'figure exp11', [
      panel(ctx, `Figure A: weight trajectories of one run (the last ${data.configs[0]?.params.tracked ?? 50} entries of each flattened weight matrix)`, ...rowsA),
      panel(ctx, `Figure B: change between consecutive snapshots (every 2 steps), ${viewLabel(view)} across repeats`, grid(ctx, `cols-${Math.max(1, changeLayers.length)}`, panelsB)),
    ]);
  },
};
