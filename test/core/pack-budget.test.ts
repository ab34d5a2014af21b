import { describe, expect, test } from 'vitest';
import { EXPERIMENTS } from '../../core/experiments';
import type { Experiment, TrialResult, TrialSpec } from '../../core/experiments/types';
import { DEFAULT_PACK_TIME, estimatePackMs, PACK_CPU_BUDGET_MS, packTimeModel, STEP_PATH_MS_PER_COST_UNIT } from '../../core/sweep/pack-budget';
import { compileSpec, stepPath, trialPlan, type SpecExperiment } from '../../core/custom/compile';
import { validateSpec } from '../../core/custom/validate';
import { tinySpec } from '../custom/fixtures';
import { expandSweep, packTrials } from '../../core/sweep/expand';
import { DEFAULT_LIMITS } from '../../core/sweep/request';
import { useBackend } from '../tf-node';

const ids = (packs: TrialSpec[][]) => packs.flat().map((t) => t.id).sort();

describe('packs cut by estimated CPU (core/sweep/pack-budget.ts)', () => {
  test('the default budget is the 30 s of a Cloudflare invocation', () => {
    expect(DEFAULT_LIMITS.maxPackCpuMs).toBe(PACK_CPU_BUDGET_MS);
    expect(PACK_CPU_BUDGET_MS).toBe(30_000);
  });

  test('the estimate follows the model: marginal cost per network plus the fixed part', () => {
    const e = EXPERIMENTS.find((x) => x.id === 'exp8')!;
    const s = expandSweep({ experiment: 'exp8', params: { batch_size: 1 } }, 'x');
    const m = packTimeModel(e);
    const one = (m.msPerCostUnit as number) * e.cost(s.trials[0].params);
    expect(estimatePackMs(e, s.trials.slice(0, 1))).toBeCloseTo(one * (1 + m.overheadTrials), 6);
    expect(estimatePackMs(e, s.trials.slice(0, 4))).toBeCloseTo(one * (4 + m.overheadTrials), 6);
    expect(estimatePackMs(e, [])).toBe(0);
  });

  test.each(EXPERIMENTS.map((e) => [e.id, e] as const))('%s default sweep: every pack of two or more fits the budget, every trial once', (_id, e) => {
    const s = expandSweep({ experiment: e.id }, 's');
    const packs = packTrials(e, s.trials, 16);
    expect(ids(packs)).toEqual(s.trials.map((t) => t.id).sort());
    for (const p of packs) {
      expect(p.length).toBeLessThanOrEqual(16);
      if (p.length > 1) expect(estimatePackMs(e, p)).toBeLessThanOrEqual(PACK_CPU_BUDGET_MS);
    }
  });

  test('a spec prices its trials by how their steps run: the direct step, the tape, elementwise kernels, a conv net', () => {
    const spec = (e: string) => (EXPERIMENTS.find((x) => x.id === e) as SpecExperiment).spec;
    const path = (e: string, values: Record<string, unknown> = {}) => {
      const x = EXPERIMENTS.find((y) => y.id === e)!;
      return stepPath(trialPlan(spec(e), x.params.parse(values) as Record<string, unknown>));
    };
    expect(path('exp9')).toBe('direct'); // sigmoid MLP, Adam, no penalty
    expect(path('exp12', { regularization: 'l2' })).toBe('tape'); // a weight penalty
    expect(path('exp16', { schedule: 'layerwise' })).toBe('tape'); // later stages freeze the earlier layers
    expect(path('exp16', { schedule: 'end_to_end' })).toBe('direct');
    expect(path('exp14', { batch_norm: true })).toBe('elementwise');
    expect(path('exp7', { activation: 'tanh' })).toBe('elementwise');
    expect(path('exp7', { activation: 'relu' })).toBe('direct');
    expect(path('exp17', { architecture: 'conv' })).toBe('conv');
    expect(path('exp3', { classifier: 'svm' })).toBeNull(); // priced by its block already

    // A custom spec's estimate is its path's price × its cost × (K + the default fixed part).
    const v = validateSpec(tinySpec());
    if (!v.ok) throw new Error('tinySpec is invalid');
    const custom = compileSpec('c1', v.spec);
    const trials = expandSweep({ experiment: 'c1' }, 'x', DEFAULT_LIMITS, () => custom).trials.slice(0, 2);
    const model = packTimeModel(custom);
    expect(model.overheadTrials).toBe(DEFAULT_PACK_TIME.overheadTrials);
    expect(estimatePackMs(custom, trials)).toBeCloseTo(STEP_PATH_MS_PER_COST_UNIT.direct * custom.cost(trials[0].params) * (2 + DEFAULT_PACK_TIME.overheadTrials), 9);
    // A calibrated built-in keeps its own entry.
    expect(packTimeModel(EXPERIMENTS.find((x) => x.id === 'exp4')!)).not.toBe(packTimeModel(custom));
  });

  test('a trial that alone exceeds the budget still runs, alone (Exp 8, batch 1, under a budget below one trial)', () => {
    const s = expandSweep({ experiment: 'exp8' }, 'b');
    const e = s.experiment;
    const slow = s.trials.filter((t) => t.params.batch_size === 1);
    const budget = 0.9 * estimatePackMs(e, slow.slice(0, 1));
    const packs = packTrials(e, s.trials, 16, Infinity, Infinity, budget);
    expect(ids(packs)).toEqual(s.trials.map((t) => t.id).sort());
    const slowPacks = packs.filter((p) => p.some((t) => t.params.batch_size === 1));
    expect(slowPacks.map((p) => p.length)).toEqual([1, 1, 1, 1, 1]);
    // Without the budget the five repeats share one pack.
    expect(packTrials(e, slow, 16, Infinity, Infinity, Infinity).map((p) => p.length)).toEqual([5]);
  });

  test('Exp 8 batch 1 under a 10 s budget: a pack of five is over it, so it is cut into balanced packs that each fit', () => {
    // Exp 8's packs cost K lone trials (no fixed part), and its cost cap per pack
    // (maxTrialCost) binds before the default 30 s budget does: a tighter budget shows the cut.
    const s = expandSweep({ experiment: 'exp8' }, 'b');
    const e = s.experiment;
    const budget = 10_000;
    const slow = s.trials.filter((t) => t.params.batch_size === 1);
    expect(estimatePackMs(e, slow)).toBeGreaterThan(budget);
    expect(estimatePackMs(e, slow.slice(0, 1))).toBeLessThan(budget);
    expect(estimatePackMs(e, slow)).toBeCloseTo(5 * estimatePackMs(e, slow.slice(0, 1)), 6);
    const slowPacks = packTrials(e, s.trials, 16, Infinity, Infinity, budget).filter((p) => p.some((t) => t.params.batch_size === 1));
    expect(slowPacks.map((p) => p.length).sort()).toEqual([2, 3]);
    for (const p of slowPacks) expect(estimatePackMs(e, p)).toBeLessThanOrEqual(budget);
  });

  test('a group that needs m packs is cut into m packs of near-equal size, not full packs and a remainder', () => {
    const s = expandSweep({ experiment: 'exp5', params: { n: 300, labels: 'true' }, repeats: 10 }, 'r');
    const e = s.experiment;
    const one = estimatePackMs(e, s.trials.slice(0, 1));
    // A budget that admits 4 networks but not 5: 10 trials need 3 packs → 4, 3, 3 (not 4, 4, 2).
    const budget = (estimatePackMs(e, s.trials.slice(0, 4)) + estimatePackMs(e, s.trials.slice(0, 5))) / 2;
    expect(budget).toBeGreaterThan(one);
    const packs = packTrials(e, s.trials, 16, Infinity, Infinity, budget);
    expect(packs.map((p) => p.length)).toEqual([3, 4, 3]);
    for (const p of packs) expect(estimatePackMs(e, p)).toBeLessThanOrEqual(budget);
    expect(ids(packs)).toEqual(s.trials.map((t) => t.id).sort());
  });

  test('cut packs give the same numbers as one uncut pack (Exp 8, short run)', async () => {
    const tf = await useBackend('wasm');
    const s = expandSweep({ experiment: 'exp8', params: { batch_size: 64, epochs: 30 }, repeats: 3 }, 'c');
    const e = s.experiment as Experiment;
    const run = async (packs: TrialSpec[][]) => {
      const out = new Map<string, TrialResult>();
      for (const p of packs) for (const r of await e.runPack(p, { backend: tf.getBackend() })) out.set(r.trialId, r);
      return out;
    };
    const whole = packTrials(e, s.trials, 16, Infinity, Infinity, Infinity);
    const budget = estimatePackMs(e, s.trials.slice(0, 1));
    const cut = packTrials(e, s.trials, 16, Infinity, Infinity, budget);
    expect(whole.map((p) => p.length)).toEqual([3]);
    expect(cut.map((p) => p.length)).toEqual([1, 1, 1]);
    const a = await run(whole);
    const b = await run(cut);
    // runtime_s and seconds_to_target are measured times, not trained numbers.
    const numbers = (r: TrialResult) => {
      const { runtime_s: _r, seconds_to_target: _s, ...scalars } = r.scalars;
      return { scalars, series: r.series, traces: r.traces };
    };
    for (const t of s.trials) expect(numbers(b.get(t.id)!)).toEqual(numbers(a.get(t.id)!));
    expect(numbers(a.get(s.trials[0].id)!).series.train_accuracy.values.length).toBeGreaterThan(0);
  });
});
