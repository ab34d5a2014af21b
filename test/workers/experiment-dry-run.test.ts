/**
 * POST /api/experiments?dryRun=1 on both hosts (the Worker's app on D1, the Node runner's
 * on SQLite; test/helpers/storage-modes.ts): the same validation and compilation as the real
 * POST, the id it would give, the default sweep's trials and CPU estimate, and nothing
 * written, whether the spec is valid or not.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { readmeExample } from '../helpers/readme';
import { apiOver, STORAGE_MODES } from '../helpers/storage-modes';

const example = readmeExample();

describe.each(STORAGE_MODES)('experiment dry run on the $name store', (mode) => {
  let opened: Awaited<ReturnType<typeof mode.open>>;
  let api: ReturnType<typeof apiOver>;
  beforeAll(async () => {
    opened = await mode.open();
    api = apiOver(opened);
  }, 60_000);
  afterAll(async () => opened?.dispose());

  const stored = () => opened.count('SELECT count(*) AS n FROM experiments');
  const post = async (query: string, body: unknown) => {
    const res = await api(`/api/experiments${query}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };

  test("a valid spec: 200 with the id the real POST then gives, the default sweep's trials and CPU estimate; nothing stored before the real POST", async () => {
    const dry = await post('?dryRun=1', example.spec);
    expect(dry.status, JSON.stringify(dry.body)).toBe(200);
    // The README's example: 2 widths × 3 strengths × 5 repeats.
    expect(dry.body).toMatchObject({ id: example.id, dryRun: true, stored: false, trials: 30, issues: [], custom: true, title: example.spec.title, grid: example.spec.grid });
    const estimate = dry.body.estimate as { cpuMs: number; longestPackMs: number; longestTrialMs: number };
    expect(estimate.cpuMs).toBeGreaterThan(0);
    expect(estimate.cpuMs).toBeGreaterThanOrEqual(estimate.longestPackMs);
    expect(dry.body.cpuSeconds).toBeCloseTo(estimate.cpuMs / 1000, 1);
    expect(dry.body.packs).toBeGreaterThanOrEqual(1);
    expect(await stored()).toBe(0);
    // Twice: still nothing.
    expect((await post('?dryRun=1', example.spec)).status).toBe(200);
    expect(await stored()).toBe(0);
    // dryRun=0 is the real POST.
    const real = await post('?dryRun=0', example.spec);
    expect(real.status).toBe(201);
    expect(real.body.id).toBe(dry.body.id);
    expect(await stored()).toBe(1);
    // The sweep the dry run sized is the one a sweep request then makes.
    const sweepPlan = await api('/api/sweeps?dryRun=1', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ experiment: example.id }) });
    expect(await sweepPlan.json()).toMatchObject({ trials: dry.body.trials, packs: dry.body.packs, estimate });
    // Once stored, a dry run says so.
    expect((await post('?dryRun=1', example.spec)).body).toMatchObject({ id: example.id, stored: true });
  });

  test('an invalid spec: 400 invalid_spec naming the field, and nothing stored', async () => {
    const before = await stored();
    for (const [spec, field] of [
      [{ ...example.spec, model: { block: 'mlp', width: 0 } }, 'model.width'],
      [{ ...example.spec, grid: { ...(example.spec.grid as object), dropout: [0.1, 0.5] } }, 'grid.dropout'],
      [{ ...example.spec, title: '' }, 'title'],
    ] as const) {
      const res = await post('?dryRun=1', spec);
      expect(res.status, field).toBe(400);
      expect(res.body.error).toBe('invalid_spec');
      expect((res.body.issues as Array<{ field: string }>).map((i) => i.field)).toContain(field);
    }
    expect((await post('?dryRun=true', example.spec)).body).toMatchObject({ error: 'invalid_request', issues: [{ field: 'query.dryRun' }] });
    expect(await stored()).toBe(before);
  });
});
