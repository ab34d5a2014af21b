/**
 * Weight trajectories as Exp 11 and Exp 12 draw them: a stored weight trace (the
 * `weights_layer{j}` traces, steps repeating each snapshot's step once per tracked entry,
 * values snapshot-major) as one line per tracked weight, for one run of a config.
 */
import type * as PlotNS from '@observablehq/plot';
import type { FigureContext, FigureData, SeriesData, TrialRecord } from './types';

/** The done trial with the lowest repeat of a config (repeat 0 unless it failed). */
export function firstRepeat(data: FigureData, config: string): TrialRecord | undefined {
  return data.trials.filter((t) => t.config === config && t.status === 'done').sort((a, b) => a.repeat - b.repeat)[0];
}

/**
 * A weight trace (steps repeat each snapshot step m times, values snapshot-major) as one
 * point per (snapshot, entry).
 */
export function tracePoints(trace: SeriesData | undefined): Array<{ step: number; value: number; entry: number }> {
  if (!trace || !trace.steps.length) return [];
  let m = 0;
  while (m < trace.steps.length && trace.steps[m] === trace.steps[0]) m++;
  return trace.values.map((value, i) => ({ step: trace.steps[i], value, entry: i % m }));
}

/** One line per tracked weight, coloured by cycling the categorical palette like matplotlib. */
export function weightLines(
  ctx: FigureContext,
  points: ReturnType<typeof tracePoints>,
  o: { title: string; yDomain?: [number, number]; width?: number; height?: number; extra?: PlotNS.Markish[] },
): Element {
  const { Plot } = ctx;
  return Plot.plot({
    document: ctx.document,
    title: o.title,
    width: o.width ?? 300,
    height: o.height ?? 240,
    marginLeft: 50,
    x: { label: 'step' },
    y: { label: 'weight', grid: true, domain: o.yDomain },
    color: { type: 'ordinal', scheme: 'tableau10', legend: false },
    marks: [Plot.line(points, { x: 'step', y: 'value', z: 'entry', stroke: 'entry', strokeWidth: 1 }), ...(o.extra ?? [])],
  });
}

export function extent(values: number[], pad = 0.05): [number, number] | undefined {
  if (!values.length) return undefined;
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of values) {
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  const margin = (hi - lo || Math.abs(hi) || 1) * pad;
  return [lo - margin, hi + margin];
}
