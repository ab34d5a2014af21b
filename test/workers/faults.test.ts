/**
 * Fault injection, one suite for both hosts. The host-independent part (leases, heartbeat,
 * expiry repair, zombies, failed result writes, duplicate delivery, WebAssembly faults)
 * runs `runTrialPack` against both stores of test/helpers/storage-modes.ts: D1 (miniflare, as
 * under wrangler dev) and SQLite (node/sqlite-store.ts). Host-specific parts: the Worker's queue consumer (duplicate
 * delivery, retries, dead letters, cron repair, backend replacement) and the Node pool
 * (threads that exit or throw mid-pack, a thread whose WebAssembly instance broke).
 * Every test counts rows and result writes: exactly one result set per trial, none lost.
 * Killing whole processes (kill -9) is in test/integration/crash.test.ts.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import { z } from 'zod';
import type { Experiment, RunContext, TrialSpec } from '../../core/experiments/types';
import { expandSweep, packTrials } from '../../core/sweep/expand';
import { runTrialPack, type TrialPackMessage } from '../../core/run/run-trials';
import { withFaults } from '../../core/run/faults';
import type { Lease, Store } from '../../core/db/store';
import { openSqliteStore } from '../../node/sqlite-store';
import { TrialPool } from '../../node/pool';
import { repairLeases } from '../../node/server';
import { storeFor } from '../../workers/db';
import type { Env } from '../../workers/env';
import { consumeDeadLetters, consumeTrials } from '../../workers/queue-consumer';
import { MAX_LEASES, requeueStaleTrials, STALLED_MS } from '../../workers/scheduled';
import { localPlatform } from '../helpers/platform';
import { STORAGE_MODES, type OpenedStorage } from '../helpers/storage-modes';

type Platform = Awaited<ReturnType<typeof localPlatform<Env>>>;
let platform: Platform;
let env: Env;

/** A controllable experiment: `fail_attempts` throws that many times per pack, `nan_repeat` yields NaN, a pack holding `bad_repeat` always throws. */
let thrown = 0;
/** Runs inside runPack before the results: a test's way to act mid-pack (advance the clock, yield, take over). */
let during: ((trials: TrialSpec[], ctx: RunContext) => Promise<void>) | null = null;
const faultParams = z.object({ x: z.number().default(1), fail_attempts: z.number().int().default(0), nan_repeat: z.number().int().default(-1), bad_repeat: z.number().int().default(-1) }).strict();
const faulty: Experiment<typeof faultParams> = {
  id: 'exp1', // expansion validates against the real exp1 id; the lookup below swaps the runner
  number: 0,
  title: 'fault injection',
  section: '',
  question: '',
  hypothesis: '',
  conclusion: '',
  params: faultParams,
  grid: { x: [1, 2] },
  repeats: 3,
  cost: () => 1,
  memory: () => 0,
  async runPack(trials, ctx) {
    if (during) await during(trials, ctx);
    if (thrown < trials[0].params.fail_attempts) {
      thrown++;
      throw new Error('injected failure');
    }
    if (trials.some((t) => t.repeat === t.params.bad_repeat)) throw new Error(`injected failure of repeat ${trials[0].params.bad_repeat}`);
    return trials.map((t) => ({
      trialId: t.id,
      scalars: { value: t.repeat === t.params.nan_repeat ? NaN : t.params.x * 10 + t.repeat },
      series: { curve: { steps: [0, 1], values: [t.repeat, t.params.x] } },
    }));
  },
};
const lookup = () => faulty as unknown as Experiment;
const deps = { prepare: async () => 'test', lookup };

let sweepSeq = 0;
async function createSweep(params: Record<string, unknown> = {}, store?: Store) {
  const id = `s${++sweepSeq}`;
  // Expand with the real machinery, but against the fault experiment's schema.
  const body = { experiment: 'exp1', params, grid: { x: [1, 2] }, repeats: 3 };
  const real = expandSweep({ experiment: 'exp1', repeats: 3, params: { function: 'sin' }, grid: { width: [1, 2] } }, id);
  const trials: TrialSpec[] = real.trials.map((t) => ({ ...t, params: faultParams.parse({ ...params, x: Number(t.configKey.split('=')[1]) }) }));
  store ??= storeFor(env);
  await store.createSweep({ ...real, trials }, body, Date.now());
  const packs = packTrials(faulty as unknown as Experiment, trials, 16).map((p): TrialPackMessage => ({ sweepId: id, experiment: 'exp1', trials: p }));
  return { id, packs, store };
}

interface FakeMessage {
  body: TrialPackMessage;
  attempts: number;
  acked: boolean;
  retried: number;
}
function batchOf(bodies: TrialPackMessage[], attempts = 1, queue = 'atomsweep-trials') {
  const messages = bodies.map((body) => {
    const m: FakeMessage & { ack(): void; retry(): void; id: string; timestamp: Date } = {
      id: crypto.randomUUID(),
      timestamp: new Date(),
      body,
      attempts,
      acked: false,
      retried: 0,
      ack() {
        m.acked = true;
      },
      retry() {
        m.retried++;
      },
    };
    return m;
  });
  return { batch: { queue, messages, ackAll() {}, retryAll() {} } as unknown as MessageBatch<TrialPackMessage>, messages };
}

const metricRows = (id: string) => platform.count(`SELECT count(*) AS n FROM metrics m JOIN trials t ON t.id = m.trial_id WHERE t.sweep_id = ?`, id);
/** Result writes summed over the sweep's trials (info.writes): the metric key caps the rows above, not the writes. */
const resultWrites = (id: string) => platform.count(`SELECT coalesce(sum(json_extract(info, '$.writes')), 0) AS n FROM trials WHERE sweep_id = ?`, id);
const attemptsIn = (id: string) => platform.count(`SELECT sum(attempts) AS n FROM trials WHERE sweep_id = ?`, id);
const trialsIn = (id: string, status: string) => platform.count(`SELECT count(*) AS n FROM trials WHERE sweep_id = ? AND status = ?`, id, status);

beforeAll(async () => {
  platform = await localPlatform<Env>();
  env = platform.env as unknown as Env;
}, 60_000);
afterAll(async () => platform?.dispose());
beforeEach(() => {
  thrown = 0;
  during = null;
});

describe('at-least-once delivery', () => {
  test('the same message delivered twice is written once', async () => {
    const { id, packs, store } = await createSweep();
    const first = batchOf(packs);
    await consumeTrials(first.batch, env, deps);
    const again = batchOf(packs, 2);
    await consumeTrials(again.batch, env, deps);
    expect([...first.messages, ...again.messages].every((m) => m.acked)).toBe(true);
    expect(await trialsIn(id, 'done')).toBe(6);
    expect(await metricRows(id)).toBe(6 * 2); // one scalar + one series per trial
    expect(await resultWrites(id)).toBe(6);
    const attempts = await platform.count(`SELECT sum(attempts) AS n FROM trials WHERE sweep_id = ?`, id);
    expect(attempts).toBe(6);
    const s = await store.getSweep(id, Date.now());
    expect(s?.status).toBe('done');
  });

  test('a consumer that throws on the first attempt is retried and then succeeds', async () => {
    const { id, packs } = await createSweep({ fail_attempts: 1 });
    const first = batchOf([packs[0]]);
    await consumeTrials(first.batch, env, deps);
    expect(first.messages[0].retried).toBe(1);
    expect(first.messages[0].acked).toBe(false);
    // Put back in queued with the attempt's error, not lost and not running.
    expect(await trialsIn(id, 'queued')).toBe(6);
    const err = (await env.DB.prepare(`SELECT error FROM trials WHERE id = ?`).bind(packs[0].trials[0].id).first()) as { error: string };
    expect(err.error).toContain('injected failure');
    const second = batchOf(packs, 2);
    await consumeTrials(second.batch, env, deps);
    expect(await trialsIn(id, 'done')).toBe(6);
    expect(await metricRows(id)).toBe(12);
    expect(await resultWrites(id)).toBe(6);
    expect(await attemptsIn(id)).toBe(3 * 2 + 3); // the failed pack twice, the other once
  });

  test('a trial that yields NaN is failed with its message and the sweep still finishes', async () => {
    const { id, packs, store } = await createSweep({ nan_repeat: 1 });
    await consumeTrials(batchOf(packs).batch, env, deps);
    expect(await trialsIn(id, 'done')).toBe(4);
    expect(await trialsIn(id, 'failed')).toBe(2);
    expect(await metricRows(id)).toBe(8);
    expect(await resultWrites(id)).toBe(4);
    const row = (await env.DB.prepare(`SELECT error FROM trials WHERE sweep_id = ? AND status = 'failed'`).bind(id).first()) as { error: string };
    expect(row.error).toMatch(/non-finite result: metric 'value' is NaN/);
    const s = await store.getSweep(id, Date.now());
    expect(s?.status).toBe('failed');
    expect(s?.counts).toMatchObject({ done: 4, failed: 2, queued: 0, running: 0 });
  });

  test('retry re-runs only the failed trials, never done ones', async () => {
    const { id, packs, store } = await createSweep({ nan_repeat: 1 });
    await consumeTrials(batchOf(packs).batch, env, deps);
    const requeued = await store.requeueUnfinished(id, Date.now());
    expect(requeued.map((t) => t.repeat)).toEqual([1, 1]);
    // The retried trials now compute finitely (the fault was transient).
    const fixed = requeued.map((t) => ({ ...t, params: { ...t.params, nan_repeat: -1 } }));
    await consumeTrials(batchOf([{ sweepId: id, experiment: 'exp1', trials: fixed }]).batch, env, deps);
    expect(await trialsIn(id, 'done')).toBe(6);
    expect(await metricRows(id)).toBe(12);
    expect(await resultWrites(id)).toBe(6);
    expect(await attemptsIn(id)).toBe(6 + 2); // only the two failed trials ran again
    expect((await store.getSweep(id, Date.now()))?.status).toBe('done');
  });

  test('cancel during a run: queued trials are skipped, finished ones kept, status cancelled', async () => {
    const { id, packs, store } = await createSweep();
    await consumeTrials(batchOf([packs[0]]).batch, env, deps);
    await store.cancelSweep(id);
    const late = batchOf([packs[1]]);
    await consumeTrials(late.batch, env, deps);
    expect(late.messages[0].acked).toBe(true);
    expect(await trialsIn(id, 'done')).toBe(3);
    expect(await trialsIn(id, 'cancelled')).toBe(3);
    expect(await metricRows(id)).toBe(6);
    expect(await resultWrites(id)).toBe(3);
    expect((await store.getSweep(id, Date.now()))?.status).toBe('cancelled');
    // Resuming a cancelled sweep runs the rest, and only the rest.
    const rest = await store.requeueUnfinished(id, Date.now());
    expect(rest).toHaveLength(3);
    await consumeTrials(batchOf([{ sweepId: id, experiment: 'exp1', trials: rest }]).batch, env, deps);
    expect(await trialsIn(id, 'done')).toBe(6);
    expect(await metricRows(id)).toBe(12);
    expect(await resultWrites(id)).toBe(6);
    expect(await attemptsIn(id)).toBe(6);
  });

  test('after the last retry the dead-letter consumer marks the trial failed, keeping the cause', async () => {
    const { id, packs, store } = await createSweep({ fail_attempts: 99 });
    // A pack of one (a pack of several is split after its second failure, below).
    const alone = { ...packs[0], trials: packs[0].trials.slice(0, 1) };
    for (let attempt = 1; attempt <= 4; attempt++) {
      const b = batchOf([alone], attempt);
      await consumeTrials(b.batch, env, deps);
      expect(b.messages[0].retried).toBe(1);
    }
    // First delivery of the dead letter: its own attempts (1) say nothing about the pack's 4.
    const dlq = batchOf([alone], 1, 'atomsweep-trials-dlq');
    await consumeDeadLetters(dlq.batch, env);
    expect(dlq.messages[0].acked).toBe(true);
    expect(await trialsIn(id, 'failed')).toBe(1);
    const row = (await env.DB.prepare(`SELECT error, attempts FROM trials WHERE id = ?`).bind(alone.trials[0].id).first()) as { error: string; attempts: number };
    expect(row.error).toBe('gave up after 4 attempts: attempt 4 failed: injected failure');
    expect(row.attempts).toBe(4);
    expect(await metricRows(id)).toBe(0);
    expect(await resultWrites(id)).toBe(0);
    const s = await store.getSweep(id, Date.now());
    expect(s?.counts).toMatchObject({ failed: 1, queued: 5 });
  });

  test('one bad trial does not fail its pack-mates: a pack that failed twice goes on as one message per trial', async () => {
    const { id, packs } = await createSweep({ bad_repeat: 1 });
    const sent: TrialPackMessage[] = [];
    const queue = { sendBatch: async (msgs: Array<{ body: TrialPackMessage }>) => void sent.push(...msgs.map((m) => m.body)) };
    const withQueue = { ...env, TRIALS: queue } as unknown as Env;
    const first = batchOf([packs[0]], 1);
    await consumeTrials(first.batch, withQueue, deps);
    expect(first.messages[0].retried).toBe(1); // once: retried whole
    const second = batchOf([packs[0]], 2);
    await consumeTrials(second.batch, withQueue, deps);
    expect(second.messages[0]).toMatchObject({ acked: true, retried: 0 });
    expect(sent.map((p) => p.trials.map((t) => t.id))).toEqual(packs[0].trials.map((t) => [t.id]));
    const alone = batchOf(sent, 1);
    await consumeTrials(alone.batch, withQueue, deps);
    expect(alone.messages.map((m) => (m.acked ? 'acked' : 'retried'))).toEqual(['acked', 'retried', 'acked']);
    expect(await trialsIn(id, 'done')).toBe(2);
    expect(await trialsIn(id, 'queued')).toBe(4); // the bad one, back for its retries, and the other pack
  });

  test('a trial whose lease expired is reported stale and can be retried', async () => {
    const { id, packs, store } = await createSweep();
    // A consumer took the trials long ago and died without a word.
    const longAgo = Date.now() - 2 * store.leaseMs;
    await store.leaseTrials(
      packs[0].trials.map((t) => t.id),
      longAgo,
    );
    const s = await store.getSweep(id, Date.now());
    expect(s?.stale).toBe(3);
    expect(s?.status).toBe('running');
    const requeued = await store.requeueUnfinished(id, Date.now());
    expect(requeued).toHaveLength(6); // 3 stale + 3 never delivered
    await consumeTrials(batchOf(packs).batch, env, deps);
    expect(await trialsIn(id, 'done')).toBe(6);
    expect(await metricRows(id)).toBe(12);
    expect(await resultWrites(id)).toBe(6);
  });

  test('queue messages lost with a reload: the sweep reports how long its trials have stalled, and retry restarts the clock', async () => {
    const { id, packs, store } = await createSweep();
    const t0 = Date.now();
    // Nothing consumes the messages (wrangler dev reloaded and dropped its in-memory queue).
    const later = t0 + 10 * 60_000;
    const lost = await store.getSweep(id, later);
    expect(lost?.counts).toMatchObject({ queued: 6, running: 0 });
    expect(lost?.stalledMs).toBeGreaterThanOrEqual(10 * 60_000 - 1000);
    // A trial that starts is activity: the clock restarts from its lease.
    await store.leaseTrials([packs[0].trials[0].id], later);
    expect((await store.getSweep(id, later + 5000))?.stalledMs).toBe(5000);
    expect(await store.requeueUnfinished(id, later + 20 * 60_000)).toHaveLength(5 + 1); // the lease went stale meanwhile
    expect((await store.getSweep(id, later + 20 * 60_000))?.stalledMs).toBe(0);
    await consumeTrials(batchOf(packs).batch, env, deps);
    const done = await store.getSweep(id, Date.now());
    expect(done?.status).toBe('done');
    expect(done?.stalledMs).toBeNull();
    expect(await metricRows(id)).toBe(12);
    expect(await resultWrites(id)).toBe(6);
  });
});

describe('cron repair (workers/scheduled.ts)', () => {
  test('stale trials go back on the queue by themselves; one leased too often fails with its cause; a cancelled sweep’s become cancelled', async () => {
    const { id, packs, store } = await createSweep();
    // A consumer died mid-pack: the queue's redelivery finds the trials running (their lease
    // is fresh) and leaves them.
    const dead = packs[0].trials.map((t) => t.id);
    await store.leaseTrials(dead, Date.now());
    await consumeTrials(batchOf([packs[0]], 2).batch, env, deps);
    expect(await trialsIn(id, 'running')).toBe(3);
    const later = Date.now() + 2 * store.leaseMs;
    // One of them has already killed its consumer MAX_LEASES times.
    await platform.count(`UPDATE trials SET attempts = ${MAX_LEASES} WHERE id = ? RETURNING 1 AS n`, dead[0]);

    const sent: TrialPackMessage[] = [];
    expect(await requeueStaleTrials(env, Date.now(), async () => {})).toMatchObject({ requeued: 0, failed: 0 }); // lease still fresh
    const repair = await requeueStaleTrials(env, later, async (p) => void sent.push(...p));
    expect(repair).toMatchObject({ requeued: 2, failed: 1, cancelled: 0 });
    expect(sent.flatMap((p) => p.trials.map((t) => t.id)).sort()).toEqual(dead.slice(1).sort());
    const failed = await store.trialResults(id);
    expect(failed.find((t) => t.id === dead[0])).toMatchObject({ status: 'failed', error: expect.stringMatching(/lease expired 4 times/) });
    // Nothing is stale any more: a second run is a no-op.
    expect(await requeueStaleTrials(env, later, async () => {})).toMatchObject({ requeued: 0, failed: 0, cancelled: 0 });

    await consumeTrials(batchOf([...sent, packs[1]]).batch, env, deps);
    expect(await trialsIn(id, 'done')).toBe(5);
    expect(await metricRows(id)).toBe(10);
    expect(await resultWrites(id)).toBe(5);

    const other = await createSweep();
    await other.store.leaseTrials(other.packs[0].trials.map((t) => t.id), Date.now());
    await other.store.cancelSweep(other.id);
    // The cancel itself ends the running trials (their pack stops at its next heartbeat): the cron finds nothing left.
    expect(await trialsIn(other.id, 'cancelled')).toBe(6);
    expect(await requeueStaleTrials(env, later, async () => {})).toMatchObject({ requeued: 0, failed: 0, cancelled: 0 });
    expect((await other.store.getSweep(other.id, Date.now()))?.status).toBe('cancelled');
  });
});

describe('cron re-sends lost messages (workers/scheduled.ts)', () => {
  test('queued trials of a sweep idle for STALLED_MS are sent again, once; a cancelled sweep is left alone', async () => {
    // wrangler dev reloaded: the trials are queued, their messages gone.
    const { id, packs, store } = await createSweep();
    const queued = packs.flatMap((p) => p.trials.map((t) => t.id)).sort();
    const soon = Date.now() + STALLED_MS / 2;
    const idsIn = (sent: TrialPackMessage[]) => sent.filter((p) => p.sweepId === id).flatMap((p) => p.trials.map((t) => t.id)).sort();
    const early: TrialPackMessage[] = [];
    await requeueStaleTrials(env, soon, async (p) => void early.push(...p));
    expect(idsIn(early)).toEqual([]); // not idle long enough
    const later = Date.now() + STALLED_MS + 1000;
    const sent: TrialPackMessage[] = [];
    expect((await requeueStaleTrials(env, later, async (p) => void sent.push(...p))).resent).toBeGreaterThanOrEqual(queued.length);
    expect(idsIn(sent)).toEqual(queued);
    // Stamped as sent: the next tick does not send them again.
    const again: TrialPackMessage[] = [];
    await requeueStaleTrials(env, later + 1000, async (p) => void again.push(...p));
    expect(idsIn(again)).toEqual([]);
    await consumeTrials(batchOf(sent.filter((p) => p.sweepId === id)).batch, env, deps);
    expect((await store.getSweep(id, Date.now()))?.status).toBe('done');

    const other = await createSweep();
    await other.store.cancelSweep(other.id);
    const none: TrialPackMessage[] = [];
    await requeueStaleTrials(env, Date.now() + 10 * STALLED_MS, async (p) => void none.push(...p));
    expect(none.filter((p) => p.sweepId === other.id)).toEqual([]);
  });
});

// ---------------------------------------------------------------------------------------
// Host-independent: runTrialPack and the Store's leases (core/db/leases.ts), on every storage mode.

const noHost = { exit: () => {}, uncaught: () => {} };

describe.each(STORAGE_MODES)('leases and repair on the $name store', (mode) => {
  let opened: OpenedStorage;
  /** Each test's store (one invocation), and counts read on the database itself. */
  let h: { store: Store; count: OpenedStorage['count'] };
  beforeAll(async () => {
    opened = await mode.open();
  }, 60_000);
  afterAll(async () => opened?.dispose());
  beforeEach(() => {
    h = { store: opened.invocation(), count: opened.count };
  });
  const ids = (p: TrialPackMessage) => p.trials.map((t) => t.id);
  /** Result writes per trial (info.writes), which the metric key alone would hide. */
  const writes = (id: string) => h.count(`SELECT coalesce(sum(json_extract(info, '$.writes')), 0) AS n FROM trials WHERE sweep_id = ?`, id);
  const rowsOf = (id: string) => h.count(`SELECT count(*) AS n FROM metrics m JOIN trials t ON t.id = m.trial_id WHERE t.sweep_id = ?`, id);
  const statusCount = (id: string, status: string) => h.count(`SELECT count(*) AS n FROM trials WHERE sweep_id = ? AND status = ?`, id, status);
  const attempts = (id: string) => h.count(`SELECT sum(attempts) AS n FROM trials WHERE sweep_id = ?`, id);

  test('a running pack renews its lease from its loop’s yields, so the repair never takes a live pack', async () => {
    const { id, packs } = await createSweep({}, h.store);
    let clock = Date.now();
    during = async (_trials, ctx) => {
      // Two minutes of training (twice the lease), yielding every 10 s.
      for (let i = 0; i < 12; i++) {
        clock += 10_000;
        await ctx.yieldToHost!();
      }
      expect(await h.store.getSweep(id, clock)).toMatchObject({ stale: 0, atRisk: 0 });
      expect((await h.store.requeueStale(clock, 4)).requeued).toHaveLength(0);
    };
    const out = await runTrialPack(h.store, packs[0], { now: () => clock, leaseNow: () => clock }, lookup);
    expect(out).toMatchObject({ leased: 3, done: 3, lost: 0 });
    expect(await writes(id)).toBe(3);
    expect(await attempts(id)).toBe(3);
  });

  test('a pack with no heartbeat is at risk after two intervals, then stale and requeued; meanwhile no ETA', async () => {
    const { id, packs, store } = await createSweep({}, h.store);
    const t0 = Date.now();
    await runTrialPack(store, packs[1], { now: () => t0 }, lookup);
    await store.takeLeases(ids(packs[0]), t0); // a consumer starts the pack and dies
    expect(await store.getSweep(id, t0 + 1000)).toMatchObject({ stale: 0, atRisk: 0, status: 'running' });
    expect((await store.getSweep(id, t0 + 1000))?.etaMs).not.toBeNull();
    const risky = t0 + 2 * store.heartbeatMs + 1;
    expect(await store.getSweep(id, risky)).toMatchObject({ stale: 0, atRisk: 3, etaMs: null });
    expect((await store.requeueStale(risky, 4)).requeued).toHaveLength(0); // not expired yet
    const expired = t0 + store.leaseMs + 1;
    const late = await store.getSweep(id, expired);
    expect(late).toMatchObject({ stale: 3, atRisk: 0, etaMs: null });
    expect(late?.stalledMs).toBeGreaterThanOrEqual(store.leaseMs);
    const { requeued } = await store.requeueStale(expired, 4);
    expect(requeued.map((t) => t.id).sort()).toEqual(ids(packs[0]).sort());
    await runTrialPack(store, { ...packs[0], trials: requeued }, { now: Date.now }, lookup);
    expect(await statusCount(id, 'done')).toBe(6);
    expect(await writes(id)).toBe(6);
    expect(await attempts(id)).toBe(3 + 3 * 2);
    expect(await rowsOf(id)).toBe(12);
  });

  test('cancel stops a running pack at its next heartbeat: nothing written, every trial cancelled, a later delivery trains nothing', async () => {
    const { id, packs, store } = await createSweep({}, h.store);
    let clock = Date.now();
    let yieldsAfterCancel = 0;
    during = async (_trials, ctx) => {
      await store.cancelSweep(id);
      for (let i = 0; i < 100; i++) {
        clock += store.heartbeatMs / 2;
        await ctx.yieldToHost!(); // throws LeaseLost at the first heartbeat
        yieldsAfterCancel++;
      }
    };
    const out = await runTrialPack(store, packs[0], { now: () => clock, leaseNow: () => clock }, lookup);
    expect(out).toMatchObject({ done: 0, lost: 3 });
    expect(yieldsAfterCancel).toBeLessThanOrEqual(2);
    expect(await rowsOf(id)).toBe(0);
    expect(await statusCount(id, 'cancelled')).toBe(6);
    expect((await store.getSweep(id, clock))?.status).toBe('cancelled');
    during = null;
    expect(await runTrialPack(store, packs[1], { now: () => clock }, lookup)).toMatchObject({ leased: 0, skipped: 3 });
  });

  test('a transient heartbeat error does not throw the pack away: the next yield renews, the results are stored', async () => {
    const { id, packs, store } = await createSweep({}, h.store);
    let clock = Date.now();
    const renew = store.renewLeases.bind(store);
    let failures = 0;
    store.renewLeases = async (leases, now) => {
      if (failures++ === 0) throw new Error('D1_ERROR: Network connection lost');
      return renew(leases, now);
    };
    during = async (_trials, ctx) => {
      for (let i = 0; i < 6; i++) {
        clock += store.heartbeatMs;
        await ctx.yieldToHost!();
      }
    };
    const out = await runTrialPack(store, packs[0], { now: () => clock, leaseNow: () => clock }, lookup);
    expect(failures).toBeGreaterThan(1);
    expect(out).toMatchObject({ done: 3, lost: 0 });
    expect(await statusCount(id, 'done')).toBe(3);
  });

  test('a zombie whose lease was taken over writes nothing, even before the new holder finishes', async () => {
    const { id, packs, store } = await createSweep({}, h.store);
    let clock = Date.now();
    let taken: Awaited<ReturnType<Store['takeLeases']>> = [];
    during = async () => {
      clock += store.leaseMs + 1; // frozen longer than its lease
      expect((await store.requeueStale(clock, 4)).requeued).toHaveLength(3);
      taken = await store.takeLeases(ids(packs[0]), clock); // another consumer takes the trials
    };
    const zombie = await runTrialPack(store, packs[0], { now: () => clock, leaseNow: () => clock }, lookup);
    expect(zombie).toMatchObject({ done: 0, lost: 3 });
    expect(await rowsOf(id)).toBe(0);
    expect(await statusCount(id, 'running')).toBe(3);
    // The new holder's results (told apart by their value) are the ones stored.
    const mine = packs[0].trials.map((t) => ({ trialId: t.id, scalars: { value: -1 }, series: { curve: { steps: [0], values: [-1] } } }));
    expect(await store.saveResults(mine, clock, 1, {}, taken)).toHaveLength(3);
    const stored = await store.trialResults(id);
    for (const t of stored.filter((r) => r.status === 'done')) expect(t).toMatchObject({ attempts: 2, scalars: { value: -1 }, info: { attempt: 2, writes: 1 } });
    expect(await rowsOf(id)).toBe(6);
    expect(await writes(id)).toBe(3);
  });

  test('a zombie that yields after the takeover stops at its heartbeat and leaves the new lease alone', async () => {
    const { id, packs, store } = await createSweep({}, h.store);
    let clock = Date.now();
    let takeover = 0;
    during = async (_trials, ctx) => {
      clock += store.leaseMs + 1;
      await store.requeueStale(clock, 4);
      takeover = clock;
      await store.takeLeases(ids(packs[0]), clock);
      clock += store.heartbeatMs; // the zombie thaws and reaches a yield
      await ctx.yieldToHost!();
      throw new Error('unreachable: the heartbeat should have stopped the zombie');
    };
    const zombie = await runTrialPack(store, packs[0], { now: () => clock, leaseNow: () => clock }, lookup);
    expect(zombie).toMatchObject({ done: 0, lost: 3 });
    expect(await h.count(`SELECT count(*) AS n FROM trials WHERE sweep_id = ? AND status = 'running' AND attempts = 2 AND leased_at = ?`, id, takeover)).toBe(3);
    expect(await rowsOf(id)).toBe(0);
  });

  test('a failed result write puts the trials back in queued with the cause; the retry writes them once', async () => {
    const { id, packs, store } = await createSweep({}, h.store);
    const f = withFaults([{ kind: 'save' }], lookup, store, noHost);
    await expect(runTrialPack(f.store, packs[0], { now: Date.now }, f.lookup)).rejects.toThrow(/SQLITE_BUSY/);
    expect(await statusCount(id, 'queued')).toBe(6);
    expect(await rowsOf(id)).toBe(0);
    const [row] = await store.trialResults(id, undefined, 0);
    expect(row.error).toMatch(/^attempt 1 failed: .*SQLITE_BUSY.*\(saving results\)$/);
    // The redelivery (attempt 2, beyond the plan) leases them again at once and succeeds.
    await runTrialPack(f.store, packs[0], { now: Date.now }, f.lookup);
    expect(await statusCount(id, 'done')).toBe(3);
    expect(await writes(id)).toBe(3);
    expect(await attempts(id)).toBe(6);
    const done = (await store.trialResults(id)).find((t) => t.id === packs[0].trials[0].id)!;
    expect(done).toMatchObject({ status: 'done', error: null, info: { retried: expect.stringMatching(/saving results/) } });
  });

  test('the same pack delivered twice at once is trained and written once', async () => {
    const { id, packs, store } = await createSweep({}, h.store);
    const [a, b] = await Promise.all([runTrialPack(store, packs[0], { now: Date.now }, lookup), runTrialPack(store, packs[0], { now: Date.now }, lookup)]);
    expect(a.done + b.done).toBe(3);
    expect(a.skipped + b.skipped).toBe(3);
    expect(await writes(id)).toBe(3);
    expect(await attempts(id)).toBe(3);
    expect(await rowsOf(id)).toBe(6);
  });

  test('a WebAssembly fault puts the pack back, saying what happened', async () => {
    const { id, packs, store } = await createSweep({}, h.store);
    const f = withFaults([{ kind: 'wasm' }], lookup, store, noHost);
    await expect(runTrialPack(f.store, packs[0], { now: Date.now }, f.lookup)).rejects.toThrow('memory access out of bounds');
    expect(await statusCount(id, 'queued')).toBe(6);
    const [row] = await store.trialResults(id, undefined, 0);
    expect(row.error).toBe('attempt 1 failed: WebAssembly memory exhausted or corrupted (memory access out of bounds); retried on a fresh backend');
    // The injected instance stays broken, as a real one does: every later pack on it fails.
    expect(f.poisoned()).toBe(true);
    await expect(runTrialPack(f.store, packs[1], { now: Date.now }, f.lookup)).rejects.toThrow('memory access out of bounds');
  });
});

// ---------------------------------------------------------------------------------------
// Worker host: the queue consumer replaces a broken WebAssembly backend.

describe('Worker consumer after a WebAssembly fault', () => {
  test('the backend is re-created before the next pack runs, and the failed pack succeeds on redelivery', async () => {
    const { id, packs, store } = await createSweep();
    let backend = { broken: false, generation: 1 };
    let resets = 0;
    const poisonId = packs[0].trials[0].id;
    during = async (trials) => {
      if (backend.broken) throw new WebAssembly.RuntimeError('memory access out of bounds');
      const [row] = (await store.trialResults(id)).filter((t) => t.id === poisonId);
      if (trials.some((t) => t.id === poisonId) && row.attempts === 1) {
        backend.broken = true; // this instance's heap is gone for good
        throw new WebAssembly.RuntimeError('memory access out of bounds');
      }
    };
    const wasmDeps = {
      prepare: async () => `wasm#${backend.generation}`,
      reset: async () => {
        resets++;
        backend = { broken: false, generation: backend.generation + 1 };
      },
      lookup,
    };
    const first = batchOf(packs);
    await consumeTrials(first.batch, env, wasmDeps);
    expect(resets).toBe(1);
    expect(first.messages[0]).toMatchObject({ acked: false, retried: 1 });
    expect(first.messages[1]).toMatchObject({ acked: true }); // ran on the fresh backend
    const again = batchOf([packs[0]], 2);
    await consumeTrials(again.batch, env, wasmDeps);
    expect(again.messages[0].acked).toBe(true);
    expect(await trialsIn(id, 'done')).toBe(6);
    const trials = await store.trialResults(id);
    const retried = trials.find((t) => t.id === poisonId)!;
    expect(retried).toMatchObject({ attempts: 2, info: { backend: 'wasm#2', writes: 1, retried: expect.stringMatching(/^attempt 1 failed: WebAssembly memory exhausted/) } });
  });
});

// ---------------------------------------------------------------------------------------
// Node host: the worker-thread pool with real threads, real tfjs-wasm and a SQLite file.

describe('Node pool when a thread dies or breaks', () => {
  const small = { steps: 20, n: 20 };
  async function runPool(faults: Parameters<typeof withFaults>[0], threads: number, opts: { leaseMs?: number; meanwhile?: (store: Store, firstPack: string[]) => Promise<void> } = {}) {
    const { mkdtempSync, rmSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const { enqueueTrials } = await import('../../api/packing');
    const dir = mkdtempSync(join(tmpdir(), 'atomsweep-pool-'));
    const file = join(dir, 'db.sqlite');
    const { store, sqlite } = openSqliteStore(file, { leaseMs: opts.leaseMs });
    const sweep = expandSweep({ experiment: 'exp1', repeats: 3, params: { ...small, function: 'sin' }, grid: { width: [2, 3] } }, `p${++sweepSeq}`);
    await store.createSweep(sweep, {}, Date.now());
    const target = sweep.trials[0].id; // in the first pack (width = 2)
    const pool = new TrialPool(store, file, threads, { faults: faults.map((f) => ({ ...f, trial: target })), leaseMs: opts.leaseMs });
    // The runner's repair timer (node/server.ts), every quarter lease.
    const repair = opts.leaseMs ? setInterval(() => void repairLeases(store, pool, { MAX_PACK_CPU_MS: '0' }), opts.leaseMs / 4) : undefined;
    try {
      await enqueueTrials((p) => pool.enqueue(p), { maxPack: 16, maxPackCpuMs: Infinity }, sweep.trials, () => sweep.experiment);
      await Promise.all([pool.drained(), opts.meanwhile?.(store, sweep.trials.slice(0, 3).map((t) => t.id))]);
      clearInterval(repair);
      const rows = sqlite.prepare(`SELECT id, status, attempts, error, json_extract(info, '$.writes') AS writes, json_extract(info, '$.retried') AS retried FROM trials WHERE sweep_id = ? ORDER BY id`).all(sweep.id) as Array<{
        id: string;
        status: string;
        attempts: number;
        writes: number;
        retried: string | null;
      }>;
      const metricRows = Number((sqlite.prepare(`SELECT count(*) AS n FROM metrics m JOIN trials t ON t.id = m.trial_id WHERE t.sweep_id = ?`).get(sweep.id) as { n: number }).n);
      return { rows, metricRows, respawned: pool.respawned, hung: pool.hungReplaced, threads: pool.threads, target, firstPack: sweep.trials.slice(0, 3).map((t) => t.id) };
    } finally {
      clearInterval(repair);
      await pool.close();
      sqlite.close();
      rmSync(dir, { recursive: true, force: true });
    }
  }

  function expectRecovered(r: Awaited<ReturnType<typeof runPool>>, cause: RegExp, threads: number) {
    expect(r.rows.map((t) => t.status)).toEqual(Array(6).fill('done'));
    expect(r.rows.every((t) => t.writes === 1)).toBe(true);
    expect(r.metricRows).toBe(6 * 6); // mse, n_params, y_pred, y_true, x, mse curve per trial
    expect(r.respawned).toBe(1);
    expect(r.threads).toBe(threads);
    for (const t of r.rows) {
      const crashed = r.firstPack.includes(t.id);
      expect(t.attempts).toBe(crashed ? 2 : 1);
      if (crashed) expect(t.retried).toMatch(cause);
    }
  }

  test('a thread that exits mid-pack is replaced, its pack requeued and finished', async () => {
    expectRecovered(await runPool([{ kind: 'exit' }], 2), /^attempt 1 failed: training thread exited with code 1; retried on a fresh thread$/, 2);
  }, 120_000);

  test('a thread that throws an uncaught error mid-pack is replaced, its pack requeued and finished', async () => {
    expectRecovered(await runPool([{ kind: 'uncaught' }], 2), /^attempt 1 failed: training thread crashed: Error: injected uncaught exception mid-pack; retried on a fresh thread$/, 2);
  }, 120_000);

  test('a thread that hangs without yielding is terminated once its lease expires, replaced, and its pack finished on the fresh thread', async () => {
    const r = await runPool([{ kind: 'hang' }], 2, { leaseMs: 4_000 });
    expect(r.hung).toBe(1);
    expect(r.rows.map((t) => t.status)).toEqual(Array(6).fill('done'));
    expect(r.rows.every((t) => t.writes === 1)).toBe(true);
    expect(r.metricRows).toBe(6 * 6);
    expect(r.threads).toBe(2);
    for (const t of r.rows.filter((x) => r.firstPack.includes(x.id))) expect(t.retried).toMatch(/requeued after its lease expired/);
  }, 120_000);

  test('a thread that dies after another consumer took over its trials gives back only its own leases', async () => {
    let takenOver: Lease[] = [];
    const r = await runPool([{ kind: 'slow', ms: 4_000 }, { kind: 'exit', attempts: 2 }], 2, {
      meanwhile: async (store, firstPack) => {
        // Once the thread holds the first pack, another consumer takes it over (as after an
        // expired lease); then the thread dies.
        for (let i = 0; i < 200 && !takenOver.length; i++) {
          await new Promise((res) => setTimeout(res, 50));
          const running = (await store.trialResults(firstPack[0].split('.')[0])).filter((t) => firstPack.includes(t.id) && t.status === 'running');
          if (running.length === 3) takenOver = await store.takeLeases(firstPack, Date.now() + 10 * store.leaseMs);
        }
      },
    });
    expect(takenOver.map((l) => l.attempt)).toEqual([2, 2, 2]);
    // The other consumer's leases are untouched: still running under attempt 2, nothing requeued or rerun.
    for (const t of r.rows.filter((x) => r.firstPack.includes(x.id))) expect(t).toMatchObject({ status: 'running', attempts: 2 });
    expect(r.rows.filter((x) => !r.firstPack.includes(x.id)).map((t) => t.status)).toEqual(['done', 'done', 'done']);
    expect(r.respawned).toBe(1);
  }, 120_000);

  test('one trial that crashes every thread fails alone: its pack is split after two failures and its pack-mates finish', async () => {
    const r = await runPool([{ kind: 'uncaught', attempts: 99 }], 2);
    const byId = new Map(r.rows.map((t) => [t.id, t]));
    expect(byId.get(r.target)).toMatchObject({ status: 'failed' });
    expect(r.rows.filter((t) => t.id !== r.target).map((t) => t.status)).toEqual(Array(5).fill('done'));
  }, 120_000);

  test('a thread whose WebAssembly instance broke is replaced, so later packs on one thread still succeed', async () => {
    // One thread: without the replacement the second pack would hit the broken instance too.
    expectRecovered(await runPool([{ kind: 'wasm' }], 1), /^attempt 1 failed: WebAssembly memory exhausted or corrupted \(memory access out of bounds\); retried on a fresh backend$/, 1);
  }, 120_000);
});
