/**
 * The typed client of the atomsweep API, on Hono's `hc` over the app's own route types
 * (api/app.ts `AppType`), so a changed route or validator breaks its callers at
 * type-check time. Runs in browsers and Node (fetch only). Every non-2xx answer becomes
 * one error class carrying the API's `{status, error, issues}`.
 *
 *   const api = createClient('http://127.0.0.1:8787', { token: process.env.API_TOKEN });
 *   const { id } = await api.createSweep({ experiment: 'exp1', repeats: 5 });
 *   const done = await api.waitForSweep(id);
 */
import { hc, type ClientResponse } from 'hono/client';
import type { AppType } from '../api/app';
import type { ExperimentSpecInput } from '../core/custom/spec';

import type { SettleState } from '../core/settle/types';
export type { AppType, ExperimentSpecInput };

export interface Issue {
  field: string;
  message: string;
}

export class AtomsweepError extends Error {
  constructor(
    readonly status: number,
    readonly error: string,
    readonly issues: Issue[],
  ) {
    super(`HTTP ${status} ${error}${issues.length ? `\n${issues.map((i) => `  ${i.field}: ${i.message}`).join('\n')}` : ''}`);
    this.name = 'AtomsweepError';
  }
}

export interface ClientOptions {
  /** Sent as `Authorization: Bearer <token>` (needed for mutating routes when the server has API_TOKEN). */
  token?: string | null | (() => string | null | undefined);
  /** Per-request timeout. */
  requestTimeoutMs?: number;
  fetch?: typeof fetch;
}

export interface WaitOptions {
  intervalMs?: number;
  /** Overall deadline; past it waitForSweep throws with the last status. */
  timeoutMs?: number;
  onProgress?: (s: SweepSummary) => void;
}

async function errorOf(res: Response): Promise<AtomsweepError> {
  const text = await res.text().catch(() => '');
  try {
    const body = JSON.parse(text) as { error?: unknown; issues?: unknown };
    if (typeof body.error === 'string') return new AtomsweepError(res.status, body.error, Array.isArray(body.issues) ? (body.issues as Issue[]) : []);
  } catch {
    /* not JSON: a proxy or a crashed server */
  }
  return new AtomsweepError(res.status, 'http_error', [{ field: '(response)', message: text.slice(0, 200) || res.statusText }]);
}

/**
 * The JSON answers among a route's typed responses. A route that can also answer in
 * another format (`?format=csv` on aggregate and trials) has those in its union too; the
 * client asks for JSON, so they are dropped rather than widening the result to `{}`, and so
 * is 304 (a conditional read's "unchanged", api/conditional.ts), which has no body.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type JsonOf<R> = R extends ClientResponse<infer T, infer S, 'json'> ? (S extends 304 ? never : T) : never;

/** Every item of a paged list: asks for page after page (each page's `next` as the cursor) until `next` is null. */
export async function allPages<P extends { next?: string | null }, T>(page: (cursor: string | undefined) => Promise<P>, items: (p: P) => T[]): Promise<T[]> {
  const out: T[] = [];
  let cursor: string | undefined;
  do {
    const p = await page(cursor);
    out.push(...items(p));
    cursor = p.next ?? undefined;
  } while (cursor);
  return out;
}

/** The body of a 2xx answer, or the API's error thrown as AtomsweepError. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
async function ok<R extends ClientResponse<any, any, any>>(pending: Promise<R>): Promise<JsonOf<R>> {
  const res = await pending;
  if (!res.ok) throw await errorOf(res as unknown as Response);
  return (await res.json()) as JsonOf<R>;
}

const SAFE = new Set(['GET', 'HEAD']);

/** GET /api/sweeps/:id/settle's answer. */
export interface SettleAnswer {
  settle: SettleState | null;
  estimate: { undecided: number; trials: number; cpuMs: number; unreachable: number };
}

/** Reads until `done`, every `intervalMs` (default 1 s), telling `onProgress` each read; past `timeoutMs`, throws `timeout(last)`. */
async function pollUntil<T>(read: () => Promise<T>, done: (x: T) => boolean, w: { intervalMs?: number; timeoutMs?: number; onProgress?: (x: T) => void }, timeout: (last: T) => Error): Promise<T> {
  const deadline = Date.now() + (w.timeoutMs ?? Infinity);
  for (;;) {
    const x = await read();
    w.onProgress?.(x);
    if (done(x)) return x;
    if (Date.now() > deadline) throw timeout(x);
    await new Promise((r) => setTimeout(r, w.intervalMs ?? 1000));
  }
}

export function createClient(baseUrl: string, opts: ClientOptions = {}) {
  const base = baseUrl.replace(/\/$/, '');
  const baseFetch = opts.fetch ?? ((input: RequestInfo | URL, init?: RequestInit) => fetch(input, init));
  const token = () => (typeof opts.token === 'function' ? opts.token() : opts.token);
  // Every mutating request is JSON (the server answers 415 otherwise), body or not.
  const send: typeof fetch = (input, init = {}) => {
    const headers = new Headers(init.headers);
    const t = token();
    if (t) headers.set('authorization', `Bearer ${t}`);
    if (!SAFE.has((init.method ?? 'GET').toUpperCase()) && !headers.has('content-type')) headers.set('content-type', 'application/json');
    const signal = opts.requestTimeoutMs ? AbortSignal.timeout(opts.requestTimeoutMs) : init.signal;
    return baseFetch(input, { ...init, headers, signal });
  };
  const rpc = hc<AppType>(base, { fetch: send });
  const sweep = (id: string) => rpc.api.sweeps[':id'];
  const list = (xs?: string[]) => (xs?.length ? xs.join(',') : undefined);

  const client = {
    /** The typed `hc` client itself, for routes without a helper below. */
    rpc,
    /** GET a path under the server (for code written against paths, e.g. dashboard/figures/load.ts). */
    get: async <T>(path: string): Promise<T> => {
      const res = await send(`${base}${path}`);
      if (!res.ok) throw await errorOf(res);
      return (await res.json()) as T;
    },
    health: () => ok(rpc.api.health.$get()),
    openapi: () => ok(rpc.api['openapi.json'].$get()),
    /** One page of experiments: the built-ins first, then custom ones; `next` continues it. */
    experimentsPage: (q: { limit?: number; cursor?: string } = {}) =>
      ok(rpc.api.experiments.$get({ query: { limit: q.limit === undefined ? undefined : String(q.limit), cursor: q.cursor } })),
    /** Every experiment, built-in and custom, following the pages. */
    experiments: () =>
      allPages(
        (cursor) => client.experimentsPage({ limit: 500, cursor }),
        (p) => p.experiments,
      ),
    experiment: (id: string) => ok(rpc.api.experiments[':id'].$get({ param: { id } })),
    /**
     * Adds a custom experiment from a spec (GET /api/experiments/schema); answers its
     * description with the content-hash `id` (`created: false` when it already existed).
     */
    // The route's typed input is the parsed spec (defaults filled in); the server fills them from what is written.
    createExperiment: async (spec: ExperimentSpecInput) =>
      (await ok(rpc.api.experiments.$post({ json: spec as Parameters<typeof rpc.api.experiments.$post>[0]['json'], query: {} }))) as Extract<JsonOf<Awaited<ReturnType<typeof rpc.api.experiments.$post>>>, { created: boolean }>,
    /**
     * Validates and compiles a spec without storing it (`?dryRun=1`): the id the real POST
     * would give, its default sweep's trials, packs and CPU estimate. A bad spec throws an
     * AtomsweepError whose issues name each field. Nothing is written.
     */
    planExperiment: async (spec: unknown) =>
      (await ok(rpc.api.experiments.$post({ json: spec as Parameters<typeof rpc.api.experiments.$post>[0]['json'], query: { dryRun: '1' } }))) as Extract<JsonOf<Awaited<ReturnType<typeof rpc.api.experiments.$post>>>, { dryRun: true }>,
    /** The JSON Schema of an experiment spec. */
    experimentSchema: () => ok(rpc.api.experiments.schema.$get()),
    /** Deletes a custom experiment that no sweep names. */
    deleteExperiment: (id: string) => ok(rpc.api.experiments[':id'].$delete({ param: { id } })),
    /** Starts a sweep: 202 with its id, trials and packs. */
    createSweep: async (request: Parameters<typeof rpc.api.sweeps.$post>[0]['json']) =>
      (await ok(rpc.api.sweeps.$post({ json: request, query: {} }))) as Extract<JsonOf<Awaited<ReturnType<typeof rpc.api.sweeps.$post>>>, { id: string }>,
    /**
     * Validates, sizes and estimates a sweep without starting it (`?dryRun=1`): nothing is
     * written. Per claim, the repeats likely to decide it, for `effect` (standard deviations) or
     * the latest finished sweep's effect.
     */
    planSweep: async (request: Parameters<typeof rpc.api.sweeps.$post>[0]['json'], effect?: string) =>
      (await ok(rpc.api.sweeps.$post({ json: request, query: { dryRun: '1', effect } }))) as Extract<JsonOf<Awaited<ReturnType<typeof rpc.api.sweeps.$post>>>, { dryRun: true }>,
    /** One page of sweeps, newest first; pass the page's `next` as `cursor` for the following one. */
    sweeps: (q: { limit?: number; cursor?: string; experiment?: string } = {}) =>
      ok(rpc.api.sweeps.$get({ query: { limit: q.limit === undefined ? undefined : String(q.limit), cursor: q.cursor, experiment: q.experiment } })),
    /** Every sweep, following the pages. */
    allSweeps: (q: { experiment?: string } = {}) =>
      allPages(
        (cursor) => client.sweeps({ limit: 500, cursor, experiment: q.experiment }),
        (p) => p.sweeps,
      ),
    sweep: (id: string) => ok(sweep(id).$get({ param: { id } })),
    configs: (id: string) => ok(sweep(id).configs.$get({ param: { id } })),
    aggregate: (id: string, q: { metric?: string[]; traces?: boolean } = {}) =>
      ok(sweep(id).aggregate.$get({ param: { id }, query: { metric: list(q.metric), traces: q.traces ? '1' : undefined } })),
    /** One page of trials with their results; `next` continues it. */
    trials: (id: string, q: { metric?: string[]; repeat?: number; limit?: number; cursor?: string } = {}) =>
      ok(
        sweep(id).trials.$get({
          param: { id },
          query: { metric: list(q.metric), repeat: q.repeat === undefined ? undefined : String(q.repeat), limit: q.limit === undefined ? undefined : String(q.limit), cursor: q.cursor },
        }),
      ),
    /** Every trial with its results, following the pages. */
    allTrials: async (id: string, q: { metric?: string[]; repeat?: number } = {}) => ({
      trials: await allPages(
        (cursor) => client.trials(id, { ...q, cursor }),
        (p) => p.trials,
      ),
    }),
    /** Whether the sweep supports its experiment's claims (core/verdict). */
    verdict: (id: string) => ok(sweep(id).verdict.$get({ param: { id } })),
    /** The settle state (null before Settle) and what settling the undecided claims would likely take. */
    settleStatus: (id: string) => ok(sweep(id).settle.$get({ param: { id } })),
    /** Settle: repeats added in rounds until every claim is decided or the budget is spent (202). */
    settle: (id: string, budget: { trials?: number; cpuSeconds?: number } = {}) => ok(sweep(id).settle.$post({ param: { id }, json: { budget } })),
    /** Polls until the settle has stopped (decided, budget spent, or the sweep cancelled); returns its last state. */
    waitForSettle: (id: string, w: { intervalMs?: number; timeoutMs?: number; onProgress?: (s: SettleAnswer) => void } = {}): Promise<SettleAnswer> =>
      pollUntil(
        (): Promise<SettleAnswer> => ok(sweep(id).settle.$get({ param: { id } })),
        (s) => s.settle !== null && s.settle.status !== 'running',
        w,
        () => new Error(`settle of ${id} still running after ${w.timeoutMs} ms`),
      ),
    cancel: (id: string) => ok(sweep(id).cancel.$post({ param: { id } })),
    retry: (id: string) => ok(sweep(id).retry.$post({ param: { id } })),
    deleteSweep: (id: string) => ok(sweep(id).$delete({ param: { id } })),
    /** Polls until the sweep is no longer queued or running; returns its final summary. */
    waitForSweep: (id: string, w: WaitOptions = {}) =>
      pollUntil(
        () => client.sweep(id),
        (s) => s.status !== 'queued' && s.status !== 'running',
        w,
        (s) => new SweepTimeoutError(s, w.timeoutMs!),
      ),
  };
  return client;
}

export type Client = ReturnType<typeof createClient>;
export type SweepSummary = Awaited<ReturnType<Client['sweep']>>;
export type SweepRequest = Parameters<Client['createSweep']>[0];

export class SweepTimeoutError extends Error {
  constructor(
    readonly last: { id: string; status: string },
    timeoutMs: number,
  ) {
    super(`sweep ${last.id} still ${last.status} after ${timeoutMs} ms`);
    this.name = 'SweepTimeoutError';
  }
}
