/**
 * Shared figure pieces: rows joined with their config's parameters, and small composable
 * marks for a config's repeats: a band (±1 std or interquartile), a centre line (mean or
 * median) and every repeat as a faint line or dot. `bandMarks` composes them per the view.
 */
import type * as PlotNS from '@observablehq/plot';
import type { AggregateRow, ConfigInfo, FigureContext, FigureData, FigureOptions } from './types';

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
  median: number;
  q1: number;
  q3: number;
}

/** One repeat's value of a metric at one step (null: the final scalar). */
export interface RepeatPoint {
  config: string;
  params: Record<string, unknown>;
  metric: string;
  step: number | null;
  repeat: number;
  value: number;
}

/** What the dashboard shows first: single seeds visible (a stuck run is a faint outlier line, not a shifted mean). */
export const DEFAULT_FIGURE_OPTIONS: FigureOptions = { band: 'iqr', center: 'median', repeats: true };
/** The notebook's view: mean line with a ±1 std band, no single repeats. */
export const STD_FIGURE_OPTIONS: FigureOptions = { band: 'std', center: 'mean', repeats: false };

export function viewOf(ctx: FigureContext): FigureOptions {
  return ctx.options ?? DEFAULT_FIGURE_OPTIONS;
}

/** "mean ± 1 std", "median, IQR band", … for legends and captions. */
export function viewLabel(view: FigureOptions): string {
  const band = view.band === 'iqr' ? 'IQR band' : view.center === 'mean' ? '' : 'mean ± 1 std band';
  const center = view.center === 'mean' && view.band === 'std' ? 'mean ± 1 std' : view.center;
  return [center, band].filter(Boolean).join(', ') + (view.repeats ? ', faint: single repeats' : '');
}

/**
 * A config's summary in the view: "0.290 ± 0.250", or with the median the mean beside it,
 * "median 0.431 (IQR 0.020–0.450), mean 0.290": when they disagree, single runs differ.
 */
export function stat(p: Point | undefined, view: FigureOptions, digits = 3): string {
  if (!p) return '–';
  const mean = fmt(p.mean, digits);
  if (p.n < 2) return mean;
  const spread = view.band === 'iqr' ? ` (IQR ${fmt(p.q1, digits)}–${fmt(p.q3, digits)})` : ` ± ${fmt(p.std, digits)}`;
  if (view.center === 'mean') return `${mean}${spread}`;
  return view.band === 'iqr' ? `median ${fmt(p.median, digits)}${spread}, mean ${mean}` : `median ${fmt(p.median, digits)}, mean ${mean}${spread}`;
}

type Plot = FigureContext['Plot'];
interface XY {
  /** x channel name ('x' unless given). */
  x?: string;
  /** A channel name ('series' unless given) or a CSS colour. */
  color?: string;
  /** Sort by x (the default); false when rows are already in x order. */
  sort?: boolean;
}
const xOf = (o: XY) => o.x ?? 'x';
const colorOf = (o: XY) => o.color ?? 'series';
const sortOf = (o: XY) => (o.sort === false ? {} : { sort: 'x' as const });

/** The ±1 std area around the mean (rows' lo..hi). */
export function stdBand(Plot: Plot, rows: Array<{ lo: number; hi: number }>, o: XY & { fillOpacity: number; clip?: boolean }): PlotNS.Markish {
  return Plot.areaY(rows, { x: xOf(o), y1: 'lo', y2: 'hi', fill: colorOf(o), fillOpacity: o.fillOpacity, ...sortOf(o), ...(o.clip ? { clip: true } : {}) });
}

/** The interquartile area (rows' q1..q3): half the repeats lie inside, whatever the outliers do. */
export function iqrBand(Plot: Plot, rows: Array<{ q1: number; q3: number }>, o: XY & { fillOpacity: number; clip?: boolean }): PlotNS.Markish {
  return Plot.areaY(rows, { x: xOf(o), y1: 'q1', y2: 'q3', fill: colorOf(o), fillOpacity: o.fillOpacity, ...sortOf(o), ...(o.clip ? { clip: true } : {}) });
}

/** The centre line (mean or median) and, unless `r` is null, a dot per point. */
export function centerMarks(Plot: Plot, rows: Array<{ mean: number; median: number }>, o: XY & { center: FigureOptions['center']; r: number | null; dash?: string }): PlotNS.Markish[] {
  const x = xOf(o);
  const color = colorOf(o);
  return [
    Plot.lineY(rows, { x, y: o.center, stroke: color, ...(o.dash ? { strokeDasharray: o.dash } : {}), ...sortOf(o) }),
    ...(o.r === null ? [] : [Plot.dot(rows, { x, y: o.center, fill: color, r: o.r })]),
  ];
}

export const meanLine = (Plot: Plot, rows: Array<{ mean: number; median: number }>, o: XY & { r: number | null; dash?: string }) => centerMarks(Plot, rows, { ...o, center: 'mean' });
export const medianLine = (Plot: Plot, rows: Array<{ mean: number; median: number }>, o: XY & { r: number | null; dash?: string }) => centerMarks(Plot, rows, { ...o, center: 'median' });

/**
 * Every repeat, faint: a thin line per (colour, config, repeat) along x when `kind` is
 * 'line' (checkpoint series, curves), a hollow dot per value when 'dot' (final scalars
 * against a parameter, where joining repeat k across configs would invent a trajectory).
 */
export function repeatMarks(Plot: Plot, rows: RepeatPoint[], o: XY & { kind: 'line' | 'dot' }): PlotNS.Markish {
  const x = xOf(o);
  const color = colorOf(o);
  // Outliers may leave a figure's fixed y domain (e.g. accuracy in [0, 1]): clip to the frame.
  const clip = { clip: true };
  // className "repeats": tests and the export find single runs by it.
  if (o.kind === 'dot') return Plot.dot(rows, { x, y: 'value', stroke: color, strokeOpacity: 0.55, strokeWidth: 1, r: 2, className: 'repeats', ...clip });
  const series = rows.some((r) => color in r) ? color : null;
  return Plot.lineY(rows, {
    x,
    y: 'value',
    z: (r: RepeatPoint) => `${series ? String((r as unknown as Record<string, unknown>)[series]) : ''}|${r.config}|${r.repeat}`,
    stroke: color,
    strokeOpacity: 0.5,
    strokeWidth: 1,
    className: 'repeats',
    ...sortOf(o),
    ...clip,
  });
}

/**
 * The band every figure draws, composed per the view: the band (±1 std or IQR), the single
 * repeats (when the view shows them and `repeats` are given), the centre line and, unless
 * `r` is null, a dot per centre value. `color` is a channel ('series') or a CSS colour.
 * Without a view this is the notebook's mean ± 1 std.
 */
export function bandMarks(
  Plot: Plot,
  rows: Array<{ mean: number; lo: number; hi: number; median: number; q1: number; q3: number }>,
  o: XY & {
    fillOpacity: number;
    r: number | null;
    dash?: string;
    clip?: boolean;
    view?: FigureOptions;
    repeats?: RepeatPoint[];
    repeatKind?: 'line' | 'dot';
  },
): PlotNS.Markish[] {
  const view = o.view ?? STD_FIGURE_OPTIONS;
  const band = view.band === 'iqr' ? iqrBand(Plot, rows, o) : stdBand(Plot, rows, o);
  const single = view.repeats && o.repeats?.length ? [repeatMarks(Plot, o.repeats, { ...o, kind: o.repeatKind ?? 'line' })] : [];
  return [band, ...single, ...centerMarks(Plot, rows, { ...o, center: view.center })];
}

/** Aggregate rows of one metric, with their config's params and band limits (std 0 when n = 1). */
export function pointsOf(data: FigureData, metric: string, opts: { final?: boolean } = {}): Point[] {
  const params = new Map<string, ConfigInfo>(data.configs.map((c) => [c.config, c]));
  return data.aggregate
    .filter((r: AggregateRow) => r.metric === metric && (opts.final === undefined || (r.step === null) === opts.final))
    .map((r) => {
      const std = r.std ?? 0;
      return {
        config: r.config,
        params: params.get(r.config)?.params ?? {},
        metric,
        step: r.step,
        mean: r.mean,
        std,
        lo: r.mean - std,
        hi: r.mean + std,
        n: r.n,
        median: r.median ?? r.mean,
        q1: r.q1 ?? r.mean,
        q3: r.q3 ?? r.mean,
      };
    });
}

/**
 * One row per done trial and value of a metric: its final scalar (`final: true`), its
 * series points (`final: false`) or both, from `data.repeats` (empty unless loaded).
 */
export function repeatsOf(data: FigureData, metric: string, opts: { final?: boolean } = {}): RepeatPoint[] {
  const out: RepeatPoint[] = [];
  for (const t of data.repeats ?? []) {
    if (t.status !== 'done') continue;
    const base = { config: t.config, params: t.params, metric, repeat: t.repeat };
    const scalar = t.scalars?.[metric];
    if (opts.final !== false && typeof scalar === 'number') out.push({ ...base, step: null, value: scalar });
    const series = t.series?.[metric];
    if (opts.final !== true && series) series.steps.forEach((step, i) => Number.isFinite(series.values[i]) && out.push({ ...base, step, value: series.values[i] }));
  }
  return out;
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

/** A muted paragraph under a plot: what is drawn, or why a cell is empty. */
export function caption(ctx: FigureContext, text: string): HTMLElement {
  const p = ctx.document.createElement('p');
  p.className = 'caption';
  p.textContent = text;
  return p;
}

/** A parameter value as a label: strings as they are, anything else as JSON. */
export const showValue = (v: unknown): string => (typeof v === 'string' ? v : JSON.stringify(v));

/** Parameter values as a label ("resample=none, class_ratio=100"), `fallback` when no axis is given. */
export const axesLabel = (params: Record<string, unknown>, axes: string[], fallback: string): string => (axes.length ? axes.map((a) => `${a}=${showValue(params[a])}`).join(', ') : fallback);

/** Parameters whose value differs between the sweep's configs, in the order of the first config. */
export function varyingAxes(configs: ConfigInfo[]): string[] {
  if (configs.length < 2) return [];
  return Object.keys(configs[0].params).filter((k) => new Set(configs.map((c) => JSON.stringify(c.params[k]))).size > 1);
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
 * The workhorse: centre line plus band (areaY) over x, one colour per series, as the
 * notebook's fill_between(alpha 0.3), with single repeats per the view.
 */
export function bandPlot(
  ctx: FigureContext,
  points: Array<Point & { x: number; series: string }>,
  o: {
    x: string;
    y: string;
    title?: string;
    logX?: boolean;
    yDomain?: [number, number];
    width?: number;
    height?: number;
    marker?: boolean;
    legend?: boolean;
    extra?: PlotNS.Markish[];
    /** Single repeats (same x and series as the points), drawn as faint lines when the view shows them. */
    repeats?: Array<RepeatPoint & { x: number; series: string }>;
  },
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
      ...bandMarks(Plot, points, { fillOpacity: 0.25, r: o.marker ? 2.5 : null, view: viewOf(ctx), repeats: o.repeats }),
      ...(o.extra ?? []),
    ],
  });
}
