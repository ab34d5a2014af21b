import { describe, expect, test } from 'vitest';
import { targetFunction } from '../../core/data/targets';
import { exp1, modelFor } from '../../core/experiments/exp01-universal-approximation';
import { parameterCount } from '../../core/nn/model';
import { exp01Figure } from '../../dashboard/figures/exp01';
import { formattedSvg, renderFigure } from '../helpers/render';
import { runSweep } from '../helpers/sweep';
import { useBackend } from '../tf-node';
import { expandSweep, packTrials } from '../../core/sweep/expand';

describe('exp1 protocol', () => {
  test('defaults are the notebook grid: 3 functions × widths 2, 4, 16, 100 points, 10,000 steps', () => {
    const p = exp1.params.parse({});
    expect(p).toMatchObject({ num_values: 100, steps: 10_000, lr: 0.003, omega: 12, activation: 'sigmoid', initializer: 'xavier' });
    expect(exp1.grid).toEqual({ function: ['sin', 'polynomial', 'abs'], n_hidden: [2, 4, 16] });
  });

  test('parameter counts are 3·n + 1 (7, 13, 49)', () => {
    expect([2, 4, 16].map((n) => parameterCount(modelFor(exp1.params.parse({ n_hidden: n }))))).toEqual([7, 13, 49]);
  });

  test('target functions: sin(12x), −2x⁴ + x³ + x² − 2x, |x|', () => {
    const at = (fn: string, x: number) => targetFunction(exp1.params.parse({ function: fn }))(x);
    expect(at('sin', 0.1)).toBeCloseTo(Math.sin(1.2), 12);
    expect(at('polynomial', 0.5)).toBeCloseTo(-2 * 0.0625 + 0.125 + 0.25 - 1, 12);
    expect(at('abs', -0.3)).toBe(0.3);
  });
});

describe('exp1 packs', () => {
  test('a trial gives the same numbers alone as in a pack with other functions and repeats', async () => {
    await useBackend('wasm');
    const sweep = expandSweep({ experiment: 'exp1', repeats: 2, params: { steps: 200, n_hidden: 4 } }, 's');
    const packs = packTrials(sweep.experiment, sweep.trials, 16);
    expect(packs).toHaveLength(1); // the three functions share one network shape
    const together = await exp1.runPack(packs[0] as never, {});
    const alone = await exp1.runPack([packs[0][3]] as never, {});
    expect(alone[0].trialId).toBe(together[3].trialId);
    expect(alone[0].scalars).toEqual(together[3].scalars);
    expect(alone[0].series.y_pred).toEqual(together[3].series.y_pred);
  });
});

/** Index of the panel (figure) whose title starts with `title`, among the fit panels. */
function panelIndex(root: Element, title: string): number {
  const panels = [...root.querySelectorAll('figure')].filter((f) => f.querySelector('g.repeats'));
  const i = panels.findIndex((f) => f.querySelector('h2')?.textContent?.startsWith(title));
  expect(i).toBeGreaterThanOrEqual(0);
  return i;
}

describe('exp1 sweep and figure', () => {
  test('a small real sweep trains, aggregates in SQL and renders every panel with bands', async () => {
    const { figureData } = await runSweep({ experiment: 'exp1', repeats: 2, params: { steps: 300, num_values: 20, record_every: 100 }, grid: { n_hidden: [2, 16] } });
    const mse = figureData.aggregate.filter((r) => r.metric === 'mse' && r.step === null);
    expect(mse).toHaveLength(6);
    for (const r of mse) {
      expect(r.n).toBe(2);
      expect(r.std).toBeGreaterThan(0);
    }
    const curve = figureData.aggregate.filter((r) => r.metric === 'mse' && r.step !== null);
    expect([...new Set(curve.map((r) => r.step))]).toEqual([0, 100, 200]);
    // It learns: from step 0 (after the first update) to the end, the MSE falls in every config
    // (least for |x| on 2 units, to 0.53×) and about 9-fold over all six; without updates it would not move.
    const mseAt = (config: string, step: number) => curve.find((r) => r.config === config && r.step === step)!.mean;
    for (const r of mse) expect(r.mean, r.config).toBeLessThan(0.75 * mseAt(r.config, 0));
    expect(mse.reduce((s, r) => s + r.mean, 0)).toBeLessThan(0.25 * mse.reduce((s, r) => s + mseAt(r.config, 0), 0));
    const { html, element } = renderFigure(exp01Figure, figureData);
    // Two network diagrams (one per width) and six fit panels, each with a std band.
    expect(element.querySelectorAll('g[aria-label="link"]')).toHaveLength(2);
    expect(element.querySelectorAll('g[aria-label="area"]')).toHaveLength(6);
    expect(element.querySelectorAll('g[aria-label="area"] path')).toHaveLength(12);
    expect(exp01Figure.headline(figureData)).toHaveLength(6);
    // Default view: every repeat's prediction is a faint line (one path per repeat in each
    // panel, with the repeat's own values), the centre is the median and the band the IQR.
    const faint = [...element.querySelectorAll('g.repeats')];
    expect(faint).toHaveLength(6);
    for (const g of faint) expect(g.querySelectorAll('path')).toHaveLength(2);
    const sin16 = figureData.repeats!.filter((t) => t.config === 'function=sin,n_hidden=16').map((t) => t.series.y_pred.values);
    const [a, b] = [...faint[panelIndex(element, 'sin(ωx): 16 hidden units')].querySelectorAll('path')].map((p) => p.getAttribute('d'));
    expect(a).not.toEqual(b);
    expect(sin16[0]).not.toEqual(sin16[1]);
    expect(element.textContent).toContain('MSE median');
    expect(element.textContent).toContain('predicted y (median, IQR band)');
    await expect(formattedSvg(html)).toMatchFileSnapshot('../__snapshots__/exp01.figure.html');
    // The notebook's view: no single repeats, mean ± 1 std.
    const std = renderFigure(exp01Figure, figureData, { band: 'std', center: 'mean', repeats: false });
    expect(std.element.querySelectorAll('g.repeats')).toHaveLength(0);
    expect(std.element.textContent).toContain('predicted y (mean ± 1 std)');
    expect(std.element.textContent).not.toContain('median');
  }, 60_000);
});
