/**
 * The OpenAPI 3.1 document of the API (`GET /api/openapi.json`), generated from the same
 * zod schemas the validators use (api/schemas.ts, core/sweep/request.ts) with zod's
 * own z.toJSONSchema. test/workers/openapi.test.ts checks it against the OpenAPI 3.1
 * meta-schema and that every route the app serves is in it.
 */
import { z } from 'zod';
import { experimentSpecSchema } from '../core/custom/spec';
import { sweepRequestSchema } from '../core/sweep/request';
import { MAX_BODY } from './middleware/body';
import { settleBody } from './routes/settle';
import { dryRunQuery, experimentPageQuery, experimentParam, idParam, MAX_METRICS, metricQuery, pageQuery, trialsQuery } from './schemas';

type Schema = Record<string, unknown>;

interface RouteDoc {
  method: 'get' | 'post' | 'delete';
  /** Hono path (`:id`); written as `{id}` in the document. */
  path: string;
  summary: string;
  params?: z.ZodObject;
  query?: z.ZodObject;
  body?: z.ZodType;
  /** Success status and what it returns. */
  ok: [number, string];
  errors?: number[];
}

const jsonSchema = (s: z.ZodType): Schema => {
  const { $schema: _ignored, ...rest } = z.toJSONSchema(s, { io: 'input', unrepresentable: 'any' }) as Schema;
  return rest;
};

export const ROUTE_DOCS: RouteDoc[] = [
  { method: 'get', path: '/api/health', summary: "Liveness, the engine, the pack size and who may start sweeps (auth); on the Node runner also its thread pool's busy share", ok: [200, '{ok, engine, maxPack, auth, pool?: {threads, busyMs, wallMs, busyFraction, splits, respawned}}'] },
  { method: 'get', path: '/api/openapi.json', summary: 'This document', ok: [200, 'OpenAPI 3.1 document'] },
  {
    method: 'get',
    path: '/api/experiments',
    summary: 'The catalogue, a page at a time: built-ins first, then custom experiments (custom: true, with its spec), with defaults, grid, claims and parameter JSON Schema',
    query: experimentPageQuery,
    ok: [200, '{experiments: [...], next: cursor or null}'],
    errors: [400],
  },
  {
    method: 'post',
    path: '/api/experiments',
    summary:
      'Add a custom experiment from a spec (GET /api/experiments/schema). Its id is the content hash of the spec: the same spec again answers the same id with 200 and writes nothing; a changed spec is a new experiment (specs are immutable)',
    body: experimentSpecSchema,
    ok: [201, 'the experiment as GET /api/experiments/:id describes it, with created: true (200 and created: false when it existed)'],
    errors: [400, 401, 403, 409, 413, 415],
  },
  { method: 'get', path: '/api/experiments/schema', summary: 'JSON Schema of an experiment spec (the body of POST /api/experiments)', ok: [200, 'JSON Schema'] },
  { method: 'get', path: '/api/experiments/:id', summary: 'One experiment, built in or custom', params: experimentParam, ok: [200, 'the experiment'], errors: [404] },
  { method: 'delete', path: '/api/experiments/:id', summary: 'Delete a custom experiment no sweep names (409 for a built-in or one in use)', params: experimentParam, ok: [200, '{deleted}'], errors: [401, 403, 404, 409, 415] },
  {
    method: 'post',
    path: '/api/sweeps',
    summary: 'Start a sweep; params and grid are validated against the experiment (GET /api/experiments). With dryRun=1, validate, size and estimate it and write nothing (200)',
    body: sweepRequestSchema,
    query: dryRunQuery,
    ok: [202, '{id, experiment, trials, packs, grid, repeats, seed}; with dryRun=1: 200 {dryRun, experiment, trials, packs, grid, repeats, seed, estimate: {cpuMs, longestPackMs, longestTrialMs}}'],
    errors: [400, 401, 403, 413, 415, 503],
  },
  {
    method: 'get',
    path: '/api/sweeps',
    summary: 'A page of sweeps, newest first, with status and counts; pass next as cursor for the following page',
    query: pageQuery,
    ok: [200, '{sweeps: [sweep summary], next: cursor or null}'],
    errors: [400],
  },
  { method: 'get', path: '/api/sweeps/:id', summary: 'Status, counts, ETA, stale and stalled trials', params: idParam, ok: [200, 'sweep summary'], errors: [404] },
  { method: 'get', path: '/api/sweeps/:id/configs', summary: 'Grid cells: config key, index, full parameters', params: idParam, ok: [200, '[{config, index, params}]'], errors: [404] },
  {
    method: 'get',
    path: '/api/sweeps/:id/aggregate',
    summary: `Mean, sample std and n per config, metric and step (at most ${MAX_METRICS} metric names)`,
    params: idParam,
    query: metricQuery,
    ok: [200, '{rows: [{config, metric, step, mean, std, n, median, q1, q3}]}, or CSV with format=csv'],
    errors: [400, 404],
  },
  {
    method: 'get',
    path: '/api/sweeps/:id/trials',
    summary: `Raw per-trial results (at most ${MAX_METRICS} metric names), a page of trials at a time; CSV is every trial`,
    params: idParam,
    query: trialsQuery,
    ok: [200, '{trials: [...], next: cursor or null}, or CSV with format=csv'],
    errors: [400, 404],
  },
  {
    method: 'get',
    path: '/api/sweeps/:id/verdict',
    summary:
      "Whether the sweep's evidence supports each claim of its experiment's hypothesis: effect, the interval at the claim's (Holm) level, p, Holm p, result, repeats that might settle it; rule 'fixed' (t-test) or, once settled, 'sequential' (anytime-valid); provisional while trials run",
    params: idParam,
    ok: [200, '{sweep, experiment, status, provisional, trials, rule, claims: [...]}'],
    errors: [404],
  },
  {
    method: 'get',
    path: '/api/sweeps/:id/settle',
    summary: 'The settle state (null before Settle was pressed) and what settling every undecided claim would likely take (trials, estimated CPU ms, claims with no visible effect)',
    params: idParam,
    ok: [200, '{settle: {status, round, budget, spent, reason, history: [...]} | null, estimate: {undecided, trials, cpuMs, unreachable}}'],
    errors: [404],
  },
  {
    method: 'post',
    path: '/api/sweeps/:id/settle',
    summary:
      'Settle: add repeats in rounds to the cells the undecided claims compare, judged by the anytime-valid rule, until every claim is decided or the budget (trials and/or estimated CPU seconds; default: as many trials as the sweep has) is spent. 409 for a cancelled sweep, one without claims, or one already settling',
    params: idParam,
    body: settleBody,
    ok: [202, '{settle, added}'],
    errors: [400, 401, 403, 404, 409, 413, 415, 503],
  },
  { method: 'post', path: '/api/sweeps/:id/cancel', summary: 'Cancel queued and running trials (a running pack stops at its next heartbeat). 409 for a done or failed sweep', params: idParam, ok: [200, 'sweep summary'], errors: [401, 403, 404, 409, 415] },
  { method: 'post', path: '/api/sweeps/:id/retry', summary: 'Re-enqueue failed, cancelled, lost and stale trials (never done ones)', params: idParam, ok: [202, '{requeued, packs, sweep}'], errors: [401, 403, 404, 415] },
  { method: 'delete', path: '/api/sweeps/:id', summary: 'Delete a finished or cancelled sweep and its results', params: idParam, ok: [200, '{deleted}'], errors: [401, 403, 404, 409, 415] },
];

const ERROR_TEXT: Record<number, string> = {
  400: 'invalid request (the issues name each field)',
  401: 'missing or wrong Bearer token (API_TOKEN is set)',
  403: 'Host or Origin not allowed (ALLOWED_HOSTS, ALLOWED_ORIGINS), or a mutation of a server without API_TOKEN from another host (open_api)',
  404: 'no such resource',
  409: "conflict with the resource's state (a sweep's status, an experiment in use or built in)",
  413: `body above ${MAX_BODY} bytes`,
  415: 'mutating requests must be content-type: application/json',
  500: 'internal error or bad server configuration (error: misconfigured)',
  503: 'stored but not enqueued: POST …/retry resends',
};

function parameters(where: 'path' | 'query', schema: z.ZodObject | undefined): Schema[] {
  if (!schema) return [];
  return Object.entries(schema.shape).map(([name, s]) => ({
    name,
    in: where,
    required: where === 'path' || !(s as z.ZodType).safeParse(undefined).success,
    schema: jsonSchema(s as z.ZodType),
  }));
}

let cached: Schema | undefined;

export function openApiDocument(): Schema {
  if (cached) return cached;
  const paths: Record<string, Record<string, Schema>> = {};
  for (const r of ROUTE_DOCS) {
    const path = r.path.replace(/:([A-Za-z_]+)/g, '{$1}');
    const responses: Record<string, Schema> = { [String(r.ok[0])]: { description: r.ok[1], content: { 'application/json': { schema: {} } } } };
    for (const status of [...(r.errors ?? []), 500]) {
      responses[String(status)] = { description: ERROR_TEXT[status], content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } };
    }
    paths[path] ??= {};
    paths[path][r.method] = {
      summary: r.summary,
      operationId: `${r.method}${path.replace(/[{}]/g, '').replace(/\/(\w)/g, (_, ch: string) => ch.toUpperCase()).replace(/[^A-Za-z0-9]/g, '')}`,
      ...(r.params || r.query ? { parameters: [...parameters('path', r.params), ...parameters('query', r.query)] } : {}),
      ...(r.body ? { requestBody: { required: true, content: { 'application/json': { schema: jsonSchema(r.body) } } } } : {}),
      responses,
    };
  }
  cached = {
    openapi: '3.1.0',
    info: {
      title: 'atomsweep API',
      version: '1',
      description:
        'Seeded sweeps of atomic deep-learning experiments. Errors are `{error, issues: [{field, message}]}`. With API_TOKEN set, mutating routes (and reads with PROTECT_READS) need `Authorization: Bearer <token>`.',
    },
    components: {
      schemas: {
        Error: {
          type: 'object',
          required: ['error', 'issues'],
          properties: {
            error: { type: 'string' },
            issues: { type: 'array', items: { type: 'object', required: ['field', 'message'], properties: { field: { type: 'string' }, message: { type: 'string' } } } },
          },
        },
      },
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } },
    },
    paths,
  };
  return cached;
}
