/**
 * Named figure panels a spec's figure hint may ask for (`"figure": {…, "panels":
 * ["decision_boundary"]}`), and the record each one draws. The dashboard draws them
 * (dashboard/figures/panels/) after the generic band figure; the list lives here so that
 * validation (core/custom/validate.ts) and the JSON Schema the spec editor is built from
 * know the names without core importing the dashboard. test/experiments/panels.test.ts
 * checks the dashboard's registry against this table.
 *
 * A panel draws stored records by name and nothing else, so a fork of a built-in (a new
 * experiment id, hence no experiment-specific figure module) keeps its parent's views by
 * keeping the hint.
 */
import type { Metric } from '../blocks/recorders';

export interface PanelInfo {
  /** The record item the panel draws: a spec asking for the panel must record it. */
  record: Metric;
  /** What the panel shows, for the JSON Schema's description and the README. */
  description: string;
}

export const PANELS = {
  decision_boundary: {
    record: 'decision_boundary',
    description: "Per config, repeat 0's training and test points over the contour of its class-1 logit and the line logit₁ = logit₀ (a classical model's predicted class)",
  },
  weight_traces: {
    record: 'weight_tail',
    description: 'Per config, the trajectories of the traced weights (weights_layer{j} of every weight_tail record) of repeat 0 over the checkpoints',
  },
  predictions: {
    record: 'predictions',
    description: 'Per config, the stored predictions over the row index (or x): the fit y_pred against y_true, or the score logit₁ − logit₀ with the labels, as a band over repeats',
  },
} as const satisfies Record<string, PanelInfo>;

export type PanelName = keyof typeof PANELS;
export const PANEL_NAMES = Object.keys(PANELS) as [PanelName, ...PanelName[]];
