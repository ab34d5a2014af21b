/**
 * The figure of an experiment written as a spec (core/custom/spec.ts), drawn from its
 * figure hint `{x, y, color?, facet?}`: x is 'step' (the metric recorded over checkpoints)
 * or a grid axis (the final value against that parameter); y the metric, as a centre line
 * with a band per the view (median and IQR by default, or mean ± 1 std), single repeats
 * faint; one colour per value of `color`, one panel per value of `facet`. Parameters that
 * vary in the sweep but are named by neither also split the series, so a line never mixes
 * configs. Without a hint: the first recorded metric over steps (or, recorded only at the
 * end, against the first grid axis).
 */
import type { PanelName } from '../../core/custom/panels';
import { axesLabel, bandMarks, grid, meanStd, panel, pointsOf, repeatsOf, showValue, varyingAxes, viewLabel, viewOf, type Point, type RepeatPoint } from './common';
import { PANEL_REGISTRY, type PanelOptions } from './panels';
import type { Figure, FigureContext, FigureData } from './types';

export interface FigureHint {
  x: string;
  y: string;
  color?: string;
  facet?: string;
  /** Named panels drawn after the band figure (core/custom/panels.ts, dashboard/figures/panels/). */
  panels?: PanelName[];
}

/** What the figure needs of an experiment description (GET /api/experiments/:id). */
export interface SpecDescription {
  id: string;
  grid: Record<string, unknown[]>;
  spec?: { figure?: FigureHint; record?: PanelOptions['record'] } | null;
}

/** The hint of a spec, or the default one (see the header). Null when the spec records nothing. */
export function figureHint(e: SpecDescription): FigureHint | null {
  if (e.spec?.figure) return e.spec.figure;
  const record = e.spec?.record ?? [];
  const overTime = record.find((r) => r.at === 'checkpoints');
  const axis = Object.keys(e.grid)[0];
  if (overTime) return { x: 'step', y: overTime.metric, ...(axis ? { color: axis } : {}) };
  if (record[0] && axis) return { x: axis, y: record[0].metric };
  return null;
}

const sortValues = (values: unknown[]) =>
  [...new Map(values.map((v) => [JSON.stringify(v), v])).values()].sort((a, b) => (typeof a === 'number' && typeof b === 'number' ? a - b : showValue(a).localeCompare(showValue(b))));

/** Positive numbers spanning two decades or more read better on a log axis (learning rates, strengths). */
function logScale(values: unknown[]): boolean {
  const xs = values.filter((v): v is number => typeof v === 'number');
  return xs.length === values.length && xs.length > 1 && xs.every((x) => x > 0) && Math.max(...xs) / Math.min(...xs) >= 100;
}

interface Layout {
  hint: FigureHint;
  final: boolean;
  /** Axes that split the series: colour first, then any other varying one. */
  seriesAxes: string[];
  facets: unknown[];
  numericX: boolean;
}

function layoutOf(hint: FigureHint, data: FigureData): Layout {
  const final = hint.x !== 'step';
  const varying = varyingAxes(data.configs);
  const named = new Set([hint.x, hint.facet]);
  const seriesAxes = [...(hint.color && varying.includes(hint.color) ? [hint.color] : []), ...varying.filter((a) => !named.has(a) && a !== hint.color)];
  const facets = hint.facet ? sortValues(data.configs.map((c) => c.params[hint.facet!])) : [undefined];
  const xValues = final ? data.configs.map((c) => c.params[hint.x]) : [0];
  return { hint, final, seriesAxes, facets, numericX: xValues.every((v) => typeof v === 'number') };
}


const unique = (names: string[]) => [...new Set(names)];

/**
 * The figure of one spec experiment; `hint` from figureHint, `record` the spec's records
 * (what its panels read: which weight matrices are traced). The hint's panels follow the
 * band figure, each drawn from its record by name (dashboard/figures/panels/).
 */
export function specFigure(experiment: string, hint: FigureHint, record: PanelOptions['record'] = []): Figure {
  const panels = (hint.panels ?? []).map((name) => PANEL_REGISTRY[name]).filter((p) => p !== undefined);
  const options: PanelOptions = { x: hint.x, record };
  const trialMetrics = unique(panels.flatMap((p) => p.trialMetrics(options)));
  return {
    experiment,
    aggregateMetrics: unique([hint.y, ...panels.flatMap((p) => p.aggregateMetrics(options))]),
    repeatMetrics: unique([hint.y, ...panels.flatMap((p) => p.repeatMetrics(options))]),
    // Panels draw one run's traces: repeat 0's (the decision_boundary record keeps the first repeats).
    ...(trialMetrics.length ? { trialMetrics, trialRepeat: 0 } : {}),
    main: { metric: hint.y, final: hint.x !== 'step', label: hint.y },
    headline(data) {
      // The final value per config: the scalar when recorded, else the series' last checkpoint.
      return data.configs.map((c) => {
        const rows = pointsOf(data, hint.y).filter((p) => p.config === c.config);
        const last = rows.find((p) => p.step === null) ?? rows.filter((p) => p.step !== null).sort((a, b) => (b.step as number) - (a.step as number))[0];
        return `${c.config}: ${hint.y} ${meanStd(last)}`;
      });
    },
    render(data, ctx) {
      const figure = renderSpecFigure(data, ctx, layoutOf(hint, data));
      figure.append(...panels.map((p) => p.render(data, ctx, options)));
      return figure;
    },
  };
}

function renderSpecFigure(data: FigureData, ctx: FigureContext, layout: Layout): HTMLElement {
  const { Plot } = ctx;
  const view = viewOf(ctx);
  const { hint, final, seriesAxes, facets, numericX } = layout;
  const fallback = viewLabel({ ...view, repeats: false });
  const xOf = (p: { step: number | null; params: Record<string, unknown> }) => (final ? (numericX ? (p.params[hint.x] as number) : showValue(p.params[hint.x])) : (p.step as number));
  const inFacet = (facet: unknown) => (p: { params: Record<string, unknown> }) => hint.facet === undefined || JSON.stringify(p.params[hint.facet]) === JSON.stringify(facet);
  const points = pointsOf(data, hint.y, { final }).map((p) => ({ ...p, x: xOf(p), series: axesLabel(p.params, seriesAxes, fallback) }));
  const repeats = repeatsOf(data, hint.y, { final }).map((p) => ({ ...p, x: xOf(p), series: axesLabel(p.params, seriesAxes, fallback) }));
  // One y scale for every panel: whatever this view draws (band, centre, single repeats).
  const ys = [
    ...points.flatMap((p) => (view.band === 'iqr' ? [p.q1, p.q3, p[view.center]] : [p.lo, p.hi, p[view.center]])),
    ...(view.repeats ? repeats.map((p) => p.value) : []),
  ].filter(Number.isFinite);
  const yDomain: [number, number] | undefined = ys.length ? [Math.min(...ys), Math.max(...ys)] : undefined;
  const xLabel = final ? hint.x : 'step';
  const panels = facets.map((facet) => {
    const title = hint.facet === undefined ? `${hint.y} against ${xLabel}` : `${hint.facet}=${showValue(facet)}`;
    const own = points.filter(inFacet(facet));
    if (!own.length) return panel(ctx, `${title}: waiting for the first finished trial…`);
    const ownRepeats = repeats.filter(inFacet(facet));
    const scaleX = final && !numericX ? { type: 'point' as const, padding: 0.3 } : { type: (final && logScale(own.map((p) => p.x)) ? 'log' : 'linear') as 'log' | 'linear' };
    return Plot.plot({
      document: ctx.document,
      title,
      // Two panels side by side fill a card; three or more wrap in rows of three.
      width: facets.length === 1 ? 560 : facets.length === 2 ? 460 : 320,
      height: 280,
      marginLeft: 56,
      x: { label: xLabel, ...scaleX },
      y: { label: hint.y, grid: true, domain: yDomain, nice: true },
      color: { legend: seriesAxes.length > 0 },
      marks: [
        ...bandMarks(Plot, own as Array<Point & { x: number; series: string }>, {
          fillOpacity: 0.25,
          r: final ? 3 : null,
          view,
          repeats: ownRepeats as unknown as RepeatPoint[],
          repeatKind: final ? 'dot' : 'line',
        }),
      ],
    });
  });
  const caption = ctx.document.createElement('p');
  caption.className = 'meta';
  caption.textContent = `${hint.y}${final ? ` at the end of training, against ${hint.x}` : ' over training steps'}: ${viewLabel(view)}${seriesAxes.length ? `; colour: ${seriesAxes.join(', ')}` : ''}${hint.facet ? `; one panel per ${hint.facet}` : ''}.`;
  return grid(ctx, 'figure spec', [grid(ctx, `cols-${Math.min(3, facets.length)}`, panels), caption]);
}
