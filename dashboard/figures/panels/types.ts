/**
 * A named panel (core/custom/panels.ts): a view drawn from one stored record, after the
 * generic band figure of a spec (dashboard/figures/spec-figure.ts), whatever the
 * experiment's id, so a fork keeps the views of the experiment it was forked from.
 */
import type { PanelName } from '../../../core/custom/panels';
import type { Metric } from '../../../core/blocks/recorders';
import type { FigureContext, FigureData } from '../types';

/** What a panel reads of the spec beyond the sweep's data. */
export interface PanelOptions {
  /**
   * The band figure's x ('step' or a grid axis). With more configs than a panel shows,
   * those at the largest value of this axis are shown (Exp 4's largest class ratio).
   */
  x?: string;
  /** The spec's record items (which weight matrices a weight_tail traces). */
  record: ReadonlyArray<{ metric: string; at: string; layer?: number }>;
}

export interface Panel {
  name: PanelName;
  /** The record it draws (the same as core/custom/panels.ts says; a test checks). */
  record: Metric;
  /** Aggregate metrics it reads (series over rows). */
  aggregateMetrics(o: PanelOptions): string[];
  /** Per-trial metrics it reads (traces), of repeat 0 only. */
  trialMetrics(o: PanelOptions): string[];
  /** Metrics it draws per repeat, when the view shows single repeats. */
  repeatMetrics(o: PanelOptions): string[];
  render(data: FigureData, ctx: FigureContext, o: PanelOptions): HTMLElement;
}
