import { describe, expect, test } from 'vitest';
import { expandSweep } from '../../core/sweep/expand';
import { openSqliteStore } from '../../node/sqlite-store';

/** Hand-computed sample statistics. */
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const sampleStd = (xs: number[]) => Math.sqrt(xs.reduce((a, b) => a + (b - mean(xs)) ** 2, 0) / (xs.length - 1));

describe('aggregateRows in SQL (better-sqlite3, same schema and query as D1)', () => {
  test('mean, sample std and n per config, metric and step; failed trials excluded', async () => {
    const { store } = openSqliteStore();
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
    for (const [i, step] of [0, 50].entries()) {
      const xs = curveA.map((c) => c[i]);
      const r = find('depth=1', 'score', step);
      expect(r.n).toBe(3);
      expect(r.mean).toBeCloseTo(mean(xs), 12);
      expect(r.std).toBeCloseTo(sampleStd(xs), 12);
    }
    expect(find('depth=2', 'accuracy', null)).toMatchObject({ n: 1, mean: 0.25, std: null });
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
  });
});
