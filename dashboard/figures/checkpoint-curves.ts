/**
 * A checkpoint series per config of one grid axis, as the notebook's Exp 7, 9 and 10 plot it
 * (`--o`: mean ± 1 std across repeats, dashed with dots, one line per value), and the
 * headline lines that go with it. Shared marks, not an experiment's figure: each of those
 * figures composes them (dashboard/figures/exp07.ts, exp09.ts, exp10.ts).
 */
import { bandMarks, meanStd, pointsOf, repeatsOf, viewOf, type Point } from './common';
import type { FigureContext, FigureData } from './types';

/** The configs in grid order, so legends and headlines follow the notebook's order. */
export function configsInGridOrder(data: FigureData, param: string): FigureData['configs'] {
  const order = (data.experiment.grid[param] ?? []).map(String);
  const rank = (v: unknown) => (order.indexOf(String(v)) === -1 ? order.length : order.indexOf(String(v)));
  return data.configs.slice().sort((a, b) => rank(a.params[param]) - rank(b.params[param]) || a.index - b.index);
}

/**
 * Mean ± std band of a checkpoint series, one dashed line with dots per config of `param`
 * (the notebook's `--o`), labelled by `label`.
 */
export function checkpointCurves(
  data: FigureData,
  ctx: FigureContext,
  o: { metric: string; param: string; label?: (value: string) => string; title: string; x: string; y: string },
): Element {
  const label = o.label ?? ((v: string) => v);
  const names = new Map(data.configs.map((c) => [c.config, label(String(c.params[o.param]))]));
  const points = pointsOf(data, o.metric, { final: false }).map((p) => ({ ...p, x: p.step ?? 0, series: names.get(p.config) ?? p.config }));
  const repeats = repeatsOf(data, o.metric, { final: false }).map((p) => ({ ...p, x: p.step ?? 0, series: names.get(p.config) ?? p.config }));
  // The legend follows the notebook's (grid) order rather than Plot's sorted names.
  const domain = configsInGridOrder(data, o.param).map((c) => label(String(c.params[o.param])));
  const { Plot } = ctx;
  return Plot.plot({
    document: ctx.document,
    title: o.title,
    width: 560,
    height: 400,
    marginLeft: 50,
    x: { label: o.x },
    y: { label: o.y, grid: true, domain: [0, 1] },
    color: { legend: true, domain },
    marks: bandMarks(Plot, points, { fillOpacity: 0.2, r: 2.5, dash: '4,3', clip: true, view: viewOf(ctx), repeats }),
  });
}

/** "name: metric at the last checkpoint" lines, in grid order. */
export function lastCheckpointLines(data: FigureData, o: { metric: string; param: string; label?: (value: string) => string; what: string }): string[] {
  const label = o.label ?? ((v: string) => v);
  const series = pointsOf(data, o.metric, { final: false });
  const final = new Map(pointsOf(data, o.metric, { final: true }).map((p) => [p.config, p]));
  return configsInGridOrder(data, o.param).map((c) => {
    const mine = series.filter((p) => p.config === c.config);
    const last = mine.reduce<Point | undefined>((best, p) => (best === undefined || (p.step ?? 0) > (best.step ?? 0) ? p : best), undefined);
    const after = final.get(c.config);
    return `${label(String(c.params[o.param]))}: ${o.what} at step ${last?.step ?? '–'} ${meanStd(last)}${after ? `; after training ${meanStd(after)}` : ''}`;
  });
}
