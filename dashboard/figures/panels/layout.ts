/**
 * What every panel shares: which configs it shows (a panel draws one plot or two per
 * config, so at most MAX_PANEL_CONFIGS), their names, and the section around its plots.
 */
import { axesLabel, caption, varyingAxes } from '../common';
import type { ConfigInfo, FigureContext, FigureData } from '../types';

/** Configs a panel draws at most: two rows of three plots, or three of two plot pairs. */
export const MAX_PANEL_CONFIGS = 6;

/**
 * The configs a panel shows, in grid order: all of them when they are few; else those at
 * the largest value of the figure's x axis (the most extreme setting of the question, as
 * Exp 4 shows its largest class ratio), at most MAX_PANEL_CONFIGS; `note` says which.
 */
export function panelConfigs(data: FigureData, x?: string): { shown: ConfigInfo[]; note: string | null } {
  const all = data.configs.slice().sort((a, b) => a.index - b.index);
  if (all.length <= MAX_PANEL_CONFIGS) return { shown: all, note: null };
  const values = x && x !== 'step' ? all.map((c) => c.params[x]) : [];
  const numeric = values.length > 0 && values.every((v) => typeof v === 'number');
  const largest = numeric ? Math.max(...(values as number[])) : undefined;
  const pool = largest === undefined ? all : all.filter((c) => c.params[x!] === largest);
  const shown = pool.slice(0, MAX_PANEL_CONFIGS);
  return { shown, note: `${shown.length} of ${all.length} configs${largest === undefined ? '' : `, those at ${x}=${largest}`}` };
}

/** A config by the parameters that vary in the sweep ("resample=none, class_ratio=100"), else its key. */
export function configName(data: FigureData, config: ConfigInfo): string {
  return axesLabel(config.params, varyingAxes(data.configs), config.config || 'all runs');
}

/** A named panel's section: its heading, its plots, and what is drawn (and which configs). */
export function panelSection(ctx: FigureContext, name: string, title: string, plots: Element, text: string, note: string | null): HTMLElement {
  const section = ctx.document.createElement('section');
  section.className = 'named-panel';
  section.dataset.panel = name;
  const h = ctx.document.createElement('h3');
  h.textContent = title;
  section.append(h, plots, caption(ctx, note ? `${text} Shown: ${note}.` : text));
  return section;
}
