/** Shared figure pieces: rows joined with their config's parameters, mean lines with ±1 std bands. */
import type * as PlotNS from '@observablehq/plot';
import type { AggregateRow, ConfigInfo, FigureContext, FigureData } from './types';

export interface Point {
  config: string;
  params: Record<string, unknown>;
  metric: string;
  step: number | null;
  mean: number;
  std: number;
  lo: number;
  hi: number;
  n: number;
}

/**
 * The band every figure draws, as Plot marks: the ±1 std area (lo..hi), the mean line and,
 * unless `r` is null, a dot per mean. `color` is a channel ('series') or a CSS colour.
 * Rows are sorted by x unless `sort` is false (already in x order).
 */
export function bandMarks(
  Plot: FigureContext['Plot'],
  rows: Array<{ mean: number; lo: number; hi: number }>,
  o: { x?: string; color?: string; fillOpacity: number; r: number | null; dash?: string; sort?: boolean; clip?: boolean },
): PlotNS.Markish[] {
  const x = o.x ?? 'x';
  const color = o.color ?? 'series';
  const sort = o.sort === false ? {} : { sort: 'x' as const };
  return [
    Plot.areaY(rows, { x, y1: 'lo', y2: 'hi', fill: color, fillOpacity: o.fillOpacity, ...sort, ...(o.clip ? { clip: true } : {}) }),
    Plot.lineY(rows, { x, y: 'mean', stroke: color, ...(o.dash ? { strokeDasharray: o.dash } : {}), ...sort }),
    ...(o.r === null ? [] : [Plot.dot(rows, { x, y: 'mean', fill: color, r: o.r })]),
  ];
}

/** Aggregate rows of one metric, with their config's params and band limits (std 0 when n = 1). */
export function pointsOf(data: FigureData, metric: string, opts: { final?: boolean } = {}): Point[] {
  const params = new Map<string, ConfigInfo>(data.configs.map((c) => [c.config, c]));
  return data.aggregate
    .filter((r: AggregateRow) => r.metric === metric && (opts.final === undefined || (r.step === null) === opts.final))
    .map((r) => {
      const std = r.std ?? 0;
      return { config: r.config, params: params.get(r.config)?.params ?? {}, metric, step: r.step, mean: r.mean, std, lo: r.mean - std, hi: r.mean + std, n: r.n };
    });
}

/** A container with a heading, for figures made of several plots. */
export function panel(ctx: FigureContext, title: string, ...children: Element[]): HTMLElement {
  const div = ctx.document.createElement('div');
  div.className = 'panel';
  const h = ctx.document.createElement('h4');
  h.textContent = title;
  div.append(h, ...children);
  return div;
}

export function grid(ctx: FigureContext, className: string, children: Element[]): HTMLElement {
  const div = ctx.document.createElement('div');
  div.className = className;
  div.append(...children);
  return div;
}

export function fmt(x: number | null | undefined, digits = 3): string {
  if (x === null || x === undefined || !Number.isFinite(x)) return '–';
  return Math.abs(x) >= 1000 || (Math.abs(x) < 1e-3 && x !== 0) ? x.toExponential(2) : x.toFixed(digits);
}

/** "0.123 ± 0.010 (n=5)"; one repeat has no std: "0.123 (n=1)". */
export function meanStd(p: Point | undefined, digits = 3): string {
  if (!p) return 'no data yet';
  if (p.n < 2) return `${fmt(p.mean, digits)} (n=${p.n})`;
  return `${fmt(p.mean, digits)} ± ${fmt(p.std, digits)} (n=${p.n})`;
}

/**
 * The workhorse: mean line plus ±1 std band (areaY) over x, one colour per series, as the
 * notebook's fill_between(alpha 0.3). `x` maps a point to its x value.
 */
export function bandPlot(
  ctx: FigureContext,
  points: Array<Point & { x: number; series: string }>,
  o: { x: string; y: string; title?: string; logX?: boolean; yDomain?: [number, number]; width?: number; height?: number; marker?: boolean; legend?: boolean; extra?: PlotNS.Markish[] },
): Element {
  const { Plot } = ctx;
  // A config with no finished trial yet (live sweeps): say so instead of drawing empty axes.
  if (!points.length) {
    const figure = ctx.document.createElement('figure');
    figure.className = 'pending';
    figure.style.width = `${o.width ?? 420}px`;
    if (o.title) {
      const h = ctx.document.createElement('h2');
      h.textContent = o.title;
      figure.append(h);
    }
    const p = ctx.document.createElement('p');
    p.textContent = `${o.y}: waiting for the first finished trial…`;
    figure.append(p);
    return figure;
  }
  return Plot.plot({
    document: ctx.document,
    title: o.title,
    width: o.width ?? 420,
    height: o.height ?? 280,
    marginLeft: 50,
    x: { label: o.x, type: o.logX ? 'log' : 'linear' },
    y: { label: o.y, grid: true, domain: o.yDomain },
    color: { legend: o.legend ?? true },
    marks: [
      ...bandMarks(Plot, points, { fillOpacity: 0.25, r: o.marker ? 2.5 : null }),
      ...(o.extra ?? []),
    ],
  });
}
