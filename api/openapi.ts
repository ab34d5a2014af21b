/**
 * The OpenAPI 3.1 document of the API (`GET /api/openapi.json`), generated from the same
 * zod schemas the validators use (api/schemas.ts, core/sweep/request.ts) with zod's
 * own z.toJSONSchema, and from the response schemas of api/responses.ts (every answer's
 * body, under `components.schemas`; CSV where `format=csv` is allowed; 304 where a read is
 * conditional, api/conditional.ts). test/workers/openapi.test.ts checks it against the
 * OpenAPI 3.1 meta-schema, that every route the app serves is in it, and that real answers
 * of the app are what it declares.
 */
import { z } from 'zod';
import { experimentSpecSchema } from '../core/custom/spec';
import { AGGREGATE_COLUMNS, TRIAL_COLUMNS } from '../core/export/csv';
import { sweepRequestSchema } from '../core/sweep/request';
import { MAX_BODY } from './middleware/body';
import * as R from './responses';
import { settleBody } from './routes/settle';
import { dryRunQuery, experimentPageQuery, experimentParam, specDryRunQuery, idParam, MAX_METRICS, metricQuery, pageQuery, trialsQuery } from './schemas';

type Schema = Record<string, unknown>;

interface RouteDoc {
  method: 'get' | 'post' | 'delete';
  /** Hono path (`:id`); written as `{id}` in the document. */
  path: string;
  summary: string;
  params?: z.ZodObject;
  query?: z.ZodObject;
  body?: z.ZodType;
  /** Each success status, what it means and its JSON body (a schema of api/responses.ts). */
  ok: Answer[];
  /** A conditional read (api/conditional.ts): ETag on 200, 304 when If-None-Match names it. */
  conditional?: true;
  errors?: number[];
}

interface Answer {
  status: number;
  description: string;
  body: z.ZodType;
  /** `format=csv` answers this CSV instead (api/routes/export.ts); the header row's columns. */
  csv?: readonly string[];
}

const ok = (body: z.ZodType, description: string, status = 200, csv?: readonly string[]): Answer[] => [{ status, description, body, ...(csv ? { csv } : {}) }];

const jsonSchema = (s: z.ZodType): Schema => {
  const { $schema: _ignored, ...rest } = z.toJSONSchema(s, { io: 'input', unrepresentable: 'any' }) as Schema;
  return rest;
};

export const ROUTE_DOCS: RouteDoc[] = [
  { method: 'get', path: '/api/health', summary: "Liveness, the engine, the pack size and who may start sweeps (auth); on the Node runner also its thread pool's busy share", ok: ok(R.healthSchema, 'the engine, pack size and auth; pool on the Node runner') },
  { method: 'get', path: '/api/openapi.json', summary: 'This document', ok: ok(R.openApiDocumentSchema, 'OpenAPI 3.1 document') },
  {
    method: 'get',
    path: '/api/experiments',
    summary: 'The catalogue, a page at a time: built-ins first, then custom experiments (custom: true, with its spec), with defaults, grid, claims and parameter JSON Schema',
    query: experimentPageQuery,
    ok: ok(R.experimentPageSchema, 'a page of experiments; next continues it (null on the last page)'),
    errors: [400],
  },
  {
    method: 'post',
    path: '/api/experiments',
    summary:
      'Add a custom experiment from a spec (GET /api/experiments/schema). Its id is the content hash of the spec: the same spec again answers the same id with 200 and writes nothing; a changed spec is a new experiment (specs are immutable). With dryRun=1, validate and compile it, size and estimate its default sweep, and write nothing (200)',
    body: experimentSpecSchema,
    query: specDryRunQuery,
    ok: [
      { status: 201, description: 'stored: the experiment as GET /api/experiments/:id describes it, with created: true', body: R.experimentCreatedSchema },
      { status: 200, description: 'the same spec was stored already: the experiment, with created: false (nothing written)', body: R.experimentCreatedSchema },
      { status: 200, description: "dryRun=1: the experiment as it would be stored (its id), its default sweep's trials, packs and CPU estimate, and stored (whether this spec is already stored); nothing written", body: R.experimentDryRunSchema },
    ],
    errors: [400, 401, 403, 409, 413, 415],
  },
  { method: 'get', path: '/api/experiments/schema', summary: 'JSON Schema of an experiment spec (the body of POST /api/experiments)', ok: ok(R.experimentSpecJsonSchemaSchema, 'JSON Schema (draft 2020-12) of a spec as an author writes it') },
  { method: 'get', path: '/api/experiments/:id', summary: 'One experiment, built in or custom', params: experimentParam, ok: ok(R.experimentSchema, 'the experiment'), errors: [404] },
  { method: 'delete', path: '/api/experiments/:id', summary: 'Delete a custom experiment no sweep names (409 for a built-in or one in use)', params: experimentParam, ok: ok(R.deletedSchema, 'deleted: its id'), errors: [401, 403, 404, 409, 415] },
  {
    method: 'post',
    path: '/api/sweeps',
    summary: 'Start a sweep; params and grid are validated against the experiment (GET /api/experiments). With dryRun=1, validate, size and estimate it and write nothing (200)',
    body: sweepRequestSchema,
    query: dryRunQuery,
    ok: [
      { status: 202, description: 'stored and enqueued: the sweep id, its size and design', body: R.sweepCreatedSchema },
      { status: 200, description: 'dryRun=1: the size and design, the pack-time estimates and per claim the repeats likely to decide it; nothing written', body: R.dryRunSchema },
    ],
    errors: [400, 401, 403, 413, 415, 503],
  },
  {
    method: 'get',
    path: '/api/sweeps',
    summary: 'A page of sweeps, newest first, with status and counts; pass next as cursor for the following page',
    query: pageQuery,
    ok: ok(R.sweepPageSchema, 'a page of sweep summaries; next continues it (null on the last page)'),
    errors: [400],
  },
  { method: 'get', path: '/api/sweeps/:id', summary: 'Status, counts, ETA, stale and stalled trials', params: idParam, ok: ok(R.sweepSummarySchema, 'the sweep summary'), errors: [404] },
  { method: 'get', path: '/api/sweeps/:id/configs', summary: 'Grid cells: config key, index, full parameters', params: idParam, ok: ok(R.configsSchema, 'the grid cells'), conditional: true, errors: [404] },
  {
    method: 'get',
    path: '/api/sweeps/:id/aggregate',
    summary: `Mean, sample std and n per config, metric and step (at most ${MAX_METRICS} metric names)`,
    params: idParam,
    query: metricQuery,
    ok: ok(R.aggregateSchema, 'the aggregate rows, or with format=csv the same rows as CSV', 200, AGGREGATE_COLUMNS),
    conditional: true,
    errors: [400, 404],
  },
  {
    method: 'get',
    path: '/api/sweeps/:id/trials',
    summary: `Raw per-trial results (at most ${MAX_METRICS} metric names), a page of trials at a time; CSV is every trial`,
    params: idParam,
    query: trialsQuery,
    ok: ok(R.trialPageSchema, 'a page of trials (next continues it), or with format=csv every trial as CSV, one row per value', 200, TRIAL_COLUMNS),
    conditional: true,
    errors: [400, 404],
  },
  {
    method: 'get',
    path: '/api/sweeps/:id/verdict',
    summary:
      "Whether the sweep's evidence supports each claim of its experiment's hypothesis: effect, the interval at the claim's (Holm) level, p, Holm p, result, repeats that might settle it; rule 'fixed' (t-test) or, once settled, 'sequential' (anytime-valid); provisional while trials run",
    params: idParam,
    ok: ok(R.sweepVerdictSchema, 'the verdict of each claim'),
    conditional: true,
    errors: [404],
  },
  {
    method: 'get',
    path: '/api/sweeps/:id/settle',
    summary: 'The settle state (null before Settle was pressed) and what settling every undecided claim would likely take (trials, estimated CPU ms, claims with no visible effect)',
    params: idParam,
    ok: ok(R.settleSchema, 'the settle state (null before Settle was pressed) and the estimate'),
    errors: [404],
  },
  {
    method: 'post',
    path: '/api/sweeps/:id/settle',
    summary:
      'Settle: add repeats in rounds to the cells the undecided claims compare, judged by the anytime-valid rule, until every claim is decided or the budget (trials and/or estimated CPU seconds; default: as many trials as the sweep has) is spent. 409 for a cancelled sweep, one without claims, or one already settling',
    params: idParam,
    body: settleBody,
    ok: ok(R.settleStartedSchema, 'settling: the state and the trials its first round added', 202),
    errors: [400, 401, 403, 404, 409, 413, 415, 503],
  },
  { method: 'post', path: '/api/sweeps/:id/cancel', summary: 'Cancel queued and running trials (a running pack stops at its next heartbeat). 409 for a done or failed sweep', params: idParam, ok: ok(R.sweepSummarySchema, 'the sweep summary after the cancel'), errors: [401, 403, 404, 409, 415] },
  { method: 'post', path: '/api/sweeps/:id/retry', summary: 'Re-enqueue failed, cancelled, lost and stale trials (never done ones)', params: idParam, ok: ok(R.retrySchema, 'trials requeued, packs sent, and the sweep summary', 202), errors: [401, 403, 404, 415] },
  { method: 'delete', path: '/api/sweeps/:id', summary: 'Delete a finished or cancelled sweep and its results', params: idParam, ok: ok(R.deletedSchema, 'deleted: its id'), errors: [401, 403, 404, 409, 415] },
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

function paramsOf(where: 'path' | 'query', schema: z.ZodObject | undefined): Schema[] {
  if (!schema) return [];
  return Object.entries(schema.shape).map(([name, s]) => ({
    name,
    in: where,
    required: where === 'path' || !(s as z.ZodType).safeParse(undefined).success,
    schema: jsonSchema(s as z.ZodType),
  }));
}

const COMPONENT = '#/components/schemas/';

/**
 * Every response schema of api/responses.ts as a component, converted together so that one
 * named inside another is a `$ref` to its component. Output side: what the server writes
 * (defaults filled in), and plain objects closed (`additionalProperties: false`).
 */
function responseComponents(): Record<string, Schema> {
  const { schemas } = z.toJSONSchema(R.responseRegistry, { io: 'output', unrepresentable: 'any', uri: (id) => `${COMPONENT}${id}` }) as { schemas: Record<string, Schema> };
  // Shared definitions (zod's `__shared`) would need refs the document cannot resolve: none is expected.
  if ('__shared' in schemas) throw new Error(`api/responses.ts: response schemas need shared $defs (${Object.keys(schemas.__shared).join(', ')}); register them by name`);
  return Object.fromEntries(Object.entries(schemas).map(([id, { $schema: _s, $id: _id, ...rest }]) => [id, rest]));
}

const refTo = (body: z.ZodType): Schema => {
  const id = R.responseRegistry.get(body)?.id;
  if (!id) throw new Error('api/openapi.ts: a response body is not a registered schema of api/responses.ts');
  return { $ref: `${COMPONENT}${id}` };
};

const ETAG_HEADERS = {
  ETag: { description: "The answer's version (core/db/store.ts SweepSummary.version; the verdict's also names its claims and rule): send it back as If-None-Match", schema: { type: 'string' } },
  'Cache-Control': { description: 'private, no-cache: keep it, but revalidate each time', schema: { type: 'string' } },
};

function answers(r: RouteDoc): Record<string, Schema> {
  const responses: Record<string, Schema> = {};
  for (const a of r.ok) {
    const content: Record<string, Schema> = { 'application/json': { schema: refTo(a.body) } };
    if (a.csv) content['text/csv'] = { schema: { type: 'string', description: `format=csv: RFC 4180 with CRLF line ends and a header row (${a.csv.join(',')}); empty fields are null (core/export/csv.ts)` } };
    const earlier = responses[String(a.status)];
    if (earlier) {
      // Two answers with one status (POST /api/experiments: created: false, or a dry run): one of their bodies.
      const json = (earlier.content as Record<string, Schema>)['application/json'].schema as Schema;
      const bodies = 'oneOf' in json ? (json.oneOf as Schema[]) : [json];
      responses[String(a.status)] = { ...earlier, description: `${earlier.description as string}; or ${a.description}`, content: { 'application/json': { schema: { oneOf: [...bodies, refTo(a.body)] } } } };
      continue;
    }
    responses[String(a.status)] = { description: a.description, ...(r.conditional ? { headers: ETAG_HEADERS } : {}), content };
  }
  if (r.conditional) responses['304'] = { description: 'Not modified: If-None-Match names the current ETag (no body)', headers: ETAG_HEADERS };
  for (const status of [...(r.errors ?? []), 500]) {
    responses[String(status)] = { description: ERROR_TEXT[status], content: { 'application/json': { schema: { $ref: `${COMPONENT}Error` } } } };
  }
  return responses;
}

const IF_NONE_MATCH = { name: 'If-None-Match', in: 'header', required: false, description: 'An ETag of an earlier answer: 304 while it is current', schema: { type: 'string' } };

let cached: Schema | undefined;

export function openApiDocument(): Schema {
  if (cached) return cached;
  const paths: Record<string, Record<string, Schema>> = {};
  for (const r of ROUTE_DOCS) {
    const path = r.path.replace(/:([A-Za-z_]+)/g, '{$1}');
    const parameters = [...paramsOf('path', r.params), ...paramsOf('query', r.query), ...(r.conditional ? [IF_NONE_MATCH] : [])];
    paths[path] ??= {};
    paths[path][r.method] = {
      summary: r.summary,
      operationId: `${r.method}${path.replace(/[{}]/g, '').replace(/\/(\w)/g, (_, ch: string) => ch.toUpperCase()).replace(/[^A-Za-z0-9]/g, '')}`,
      ...(parameters.length ? { parameters } : {}),
      ...(r.body ? { requestBody: { required: true, content: { 'application/json': { schema: jsonSchema(r.body) } } } } : {}),
      responses: answers(r),
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
      schemas: responseComponents(),
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } },
    },
    paths,
  };
  return cached;
}
