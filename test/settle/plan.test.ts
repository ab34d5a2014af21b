/** core/settle/plan.ts: which cells grow, by how much, and within which budget. */
import { describe, expect, test } from 'vitest';
import type { Claim } from '../../core/experiments/claims';
import { cellsOfClaim, nextRepeats, planRound, settleEstimate, type SweepCell } from '../../core/settle/plan';

/** A 2 × 3 grid: function f/g × width 2/4/16, with `repeats` each. */
const cells = (repeats: number): SweepCell[] =>
  ['f', 'g'].flatMap((fn, i) => [2, 4, 16].map((w, j) => ({ index: i * 3 + j, config: `fn=${fn},w=${w}`, params: { fn, w, steps: 10 }, repeats })));
const sweep = { id: 's', experiment: 'expX', seed: 7 };
const diff: Claim = { kind: 'difference', statement: 'd', metric: 'm', by: 'w', a: 16, b: 2, expect: 'less', where: { fn: 'g' } };
const trend: Claim = { kind: 'trend', statement: 't', metric: 'm', along: 'w', expect: 'decreasing', where: { fn: 'f' } };

describe('the cells a claim compares', () => {
  test('difference: its two values, within where', () => {
    expect(cellsOfClaim(diff, cells(3)).map((c) => c.config)).toEqual(['fn=g,w=2', 'fn=g,w=16']);
  });
  test('trend without values: every level within where; order: only the listed values', () => {
    expect(cellsOfClaim(trend, cells(3)).map((c) => c.config)).toEqual(['fn=f,w=2', 'fn=f,w=4', 'fn=f,w=16']);
    const order: Claim = { kind: 'order', statement: 'o', metric: 'm', by: 'w', values: [4, 16], direction: 'decreasing' };
    expect(cellsOfClaim(order, cells(3)).map((c) => c.config)).toEqual(['fn=f,w=4', 'fn=f,w=16', 'fn=g,w=4', 'fn=g,w=16']);
  });
});

describe('a round', () => {
  test('grows only the undecided claims\' cells, toward repeats-to-settle but at most doubling', () => {
    expect(nextRepeats({ repeatsToSettle: 40 }, 5, 100)).toBe(10);
    expect(nextRepeats({ repeatsToSettle: 7 }, 5, 100)).toBe(7);
    expect(nextRepeats({ repeatsToSettle: null }, 5, 100)).toBe(10);
    expect(nextRepeats({ repeatsToSettle: 40 }, 5, 8)).toBe(8);
    const plan = planRound({ sweep, claims: [{ claim: diff, verdict: { repeatsToSettle: 4 } }], cells: cells(3), budget: { trials: 100, cpuMs: null }, maxRepeats: 100, roomTrials: 1000, trialCpuMs: () => 10 });
    expect(plan.trials.map((t) => t.id)).toEqual(['s.3.3', 's.5.3']);
    expect(plan.trials[0]).toEqual({ id: 's.3.3', sweepId: 's', experiment: 'expX', configKey: 'fn=g,w=2', repeat: 3, seed: 7, params: { fn: 'g', w: 2, steps: 10 } });
    expect(plan).toMatchObject({ cpuMs: 20, cells: 2, shortfall: null });
  });

  test('layers go in whole: a budget that cannot take the next repeat of every cell stops before it', () => {
    const claims = [
      { claim: diff, verdict: { repeatsToSettle: 6 } },
      { claim: trend, verdict: { repeatsToSettle: 6 } },
    ];
    // Repeats 3, 4, 5 of five cells: 15 trials; a budget of 12 takes two layers (10 trials).
    const plan = planRound({ sweep, claims, cells: cells(3), budget: { trials: 12, cpuMs: null }, maxRepeats: 100, roomTrials: 1000, trialCpuMs: () => 1000 });
    expect(plan.trials).toHaveLength(10);
    expect(new Set(plan.trials.map((t) => t.repeat))).toEqual(new Set([3, 4]));
    expect(plan.shortfall).toMatch(/2 trials left; the next repeat needs 5/);
    const cpu = planRound({ sweep, claims, cells: cells(3), budget: { trials: 100, cpuMs: 7500 }, maxRepeats: 100, roomTrials: 1000, trialCpuMs: () => 1000 });
    expect(cpu.trials).toHaveLength(5);
    expect(cpu.shortfall).toMatch(/CPU budget/);
    const room = planRound({ sweep, claims, cells: cells(3), budget: { trials: 100, cpuMs: null }, maxRepeats: 100, roomTrials: 4, trialCpuMs: () => 1 });
    expect(room.trials).toHaveLength(0);
    expect(room.shortfall).toMatch(/trial cap leaves room for 4/);
  });

  test('cells already at the most repeats a sweep may have cannot grow', () => {
    const plan = planRound({ sweep, claims: [{ claim: diff, verdict: { repeatsToSettle: 200 } }], cells: cells(100), budget: { trials: 100, cpuMs: null }, maxRepeats: 100, roomTrials: 1000, trialCpuMs: () => 1 });
    expect(plan.trials).toHaveLength(0);
    expect(plan.shortfall).toMatch(/most repeats/);
  });
});

test('the estimate brings each claim\'s cells to its repeats-to-settle; claims with no visible effect are counted apart', () => {
  const e = settleEstimate(
    [
      { claim: diff, verdict: { repeatsToSettle: 9 } },
      { claim: trend, verdict: { repeatsToSettle: null } },
    ],
    cells(3),
    100,
    () => 250,
  );
  expect(e).toEqual({ trials: 12, cpuMs: 3000, unreachable: 1 });
});
