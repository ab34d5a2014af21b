/**
 * What a figure receives: everything comes from the API (the dashboard talks to the API
 * only). A figure is a pure function of this data that returns a DOM element, so tests
 * can render it in jsdom and compare the SVG with a stored snapshot.
 */
import type * as PlotNS from '@observablehq/plot';

export interface AggregateRow {
  config: string;
  metric: string;
  step: number | null;
  mean: number;
  std: number | null;
  n: number;
  /** Median and quartiles across repeats (core/db/aggregate.ts); absent from older servers. */
  median?: number | null;
  q1?: number | null;
  q3?: number | null;
}

export interface ConfigInfo {
  config: string;
  index: number;
  params: Record<string, unknown>;
}

export interface SeriesData {
  steps: number[];
  values: number[];
}

export interface TrialRecord {
  id: string;
  config: string;
  repeat: number;
  status: string;
  params: Record<string, unknown>;
  scalars: Record<string, number>;
  series: Record<string, SeriesData>;
  traces: Record<string, SeriesData>;
  info: Record<string, unknown> | null;
}

export interface ExperimentDescription {
  id: string;
  number: number;
  title: string;
  question: string;
  hypothesis: string;
  conclusion: string;
  defaults: Record<string, unknown>;
  grid: Record<string, unknown[]>;
  /** Posted as a spec through POST /api/experiments rather than built in. */
  custom?: boolean;
  /** The spec of an experiment written as one (custom, or a built-in spec); its `figure` hint draws dashboard/figures/spec-figure.ts. */
  spec?: { figure?: { x: string; y: string; color?: string; facet?: string }; record?: Array<{ metric: string; at: string }> } | null;
}

export interface FigureData {
  experiment: ExperimentDescription;
  configs: ConfigInfo[];
  aggregate: AggregateRow[];
  /** Raw trials, only the metrics listed in `Figure.trialMetrics` (e.g. weight traces). */
  trials: TrialRecord[];
  /**
   * Every done trial, only the metrics in `Figure.repeatMetrics`: one faint line or dot per
   * repeat. Loaded only when the view shows repeats.
   */
  repeats?: TrialRecord[];
}

/**
 * How a figure summarises the repeats of a config: the band (±1 std around the mean, or
 * the interquartile range), the centre line (mean or median), and whether every repeat is
 * drawn faintly. A mean hides single seeds (a stuck run pulls it halfway); the median, the
 * IQR and the single runs show them.
 */
export interface FigureOptions {
  band: 'std' | 'iqr';
  center: 'mean' | 'median';
  repeats: boolean;
}

export interface FigureContext {
  Plot: typeof PlotNS;
  document: Document;
  /** The view; the dashboard's default (DEFAULT_FIGURE_OPTIONS in common.ts) when absent. */
  options?: FigureOptions;
}

export interface Figure {
  experiment: string;
  /** Metrics to fetch per trial from /api/sweeps/:id/trials?metric=… (traces, grids). */
  trialMetrics?: string[];
  /** Fetch those metrics for this repeat only (figures that draw one repeat's traces). */
  trialRepeat?: number;
  /** Aggregate metrics to fetch; all non-trace metrics when omitted. */
  aggregateMetrics?: string[];
  /** Metrics the figure draws per repeat (fetched for every done trial when repeats are shown). */
  repeatMetrics?: string[];
  /** The experiment's main metric, for the compare page: a final scalar or a checkpoint series. */
  main?: { metric: string; final: boolean; label: string };
  /** One line per headline number of this sweep, e.g. "sin, 16 units: MSE 0.012 ± 0.004 (n=5)". */
  headline(data: FigureData): string[];
  render(data: FigureData, ctx: FigureContext): HTMLElement;
}
