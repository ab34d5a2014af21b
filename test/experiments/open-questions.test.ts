/**
 * Experiments 13–17 (the notebook's open questions, written as specs in
 * core/experiments/specs/): each default sweep, with two repeats to keep the suite short,
 * trained in-process and drawn by the generic figure of its hint
 * (dashboard/figures/spec-figure.ts), as formatted SVG snapshots a reviewer can read in a diff.
 */
import { describe, expect, test } from 'vitest';
import { builtinSpecExperiments } from '../../core/experiments/specs';
import { figureFor } from '../../dashboard/figures';
import { figureHint } from '../../dashboard/figures/spec-figure';
import { renderFigure, stableSvg } from '../helpers/render';
import { runSweep } from '../helpers/sweep';

/** Formatted: one tag per line, so a snapshot diff points at the mark that changed. */
const formatted = (html: string) => stableSvg(html).replace(/></g, '>\n<');

const REPEATS = 2;

describe('experiments 13–17: default sweeps drawn from their figure hints', () => {
  test.each(builtinSpecExperiments().filter((e) => e.number >= 13).map((e) => [e.id, e] as const))(
    '%s',
    async (id, e) => {
      const { figureData, sqlite } = await runSweep({ experiment: id, repeats: REPEATS });
      try {
        const grid = e.grid as Record<string, unknown[]>;
        const cells = Object.values(grid).reduce((n, v) => n * v.length, 1);
        // Every grid cell trained and aggregated: n = repeats for the hint's metric.
        expect(figureData.configs).toHaveLength(cells);
        const hint = figureHint(figureData.experiment)!;
        const finalOrLast = figureData.aggregate.filter((r) => r.metric === hint.y);
        expect(new Set(finalOrLast.map((r) => r.config)).size).toBe(cells);
        for (const r of finalOrLast) expect(r.n).toBe(REPEATS);

        const figure = figureFor(figureData.experiment)!;
        const { html, element } = renderFigure(figure, figureData);
        // One panel per facet value (or one panel), one band per colour value in each.
        const panels = hint.facet ? grid[hint.facet].length : 1;
        expect(element.querySelectorAll('svg[class^="plot-"]')).toHaveLength(panels);
        const colours = hint.color ? grid[hint.color].length : 1;
        const others = Object.keys(grid).filter((k) => k !== hint.color && k !== hint.facet && k !== hint.x);
        const linesPerPanel = colours * others.reduce((n, k) => n * grid[k].length, 1);
        expect(element.querySelectorAll('g[aria-label="area"] path')).toHaveLength(panels * linesPerPanel);
        expect(element.querySelector('p.meta')!.textContent).toContain(hint.y);
        await expect(formatted(html)).toMatchFileSnapshot(`../__snapshots__/${id}.figure.html`);
      } finally {
        sqlite.close();
      }
    },
    120_000,
  );
});
