/**
 * What a figure receives: everything comes from the API (the dashboard talks to the API
 * only). A figure is a pure function of this data that returns a DOM element, so tests
 * can render it in jsdom and compare the SVG with a stored snapshot.
 */
import type * as PlotNS from '@observablehq/plot';

/**
 * The API's answers a figure draws, typed from the routes (dashboard/routes.ts): one row of
 * GET /api/sweeps/:id/aggregate, /configs and /trials, and GET /api/experiments/:id.
 */
export type { AggregateRow, ConfigInfo, ExperimentDescription, SeriesData, TrialRecord } from '../routes';
import type { AggregateRow, ConfigInfo, ExperimentDescription, TrialRecord } from '../routes';

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
