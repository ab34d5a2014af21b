import { describe, expect, test } from 'vitest';
import { linspace } from '../../core/data/dataset';
import { sampleTarget, targetFunction } from '../../core/data/targets';
import { getExperiment } from '../../core/experiments';
import { renameConfigKey, specStreams, trialPlan, type SpecExperiment } from '../../core/custom/compile';
import { BUILTIN_SPECS } from '../../core/experiments/specs';
import { target1dBlock } from '../../core/blocks/data-target-1d';
import type { TrialSpec } from '../../core/experiments/types';
import { parameterCount } from '../../core/nn/model';
import { trialStream } from '../../core/experiments/common';
import { exp01Figure } from '../../dashboard/figures/exp01';
import { formattedSvg, renderFigure } from '../helpers/render';
import { runSweep } from '../helpers/sweep';
import { useBackend } from '../tf-node';
import { expandSweep, packTrials } from '../../core/sweep/expand';

const exp1 = getExperiment('exp1') as SpecExperiment;
const options = BUILTIN_SPECS.find((b) => b.number === 1)!.options;
const { streamOf, dataStreams } = specStreams(exp1.spec, options);

function trial(over: Record<string, unknown>, repeat = 0, seed = 0): TrialSpec {
  const params = exp1.params.parse(over);
  return { id: `t.${repeat}`, sweepId: 't', experiment: 'exp1', configKey: `function=${params.function},width=${params.width}`, repeat, seed, params };
}

describe('exp1 protocol', () => {
  test('defaults are the notebook grid: 3 functions × widths 2, 4, 16, 100 points, 10,000 full-batch steps', () => {
    const p = exp1.params.parse({});
    expect(p).toMatchObject({ n: 100, steps: 10_000, lr: 0.003, omega: 12, depth: 1, activation: 'sigmoid', initializer: 'xavier', loss: 'mean_squared_error', train_x: 'grid', label_noise: 0 });
    expect(exp1.grid).toEqual({ function: ['sin', 'polynomial', 'abs'], width: [2, 4, 16] });
    expect(exp1.repeats).toBe(5);
    expect(exp1.spec.paired).toBe(false);
    expect(exp1.section).toBe('I. Basics');
    // Full batch whatever n: the batch is at least every training row.
    expect(trialPlan(exp1.spec, exp1.params.parse({ n: 20_000 }) as Record<string, unknown>).phases[0].batchRows).toBe(20_000);
  });

  test('parameter counts are 3·width + 1 (7, 13, 49)', () => {
    const plans = [2, 4, 16].map((w) => trialPlan(exp1.spec, exp1.params.parse({ width: w }) as Record<string, unknown>));
    expect(plans.map((p) => parameterCount(p.model!))).toEqual([7, 13, 49]);
  });

  test('target functions: sin(12x), −2x⁴ + x³ + x² − 2x, |x|', () => {
    const at = (fn: string, x: number) => targetFunction(exp1.params.parse({ function: fn }) as never)(x);
    expect(at('sin', 0.1)).toBeCloseTo(Math.sin(1.2), 12);
    expect(at('polynomial', 0.5)).toBeCloseTo(-2 * 0.0625 + 0.125 + 0.25 - 1, 12);
    expect(at('abs', -0.3)).toBe(0.3);
  });

  test('the data are the points x = linspace(−1, 1, n) and their float32 targets, the same in every trial', () => {
    for (const fn of ['sin', 'polynomial', 'abs']) {
      const a = target1dBlock.generate(trial({ function: fn }).params as Record<string, unknown>, dataStreams(trial({ function: fn })));
      const b = target1dBlock.generate(trial({ function: fn, width: 16 }, 3, 7).params as Record<string, unknown>, dataStreams(trial({ function: fn, width: 16 }, 3, 7)));
      const xs = linspace(-1, 1, 100);
      expect(a.train.n).toBe(100);
      expect(a.train.d).toBe(1);
      expect(Array.from(a.train.x64!)).toEqual(xs);
      expect(a.train.x).toEqual(Float32Array.from(xs));
      expect(a.train.labels).toEqual(sampleTarget(exp1.params.parse({ function: fn }) as never, xs));
      expect(b.train).toEqual(a.train);
    }
  });

  test("weights are drawn per trial from streams keyed by its code's config key (n_hidden), so configs and repeats differ", () => {
    const t = trial({ function: 'abs', width: 4 }, 2, 9);
    expect(renameConfigKey(t.configKey, options!.configKeyNames!)).toBe('function=abs,n_hidden=4');
    expect(streamOf(t, 'init').uniform()).toBe(trialStream({ ...t, configKey: 'function=abs,n_hidden=4' }, 'init').uniform());
    expect(streamOf(t, 'init').uniform()).not.toBe(streamOf(trial({ function: 'abs', width: 4 }, 3, 9), 'init').uniform());
    expect(streamOf(t, 'init').uniform()).not.toBe(streamOf(trial({ function: 'sin', width: 4 }, 2, 9), 'init').uniform());
  });

  test('records: mse (the last step\'s loss), the fit over the point index, the training MSE at updates 1, 1001, …, 9001', () => {
    const plan = trialPlan(exp1.spec, exp1.params.parse({}) as Record<string, unknown>);
    expect(plan.checkpoints).toEqual([1, 1001, 2001, 3001, 4001, 5001, 6001, 7001, 8001, 9001]);
    expect(plan.longestSeries).toBe(10);
  });

  test('a batch smaller than the points is refused: the fit is the last full-batch update\'s', () => {
    expect(exp1.refusal?.(exp1.params.parse({ batch_size: 50 }) as never)).toMatchObject({ param: 'batch_size' });
    expect(exp1.refusal?.(exp1.params.parse({ batch_size: 100 }) as never)).toBeFalsy();
    expect(() => expandSweep({ experiment: 'exp1', params: { n: 200, batch_size: 100 } }, 'r')).toThrowError(/batch_size/);
  });
});

describe('exp1 packs', () => {
  test('a trial gives the same numbers alone as in a pack with other functions and repeats', async () => {
    await useBackend('wasm');
    const sweep = expandSweep({ experiment: 'exp1', repeats: 2, params: { steps: 200, width: 4 } }, 's');
    const packs = packTrials(sweep.experiment, sweep.trials, 16);
    expect(packs).toHaveLength(1); // the three functions share one network shape
    const together = await exp1.runPack(packs[0] as never, {});
    const alone = await exp1.runPack([packs[0][3]] as never, {});
    expect(alone[0].trialId).toBe(together[3].trialId);
    expect(alone[0].scalars).toEqual(together[3].scalars);
    expect(alone[0].series.y_pred).toEqual(together[3].series.y_pred);
    expect(Object.keys(together[0].scalars).sort()).toEqual(['mse', 'n_params']);
    expect(Object.keys(together[0].series).sort()).toEqual(['mse', 'x', 'y_pred', 'y_true']);
    expect(together[0].series.x.values).toEqual(linspace(-1, 1, 100));
    expect(together[0].series.y_pred.steps).toEqual(Array.from({ length: 100 }, (_, i) => i));
    // The final mse is the float32 loss of the last step on its outputs y_pred, before its update.
    const { y_pred, y_true } = together[0].series;
    const mse = y_pred.values.reduce((s, v, i) => s + (v - y_true.values[i]) ** 2, 0) / 100;
    expect(together[0].scalars.mse).toBe(Math.fround(together[0].scalars.mse));
    expect(together[0].scalars.mse).toBeCloseTo(mse, 6);
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
    const { figureData } = await runSweep({ experiment: 'exp1', repeats: 2, params: { steps: 300, n: 20 }, grid: { width: [2, 16] } });
    const mse = figureData.aggregate.filter((r) => r.metric === 'mse' && r.step === null);
    expect(mse).toHaveLength(6);
    for (const r of mse) {
      expect(r.n).toBe(2);
      expect(r.std).toBeGreaterThan(0);
    }
    const curve = figureData.aggregate.filter((r) => r.metric === 'mse' && r.step !== null);
    expect([...new Set(curve.map((r) => r.step))]).toEqual([1]);
    // It learns: from update 1 (the one checkpoint of 300 steps at every 1,000) to the end, the MSE falls in every config
    // (least for |x| on 2 units, to 0.53×) and about 9-fold over all six; without updates it would not move.
    const mseAt = (config: string, step: number) => curve.find((r) => r.config === config && r.step === step)!.mean;
    for (const r of mse) expect(r.mean, r.config).toBeLessThan(0.75 * mseAt(r.config, 1));
    expect(mse.reduce((s, r) => s + r.mean, 0)).toBeLessThan(0.25 * mse.reduce((s, r) => s + mseAt(r.config, 1), 0));
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
    const sin16 = figureData.repeats!.filter((t) => t.config === 'function=sin,width=16').map((t) => t.series.y_pred.values);
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
