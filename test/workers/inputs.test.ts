/**
 * Bad input, table-driven, through the real Hono app on a real local D1: each request gets
 * a 4xx whose JSON body names the field and the rule, and nothing is written.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { app } from '../../workers/worker-app';
import type { Env } from '../../workers/env';
import { localPlatform } from '../helpers/platform';
import { AtomsweepError, createClient } from '../../client';

type Platform = Awaited<ReturnType<typeof localPlatform<Env>>>;
let platform: Platform;
let env: Env;

beforeAll(async () => {
  platform = await localPlatform<Env>();
  env = platform.env as unknown as Env;
}, 60_000);
afterAll(async () => platform?.dispose());

const rows = async () => ({
  sweeps: await platform.count('SELECT count(*) AS n FROM sweeps'),
  trials: await platform.count('SELECT count(*) AS n FROM trials'),
  metrics: await platform.count('SELECT count(*) AS n FROM metrics'),
});

const json = { 'content-type': 'application/json' };
const post = (body: unknown, raw = false) =>
  app.request('/api/sweeps', { method: 'POST', headers: { 'content-type': 'application/json' }, body: raw ? (body as string) : JSON.stringify(body) }, env);

interface Case {
  name: string;
  body: unknown;
  raw?: boolean;
  status: number;
  field: string;
  message: RegExp;
}

const cases: Case[] = [
  { name: 'not JSON', body: '{"experiment":', raw: true, status: 400, field: '(body)', message: /JSON/ },
  { name: 'an array body', body: [1, 2], status: 400, field: '(body)', message: /object/ },
  { name: 'missing experiment', body: {}, status: 400, field: 'experiment', message: /expected string/ },
  { name: 'unknown experiment', body: { experiment: 'exp99' }, status: 400, field: 'experiment', message: /unknown experiment 'exp99'/ },
  { name: 'unknown top-level field', body: { experiment: 'exp1', colour: 'red' }, status: 400, field: 'colour', message: /unknown field/ },
  { name: 'unknown parameter', body: { experiment: 'exp1', params: { n_hidden: 3 } }, status: 400, field: 'params.n_hidden', message: /unknown parameter of exp1/ },
  { name: 'unknown grid parameter', body: { experiment: 'exp2', grid: { n_hidden: [1] } }, status: 400, field: 'grid.n_hidden', message: /unknown parameter of exp2/ },
  { name: 'wrong type', body: { experiment: 'exp1', params: { width: 'big' } }, status: 400, field: 'params.width', message: /expected number/ },
  { name: 'negative steps', body: { experiment: 'exp1', params: { steps: -5 } }, status: 400, field: 'params.steps', message: />=1/ },
  { name: 'zero width in the grid', body: { experiment: 'exp1', grid: { width: [4, 0] } }, status: 400, field: 'grid.width', message: />=1/ },
  { name: 'width beyond the memory budget', body: { experiment: 'exp1', params: { width: 100_000 } }, status: 400, field: 'params.width', message: /<=1024/ },
  { name: 'fractional width', body: { experiment: 'exp2', params: { width: 2.5 } }, status: 400, field: 'params.width', message: /expected int/ },
  { name: 'unknown activation', body: { experiment: 'exp1', params: { activation: 'swish' } }, status: 400, field: 'params.activation', message: /sigmoid/ },
  { name: 'grid value not a list', body: { experiment: 'exp1', grid: { width: 4 } }, status: 400, field: 'grid.width', message: /expected array/ },
  { name: 'empty grid list', body: { experiment: 'exp1', grid: { width: [] } }, status: 400, field: 'grid.width', message: />=1/ },
  { name: 'same parameter fixed and swept', body: { experiment: 'exp1', params: { width: 4 }, grid: { width: [2, 4] } }, status: 400, field: 'grid.width', message: /one place/ },
  { name: 'zero repeats', body: { experiment: 'exp1', repeats: 0 }, status: 400, field: 'repeats', message: />=1/ },
  { name: 'fractional repeats', body: { experiment: 'exp1', repeats: 2.5 }, status: 400, field: 'repeats', message: /expected int/ },
  { name: 'too many repeats', body: { experiment: 'exp1', repeats: 1000 }, status: 400, field: 'repeats', message: /at most 100/ },
  { name: 'negative seed', body: { experiment: 'exp1', seed: -1 }, status: 400, field: 'seed', message: />=0/ },
  { name: 'name too long', body: { experiment: 'exp1', name: 'x'.repeat(500) }, status: 400, field: 'name', message: /<=200/ },
  {
    name: 'total trials above the cap',
    body: { experiment: 'exp1', repeats: 100, grid: { width: Array.from({ length: 50 }, (_, i) => i + 1) } },
    status: 400,
    field: 'grid',
    message: /15000 trials, above the cap of 5000/,
  },
  {
    name: 'a trial beyond the CPU budget',
    body: { experiment: 'exp1', params: { steps: 1_000_000, n: 20_000 } },
    status: 400,
    field: 'params.steps',
    message: /config function=sin,width=2: one trial needs about \d+ s of CPU .*CPU limit of 300 s per invocation/,
  },
  {
    name: 'a million steps of exp2: beyond the Worker CPU limit',
    body: { experiment: 'exp2', params: { steps: 1_000_000 } },
    status: 400,
    field: 'params.steps',
    message: /one trial needs about \d+ s of CPU .*the Worker's CPU limit of 300 s/,
  },
  {
    name: 'a swept value that breaks the CPU budget is named in the grid',
    body: { experiment: 'exp2', grid: { steps: [100, 1_000_000] } },
    status: 400,
    field: 'grid.steps',
    message: /steps=1000000: one trial needs about/,
  },
  {
    name: 'a 15 KB grid of a billion cells: refused by its size before any cell is built',
    body: { experiment: 'exp1', grid: { width: Array.from({ length: 1000 }, (_, i) => i + 1), n: Array.from({ length: 1000 }, (_, i) => i + 2), steps: Array.from({ length: 1000 }, (_, i) => i + 1) } },
    status: 400,
    field: 'grid',
    message: /3000000000 cells × 5 repeats = 15000000000 trials, above the cap of 5000/,
  },
  { name: 'a grid value listed twice', body: { experiment: 'exp12', grid: { lr: [0.01, 0.01] } }, status: 400, field: 'grid.lr', message: /listed twice/ },
  {
    name: 'a curve longer than a series may hold',
    body: { experiment: 'exp14', params: { steps: 100_000 } },
    status: 400,
    field: 'params.steps',
    message: /a series of 2000 checkpoints per trial, above the 1000 a recorded series may hold/,
  },
  { name: '__proto__ in params', body: '{"experiment":"exp1","params":{"__proto__":{"steps":1}}}', raw: true, status: 400, field: 'params.__proto__', message: /'__proto__' is not allowed/ },
  { name: 'prototype in grid', body: { experiment: 'exp1', grid: { prototype: [1] } }, status: 400, field: 'grid.prototype', message: /not allowed/ },
  { name: 'constructor at the top', body: { experiment: 'exp1', constructor: 1 }, status: 400, field: 'constructor', message: /not allowed/ },
  { name: '30,000-deep array', body: `{"experiment":"exp1","params":{"coefs":${'['.repeat(30_000)}${']'.repeat(30_000)}}}`, raw: true, status: 400, field: 'params.coefs.0.0', message: /nested deeper than 4/ },
  { name: 'a list of lists is as deep as it gets', body: { experiment: 'exp1', grid: { coefs: [[[1]]] } }, status: 400, field: 'grid.coefs.0.0', message: /nested deeper than 4/ },
  { name: 'oversized body', body: JSON.stringify({ experiment: 'exp1', name: 'x'.repeat(70_000) }), raw: true, status: 413, field: '(body)', message: /above 65536 bytes/ },
];

describe('bad sweep requests', () => {
  test.each(cases)('$name → $status naming $field', async (c) => {
    const before = await rows();
    const res = await post(c.body, c.raw);
    expect(res.status).toBe(c.status);
    const body = (await res.json()) as { error: string; issues: Array<{ field: string; message: string }> };
    expect(body.error).toMatch(/invalid_request|payload_too_large/);
    const issue = body.issues.find((i) => i.field === c.field);
    expect(issue, JSON.stringify(body.issues)).toBeTruthy();
    expect(issue!.message).toMatch(c.message);
    expect(await rows()).toEqual(before);
  });

  test('bad queries and unknown ids', async () => {
    const ok = await post({ experiment: 'exp1', repeats: 2, params: { steps: 1 } });
    expect(ok.status).toBe(202);
    const { id } = (await ok.json()) as { id: string };
    const before = await rows();
    const bad = await app.request(`/api/sweeps/${id}/aggregate?metric=mse;DROP TABLE trials`, {}, env);
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { issues: Array<{ field: string }> }).issues[0].field).toBe('query.metric');
    const extra = await app.request(`/api/sweeps/${id}/aggregate?limit=5`, {}, env);
    expect(extra.status).toBe(400);
    expect(((await extra.json()) as { issues: Array<{ field: string }> }).issues[0].field).toBe('query.limit');
    const badRepeat = await app.request(`/api/sweeps/${id}/trials?repeat=-1`, {}, env);
    expect(badRepeat.status).toBe(400);
    expect(((await badRepeat.json()) as { issues: Array<{ field: string }> }).issues[0].field).toBe('query.repeat');
    const only0 = (await (await app.request(`/api/sweeps/${id}/trials?repeat=0`, {}, env)).json()) as { trials: Array<{ repeat: number }> };
    expect(only0.trials).toHaveLength(9);
    expect(only0.trials.every((t) => t.repeat === 0)).toBe(true);
    for (const path of ['/api/sweeps/nope', '/api/sweeps/nope/aggregate', '/api/sweeps/nope/trials']) {
      const res = await app.request(path, {}, env);
      expect(res.status).toBe(404);
      expect(((await res.json()) as { issues: Array<{ field: string }> }).issues[0].field).toBe('id');
    }
    for (const path of ['/api/sweeps/nope/cancel', '/api/sweeps/nope/retry', '/api/sweeps/nope/configs']) {
      const res = await app.request(path, { method: path.endsWith('configs') ? 'GET' : 'POST', headers: json }, env);
      expect(res.status).toBe(404);
      expect(await res.json()).toEqual({ error: 'not_found', issues: [{ field: 'id', message: "no sweep 'nope'" }] });
    }
    // Query numbers are strict decimal integers: no hex, exponent or blanks.
    for (const repeat of ['0x10', '1e3', '%205', '5.0', '+5']) {
      const res = await app.request(`/api/sweeps/${id}/trials?repeat=${repeat}`, {}, env);
      expect(res.status, repeat).toBe(400);
      expect(((await res.json()) as { issues: Array<{ field: string }> }).issues[0].field).toBe('query.repeat');
    }
    // The metric list is bounded so each SQL statement stays within D1's 100 bound parameters.
    const names = (n: number) => Array.from({ length: n }, (_, i) => `m${i}`).join(',');
    expect((await app.request(`/api/sweeps/${id}/aggregate?metric=${names(40)}`, {}, env)).status).toBe(200);
    expect((await app.request(`/api/sweeps/${id}/trials?metric=${names(40)}`, {}, env)).status).toBe(200);
    for (const route of ['aggregate', 'trials']) {
      const res = await app.request(`/api/sweeps/${id}/${route}?metric=${names(41)}`, {}, env);
      expect(res.status).toBe(400);
      const body = (await res.json()) as { issues: Array<{ field: string; message: string }> };
      expect(body.issues[0]).toEqual({ field: 'query.metric', message: "at most 40 metric names (each SQL statement stays within D1's 100 bound parameters)" });
    }
    expect((await app.request('/api/experiments/exp99', {}, env)).status).toBe(404);
    expect(await rows()).toEqual(before);
  });
});

describe('delete', () => {
  test('a finished sweep and all its rows are deleted; a running one is refused with 409', async () => {
    const res = await post({ experiment: 'exp1', repeats: 1, params: { steps: 1 } });
    const { id } = (await res.json()) as { id: string };
    const refused = await app.request(`/api/sweeps/${id}`, { method: 'DELETE', headers: json }, env);
    expect(refused.status).toBe(409);
    expect(await platform.count('SELECT count(*) AS n FROM trials WHERE sweep_id = ?', id)).toBe(9);
    expect((await app.request(`/api/sweeps/${id}/cancel`, { method: 'POST', headers: json }, env)).status).toBe(200);
    const deleted = await app.request(`/api/sweeps/${id}`, { method: 'DELETE', headers: json }, env);
    expect(deleted.status).toBe(200);
    expect(await platform.count('SELECT count(*) AS n FROM trials WHERE sweep_id = ?', id)).toBe(0);
    expect((await app.request(`/api/sweeps/${id}`, {}, env)).status).toBe(404);
  });
});

describe('access', () => {
  const withToken = () => ({ ...env, API_TOKEN: 's3cret-token' }) as Env;

  test('with API_TOKEN set, mutating routes need the bearer token; reads stay open', async () => {
    const before = await rows();
    const body = JSON.stringify({ experiment: 'exp1', repeats: 1, params: { steps: 1 } });
    const headers = { 'content-type': 'application/json' };
    for (const auth of [undefined, 'Bearer wrong', 'Bearer s3cret-toke', 's3cret-token', 'Bearer s3cret-token-and-more']) {
      const res = await app.request('/api/sweeps', { method: 'POST', headers: auth ? { ...headers, authorization: auth } : headers, body }, withToken());
      expect(res.status).toBe(401);
      const text = await res.text();
      expect(text).not.toContain('s3cret');
      expect(JSON.parse(text).issues[0].field).toBe('headers.authorization');
    }
    expect(await rows()).toEqual(before);
    expect((await app.request('/api/sweeps', {}, withToken())).status).toBe(200);
    const ok = await app.request('/api/sweeps', { method: 'POST', headers: { ...headers, authorization: 'Bearer s3cret-token' }, body }, withToken());
    expect(ok.status).toBe(202);
  });

  test('PROTECT_READS also guards reads; responses carry security headers', async () => {
    const env2 = { ...withToken(), PROTECT_READS: '1' } as Env;
    expect((await app.request('/api/sweeps', {}, env2)).status).toBe(401);
    const res = await app.request('/api/sweeps', { headers: { authorization: 'Bearer s3cret-token' } }, env2);
    expect(res.status).toBe(200);
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('x-frame-options')).toBe('SAMEORIGIN');
  });
});

describe('engine setting', () => {
  const create = (e: Env) =>
    app.request('/api/sweeps', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ experiment: 'exp1', repeats: 2, params: { steps: 1 } }) }, e);

  test('health names the engine; the baseline engine sends one trial per message, the packed one packs them', async () => {
    expect(await (await app.request('/api/health', {}, env)).json()).toEqual({ ok: true, engine: 'packed', maxPack: 16, auth: 'this-machine-only' });
    const baseline = { ...env, ENGINE: 'baseline' } as Env;
    expect(await (await app.request('/api/health', {}, baseline)).json()).toEqual({ ok: true, engine: 'baseline', maxPack: 1, auth: 'this-machine-only' });
    const packed = (await (await create(env)).json()) as { trials: number; packs: number };
    const single = (await (await create(baseline)).json()) as { trials: number; packs: number };
    expect(packed.trials).toBe(18);
    expect(packed.packs).toBeLessThan(packed.trials);
    expect(single).toMatchObject({ trials: 18, packs: 18 });
  });

  test('an unknown ENGINE fails the request before anything is written', async () => {
    const before = await rows();
    const res = await create({ ...env, ENGINE: 'turbo' } as Env);
    expect(res.status).toBe(500);
    expect(await res.json()).toEqual({ error: 'misconfigured', issues: [{ field: 'ENGINE', message: "ENGINE must be 'packed' or 'baseline'" }] });
    expect(await rows()).toEqual(before);
  });
});

describe('what is stored', () => {
  test('the sweep keeps the validated request with its defaults, not the raw body', async () => {
    const res = await post({ experiment: 'exp1', repeats: 2, params: { steps: 1 } });
    expect(res.status).toBe(202);
    const { id } = (await res.json()) as { id: string };
    const sweep = (await (await app.request(`/api/sweeps/${id}`, {}, env)).json()) as { request: unknown };
    expect(sweep.request).toEqual({
      experiment: 'exp1',
      name: null,
      repeats: 2,
      seed: 0,
      params: { steps: 1 },
      grid: { function: ['sin', 'polynomial', 'abs'], width: [2, 4, 16] },
    });
  });
});

describe('cancel', () => {
  test('a finished sweep is not relabelled cancelled: 409, and the store leaves it alone too', async () => {
    const res = await post({ experiment: 'exp1', repeats: 1, params: { steps: 1 } });
    const { id } = (await res.json()) as { id: string };
    // Finish it without training: every trial done (what a consumer would leave).
    await env.DB.prepare(`UPDATE trials SET status = 'done', finished_at = 1 WHERE sweep_id = ?`).bind(id).run();
    const refused = await app.request(`/api/sweeps/${id}/cancel`, { method: 'POST', headers: json }, env);
    expect(refused.status).toBe(409);
    expect(await refused.json()).toEqual({ error: 'conflict', issues: [{ field: 'id', message: 'sweep is already done; there is nothing to cancel' }] });
    // The route's check and the store's write can race with the last trial finishing:
    // the store's cancel is conditional on something still queued or running.
    const { storeFor } = await import('../../workers/db');
    await storeFor(env).cancelSweep(id);
    const after = (await (await app.request(`/api/sweeps/${id}`, {}, env)).json()) as { status: string };
    expect(after.status).toBe('done');
  });
});

describe('settings', () => {
  test('a non-numeric MAX_TRIALS is a configuration error (500 misconfigured), not a disabled cap, and writes nothing', async () => {
    const body = JSON.stringify({ experiment: 'exp1', repeats: 1, params: { steps: 1 } });
    for (const bad of ['abc', '5k', '1e3', '-1', '0x10', ' ']) {
      const before = await rows();
      const r = await app.request('/api/sweeps', { method: 'POST', headers: json, body }, { ...env, MAX_TRIALS: bad } as Env);
      if (bad === ' ') {
        // Blank means unset: the default cap applies and the sweep is taken.
        expect(r.status).toBe(202);
        continue;
      }
      expect(r.status, bad).toBe(500);
      const answer = (await r.json()) as { error: string; issues: Array<{ field: string }> };
      expect(answer.error).toBe('misconfigured');
      expect(answer.issues.map((i) => i.field)).toEqual(['MAX_TRIALS']);
      expect(await rows()).toEqual(before);
    }
    // A numeric cap is a cap: 9 trials against MAX_TRIALS=5.
    const capped = await app.request('/api/sweeps', { method: 'POST', headers: json, body }, { ...env, MAX_TRIALS: '5' } as Env);
    expect(capped.status).toBe(400);
    expect(((await capped.json()) as { issues: Array<{ message: string }> }).issues[0].message).toMatch(/above the cap of 5/);
  });

  test('each setting is checked: PROTECT_READS, MAX_PACK, ALLOWED_ORIGINS, ALLOWED_HOSTS, an empty API_TOKEN', async () => {
    const fieldOf = async (extra: Record<string, string>) => {
      const r = await app.request('/api/health', {}, { ...env, ...extra } as Env);
      expect(r.status).toBe(500);
      return ((await r.json()) as { issues: Array<{ field: string }> }).issues.map((i) => i.field);
    };
    expect(await fieldOf({ PROTECT_READS: 'yes' })).toEqual(['PROTECT_READS']);
    expect(await fieldOf({ MAX_PACK: '16.5' })).toEqual(['MAX_PACK']);
    expect(await fieldOf({ MAX_PACK: '0' })).toEqual(['MAX_PACK']);
    expect(await fieldOf({ ALLOWED_ORIGINS: 'dash.example' })).toEqual(['ALLOWED_ORIGINS']);
    expect(await fieldOf({ ALLOWED_HOSTS: 'bad host/' })).toEqual(['ALLOWED_HOSTS']);
    expect(await fieldOf({ API_TOKEN: '' })).toEqual(['API_TOKEN']);
    expect((await app.request('/api/health', {}, { ...env, MAX_PACK: '8' } as Env)).status).toBe(200);
  });
});

describe('cross-site', () => {
  const create = (url: string, headers: Record<string, string>, e: Env = env) =>
    app.request(url, { method: 'POST', headers: { ...json, ...headers }, body: JSON.stringify({ experiment: 'exp1', repeats: 1, params: { steps: 1 } }) }, e);

  test('same-origin and configured origins pass; other origins, foreign hosts and non-JSON bodies are refused without a write', async () => {
    const before = await rows();
    const refused: Array<[Response, number, string]> = [
      [await create('http://127.0.0.1:8787/api/sweeps', { origin: 'https://evil.example' }), 403, 'headers.origin'],
      [await create('http://127.0.0.1:8787/api/sweeps', { origin: 'http://127.0.0.1:9999' }), 403, 'headers.origin'],
      [await create('http://rebind.evil.example:8787/api/sweeps', { origin: 'http://rebind.evil.example:8787' }), 403, 'headers.host'],
      [await create('http://127.0.0.1:8787/api/sweeps', { 'content-type': 'text/plain' }), 415, 'headers.content-type'],
      [await app.request('http://127.0.0.1:8787/api/sweeps/x/cancel', { method: 'POST' }, env), 415, 'headers.content-type'],
      [await app.request('http://evil.example/api/sweeps', {}, env), 403, 'headers.host'],
    ];
    for (const [res, status, field] of refused) {
      expect(res.status).toBe(status);
      expect(((await res.json()) as { issues: Array<{ field: string }> }).issues[0].field).toBe(field);
    }
    expect(await rows()).toEqual(before);
    // The dashboard's own origin; production on *.workers.dev; configured extras.
    expect((await create('http://127.0.0.1:8787/api/sweeps', { origin: 'http://127.0.0.1:8787' })).status).toBe(202);
    expect((await create('http://localhost:8788/api/sweeps', { origin: 'http://localhost:8788' })).status).toBe(202);
    const open = { ...env, ALLOW_OPEN: 'true' } as Env;
    expect((await create('https://atomsweep.someone.workers.dev/api/sweeps', { origin: 'https://atomsweep.someone.workers.dev' }, open)).status).toBe(202);
    const custom = { ...env, ALLOWED_HOSTS: 'sweeps.example.org', ALLOWED_ORIGINS: 'https://dash.example.org', ALLOW_OPEN: 'true' } as Env;
    expect((await create('https://sweeps.example.org/api/sweeps', { origin: 'https://dash.example.org' }, custom)).status).toBe(202);
    // ALLOWED_HOSTS replaces the defaults.
    expect((await create('http://127.0.0.1:8787/api/sweeps', {}, custom)).status).toBe(403);
  });
});

describe('a server reachable from elsewhere', () => {
  const create = (url: string, e: Env, headers: Record<string, string> = {}) =>
    app.request(url, { method: 'POST', headers: { ...json, ...headers }, body: JSON.stringify({ experiment: 'exp1', repeats: 1, params: { steps: 1 } }) }, e);

  test('without API_TOKEN it refuses mutations from other hosts with a 403 that says how to set one; reads and loopback stay open; health says which', async () => {
    const before = await rows();
    const res = await create('https://atomsweep.someone.workers.dev/api/sweeps', env);
    expect(res.status).toBe(403);
    expect(await res.json()).toEqual({ error: 'open_api', issues: [{ field: 'API_TOKEN', message: expect.stringMatching(/no API_TOKEN .*wrangler secret put API_TOKEN.*ALLOW_OPEN=true/) }] });
    expect(await rows()).toEqual(before);
    expect((await app.request('https://atomsweep.someone.workers.dev/api/sweeps', {}, env)).status).toBe(200);
    expect(await ((await app.request('https://atomsweep.someone.workers.dev/api/health', {}, env)).json())).toMatchObject({ auth: 'this-machine-only' });
    expect(await ((await app.request('/api/health', {}, { ...env, ALLOW_OPEN: 'true' } as Env)).json())).toMatchObject({ auth: 'open' });
    expect(await ((await app.request('/api/health', {}, { ...env, API_TOKEN: 't0ken' } as Env)).json())).toMatchObject({ auth: 'token-for-writes' });
    expect((await create('http://[::1]:8787/api/sweeps', env)).status).toBe(202);
  });

  test('the request id is always the server’s own, never one the client sends', async () => {
    const res = await app.request('/api/health', { headers: { 'x-request-id': 'chosen-by-client' } }, env);
    const id = res.headers.get('x-request-id');
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
  });

  test('ALLOWED_ORIGINS gets CORS: answers readable from the listed origin, preflights answered; other origins none', async () => {
    const e = { ...env, ALLOWED_ORIGINS: 'https://dash.example.org' } as Env;
    const read = await app.request('http://127.0.0.1:8787/api/sweeps', { headers: { origin: 'https://dash.example.org' } }, e);
    expect(read.status).toBe(200);
    expect(read.headers.get('access-control-allow-origin')).toBe('https://dash.example.org');
    expect(read.headers.get('access-control-expose-headers')).toMatch(/etag/);
    const preflight = await app.request(
      'http://127.0.0.1:8787/api/sweeps',
      { method: 'OPTIONS', headers: { origin: 'https://dash.example.org', 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type,authorization' } },
      { ...e, API_TOKEN: 't0ken', PROTECT_READS: 'true' } as Env,
    );
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-methods')).toMatch(/POST/);
    expect(preflight.headers.get('access-control-allow-headers')).toMatch(/authorization/);
    const same = await app.request('http://127.0.0.1:8787/api/sweeps', {}, e);
    expect(same.headers.get('access-control-allow-origin')).toBeNull();
    expect((await app.request('http://127.0.0.1:8787/api/sweeps', { headers: { origin: 'https://evil.example' } }, e)).status).toBe(403);
  });
});

describe('internal errors', () => {
  test('a 500 names a request id and never echoes the internal message', async () => {
    const broken = { ...env, DB: { prepare: () => { throw new Error('no such table: SELECT secret_column FROM sweeps'); } } } as unknown as Env;
    const errors: unknown[] = [];
    const original = console.error;
    console.error = (...args: unknown[]) => void errors.push(args);
    try {
      const res = await app.request('/api/sweeps', {}, broken);
      expect(res.status).toBe(500);
      const text = await res.text();
      expect(text).not.toMatch(/secret_column|SELECT|no such table/);
      const body = JSON.parse(text) as { error: string; issues: Array<{ field: string; message: string }> };
      expect(body.error).toBe('internal_error');
      const requestId = res.headers.get('x-request-id');
      expect(requestId).toBeTruthy();
      expect(body.issues[0].message).toContain(requestId!);
      expect(JSON.stringify(errors.map(String))).toMatch(/secret_column/);
    } finally {
      console.error = original;
    }
  });
});

describe('typed client (client/index.ts)', () => {
  const clientOn = (e: Env, token?: string) => createClient('http://127.0.0.1:8787', { token, fetch: ((input: RequestInfo | URL, init?: RequestInit) => app.request(input, init, e)) as typeof fetch });

  test('creates, reads and cancels through the real app; a refusal is one AtomsweepError with the issues', async () => {
    const api = clientOn(env);
    const created = await api.createSweep({ experiment: 'exp1', repeats: 1, params: { steps: 1 } });
    expect(created.trials).toBe(9);
    expect((await api.sweep(created.id)).counts.total).toBe(9);
    expect(await api.configs(created.id)).toHaveLength(9);
    // Bodiless POSTs go out as JSON (the server answers 415 otherwise).
    expect((await api.cancel(created.id)).status).toBe('cancelled');
    const err = await api.createSweep({ experiment: 'exp1', repeats: 0 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AtomsweepError);
    expect(err).toMatchObject({ status: 400, error: 'invalid_request', issues: [{ field: 'repeats' }] });
    const missing = await api.sweep('nope').catch((e: unknown) => e);
    expect(missing).toMatchObject({ status: 404, error: 'not_found', issues: [{ field: 'id', message: "no sweep 'nope'" }] });
  });

  test('the token option is sent as a Bearer token', async () => {
    const locked = { ...env, API_TOKEN: 'client-token' } as Env;
    await expect(clientOn(locked).createSweep({ experiment: 'exp1', repeats: 1, params: { steps: 1 } })).rejects.toMatchObject({ status: 401, error: 'unauthorized' });
    const created = await clientOn(locked, 'client-token').createSweep({ experiment: 'exp1', repeats: 1, params: { steps: 1 } });
    expect(created.id).toBeTruthy();
  });
});
