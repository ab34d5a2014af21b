import { describe, expect, test } from 'vitest';
import type { TrialSpec } from '../../core/experiments/types';
import type { TrialPackMessage } from '../../core/run/run-trials';
import { takeNext } from '../../node/pool';

type J = { id: number; work: number; attempts: number; pack: TrialPackMessage };
let ids = 0;
const trials = (n: number) => Array.from({ length: n }, (_, i): TrialSpec => ({ id: `s.0.${i}`, sweepId: 's', experiment: 'exp1', configKey: 'default', repeat: i, seed: 0, params: {} }));
const job = (work: number, n = 1, attempts = 0): J => ({ id: ++ids, work, attempts, pack: { sweepId: 's', experiment: 'exp1', trials: trials(n) } });
const make = (pack: TrialPackMessage): J => ({ id: ++ids, work: pack.trials.length, attempts: 0, pack });

describe('the Node pool takes the longest pack first and splits the tail', () => {
  test('longest first across sweeps, the oldest among equals', () => {
    const a = job(5);
    const b = job(9);
    const c = job(9);
    const d = job(1);
    const queue = [a, b, c, d];
    expect(takeNext(queue, 0, make).job).toBe(b);
    expect(takeNext(queue, 0, make).job).toBe(c);
    expect(takeNext(queue, 0, make).job).toBe(a);
    expect(queue).toEqual([d]);
  });

  test('no split while enough packs wait for the idle threads', () => {
    const queue = [job(4, 4), job(3, 4)];
    const { job: taken, split } = takeNext(queue, 1, make);
    expect(split).toBe(false);
    expect(taken.pack.trials).toHaveLength(4);
    expect(queue).toHaveLength(1);
  });

  test('the last pack is shared between the idle threads, every trial exactly once', () => {
    const queue = [job(16, 16)];
    const { job: first, split } = takeNext(queue, 2, make);
    expect(split).toBe(true);
    const parts = [first, ...queue];
    expect(parts.map((p) => p.pack.trials.length)).toEqual([6, 6, 4]);
    expect(parts.flatMap((p) => p.pack.trials.map((t) => t.id)).sort()).toEqual(trials(16).map((t) => t.id).sort());
  });

  test('a retried pack and a single trial are not split', () => {
    expect(takeNext([job(4, 4, 1)], 1, make).split).toBe(false);
    expect(takeNext([job(1, 1)], 1, make).split).toBe(false);
  });
});
