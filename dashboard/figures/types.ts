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
}

export interface FigureData {
  experiment: ExperimentDescription;
  configs: ConfigInfo[];
  aggregate: AggregateRow[];
  /** Raw trials, only the metrics listed in `Figure.trialMetrics` (e.g. weight traces). */
  trials: TrialRecord[];
}

export interface FigureContext {
  Plot: typeof PlotNS;
  document: Document;
}

export interface Figure {
  experiment: string;
  /** Metrics to fetch per trial from /api/sweeps/:id/trials?metric=… (traces, grids). */
  trialMetrics?: string[];
  /** Fetch those metrics for this repeat only (figures that draw one repeat's traces). */
  trialRepeat?: number;
  /** Aggregate metrics to fetch; all non-trace metrics when omitted. */
  aggregateMetrics?: string[];
  /** One line per headline number of this sweep, e.g. "sin, 16 units: MSE 0.012 ± 0.004 (n=5)". */
  headline(data: FigureData): string[];
  render(data: FigureData, ctx: FigureContext): HTMLElement;
}
