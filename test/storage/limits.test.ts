/**
 * D1's production limits hold on both hosts' stores (core/limits/cloudflare.ts): a
 * statement, value, row or invocation over a limit fails naming the limit, and the store's
 * own queries stay within them at the sizes users reach: a thousand sweeps listed page by
 * page, a 5,000-trial sweep (the default cap) created, run to done and read back.
 */
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { unstorableIn, type Store } from '../../core/db/store';
import { D1_LIMITS, PlatformLimitError } from '../../core/limits/cloudflare';
import { expandSweep } from '../../core/sweep/expand';
import { DEFAULT_LIMITS, MAX_SERIES_POINTS } from '../../core/sweep/request';
import type { TrialResult } from '../../core/experiments/types';
import { app } from '../../workers/worker-app';
import { apiOver, STORAGE_MODES } from '../helpers/storage-modes';
import { tinySpec } from '../custom/fixtures';

/** The limit a query broke (drizzle wraps driver errors: the guard's is the cause). */
const limitOf = async (query: () => unknown) => {
  let err: unknown = null;
  try {
    await query();
  } catch (e) {
    err = e;
  }
  while (err instanceof Error && !(err instanceof PlatformLimitError) && err.cause) err = err.cause;
  expect(err, 'the statement should have been refused').toBeInstanceOf(PlatformLimitError);
  return (err as PlatformLimitError).limit;
};

describe.each(STORAGE_MODES)('D1 limits on the $name store', (mode) => {
  let opened: Awaited<ReturnType<typeof mode.open>>;
  beforeAll(async () => {
    opened = await mode.open();
  }, 60_000);
  afterAll(async () => opened?.dispose());

  test('101 bound parameters, 100 KB of SQL, a 2 MB value and a 2 MB row each fail with the limit named', async () => {
    const store = opened.invocation();
    const ids = Array.from({ length: D1_LIMITS.boundParameters + 1 }, (_, i) => `t${i}`);
    expect(await limitOf(() => store.db.all(sql`SELECT id FROM trials WHERE id IN (${sql.join(ids.map((i) => sql`${i}`), sql`, `)})`))).toBe('D1.boundParameters');
    // 100 parameters are fine.
    expect(await store.db.all(sql`SELECT id FROM trials WHERE id IN (${sql.join(ids.slice(1).map((i) => sql`${i}`), sql`, `)})`)).toEqual([]);
    expect(await limitOf(() => store.db.all(sql.raw(`SELECT 1 WHERE '${'x'.repeat(D1_LIMITS.statementBytes)}' = ''`)))).toBe('D1.statementBytes');
    expect(await limitOf(() => store.db.all(sql`SELECT length(${'x'.repeat(D1_LIMITS.valueBytes + 1)}) AS n`))).toBe('D1.valueBytes');
    // Two values of 1 MB each: within the value limit, over the row limit.
    const half = D1_LIMITS.rowBytes / 4 + 1;
    expect(await limitOf(() => store.db.all(sql`SELECT hex(zeroblob(${half})) AS a, hex(zeroblob(${half})) AS b`))).toBe('D1.rowBytes');
  });

  test('the 1,001st query of one invocation fails; a new invocation starts afresh', async () => {
    const store = opened.invocation();
    for (let i = 0; i < D1_LIMITS.queriesPerInvocation; i++) await store.db.all(sql`SELECT 1`);
    expect(await limitOf(() => store.db.all(sql`SELECT 1`))).toBe('D1.queriesPerInvocation');
    expect(await opened.invocation().db.all(sql`SELECT 1 AS one`)).toEqual([{ one: 1 }]);
  }, 60_000);

  test('the longest curve a trial may record (MAX_SERIES_POINTS, worst-case numbers) is stored in one row and read back exactly; one point more fails only its trial', async () => {
    const request = { experiment: 'exp1', repeats: 1, params: { function: 'sin', width: 2 } };
    const sweep = expandSweep(request, 'curve');
    await opened.invocation().createSweep(sweep, request, 1);
    const store = opened.invocation();
    const [trial] = sweep.trials;
    const leases = await store.takeLeases([trial.id], 2);
    // 7-digit steps and 23-character values: the longest JSON a point takes in practice.
    const steps = Array.from({ length: MAX_SERIES_POINTS }, (_, i) => 1_000_000 + i);
    const values = steps.map((s) => -1.2345678901234567e-10 * (1 + s / 3e6));
    const result: TrialResult = { trialId: trial.id, scalars: { mse: 1 }, series: { mse: { steps, values } }, traces: { y_pred: { steps, values } } };
    expect(unstorableIn(result)).toBeNull();
    expect(await store.saveResults([result], 3, 1, {}, leases)).toEqual([trial.id]);
    const [back] = await opened.invocation().trialResults('curve');
    expect(back.series.mse).toEqual({ steps, values });
    expect(back.traces.y_pred).toEqual({ steps, values });
    // Beyond the row: the trial's own failure, named, before any statement is sent.
    const long = Array.from({ length: MAX_SERIES_POINTS * 2 }, (_, i) => i * 1000);
    expect(unstorableIn({ ...result, series: { mse: { steps: long, values: long.map(() => -1.2345678901234567e-10) } } })).toMatch(/above D1\.rowBytes/);
  }, 120_000);

  test('a thousand sweeps: listed page by page (cursor), each page one bounded set of queries, none lost or repeated', async () => {
    const request = { experiment: 'exp11', repeats: 1, params: { steps: 50 } };
    for (let i = 0; i < 1000; i++) {
      const id = `s${String(i).padStart(4, '0')}`;
      // Two sweeps per millisecond: the cursor must break ties by id.
      await opened.invocation().createSweep(expandSweep(request, id), request, 1_000 + Math.floor(i / 2));
    }
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      // This experiment's sweeps only: other tests of this file store exp1 sweeps.
      const page: Awaited<ReturnType<Store['listSweeps']>> = await opened.invocation().listSweeps(5_000, { limit: 500, experiment: 'exp11', cursor: cursor ? { createdAt: Number(cursor.split('.')[0]), id: cursor.split('.')[1] } : null });
      seen.push(...page.sweeps.map((s) => s.id));
      cursor = page.next;
      pages++;
    } while (cursor);
    expect(pages).toBe(2);
    expect(seen).toHaveLength(1000);
    expect(new Set(seen).size).toBe(1000);
    expect(seen[0]).toBe('s0999');
    expect(seen[999]).toBe('s0000');

    if (opened.env) {
      // Through the API: GET /api/sweeps pages with `next`, 50 by default.
      let next: string | null = null;
      const viaApi: string[] = [];
      do {
        const res = await app.request(`/api/sweeps?experiment=exp11${next ? `&cursor=${encodeURIComponent(next)}` : ''}`, {}, opened.env);
        expect(res.status).toBe(200);
        const body = (await res.json()) as { sweeps: Array<{ id: string }>; next: string | null };
        expect(body.sweeps.length).toBeLessThanOrEqual(50);
        viaApi.push(...body.sweeps.map((s) => s.id));
        next = body.next;
      } while (next);
      expect(viaApi).toEqual(seen);
      const bad = await app.request('/api/sweeps?cursor=nonsense', {}, opened.env);
      expect(bad.status).toBe(400);
      expect(await bad.json()).toMatchObject({ issues: [{ field: 'query.cursor' }] });
    }
  }, 240_000);

  test('a thousand custom experiments: posted, then listed through GET /api/experiments page by page', async () => {
    const api = apiOver(opened);
    const posted: string[] = [];
    for (let i = 0; i < 1000; i++) {
      const res = await api('/api/experiments', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ ...tinySpec(), title: `Tiny check ${i}` }) });
      expect(res.status).toBe(201);
      posted.push(((await res.json()) as { id: string }).id);
    }
    const listed: string[] = [];
    let next: string | null = null;
    let pages = 0;
    do {
      const res = await api(`/api/experiments?limit=100${next ? `&cursor=${encodeURIComponent(next)}` : ''}`);
      expect(res.status).toBe(200);
      const body = (await res.json()) as { experiments: Array<{ id: string; custom: boolean }>; next: string | null };
      listed.push(...body.experiments.filter((e) => e.custom).map((e) => e.id));
      next = body.next;
      pages++;
    } while (next);
    expect(pages).toBe(10);
    // Oldest first; posts within one millisecond are ordered by id.
    expect(new Set(listed).size).toBe(1000);
    expect([...listed].sort()).toEqual([...posted].sort());
  }, 300_000);

  test('the cron re-sends lost messages of at most RESEND_SWEEPS sweeps per tick, the rest on the next ones', async () => {
    const fresh = await mode.open();
    try {
      const request = { experiment: 'exp11', repeats: 1, params: { steps: 50 } };
      for (const id of ['r1', 'r2', 'r3']) await fresh.invocation().createSweep(expandSweep(request, id), request, 1_000);
      const later = 1_000 + 10 * 60_000;
      const sweepsOf = (trials: Array<{ sweepId: string }>) => [...new Set(trials.map((t) => t.sweepId))].sort();
      const first = await fresh.invocation().resendStalled(later, 6 * 60_000, 2);
      expect(sweepsOf(first)).toHaveLength(2);
      const second = await fresh.invocation().resendStalled(later, 6 * 60_000, 2);
      expect(sweepsOf([...first, ...second])).toEqual(['r1', 'r2', 'r3']);
      expect(await fresh.invocation().resendStalled(later, 6 * 60_000, 2)).toEqual([]);
    } finally {
      await fresh.dispose();
    }
  }, 60_000);

  test('a 5,000-trial sweep (the default cap): created, leased and saved pack by pack, done, and read back', async () => {
    const request = { experiment: 'exp1', repeats: 5, grid: { width: Array.from({ length: 1000 }, (_, i) => i + 1) }, params: { steps: 1, function: 'sin' } };
    const sweep = expandSweep(request, 'big', DEFAULT_LIMITS);
    expect(sweep.trials).toHaveLength(DEFAULT_LIMITS.maxTrials);
    await opened.invocation().createSweep(sweep, request, 10);
    const steps = Array.from({ length: 100 }, (_, i) => i * 10);
    for (let i = 0; i < sweep.trials.length; i += 16) {
      // One pack, one invocation, as a queue consumer runs it.
      const store = opened.invocation();
      const pack = sweep.trials.slice(i, i + 16);
      const leases = await store.takeLeases(
        pack.map((t) => t.id),
        20,
      );
      const results: TrialResult[] = pack.map((t) => ({ trialId: t.id, scalars: { final_mse: t.repeat / 10 }, series: { mse: { steps, values: steps.map((s) => s / 1000 + t.repeat) } } }));
      expect(await store.saveResults(results, 30, 1, {}, leases)).toHaveLength(pack.length);
    }
    const store = opened.invocation();
    const summary = await store.getSweep('big', 40);
    expect(summary?.counts).toMatchObject({ total: 5000, done: 5000 });
    expect(summary?.status).toBe('done');
    const rows = await store.aggregate('big', ['final_mse']);
    expect(rows).toHaveLength(1000);
    expect(rows[0]).toMatchObject({ n: 5, mean: 0.2 });
    expect(await store.trialResults('big', ['mse'])).toHaveLength(5000);
    expect(await store.requeueUnfinished('big', 50)).toEqual([]);
  }, 300_000);
});
