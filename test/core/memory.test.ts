/**
 * Memory budget (core/experiments/memory.ts, core/sweep/expand.ts): every built-in default
 * sweep is accepted and packed within the budget; a request that passes the compute budget
 * but cannot fit in a Worker isolate's WebAssembly memory is refused naming the field.
 */
import { describe, expect, test } from 'vitest';
import { EXPERIMENTS } from '../../core/experiments';
import { expandSweep, packTrials } from '../../core/sweep/expand';
import { DEFAULT_LIMITS, SweepRequestError } from '../../core/sweep/request';

describe('WebAssembly memory estimate', () => {
  test.each(EXPERIMENTS.map((e) => [e.id]))('%s: the default sweep is accepted and every pack of it fits the budget', (id) => {
    const sweep = expandSweep({ experiment: id }, 'm');
    const e = sweep.experiment;
    const packs = packTrials(e, sweep.trials, 16);
    expect(packs.flat()).toHaveLength(sweep.trials.length);
    for (const p of packs) {
      // (exp3's decision tree runs in plain JS and needs no WebAssembly memory: 0.)
      const bytes = e.memory(p[0].params, p.length);
      expect(bytes).toBeGreaterThanOrEqual(0);
      expect(bytes).toBeLessThanOrEqual(DEFAULT_LIMITS.maxPackBytes);
    }
  });

  test('the estimate grows with the pack and with the network', () => {
    const exp1 = EXPERIMENTS[0];
    const p = exp1.params.parse({});
    expect(exp1.memory(p, 16)).toBeGreaterThan(exp1.memory(p, 2));
    expect(exp1.memory({ ...p, width: 512 }, 16)).toBeGreaterThan(exp1.memory(p, 16));
    // A lone trial trains beside a shadow twin: it costs what a pack of two does.
    expect(exp1.memory(p, 1)).toBe(exp1.memory(p, 2));
  });

  test('a pack that would not fit is cut into packs that do, keeping every trial', () => {
    // exp6's widest default config needs more than the budget as a pack of 16.
    const sweep = expandSweep({ experiment: 'exp6', params: { dummy_dim: 2000, pca_dim: 'none' }, repeats: 16 }, 'w');
    const e = sweep.experiment;
    expect(e.memory(sweep.trials[0].params, 16)).toBeGreaterThan(DEFAULT_LIMITS.maxPackBytes);
    const packs = packTrials(e, sweep.trials, 16);
    expect(packs.length).toBeGreaterThan(1);
    expect(packs.flat().map((t) => t.id).sort()).toEqual(sweep.trials.map((t) => t.id).sort());
    for (const p of packs) expect(e.memory(p[0].params, p.length)).toBeLessThanOrEqual(DEFAULT_LIMITS.maxPackBytes);
  });

  test('a request within the compute budget but far beyond the memory budget is refused with the estimate', () => {
    const body = { experiment: 'exp1', repeats: 1, params: { steps: 1, width: 1024, n: 20000 } };
    let error: unknown;
    try {
      expandSweep(body, 'h');
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(SweepRequestError);
    const issues = (error as SweepRequestError).issues;
    expect(issues.length).toBeGreaterThan(0);
    for (const issue of issues) {
      expect(issue.field).toBe('params');
      expect(issue.message).toMatch(/needs about [\d.]+ GB of WebAssembly memory/);
      expect(issue.message).toContain('96.0 MB');
    }
    // The same shape with a small width fits.
    expect(expandSweep({ ...body, params: { ...body.params, width: 4, n: 1000 } }, 'ok').trials).toHaveLength(3);
  });

  test('a grid value that does not fit names the grid axis', () => {
    expect(() => expandSweep({ experiment: 'exp1', params: { n: 20000, steps: 1 }, grid: { width: [2, 1024] } }, 'g')).toThrowError(
      expect.objectContaining({ issues: expect.arrayContaining([expect.objectContaining({ field: 'grid.width' })]) }),
    );
  });
});
