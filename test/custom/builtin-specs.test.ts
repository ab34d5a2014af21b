/**
 * The built-in specs (exp1–exp10, exp12, experiments 13–17): valid, within the Worker budgets, and for every one a trial's
 * numbers do not depend on its pack (a shortened run, so the test stays small).
 */
import { describe, expect, test } from 'vitest';
import { BUILTIN_SPECS, builtinSpecExperiments } from '../../core/experiments/specs';
import { validateSpec } from '../../core/custom/validate';
import { expandSweep, packTrials } from '../../core/sweep/expand';
import { DEFAULT_LIMITS } from '../../core/sweep/request';
import { nodeLibsvm } from '../../node/libsvm-node';
import { describeExperiment } from '../../api/routes/experiments';
import { EXPERIMENTS } from '../../core/experiments';
import { useBackend } from '../tf-node';
import type { TrialResult } from '../../core/experiments/types';

const experiments = builtinSpecExperiments();
const lookup = (id: string) => experiments.find((e) => e.id === id);

/** Overrides that shorten each experiment's run without changing its blocks. */
const SHORT: Record<string, Record<string, unknown>> = {
  exp1: { steps: 20 },
  exp2: { steps: 10 },
  // The deep MLPs on 80 of a 300-row pool (the first pack is one config's repeats).
  exp3: { pool_n: 300, test_n: 60, n: 100, classifier: 'deep' },
  exp4: { n: 120, test_n: 30, steps: 10 },
  exp5: { steps: 10 },
  exp6: { steps: 10 },
  exp7: { steps: 20 },
  // int(20·60/16) = 75 updates, one record (every 10 epochs, at most trunc(20/10) − 1).
  exp8: { epochs: 20, n: 60, batch_size: 16 },
  exp9: { steps: 20 },
  exp10: { steps: 20 },
  exp12: { steps: 10 },
  exp13: { epochs: 1, n: 64 },
  exp14: { steps: 12 },
  exp15: { steps: 10, pretrain_steps: 10, pretrain_n: 64 },
  exp16: { steps: 12 },
  exp17: { steps: 10 },
};

describe('built-in specs', () => {
  test("descriptions tell the notebook's experiments (its conclusions) from its open questions (this project's findings), spec or not", () => {
    const described = EXPERIMENTS.map(describeExperiment);
    expect(described.filter((e) => e.openQuestion).map((e) => e.id)).toEqual(['exp13', 'exp14', 'exp15', 'exp16', 'exp17']);
    // Written as specs, the notebook's experiments are still the notebook's.
    expect(described.find((e) => e.id === 'exp4')).toMatchObject({ openQuestion: false, custom: false, spec: expect.any(Object) });
  });

  test('ids, numbers and JSON round trip: the specs are pure data', () => {
    expect(experiments.map((e) => [e.id, e.number])).toEqual([['exp1', 1], ['exp2', 2], ['exp3', 3], ['exp4', 4], ['exp5', 5], ['exp6', 6], ['exp7', 7], ['exp8', 8], ['exp9', 9], ['exp10', 10], ['exp11', 11], ['exp12', 12], ['exp13', 13], ['exp14', 14], ['exp15', 15], ['exp16', 16], ['exp17', 17]]);
    for (const { spec } of BUILTIN_SPECS) {
      const v = validateSpec(JSON.parse(JSON.stringify(spec)));
      expect(v.ok).toBe(true);
    }
  });

  test.each(experiments.map((e) => [e.id, e] as const))('%s: default sweep accepted, repeats ≥ 5, claims and figure on its grid, every pack within the budgets', (id, e) => {
    expect(e.repeats).toBeGreaterThanOrEqual(5);
    expect(e.claims!.length).toBeGreaterThan(0);
    expect(e.figure).toBeDefined();
    const sweep = expandSweep({ experiment: id }, 's', undefined, lookup);
    for (const pack of packTrials(e, sweep.trials, 16)) {
      expect(e.memory(pack[0].params, pack.length)).toBeLessThanOrEqual(DEFAULT_LIMITS.maxPackBytes);
      expect(pack.reduce((s, t) => s + e.cost(t.params), 0)).toBeLessThanOrEqual(DEFAULT_LIMITS.maxTrialCost);
    }
  });

  test.each(experiments.map((e) => [e.id, e] as const))('%s: a trial gives the same numbers alone as in its pack', async (id, e) => {
    await useBackend('wasm');
    const sweep = expandSweep({ experiment: id, params: SHORT[id], repeats: 2 }, 's', undefined, lookup);
    const pack = packTrials(e, sweep.trials, 16)[0];
    expect(pack.length).toBeGreaterThanOrEqual(2);
    // A clock that moves one tick per reading: a trial timed alone (Exp 8) reads the same on it in
    // its pack as by itself. Its info names the pack it came in, so only the numbers are compared.
    const ticks = () => {
      let t = 0;
      return () => ++t;
    };
    const numbers = (r: TrialResult) => ({ trialId: r.trialId, scalars: r.scalars, series: r.series, traces: r.traces });
    const together = await e.runPack(pack, { libsvm: nodeLibsvm, now: ticks() });
    const alone = await e.runPack([pack[pack.length - 1]], { libsvm: nodeLibsvm, now: ticks() });
    expect(numbers(alone[0])).toEqual(numbers(together[together.length - 1]));
    expect(Object.keys(together[0].scalars).length).toBeGreaterThan(1);
  });
});
