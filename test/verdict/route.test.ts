/**
 * GET /api/sweeps/:id/verdict through the real Hono app on SQLite (the Node runner's store),
 * with a small real exp1 sweep trained in-process.
 */
import type { MiddlewareHandler } from 'hono';
import { afterAll, beforeAll, describe, expect, test, vi } from 'vitest';
import { getExperiment } from '../../core/experiments';
import { expandSweep, packTrials } from '../../core/sweep/expand';
import { runTrialPack } from '../../core/run/run-trials';
import type { Store } from '../../core/db/store';
import type { ClaimVerdict } from '../../core/verdict/evaluate';
import type { SweepVerdict } from '../../core/verdict/sweep-verdict';
import { createApp } from '../../api/app';
import type { AppEnv } from '../../api/context';
import { runSweep } from '../helpers/sweep';
import { useBackend } from '../tf-node';

const exp1 = getExperiment('exp1')!;

let store: Store;
let close: () => void;
let app: ReturnType<typeof createApp>;
const request = { experiment: 'exp1', repeats: 4, params: { steps: 300, n: 20 } };

beforeAll(async () => {
  const run = await runSweep(request, { sweepId: 'full' });
  store = run.store;
  close = () => run.sqlite.close();
  const host: MiddlewareHandler<AppEnv> = async (c, next) => {
    c.set('store', store);
    c.set('enqueue', async () => {});
    await next();
  };
  app = createApp(host);
});
afterAll(() => close?.());

/** p to three significant digits. */
const sig3 = (x: number | null) => (x === null ? null : Number(x.toPrecision(3)));

/** Label, interval and Holm-adjusted p agree: decisive exactly when pHolm ≤ 0.05, on the interval's side of 0. */
function expectCoherent(c: ClaimVerdict) {
  expect(c.ci![0]).toBeLessThanOrEqual(c.effect!);
  expect(c.ci![1]).toBeGreaterThanOrEqual(c.effect!);
  const expected = c.pHolm! > 0.05 ? 'inconclusive' : c.ci![1] < 0 ? 'supported' : 'contradicted';
  expect(c.result).toBe(expected);
  expect(c.ci![0] > 0 || c.ci![1] < 0).toBe(c.result !== 'inconclusive');
  // Decided claims need no more repeats; an undecided one names more than it has, or none when its effect is about 0.
  if (c.result !== 'inconclusive') expect(c.repeatsToSettle).toBeNull();
  else expect(c.repeatsToSettle === null ? Math.abs(c.d!) < 0.05 : c.repeatsToSettle > c.repeats).toBe(true);
  expect(c.notebook).toBe(c.result === 'supported' ? 'agrees' : c.result === 'contradicted' ? 'disagrees' : 'n/a');
  expect(c.p).toBeGreaterThan(0);
  expect(c.pHolm).toBeGreaterThanOrEqual(c.p!);
}

const get = async (path: string) => {
  const res = await app.request(path, {}, {});
  return { status: res.status, body: (await res.json()) as SweepVerdict & { error?: string; issues?: Array<{ field: string; message: string }> } };
};

describe('GET /api/sweeps/:id/verdict', () => {
  test('a finished sweep: one verdict per exp1 claim, final, with every repeat counted', async () => {
    const { status, body } = await get('/api/sweeps/full/verdict');
    expect(status).toBe(200);
    expect(body).toMatchObject({ sweep: 'full', experiment: 'exp1', status: 'done', provisional: false, trials: { done: 36, total: 36 } });
    expect(body.claims.map((c) => c.statement)).toEqual(exp1.claims!.map((c) => c.statement));
    for (const c of body.claims) {
      expect(c).toMatchObject({ kind: 'trend', metric: 'mse', effectKind: 'slope', paired: false, rule: 'fixed', n: { a: 4, b: 4 }, missing: 0 });
      expectCoherent(c);
    }
    // The seeded sweep's outcome, pinned: 4 repeats of 300 steps decide none of the three
    // trends (the polynomial's p = 0.04 alone, but not after Holm over three claims).
    expect(body.claims.map((c) => [c.result, sig3(c.p), sig3(c.pHolm)])).toEqual([
      ['inconclusive', 0.244, 0.487],
      ['inconclusive', 0.0404, 0.121],
      ['inconclusive', 0.981, 0.981],
    ]);
  });

  test('the trend is the least-squares slope of the width means that the aggregate endpoint reports', async () => {
    const { body } = await get('/api/sweeps/full/verdict');
    const agg = (await (await app.request('/api/sweeps/full/aggregate?metric=mse', {}, {})).json()) as { rows: Array<{ config: string; metric: string; step: number | null; mean: number }> };
    const configs = (await (await app.request('/api/sweeps/full/configs', {}, {})).json()) as Array<{ config: string; params: Record<string, unknown> }>;
    const meanOf = (fn: string, width: number) => {
      const cfg = configs.find((c) => c.params.function === fn && c.params.width === width)!.config;
      return agg.rows.find((r) => r.config === cfg && r.step === null)!.mean;
    };
    const sin = body.claims.find((c) => c.statement.startsWith('sin'))!;
    const widths = [...new Set(configs.map((c) => c.params.width as number))].sort((x, y) => x - y);
    const centre = (widths.length - 1) / 2;
    const sxx = widths.reduce((s, _, l) => s + (l - centre) ** 2, 0);
    const slope = widths.reduce((s, w, l) => s + ((l - centre) / sxx) * meanOf('sin', w), 0);
    expect(sin.effect).toBeCloseTo(slope, 10);
  });

  test('the verdict is reproducible: the same request gives the same numbers', async () => {
    const one = (await get('/api/sweeps/full/verdict')).body.claims;
    const two = (await get('/api/sweeps/full/verdict')).body.claims;
    expect(two).toEqual(one);
  });

  test('computed once per sweep version and stored; a client holding that version gets 304 and nothing is read', async () => {
    const reads = vi.spyOn(store, 'trialResultsPage');
    const first = await app.request('/api/sweeps/full/verdict', {}, {});
    const etag = first.headers.get('etag');
    expect(etag).toMatch(/^"done\.0\.0\.36\.0\.0\.\d+\.\w+"$/);
    expect(first.headers.get('cache-control')).toBe('private, no-cache');
    const body = await first.json();
    const afterFirst = reads.mock.calls.length;
    // Stored: the next read at the same version reads the answer back, not the trials.
    const again = await app.request('/api/sweeps/full/verdict', {}, {});
    expect(await again.json()).toEqual(body);
    expect(reads.mock.calls.length).toBe(afterFirst);
    const conditional = await app.request('/api/sweeps/full/verdict', { headers: { 'if-none-match': etag! } }, {});
    expect(conditional.status).toBe(304);
    expect(await conditional.text()).toBe('');
    // The aggregate, configs and trials carry the same version.
    for (const path of ['aggregate', 'configs', 'trials?metric=mse']) {
      const res = await app.request(`/api/sweeps/full/${path}`, { headers: { 'if-none-match': `"${etag!.slice(1, -1).split('.').slice(0, -1).join('.')}"` } }, {});
      expect(res.status, path).toBe(304);
    }
    reads.mockRestore();
    // The whole aggregate is stored too; a filtered one is computed each time (but conditional).
    const aggregates = vi.spyOn(store, 'aggregate');
    const agg1 = await (await app.request('/api/sweeps/full/aggregate', {}, {})).json();
    const agg2 = await (await app.request('/api/sweeps/full/aggregate', {}, {})).json();
    expect(agg2).toEqual(agg1);
    await app.request('/api/sweeps/full/aggregate?metric=mse', {}, {});
    await app.request('/api/sweeps/full/aggregate?metric=mse', {}, {});
    expect(aggregates.mock.calls.map((c) => c[1])).toEqual([undefined, ['mse'], ['mse']]);
    aggregates.mockRestore();
  });

  test('a live sweep gets a provisional verdict from its finished trials only', async () => {
    const tf = await useBackend('wasm');
    const sweep = expandSweep({ ...request, grid: { width: [2, 16] } }, 'live');
    await store.createSweep(sweep, request, 0);
    const packs = packTrials(sweep.experiment, sweep.trials, 16);
    // Train the width-2 pack only; width 16 stays queued.
    const narrow = packs.find((p) => p[0].params.width === 2)!;
    await runTrialPack(store, { sweepId: 'live', experiment: 'exp1', trials: narrow }, { now: () => 1, backend: tf.getBackend() });
    const { body } = await get('/api/sweeps/live/verdict');
    expect(body.provisional).toBe(true);
    expect(body.status).toBe('running');
    expect(body.trials).toEqual({ done: narrow.length, total: sweep.trials.length });
    for (const c of body.claims as ClaimVerdict[]) {
      expect(c.result).toBe('inconclusive');
      expect(c.effect).toBeNull();
      expect(c.note).toMatch(/fewer than two levels/);
    }
    // The rest finishes: a new version, so the stored provisional verdict is replaced.
    const wide = packs.find((p) => p[0].params.width === 16)!;
    await runTrialPack(store, { sweepId: 'live', experiment: 'exp1', trials: wide }, { now: () => 2, backend: tf.getBackend() });
    const final = (await get('/api/sweeps/live/verdict')).body;
    expect(final).toMatchObject({ provisional: false, status: 'done', trials: { done: sweep.trials.length } });
    expect(final.claims.some((c) => c.effect !== null)).toBe(true);
    // Pinned, and coherent like the full sweep's: on widths 2 and 16 only, |x|'s tiny slope is
    // decided (supported, Holm-adjusted p 0.038); the other two stay open.
    for (const c of final.claims) expectCoherent(c);
    expect(final.claims.map((c) => [c.result, sig3(c.p), sig3(c.pHolm)])).toEqual([
      ['inconclusive', 0.348, 0.348],
      ['inconclusive', 0.0612, 0.122],
      ['supported', 0.0126, 0.0377],
    ]);
  });

  test('unknown sweep: 404 in the API error shape', async () => {
    const { status, body } = await get('/api/sweeps/nope/verdict');
    expect(status).toBe(404);
    expect(body).toEqual({ error: 'not_found', issues: [{ field: 'id', message: "no sweep 'nope'" }] });
  });
});
