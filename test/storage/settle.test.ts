/**
 * Settle on both stores (SQLite as the Node runner opens it, D1 through miniflare), with real
 * training: a finished Exp 1 sweep gets rounds of repeats until its claims are decided or the
 * budget is spent. The original trials stay bit-identical, and each added repeat is exactly
 * the trial a sweep asking for that many repeats from the start would have run.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Store } from '../../core/db/store';
import { resolveExperiment } from '../../core/experiments/resolve';
import type { TrialSpec } from '../../core/experiments/types';
import { runTrialPack } from '../../core/run/run-trials';
import { advanceSettle } from '../../core/settle/advance';
import { cellsOfClaim } from '../../core/settle/plan';
import { MAX_SETTLE_ROUNDS } from '../../core/settle/types';
import { expandSweep, packTrials } from '../../core/sweep/expand';
import { openSqliteStore } from '../../node/sqlite-store';
import { apiOver, STORAGE_MODES } from '../helpers/storage-modes';
import { useBackend } from '../tf-node';
import { readmeExample } from '../helpers/readme';
import type { MiddlewareHandler } from 'hono';
import { createApp } from '../../api/app';
import type { AppEnv } from '../../api/context';

const REQUEST = { experiment: 'exp1', repeats: 3, seed: 11, params: { steps: 300 }, grid: { width: [2, 16] } };
const LIMITS = { maxRepeats: 100, maxTrials: 5000 };

async function train(invocation: () => Store, sweepId: string, trials: TrialSpec[]) {
  const tf = await useBackend('wasm');
  const experiment = (await resolveExperiment(invocation(), trials[0].experiment))!;
  let t = 1;
  for (const pack of packTrials(experiment, trials, 16)) {
    await runTrialPack(invocation(), { sweepId, experiment: experiment.id, trials: pack }, { now: () => t++, backend: tf.getBackend() });
  }
}

type Values = Map<string, { scalars: Record<string, number>; series: unknown }>;
async function values(store: Store, sweepId: string): Promise<Values> {
  const out: Values = new Map();
  // Keyed by cell and repeat, so two sweeps' trials line up.
  for (const t of await store.trialResults(sweepId)) out.set(t.id.split('.').slice(1).join('.'), { scalars: t.scalars, series: t.series });
  return out;
}

describe.each(STORAGE_MODES)('settle on the $name store', (mode) => {
  let opened: Awaited<ReturnType<(typeof mode)['open']>>;
  let api: ReturnType<typeof apiOver>;
  beforeAll(async () => {
    opened = await mode.open();
    api = apiOver(opened);
  });
  afterAll(async () => opened?.dispose());

  test('rounds grow only the undecided claims\' cells, within the budget, and extend the seeded design', async () => {
    const sweep = expandSweep(REQUEST, 'orig');
    await opened.invocation().createSweep(sweep, REQUEST, 1);
    await train(opened.invocation, 'orig', sweep.trials);
    const before = await values(opened.invocation(), 'orig');

    const estimate = (await (await api('/api/sweeps/orig/settle')).json()) as { settle: null; estimate: { undecided: number; trials: number } };
    expect(estimate.settle).toBeNull();
    expect(estimate.estimate.undecided).toBeGreaterThan(0);

    // Started through the API (which adds round 1 at once), then driven as the hosts drive it.
    const started = await api('/api/sweeps/orig/settle', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ budget: { trials: 30 } }) });
    expect(started.status).toBe(202);
    const first = (await started.json()) as { added: number; settle: { status: string; round: number } };
    expect(first.settle).toMatchObject({ status: 'running', round: 1 });
    expect(first.added).toBeGreaterThan(0);
    const again = await api('/api/sweeps/orig/settle', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    expect(again.status).toBe(409);

    const experiment = (await resolveExperiment(opened.invocation(), 'exp1'))!;
    let round = 0;
    for (;;) {
      // The trials the last round added are queued; train them, as the queue would.
      const queued = (await opened.invocation().trialResults('orig')).filter((t) => t.status === 'queued');
      const specs: TrialSpec[] = queued.map((t) => ({ id: t.id, sweepId: 'orig', experiment: 'exp1', configKey: t.config, repeat: t.repeat, seed: 11, params: t.params }));
      if (specs.length) await train(opened.invocation, 'orig', specs);
      const added = await advanceSettle(opened.invocation(), 'orig', 10 + round, (id) => resolveExperiment(opened.invocation(), id), LIMITS);
      if (!added.length) break;
      expect(++round).toBeLessThan(MAX_SETTLE_ROUNDS);
    }
    const state = (await opened.invocation().getSettle('orig'))!;
    expect(['decided', 'exhausted']).toContain(state.status);
    expect(state.spent.trials).toBeLessThanOrEqual(30);
    expect(state.history.length).toBe(state.round + 1);
    // Each round grew only cells of claims undecided at its look.
    const cells = await opened.invocation().cells('orig');
    for (const [k, look] of state.history.entries()) {
      if (!look.added.trials) continue;
      const open = experiment.claims!.filter((c) => look.claims.find((x) => x.statement === c.statement)!.result === 'inconclusive');
      const allowed = new Set(open.flatMap((c) => cellsOfClaim(c, cells)).map((c) => c.config));
      expect(look.added.cells, `round ${k}`).toBeLessThanOrEqual(allowed.size);
    }
    const after = await values(opened.invocation(), 'orig');
    expect(after.size).toBe(before.size + state.spent.trials);
    // The original repeats are untouched.
    for (const [key, v] of before) expect(after.get(key), key).toEqual(v);

    // A sweep that asked for the most repeats from the start has the same numbers at every added repeat.
    const top = Math.max(...cells.map((c) => c.repeats));
    const bigger = expandSweep({ ...REQUEST, repeats: top }, 'big');
    await opened.invocation().createSweep(bigger, { ...REQUEST, repeats: top }, 1);
    const addedKeys = new Set([...after.keys()].filter((k) => !before.has(k)));
    await train(opened.invocation, 'big', bigger.trials.filter((t) => addedKeys.has(t.id.split('.').slice(1).join('.'))));
    const big = await values(opened.invocation(), 'big');
    expect(addedKeys.size).toBeGreaterThan(0);
    for (const key of addedKeys) expect(big.get(key), key).toEqual(after.get(key));

    // A dry run of the same experiment plans from this sweep's effects.
    const plan = (await (await api('/api/sweeps?dryRun=1', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(REQUEST) })).json()) as { power: Array<{ basis: string | null; planned: number }> };
    expect(plan.power.map((c) => c.basis)).toEqual(experiment.claims!.map(() => expect.stringMatching(/^sweep orig \(\d+ repeats\)$/)));
    expect(plan.power.every((c) => c.planned === 3)).toBe(true);

    // The verdict is now the anytime-valid one.
    const verdict = (await (await api('/api/sweeps/orig/verdict')).json()) as { rule: string; claims: Array<{ rule: string }> };
    expect(verdict.rule).toBe('sequential');
    // Once the verdict is stored, a dry run plans from the stored answer: the same power.
    const replanned = (await (await api('/api/sweeps?dryRun=1', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(REQUEST) })).json()) as { power: unknown };
    expect(replanned.power).toEqual(plan.power);
  }, 240_000);

  test('bad budgets and sweeps that cannot be settled answer 4xx naming why, and change nothing', async () => {
    const post = (id: string, body: unknown) => api(`/api/sweeps/${id}/settle`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const bad = await post('orig', { budget: { trials: 0 } });
    expect(bad.status).toBe(400);
    expect(JSON.stringify(await bad.json())).toMatch(/budget\.trials/);
    const unknown = await post('orig', { budget: { trial: 5 } });
    expect(unknown.status).toBe(400);
    const huge = await post('orig', { budget: { trials: 999_999 } });
    expect(huge.status).toBe(400);
    expect(JSON.stringify(await huge.json())).toMatch(/at most \d+ more/);
    expect((await post('nope', {})).status).toBe(404);
    // An experiment without claims has nothing to settle.
    const { claims: _claims, ...spec } = readmeExample().spec as Record<string, unknown>;
    const posted = await api('/api/experiments', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(spec) });
    expect(posted.status).toBeLessThan(300);
    const { id } = (await posted.json()) as { id: string };
    const created = await api('/api/sweeps', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ experiment: id, repeats: 2 }) });
    expect(created.status).toBe(202);
    const sweepId = ((await created.json()) as { id: string }).id;
    const none = await post(sweepId, {});
    expect(none.status).toBe(409);
    expect(JSON.stringify(await none.json())).toMatch(/states no claims/);
    expect(await opened.invocation().getSettle(sweepId)).toBeNull();
    expect(await opened.invocation().getSettle('orig')).toMatchObject({ budget: { trials: 30 } });
  });
});

test('openSqliteStore carries the settle table (migrations applied)', async () => {
  const { store, sqlite } = openSqliteStore();
  expect(await store.getSettle('none')).toBeNull();
  sqlite.close();
});

test('a round whose messages cannot be sent answers 503 naming the retry; its trials stay stored and a retry sends them', async () => {
  const opened = openSqliteStore();
  let failing = true;
  const sent: string[] = [];
  const host: MiddlewareHandler<AppEnv> = async (c, next) => {
    c.set('store', opened.invocation());
    c.set('enqueue', async (packs) => {
      if (failing) throw new Error('queue down');
      for (const p of packs) sent.push(...p.trials.map((t) => t.id));
    });
    await next();
  };
  const app = createApp(host);
  try {
    const sweep = expandSweep(REQUEST, 'lost');
    await opened.store.createSweep(sweep, REQUEST, 1);
    await train(opened.invocation, 'lost', sweep.trials);
    const res = await app.request('/api/sweeps/lost/settle', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ budget: { trials: 6 } }) }, {});
    expect(res.status).toBe(503);
    expect(await res.json()).toMatchObject({ error: 'enqueue_failed', issues: [{ field: 'id', message: expect.stringMatching(/stored but not all sent .*\/api\/sweeps\/lost\/retry/) }] });
    const queued = (await opened.store.trialResults('lost')).filter((t) => t.status === 'queued').map((t) => t.id);
    expect(queued.length).toBeGreaterThan(0);
    expect((await opened.store.getSettle('lost'))!.round).toBe(1);
    failing = false;
    const retry = await app.request('/api/sweeps/lost/retry', { method: 'POST', headers: { 'content-type': 'application/json' } }, {});
    expect(retry.status).toBe(202);
    expect(sent.sort()).toEqual(queued.sort());
  } finally {
    opened.sqlite.close();
  }
}, 60_000);
