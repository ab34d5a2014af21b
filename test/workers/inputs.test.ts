/**
 * Bad input, table-driven, through the real Hono app on a real local D1: each request gets
 * a 4xx whose JSON body names the field and the rule, and nothing is written.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { app } from '../../workers/worker-app';
import type { Env } from '../../workers/env';
import { localPlatform } from '../helpers/platform';

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
  { name: 'unknown parameter', body: { experiment: 'exp1', params: { depth: 3 } }, status: 400, field: 'params.depth', message: /unknown parameter of exp1/ },
  { name: 'unknown grid parameter', body: { experiment: 'exp2', grid: { n_hidden: [1] } }, status: 400, field: 'grid.n_hidden', message: /unknown parameter of exp2/ },
  { name: 'wrong type', body: { experiment: 'exp1', params: { n_hidden: 'big' } }, status: 400, field: 'params.n_hidden', message: /expected number/ },
  { name: 'negative steps', body: { experiment: 'exp1', params: { steps: -5 } }, status: 400, field: 'params.steps', message: />=1/ },
  { name: 'zero width in the grid', body: { experiment: 'exp1', grid: { n_hidden: [4, 0] } }, status: 400, field: 'grid.n_hidden', message: />=1/ },
  { name: 'width beyond the memory budget', body: { experiment: 'exp1', params: { n_hidden: 100_000 } }, status: 400, field: 'params.n_hidden', message: /<=4096/ },
  { name: 'fractional width', body: { experiment: 'exp2', params: { width: 2.5 } }, status: 400, field: 'params.width', message: /expected int/ },
  { name: 'unknown activation', body: { experiment: 'exp1', params: { activation: 'swish' } }, status: 400, field: 'params.activation', message: /sigmoid/ },
  { name: 'grid value not a list', body: { experiment: 'exp1', grid: { n_hidden: 4 } }, status: 400, field: 'grid.n_hidden', message: /expected array/ },
  { name: 'empty grid list', body: { experiment: 'exp1', grid: { n_hidden: [] } }, status: 400, field: 'grid.n_hidden', message: />=1/ },
  { name: 'same parameter fixed and swept', body: { experiment: 'exp1', params: { n_hidden: 4 }, grid: { n_hidden: [2, 4] } }, status: 400, field: 'grid.n_hidden', message: /one place/ },
  { name: 'zero repeats', body: { experiment: 'exp1', repeats: 0 }, status: 400, field: 'repeats', message: />=1/ },
  { name: 'fractional repeats', body: { experiment: 'exp1', repeats: 2.5 }, status: 400, field: 'repeats', message: /expected int/ },
  { name: 'too many repeats', body: { experiment: 'exp1', repeats: 1000 }, status: 400, field: 'repeats', message: /at most 100/ },
  { name: 'negative seed', body: { experiment: 'exp1', seed: -1 }, status: 400, field: 'seed', message: />=0/ },
  { name: 'name too long', body: { experiment: 'exp1', name: 'x'.repeat(500) }, status: 400, field: 'name', message: /<=200/ },
  {
    name: 'total trials above the cap',
    body: { experiment: 'exp1', repeats: 100, grid: { n_hidden: Array.from({ length: 50 }, (_, i) => i + 1) } },
    status: 400,
    field: 'grid',
    message: /15000 trials, above the cap of 5000/,
  },
  {
    name: 'a trial beyond the CPU budget',
    body: { experiment: 'exp1', params: { steps: 1_000_000, num_values: 100_000 } },
    status: 400,
    field: 'grid',
    message: /config function=sin,n_hidden=2: .*per-trial budget/,
  },
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
    for (const path of ['/api/sweeps/nope/cancel', '/api/sweeps/nope/retry']) expect((await app.request(path, { method: 'POST' }, env)).status).toBe(404);
    expect((await app.request('/api/experiments/exp99', {}, env)).status).toBe(404);
    expect(await rows()).toEqual(before);
  });
});

describe('delete', () => {
  test('a finished sweep and all its rows are deleted; a running one is refused with 409', async () => {
    const res = await post({ experiment: 'exp1', repeats: 1, params: { steps: 1 } });
    const { id } = (await res.json()) as { id: string };
    const refused = await app.request(`/api/sweeps/${id}`, { method: 'DELETE' }, env);
    expect(refused.status).toBe(409);
    expect(await platform.count('SELECT count(*) AS n FROM trials WHERE sweep_id = ?', id)).toBe(9);
    expect((await app.request(`/api/sweeps/${id}/cancel`, { method: 'POST' }, env)).status).toBe(200);
    const deleted = await app.request(`/api/sweeps/${id}`, { method: 'DELETE' }, env);
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
    expect(await (await app.request('/api/health', {}, env)).json()).toEqual({ ok: true, engine: 'packed', maxPack: 16 });
    const baseline = { ...env, ENGINE: 'baseline' } as Env;
    expect(await (await app.request('/api/health', {}, baseline)).json()).toEqual({ ok: true, engine: 'baseline', maxPack: 1 });
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
    expect(((await res.json()) as { message: string }).message).toMatch(/ENGINE must be 'packed' or 'baseline'/);
    expect(await rows()).toEqual(before);
  });
});
