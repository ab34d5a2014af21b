/**
 * POST /api/sweeps?dryRun=1 on both hosts: the same validation, trials and packs as a real
 * sweep, with the pack-time model's CPU estimates, and nothing written or sent.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { apiOver, STORAGE_MODES } from '../helpers/storage-modes';

describe.each(STORAGE_MODES)('dry run on the $name store', (mode) => {
  let opened: Awaited<ReturnType<typeof mode.open>>;
  let api: ReturnType<typeof apiOver>;
  beforeAll(async () => {
    opened = await mode.open();
    api = apiOver(opened);
  }, 60_000);
  afterAll(async () => opened?.dispose());

  const sweeps = async () => Number(((await opened.invocation().db.all('SELECT count(*) AS n FROM sweeps' as never)) as Array<{ n: number }>)[0].n);
  const post = (query: string, body: unknown) => api(`/api/sweeps${query}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

  test('sizes and estimates the sweep a real request would make, and writes nothing', async () => {
    const request = { experiment: 'exp8', repeats: 5 };
    const plan = await post('?dryRun=1', request);
    expect(plan.status).toBe(200);
    const body = (await plan.json()) as { dryRun: boolean; trials: number; packs: number; estimate: { cpuMs: number; longestPackMs: number; longestTrialMs: number } };
    expect(await sweeps()).toBe(0);
    expect(body.dryRun).toBe(true);
    expect(body.estimate.longestTrialMs).toBeGreaterThan(0);
    expect(body.estimate.longestPackMs).toBeGreaterThanOrEqual(body.estimate.longestTrialMs * 0.5);
    expect(body.estimate.cpuMs).toBeGreaterThanOrEqual(body.estimate.longestPackMs);
    // The real request makes exactly those trials and packs.
    const real = await post('', request);
    expect(real.status).toBe(202);
    expect(await real.json()).toMatchObject({ trials: body.trials, packs: body.packs });
    expect(await sweeps()).toBe(1);
  });

  test('power: per claim, the repeats per cell likely to decide it for a smallest effect of interest', async () => {
    type Power = Array<{ statement: string; effect: number | null; basis: string | null; planned: number; repeatsNeeded: number | null }>;
    const powerFor = async (effect?: string) => ((await (await post(`?dryRun=1${effect ? `&effect=${effect}` : ''}`, { experiment: 'exp7', repeats: 5 })).json()) as { power: Power }).power;
    const large = await powerFor('1');
    const small = await powerFor('0.5');
    expect(large).toHaveLength(4);
    for (const [i, c] of large.entries()) {
      expect(c).toMatchObject({ effect: 1, basis: 'smallest effect of interest: d = 1', planned: 5 });
      // Paired, d = 1: at least the 10 a single claim at 5% needs; a halved effect needs about four times as many.
      expect(c.repeatsNeeded!).toBeGreaterThanOrEqual(10);
      expect(small[i].repeatsNeeded!).toBeGreaterThan(3 * c.repeatsNeeded!);
    }
    // No earlier finished sweep of exp7 and no effect given: nothing to go by.
    expect((await powerFor()).every((c) => c.repeatsNeeded === null && c.basis === null)).toBe(true);
    const bad = await post('?dryRun=1&effect=-1', { experiment: 'exp7' });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ issues: [{ field: 'query.effect' }] });
  });

  test('a config whose blocks do not fit together (a kernel wider than the images) is a 400 naming the parameter, and nothing is written', async () => {
    const before = await sweeps();
    for (const [body, field] of [
      [{ experiment: 'exp17', params: { kernel: 9 } }, 'params.kernel'],
      [{ experiment: 'exp17', grid: { kernel: [3, 9] } }, 'grid.kernel'],
    ] as const) {
      for (const query of ['', '?dryRun=1']) {
        const res = await post(query, body);
        expect(res.status, `${JSON.stringify(body)} ${query}`).toBe(400);
        expect(await res.json()).toMatchObject({ error: 'invalid_request', issues: [{ field, message: expect.stringMatching(/kernel 9 is larger than the image side 8/) }] });
      }
    }
    expect(await sweeps()).toBe(before);
  });

  // A sweep request over a spec is held to the rules the spec's own grid passed
  // (core/custom/compile.ts cellMisfit), config by config.
  test.each([
    { name: 'more checkpoints than a series holds', body: { experiment: 'exp14', params: { steps: 100_000 } }, field: 'params.steps', message: /a series of 2000 checkpoints per trial, above the 1000 a recorded series may hold/ },
    { name: 'the same, from a grid axis', body: { experiment: 'exp14', grid: { steps: [400, 100_000] } }, field: 'grid.steps', message: /config .*steps=100000: a series of 2000 checkpoints per trial/ },
    { name: 'a duplicate grid value', body: { experiment: 'exp14', grid: { depth: [2, 2] } }, field: 'grid.depth', message: /listed twice/ },
  ])('a spec experiment: $name → 400 naming $field, nothing written', async (c) => {
    const before = await sweeps();
    for (const query of ['', '?dryRun=1']) {
      const res = await post(query, c.body);
      expect(res.status, `${JSON.stringify(c.body)} ${query}`).toBe(400);
      const body = (await res.json()) as { error: string; issues: Array<{ field: string; message: string }> };
      expect(body.error).toBe('invalid_request');
      expect(body.issues.find((i) => i.field === c.field)?.message, JSON.stringify(body.issues)).toMatch(c.message);
    }
    expect(await sweeps()).toBe(before);
  });

  test('a bad request is refused as it would be, and a bad dryRun value is named', async () => {
    const refused = await post('?dryRun=1', { experiment: 'exp2', params: { steps: 1_000_000 } });
    expect(refused.status).toBe(400);
    expect(await refused.json()).toMatchObject({ issues: [{ field: 'params.steps' }] });
    const odd = await post('?dryRun=yes', { experiment: 'exp1' });
    expect(odd.status).toBe(400);
    expect(await odd.json()).toMatchObject({ issues: [{ field: 'query.dryRun' }] });
  });
});
