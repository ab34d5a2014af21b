/**
 * The registry of named panels: one per name of core/custom/panels.ts (the type requires
 * every name; test/experiments/panels.test.ts checks each draws the record core says).
 */
import type { PanelName } from '../../../core/custom/panels';
import { decisionBoundaryPanel } from './decision-boundary';
import { predictionsPanel } from './predictions';
import type { Panel } from './types';
import { weightTracesPanel } from './weight-traces';

export type { Panel, PanelOptions } from './types';

export const PANEL_REGISTRY: Record<PanelName, Panel> = {
  decision_boundary: decisionBoundaryPanel,
  weight_traces: weightTracesPanel,
  predictions: predictionsPanel,
};
