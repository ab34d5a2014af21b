/** Renders a figure to SVG markup in jsdom, for snapshot tests. */
import * as Plot from '@observablehq/plot';
import { JSDOM } from 'jsdom';
import { DEFAULT_FIGURE_OPTIONS } from '../../dashboard/figures/common';
import type { Figure, FigureData, FigureOptions } from '../../dashboard/figures/types';

/** Renders in the dashboard's default view (repeats, median, IQR) unless `options` say otherwise. */
export function renderFigure(figure: Figure, data: FigureData, options: FigureOptions = DEFAULT_FIGURE_OPTIONS): { html: string; element: HTMLElement; svgCount: number } {
  const { window } = new JSDOM('<!doctype html><html><body></body></html>');
  const element = figure.render(data, { Plot, document: window.document, options });
  window.document.body.append(element);
  return { html: element.outerHTML, element, svgCount: element.querySelectorAll('svg').length };
}

/** Rounds numbers in markup so snapshots survive float noise below the 4th decimal of a pixel. */
export function stableSvg(html: string): string {
  return html.replace(/-?\d+\.\d{3,}/g, (m) => Number(m).toFixed(2));
}

/**
 * stableSvg, formatted one tag per line (a newline between every `><`), so a snapshot diff
 * points at the mark that changed instead of at one line of tens of kilobytes.
 */
export function formattedSvg(html: string): string {
  return stableSvg(html).replace(/></g, '>\n<');
}
