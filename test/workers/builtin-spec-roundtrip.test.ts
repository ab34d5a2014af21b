/**
 * Every built-in written as a spec, on both hosts: GET /api/experiments/:id gives its spec;
 * posting that spec back creates a custom experiment under the spec's content id
 * (core/custom/spec.ts specId), posting it again answers the same id and writes nothing,
 * and the copy plans the same default sweep as the built-in (same grid, repeats, trials).
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { specId, type ExperimentSpec } from '../../core/custom/spec';
import { validateSpec } from '../../core/custom/validate';
import { BUILTIN_SPECS } from '../../core/experiments/specs';
import { apiOver, STORAGE_MODES } from '../helpers/storage-modes';

describe.each(STORAGE_MODES)('built-in specs round-trip on the $name store', (mode) => {
  let opened: Awaited<ReturnType<typeof mode.open>>;
  let api: ReturnType<typeof apiOver>;
  beforeAll(async () => {
    opened = await mode.open();
    api = apiOver(opened);
  }, 60_000);
  afterAll(async () => opened?.dispose());

  const call = async (method: string, path: string, body?: unknown) => {
    const res = await api(path, { method, headers: { 'content-type': 'application/json' }, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };

  test.each(BUILTIN_SPECS.map((b) => `exp${b.number}`))('%s: GET gives the spec; POST stores it under its content id, once', async (id) => {
    const got = await call('GET', `/api/experiments/${id}`);
    expect(got.status).toBe(200);
    expect(got.body).toMatchObject({ id, custom: false });
    const spec = got.body.spec as ExperimentSpec;
    expect(spec).not.toBeNull();
    const v = validateSpec(spec);
    expect(v.ok ? [] : v.issues).toEqual([]);
    const expected = await specId((v as { spec: ExperimentSpec }).spec);
    const before = await opened.count('SELECT count(*) AS n FROM experiments');
    const first = await call('POST', '/api/experiments', spec);
    expect(first.status, JSON.stringify(first.body)).toBe(201);
    expect(first.body).toMatchObject({ id: expected, created: true, custom: true, grid: got.body.grid, repeats: got.body.repeats });
    const again = await call('POST', '/api/experiments', spec);
    expect(again).toMatchObject({ status: 200, body: { id: expected, created: false } });
    expect(await opened.count('SELECT count(*) AS n FROM experiments')).toBe(before + 1);
    // The copy plans the built-in's default sweep.
    const plan = async (experiment: string) => (await call('POST', '/api/sweeps?dryRun=1', { experiment })).body.trials;
    expect(await plan(expected)).toBe(await plan(id));
  }, 60_000);
});
