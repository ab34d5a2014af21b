/**
 * The SQL aggregate on both databases it runs on (test/helpers/storage-modes.ts):
 * better-sqlite3 (Node runner, tests) and D1 (miniflare's local D1, as under wrangler dev).
 * Lives under test/workers for the D1 types.
 */
import { afterAll, describe, expect, test } from 'vitest';
import { expandSweep } from '../../core/sweep/expand';
import { STORAGE_MODES, type OpenedStorage } from '../helpers/storage-modes';

/** Hand-computed sample statistics. */
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const sampleStd = (xs: number[]) => Math.sqrt(xs.reduce((a, b) => a + (b - mean(xs)) ** 2, 0) / (xs.length - 1));

/** numpy's default quantile (linear interpolation between order statistics). */
const quantile = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  const h = (s.length - 1) * p;
  const lo = Math.floor(h);
  return lo + 1 < s.length ? s[lo] + (h - lo) * (s[lo + 1] - s[lo]) : s[lo];
};

describe.each(STORAGE_MODES)('aggregateRows in SQL on the $name store (same schema and query on both)', (mode) => {
  let opened: OpenedStorage | undefined;
  afterAll(async () => opened?.dispose());

  test('mean, sample std and n per config, metric and step; failed trials excluded', async () => {
    opened = await mode.open();
    const store = opened.invocation();
    const sweep = expandSweep({ experiment: 'exp2', repeats: 3, grid: { depth: [1, 2] } }, 'agg');
    await store.createSweep(sweep, {}, 0);
    const [a0, a1, a2, b0, b1, b2] = sweep.trials.map((t) => t.id);
    const accA = [0.5, 0.75, 1];
    const curveA = [
      [0.1, 0.2],
      [0.3, 0.5],
      [0.2, 0.8],
    ];
    await store.leaseTrials([a0, a1, a2, b0, b1], 1);
    await store.saveResults(
      [a0, a1, a2].map((id, i) => ({ trialId: id, scalars: { accuracy: accA[i] }, series: { score: { steps: [0, 50], values: curveA[i] } } })),
      2,
      10,
      {},
    );
    // Config B: one trial done, one failed, one never ran.
    await store.saveResults([{ trialId: b0, scalars: { accuracy: 0.25 }, series: { score: { steps: [0, 50], values: [1, 2] } } }], 3, 10, {});
    await store.markTrials([b1], 'failed', 'boom', 4);
    const rows = await store.aggregate('agg');
    const find = (config: string, metric: string, step: number | null) => rows.find((r) => r.config === config && r.metric === metric && r.step === step)!;
    const accRow = find('depth=1', 'accuracy', null);
    expect(accRow.n).toBe(3);
    expect(accRow.mean).toBeCloseTo(mean(accA), 12);
    expect(accRow.std).toBeCloseTo(sampleStd(accA), 12);
    // Odd n: the median is the middle value, quartiles interpolate.
    expect(accRow.median).toBeCloseTo(0.75, 12);
    expect(accRow.q1).toBeCloseTo(quantile(accA, 0.25), 12);
    expect(accRow.q3).toBeCloseTo(quantile(accA, 0.75), 12);
    for (const [i, step] of [0, 50].entries()) {
      const xs = curveA.map((c) => c[i]);
      const r = find('depth=1', 'score', step);
      expect(r.n).toBe(3);
      expect(r.mean).toBeCloseTo(mean(xs), 12);
      expect(r.std).toBeCloseTo(sampleStd(xs), 12);
      for (const [p, key] of [[0.5, 'median'], [0.25, 'q1'], [0.75, 'q3']] as const) expect(r[key]).toBeCloseTo(quantile(xs, p), 12);
    }
    // One value: every quantile is that value.
    expect(find('depth=2', 'accuracy', null)).toMatchObject({ n: 1, mean: 0.25, std: null, median: 0.25, q1: 0.25, q3: 0.25 });
    expect(rows).toHaveLength(6);
    // Only the requested metrics.
    expect((await store.aggregate('agg', ['accuracy'])).map((r) => r.metric)).toEqual(['accuracy', 'accuracy']);
    // A tiny spread around a large mean keeps its precision (two-pass std).
    const big = expandSweep({ experiment: 'exp2', repeats: 3, params: { depth: 1 } }, 'big');
    await store.createSweep(big, {}, 0);
    await store.leaseTrials(
      big.trials.map((t) => t.id),
      1,
    );
    const xs = [1e8 + 0.001, 1e8 + 0.002, 1e8 + 0.003];
    await store.saveResults(
      big.trials.map((t, i) => ({ trialId: t.id, scalars: { loss: xs[i] }, series: {} })),
      2,
      1,
      {},
    );
    const [r] = await store.aggregate('big', ['loss']);
    expect(r.std).toBeCloseTo(0.001, 6);
    expect(r.median).toBe(1e8 + 0.002);
  });

  test('quantiles of a skewed group with even n: stuck seeds pull the mean, not the median', async () => {
    const store = opened!.invocation();
    const sweep = expandSweep({ experiment: 'exp2', repeats: 6, params: { depth: 1 } }, 'skew');
    await store.createSweep(sweep, {}, 0);
    await store.leaseTrials(
      sweep.trials.map((t) => t.id),
      1,
    );
    // Inserted out of order, with ties: ranking must sort by value, not by trial.
    const xs = [0.5, 0.01, 0.5, 0.02, 0.03, 0.02];
    await store.saveResults(
      sweep.trials.map((t, i) => ({ trialId: t.id, scalars: { loss: xs[i] }, series: {} })),
      2,
      1,
      {},
    );
    const [r] = await store.aggregate('skew', ['loss']);
    expect(r.n).toBe(6);
    expect(r.mean).toBeCloseTo(mean(xs), 12);
    expect(r.median).toBeCloseTo(0.025, 12); // (0.02 + 0.03) / 2
    expect(r.q1).toBeCloseTo(quantile(xs, 0.25), 12); // 0.02
    expect(r.q3).toBeCloseTo(quantile(xs, 0.75), 12); // 0.3825
    expect(r.q3).not.toBeCloseTo(0.5, 6);
  });
});
