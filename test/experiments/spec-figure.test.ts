/**
 * The generic figure of a spec experiment (dashboard/figures/spec-figure.ts), from a small
 * real sweep of the README's custom experiment (L2 strength × width) trained in-process:
 * x = step with colour and facets, and x = a grid axis; formatted SVG snapshots.
 */
import { storedScalars } from '../../core/blocks/recorders';
import { beforeAll, describe, expect, test } from 'vitest';
import { compileSpec } from '../../core/custom/compile';
import { specId } from '../../core/custom/spec';
import { validateSpec } from '../../core/custom/validate';
import { getExperiment } from '../../core/experiments';
import { builtinSpecExperiments } from '../../core/experiments/specs';
import { describeExperiment } from '../../api/routes/experiments';
import type { Experiment } from '../../core/experiments/types';
import { figureFor, FIGURES } from '../../dashboard/figures';
import { figureHint, specFigure } from '../../dashboard/figures/spec-figure';
import { STD_FIGURE_OPTIONS } from '../../dashboard/figures/common';
import type { FigureData } from '../../dashboard/figures/types';
import { renderFigure, stableSvg } from '../helpers/render';
import { runSweep } from '../helpers/sweep';
import { readmeExample } from '../helpers/readme';

let data: FigureData;
let id: string;

beforeAll(async () => {
  const checked = validateSpec(readmeExample().spec);
  if (!checked.ok) throw new Error(JSON.stringify(checked.issues));
  id = await specId(checked.spec);
  const experiment = compileSpec(id, checked.spec) as unknown as Experiment;
  const lookup = (x: string) => (x === id ? experiment : getExperiment(x));
  ({ figureData: data } = await runSweep({ experiment: id, repeats: 3, params: { steps: 200 } }, { lookup }));
}, 120_000);

/** Formatted: one tag per line, so a snapshot diff points at the mark that changed. */
const formatted = (html: string) => stableSvg(html).replace(/></g, '>\n<');

describe('spec figure', () => {
  test("the hint {x: step, y: test_loss, color: strength, facet: width}: one panel per width, a band and a line per strength", async () => {
    expect(data.experiment).toMatchObject({ id, custom: true });
    const figure = figureFor(data.experiment)!;
    expect(figure.experiment).toBe(id);
    expect(figure.repeatMetrics).toEqual(['test_loss']);
    const { html, element } = renderFigure(figure, data);
    const titles = [...element.querySelectorAll('h2')].map((h) => h.textContent);
    expect(titles).toEqual(['width=4', 'width=64']);
    // Per panel: 3 strengths → 3 bands (areas), 3 centre lines, 3 × 3 faint repeat lines.
    expect(element.querySelectorAll('g[aria-label="area"] path')).toHaveLength(2 * 3);
    expect(element.querySelectorAll('g.repeats path')).toHaveLength(2 * 3 * 3);
    expect(element.querySelectorAll('g[aria-label="line"] path').length - element.querySelectorAll('g.repeats path').length).toBe(2 * 3);
    // Colour legend names the strengths; the caption says what is drawn.
    expect(element.textContent).toContain('strength=0.01');
    expect(element.querySelector('p.meta')!.textContent).toBe('test_loss over training steps: median, IQR band, faint: single repeats; colour: strength; one panel per width.');
    // Both panels share one y scale: their tick labels agree.
    const ticks = [...element.querySelectorAll('svg')].map((svg) => [...svg.querySelectorAll('g[aria-label="y-axis tick label"] text')].map((t) => t.textContent).join(','));
    expect(ticks[0]).toBe(ticks[1]);
    await expect(formatted(html)).toMatchFileSnapshot('../__snapshots__/spec.figure.html');
    const lines = figure.headline(data);
    expect(lines).toHaveLength(6);
    expect(lines[0]).toMatch(/^width=4,strength=0: test_loss \d\.\d{3} ± \d\.\d{3} \(n=3\)$/);
  });

  test('x = a grid axis: the final value against it, a dot per repeat, the mean ± 1 std band in the notebook view', async () => {
    const hint = { x: 'strength', y: 'test_accuracy', color: 'width' };
    const { html, element } = renderFigure(specFigure(id, hint), data, STD_FIGURE_OPTIONS);
    expect(element.querySelectorAll('svg figure, figure')).toHaveLength(1);
    // One band and one line per width over the three strengths, no single repeats in this view.
    expect(element.querySelectorAll('g[aria-label="area"] path')).toHaveLength(2);
    expect(element.querySelectorAll('g[aria-label="line"] path')).toHaveLength(2);
    expect(element.querySelectorAll('g[aria-label="dot"] circle')).toHaveLength(2 * 3);
    expect(element.querySelectorAll('.repeats')).toHaveLength(0);
    const xTicks = [...element.querySelectorAll('g[aria-label="x-axis tick label"] text')].map((t) => Number(t.textContent));
    expect(Math.min(...xTicks)).toBe(0);
    expect(element.querySelector('p.meta')!.textContent).toBe('test_accuracy at the end of training, against strength: mean ± 1 std; colour: width.');
    await expect(formatted(html)).toMatchFileSnapshot('../__snapshots__/spec.axis.figure.html');
  });

  test("built-in specs: exp13–17 get the generic figure of their hint, the notebook's keep theirs; metrics they record, axes on their grid", () => {
    for (const e of builtinSpecExperiments()) {
      const description = describeExperiment(e as unknown as Experiment);
      // The notebook's experiments written as specs keep their own figure.
      if (e.number < 13) {
        expect(figureFor(description)!.experiment).toBe(e.id);
        continue;
      }
      expect(description.spec).toEqual(e.spec);
      const hint = figureHint(description)!;
      const figure = figureFor(description)!;
      // The notebook's experiments written as specs keep their own figure module.
      if (FIGURES[e.id]) expect(figure).toBe(FIGURES[e.id]);
      else expect(figure.repeatMetrics).toEqual([hint.y]);
      expect(e.spec.record.flatMap(storedScalars)).toContain(hint.y);
      for (const axis of [hint.color, hint.facet, hint.x === 'step' ? undefined : hint.x]) if (axis) expect(Object.keys(e.grid)).toContain(axis);
    }
  });

  test('without a hint: the first metric recorded at checkpoints over steps, coloured by the first grid axis', () => {
    expect(figureHint({ id, grid: { width: [4, 64] }, spec: { record: [{ metric: 'test_accuracy', at: 'end' }, { metric: 'test_loss', at: 'checkpoints' }] } })).toEqual({ x: 'step', y: 'test_loss', color: 'width' });
    expect(figureHint({ id, grid: { width: [4, 64] }, spec: { record: [{ metric: 'test_accuracy', at: 'end' }] } })).toEqual({ x: 'width', y: 'test_accuracy' });
    expect(figureHint({ id: 'exp1', grid: {}, spec: null })).toBeNull();
    // Built-ins keep their own figure.
    expect(figureFor({ ...data.experiment, id: 'exp1' })!.experiment).toBe('exp1');
  });
});
