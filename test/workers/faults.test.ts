/**
 * Fault injection through the real queue consumer and store against a real local D1:
 * duplicate delivery, a throwing first attempt, NaN results, cancel mid-run, retry after
 * failures, dead letters and expired leases. Every test counts rows: exactly one result
 * set per trial, none lost.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import { z } from 'zod';
import type { Experiment, TrialSpec } from '../../core/experiments/types';
import { expandSweep, packTrials } from '../../core/sweep/expand';
import type { TrialPackMessage } from '../../core/run/run-trials';
import { storeFor } from '../../workers/db';
import type { Env } from '../../workers/env';
import { consumeDeadLetters, consumeTrials } from '../../workers/queue-consumer';
import { MAX_LEASES, requeueStaleTrials } from '../../workers/scheduled';
import { localPlatform } from '../helpers/platform';

type Platform = Awaited<ReturnType<typeof localPlatform<Env>>>;
let platform: Platform;
let env: Env;

/** A controllable experiment: `fail_attempts` throws that many times per pack, `nan_repeat` yields NaN. */
let thrown = 0;
const faultParams = z.object({ x: z.number().default(1), fail_attempts: z.number().int().default(0), nan_repeat: z.number().int().default(-1) }).strict();
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
  async runPack(trials) {
    if (thrown < trials[0].params.fail_attempts) {
      thrown++;
      throw new Error('injected failure');
    }
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
async function createSweep(params: Record<string, unknown> = {}) {
  const id = `s${++sweepSeq}`;
  // Expand with the real machinery, but against the fault experiment's schema.
  const body = { experiment: 'exp1', params, grid: { x: [1, 2] }, repeats: 3 };
  const real = expandSweep({ experiment: 'exp1', repeats: 3, params: { function: 'sin' }, grid: { n_hidden: [1, 2] } }, id);
  const trials: TrialSpec[] = real.trials.map((t) => ({ ...t, params: faultParams.parse({ ...params, x: Number(t.configKey.split('=')[1]) }) }));
  const store = storeFor(env);
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
const trialsIn = (id: string, status: string) => platform.count(`SELECT count(*) AS n FROM trials WHERE sweep_id = ? AND status = ?`, id, status);

beforeAll(async () => {
  platform = await localPlatform<Env>();
  env = platform.env as unknown as Env;
}, 60_000);
afterAll(async () => platform?.dispose());
beforeEach(() => {
  thrown = 0;
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
  });

  test('a trial that yields NaN is failed with its message and the sweep still finishes', async () => {
    const { id, packs, store } = await createSweep({ nan_repeat: 1 });
    await consumeTrials(batchOf(packs).batch, env, deps);
    expect(await trialsIn(id, 'done')).toBe(4);
    expect(await trialsIn(id, 'failed')).toBe(2);
    expect(await metricRows(id)).toBe(8);
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
    expect((await store.getSweep(id, Date.now()))?.status).toBe('cancelled');
    // Resuming a cancelled sweep runs the rest, and only the rest.
    const rest = await store.requeueUnfinished(id, Date.now());
    expect(rest).toHaveLength(3);
    await consumeTrials(batchOf([{ sweepId: id, experiment: 'exp1', trials: rest }]).batch, env, deps);
    expect(await trialsIn(id, 'done')).toBe(6);
    expect(await metricRows(id)).toBe(12);
  });

  test('after the last retry the dead-letter consumer marks the trials failed, keeping the cause', async () => {
    const { id, packs, store } = await createSweep({ fail_attempts: 99 });
    for (let attempt = 1; attempt <= 4; attempt++) {
      const b = batchOf([packs[0]], attempt);
      await consumeTrials(b.batch, env, deps);
      expect(b.messages[0].retried).toBe(1);
    }
    const dlq = batchOf([packs[0]], 4, 'atomsweep-trials-dlq');
    await consumeDeadLetters(dlq.batch, env);
    expect(dlq.messages[0].acked).toBe(true);
    expect(await trialsIn(id, 'failed')).toBe(3);
    const row = (await env.DB.prepare(`SELECT error, attempts FROM trials WHERE id = ?`).bind(packs[0].trials[0].id).first()) as { error: string; attempts: number };
    expect(row.error).toBe('gave up after 4 deliveries: attempt 4 failed: injected failure');
    expect(row.attempts).toBe(4);
    expect(await metricRows(id)).toBe(0);
    const s = await store.getSweep(id, Date.now());
    expect(s?.counts).toMatchObject({ failed: 3, queued: 3 });
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

    const other = await createSweep();
    await other.store.leaseTrials(other.packs[0].trials.map((t) => t.id), Date.now());
    await other.store.cancelSweep(other.id);
    expect(await requeueStaleTrials(env, later, async () => {})).toMatchObject({ requeued: 0, failed: 0, cancelled: 3 });
    expect((await other.store.getSweep(other.id, Date.now()))?.status).toBe('cancelled');
  });
});
