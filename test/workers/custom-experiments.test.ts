/**
 * Custom experiments over HTTP, one suite for both storage modes (test/helpers/storage-modes.ts),
 * each trained by its own host: the Hono app on D1 (miniflare, as under wrangler dev) whose
 * packs the Worker's own queue consumer trains, and on SQLite (the Node runner's store, in
 * a file) whose packs the Node thread pool trains. Posting specs (content
 * hash ids, idempotence, refusals naming the field and writing nothing), listing and the
 * JSON Schema, and a custom sweep end to end: packs, aggregate, verdict on the spec's claims.
 */
import type { MiddlewareHandler } from 'hono';
import Ajv2020 from 'ajv/dist/2020';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { specId } from '../../core/custom/spec';
import { validateSpec } from '../../core/custom/validate';
import { EXPERIMENTS } from '../../core/experiments';
import { forgetCompiledExperiments } from '../../core/experiments/resolve';
import type { TrialPackMessage } from '../../core/run/run-trials';
import type { SweepVerdict } from '../../core/verdict/sweep-verdict';
import { TrialPool } from '../../node/pool';
import { createApp } from '../../api/app';
import type { AppEnv } from '../../api/context';
import { consumeTrials } from '../../workers/queue-consumer';
import { STORAGE_MODES, type OpenedStorage, type StorageMode } from '../helpers/storage-modes';
import { readmeExample } from '../helpers/readme';
import { useBackend } from '../tf-node';

interface Host {
  app: ReturnType<typeof createApp>;
  count: OpenedStorage['count'];
  /** Trains every pack the routes enqueued, the host's own way. */
  drain: () => Promise<void>;
  close: () => Promise<void>;
}

/** The Worker path: D1 store, packs delivered to workers/queue-consumer.ts as a queue batch. */
function workerHost(opened: OpenedStorage): Host {
  const env = opened.env!;
  const sent: TrialPackMessage[] = [];
  const host: MiddlewareHandler<AppEnv> = async (c, next) => {
    c.set('store', opened.invocation());
    c.set('enqueue', async (packs) => void sent.push(...packs));
    await next();
  };
  return {
    app: createApp(host),
    count: opened.count,
    drain: async () => {
      const tf = await useBackend('wasm');
      // A fresh isolate knows no custom experiment: the consumer must read the spec from D1.
      forgetCompiledExperiments();
      const messages = sent.splice(0).map((body) => ({ id: crypto.randomUUID(), timestamp: new Date(), body, attempts: 1, acked: false, ack() { this.acked = true; }, retry() {} }));
      await consumeTrials({ queue: 'atomsweep-trials', messages, ackAll() {}, retryAll() {} } as unknown as MessageBatch<TrialPackMessage>, env, { prepare: async () => tf.getBackend() });
      expect(messages.every((m) => m.acked)).toBe(true);
    },
    close: opened.dispose,
  };
}

/** The Node runner's path: SQLite file, packs trained by worker threads that open the same file. */
function nodeHost(opened: OpenedStorage): Host {
  const pool = new TrialPool(opened.sqlite!.store, opened.file!, 1);
  const host: MiddlewareHandler<AppEnv> = async (c, next) => {
    c.set('store', opened.invocation());
    c.set('enqueue', (packs) => pool.enqueue(packs));
    await next();
  };
  return {
    app: createApp(host),
    count: opened.count,
    drain: () => pool.drained(),
    close: async () => {
      await pool.close();
      await opened.dispose();
    },
  };
}

/** The storage mode with the host that trains on it: the Worker's queue consumer on D1, the Node thread pool on SQLite. */
async function hostOn(mode: StorageMode): Promise<Host> {
  const opened = await mode.open({ onDisk: true });
  return mode.name === 'd1' ? workerHost(opened) : nodeHost(opened);
}

type Issue = { field: string; message: string };
type Json = Record<string, unknown> & { error?: string; issues?: Issue[] };

const example = readmeExample();

describe.each(STORAGE_MODES)('custom experiments on the $name store, trained by its host', (mode) => {
  let h: Host;
  const call = async (method: string, path: string, body?: unknown) => {
    const init: RequestInit = method === 'GET' ? {} : { method, headers: { 'content-type': 'application/json' }, body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body) };
    const res = await h.app.request(path, init, {});
    return { status: res.status, body: (await res.json()) as Json };
  };
  const rows = async () => ({
    experiments: await h.count('SELECT count(*) AS n FROM experiments'),
    sweeps: await h.count('SELECT count(*) AS n FROM sweeps'),
    trials: await h.count('SELECT count(*) AS n FROM trials'),
  });

  beforeAll(async () => {
    h = await hostOn(mode);
  }, 120_000);
  afterAll(async () => h?.close());

  test("POST /api/experiments: 201 with the spec's content hash as id; the same spec again is 200, same id, one row", async () => {
    const { status, body } = await call('POST', '/api/experiments', example.spec);
    expect(status, JSON.stringify(body)).toBe(201);
    const validated = validateSpec(example.spec);
    if (!validated.ok) throw new Error(JSON.stringify(validated.issues));
    expect(body.id).toBe(await specId(validated.spec));
    // The README shows the answer a reader gets.
    expect(body.id).toBe(example.id);
    expect(body).toMatchObject({ created: true, custom: true, title: example.spec.title, question: example.spec.question, hypothesis: example.spec.hypothesis, grid: example.spec.grid });
    expect((await rows()).experiments).toBe(1);

    const again = await call('POST', '/api/experiments', example.spec);
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ id: example.id, created: false });
    // Key order and defaults written out do not make another experiment.
    const reordered = Object.fromEntries(Object.entries({ ...example.spec, paired: true }).reverse());
    const third = await call('POST', '/api/experiments', reordered);
    expect(third.status).toBe(200);
    expect(third.body.id).toBe(example.id);
    expect((await rows()).experiments).toBe(1);
    // A changed spec is another experiment (specs are immutable).
    const changed = await call('POST', '/api/experiments', { ...example.spec, repeats: 4 });
    expect(changed.status).toBe(201);
    expect(changed.body.id).not.toBe(example.id);
    expect((await rows()).experiments).toBe(2);
  });

  test('GET /api/experiments lists built-ins and custom ones; GET /:id answers both', async () => {
    const list = ((await call('GET', '/api/experiments')).body as unknown as { experiments: Array<Json & { id: string }> }).experiments;
    expect(list.slice(0, EXPERIMENTS.length).map((e) => e.id)).toEqual(EXPERIMENTS.map((e) => e.id));
    for (const e of list.slice(0, EXPERIMENTS.length)) expect(e.custom).toBe(false);
    const mine = list.find((e) => e.id === example.id)!;
    expect(mine.custom).toBe(true);
    expect(mine.spec).toEqual((validateSpec(example.spec) as { spec: unknown }).spec);
    expect(list.filter((e) => e.custom)).toHaveLength(2);

    const one = await call('GET', `/api/experiments/${example.id}`);
    expect(one.status).toBe(200);
    expect(one.body).toEqual(mine);
    expect(one.body.defaults).toMatchObject({ width: 64, strength: 0, n: 60, steps: 1500 });
    // Every built-in is written as a spec: it shows it, and is still built in.
    for (const e of list.filter((x) => !x.custom)) expect(e.spec, e.id).not.toBeNull();
    expect((await call('GET', '/api/experiments/exp11')).body).toMatchObject({ id: 'exp11', custom: false, spec: { record: expect.arrayContaining([expect.objectContaining({ metric: 'weight_change', layer: 3 })]) } });
    expect((await call('GET', '/api/experiments/exp1')).body).toMatchObject({ id: 'exp1', custom: false, spec: { data: { block: 'target_1d', train_x: 'grid' } } });
    const missing = await call('GET', '/api/experiments/x000000000000');
    expect(missing.status).toBe(404);
    expect(missing.body.issues).toEqual([{ field: 'id', message: "unknown experiment 'x000000000000'" }]);
  });

  test('GET /api/experiments/schema: a JSON Schema that accepts the example and refuses what the validator refuses', async () => {
    const { status, body } = await call('GET', '/api/experiments/schema');
    expect(status).toBe(200);
    expect(Object.keys(body.properties as object)).toEqual(expect.arrayContaining(['title', 'data', 'model', 'training', 'record', 'grid', 'claims', 'figure']));
    const check = new Ajv2020({ strict: false, validateFormats: false }).compile(body);
    expect(check(example.spec)).toBe(true);
    expect(check({ ...example.spec, title: '' })).toBe(false);
    expect(check({ ...example.spec, colour: 'red' })).toBe(false);
  });

  const bad: Array<{ name: string; spec: unknown; field: string; message: RegExp; error?: string }> = [
    { name: 'malformed JSON', spec: '{"title":', field: '(body)', message: /JSON/, error: 'invalid_request' },
    { name: 'not an object', spec: [1, 2], field: '(body)', message: /object/ },
    { name: 'no title', spec: { ...example.spec, title: undefined }, field: 'title', message: /./ },
    { name: 'unknown field', spec: { ...example.spec, colour: 'red' }, field: 'colour', message: /unknown field/ },
    { name: 'unknown data block', spec: { ...example.spec, data: { block: 'imagenet' } }, field: 'data.block', message: /unknown data block/ },
    { name: 'zero width', spec: { ...example.spec, model: { block: 'mlp', width: 0 } }, field: 'model.width', message: />=1/ },
    { name: 'unknown parameter in a block', spec: { ...example.spec, model: { block: 'mlp', dropout: 0.5 } }, field: 'model.dropout', message: /unknown field/ },
    { name: 'grid axis that is no parameter', spec: { ...example.spec, grid: { momentum: [0.9] } }, field: 'grid.momentum', message: /unknown parameter/ },
    { name: 'invalid grid value', spec: { ...example.spec, grid: { width: [4, -1], strength: [0, 0.01] } }, field: 'grid.width.1', message: /not a valid width/ },
    { name: 'claim on an axis not in the grid', spec: { ...example.spec, claims: [{ kind: 'difference', metric: 'test_loss', by: 'lr', a: 0.1, b: 0.01, expect: 'less', statement: 's' }] }, field: 'claims.0.by', message: /not a grid axis/ },
    { name: 'figure of a metric not recorded', spec: { ...example.spec, figure: { x: 'step', y: 'train_loss' } }, field: 'figure.y', message: /not recorded/ },
    {
      name: 'a trial above the CPU budget',
      spec: {
        ...example.spec,
        model: { block: 'mlp', width: 1024, depth: 8 },
        training: { ...(example.spec.training as object), steps: 100_000 },
        record: [{ metric: 'test_loss', at: 'checkpoints', every: 1000 }],
        grid: {},
        claims: [],
        figure: undefined,
      },
      field: 'training.steps',
      message: /per-trial budget/,
    },
    { name: 'prototype key', spec: `{"title":"t","__proto__":{"x":1}}`, field: '__proto__', message: /not allowed/, error: 'invalid_request' },
  ];

  test.each(bad)('refused, naming the field, nothing written: $name', async ({ spec, field, message, error }) => {
    const before = await rows();
    const { status, body } = await call('POST', '/api/experiments', spec);
    expect(status, JSON.stringify(body)).toBe(400);
    expect(body.error).toBe(error ?? 'invalid_spec');
    const issue = body.issues!.find((i) => i.field === field);
    expect(issue, JSON.stringify(body.issues)).toBeDefined();
    expect(issue!.message).toMatch(message);
    expect(await rows()).toEqual(before);
  });

  test('a custom sweep end to end: packs trained by the host, aggregate of its metrics, verdict on its claims', async () => {
    const request = { experiment: example.id, repeats: 3, params: { steps: 200 } };
    const created = await call('POST', '/api/sweeps', request);
    expect(created.status, JSON.stringify(created.body)).toBe(202);
    expect(created.body).toMatchObject({ experiment: example.id, trials: 6 * 3, grid: example.spec.grid, repeats: 3 });
    await h.drain();
    const sweepId = created.body.id as string;
    const summary = await call('GET', `/api/sweeps/${sweepId}`);
    expect(summary.body).toMatchObject({ status: 'done', counts: { done: 18, failed: 0 } });

    const agg = (await call('GET', `/api/sweeps/${sweepId}/aggregate`)).body.rows as Array<{ config: string; metric: string; step: number | null; n: number; mean: number }>;
    const configs = [...new Set(agg.map((r) => r.config))].sort();
    expect(configs).toEqual(['width=4,strength=0', 'width=4,strength=0.01', 'width=4,strength=0.1', 'width=64,strength=0', 'width=64,strength=0.01', 'width=64,strength=0.1'].sort());
    // test_loss over the checkpoints (every 100 of 200 updates) and at the end; accuracy at the end.
    for (const config of configs) {
      const loss = agg.filter((r) => r.config === config && r.metric === 'test_loss');
      expect(loss.map((r) => r.step)).toEqual([null, 100, 200]);
      for (const r of loss) expect(r.n).toBe(3);
      const acc = agg.find((r) => r.config === config && r.metric === 'test_accuracy' && r.step === null)!;
      expect(acc.mean).toBeGreaterThan(0.5);
      expect(acc.mean).toBeLessThanOrEqual(1);
    }

    const verdict = (await call('GET', `/api/sweeps/${sweepId}/verdict`)).body as unknown as SweepVerdict;
    expect(verdict).toMatchObject({ sweep: sweepId, experiment: example.id, status: 'done', provisional: false, trials: { done: 18, total: 18 } });
    expect(verdict.claims.map((c) => c.statement)).toEqual((example.spec.claims as Array<{ statement: string }>).map((c) => c.statement));
    for (const c of verdict.claims) {
      expect(c).toMatchObject({ kind: 'difference', metric: 'test_loss', paired: true, pairs: 3 });
      const expected = c.ci![1] < 0 ? 'supported' : c.ci![0] > 0 ? 'contradicted' : 'inconclusive';
      expect(c.result).toBe(expected);
    }
    // The effect is the difference of the two configs' mean final test loss (paired spec: within repeats, same mean).
    const meanOf = (config: string) => agg.find((r) => r.config === config && r.metric === 'test_loss' && r.step === null)!.mean;
    expect(verdict.claims[0].effect).toBeCloseTo(meanOf('width=64,strength=0.01') - meanOf('width=64,strength=0'), 10);
  }, 180_000);

  test('a sweep of an unknown custom id is refused naming `experiment`, and writes nothing', async () => {
    const before = await rows();
    const { status, body } = await call('POST', '/api/sweeps', { experiment: 'x0123456789ab' });
    expect(status).toBe(400);
    expect(body.issues).toEqual([{ field: 'experiment', message: "unknown experiment 'x0123456789ab'" }]);
    expect(await rows()).toEqual(before);
  });

  test('DELETE: refused while a sweep uses the spec and for built-ins; an unused spec goes, and can no longer start sweeps', async () => {
    const inUse = await call('DELETE', `/api/experiments/${example.id}`);
    expect(inUse.status).toBe(409);
    expect(inUse.body.issues![0].field).toBe('id');
    expect((await call('DELETE', '/api/experiments/exp1')).status).toBe(409);
    const unused = (await call('POST', '/api/experiments', { ...example.spec, repeats: 4 })).body.id as string;
    const before = await rows();
    const gone = await call('DELETE', `/api/experiments/${unused}`);
    expect(gone).toEqual({ status: 200, body: { deleted: unused } });
    expect((await rows()).experiments).toBe(before.experiments - 1);
    expect((await call('GET', `/api/experiments/${unused}`)).status).toBe(404);
    // This isolate compiled it before: the sweep route still asks the store.
    const sweep = await call('POST', '/api/sweeps', { experiment: unused });
    expect(sweep.status).toBe(400);
    expect(sweep.body.issues![0].field).toBe('experiment');
    expect((await call('DELETE', `/api/experiments/${unused}`)).status).toBe(404);
  });
});
