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

  test('a bad request is refused as it would be, and a bad dryRun value is named', async () => {
    const refused = await post('?dryRun=1', { experiment: 'exp2', params: { steps: 1_000_000 } });
    expect(refused.status).toBe(400);
    expect(await refused.json()).toMatchObject({ issues: [{ field: 'params.steps' }] });
    const odd = await post('?dryRun=yes', { experiment: 'exp1' });
    expect(odd.status).toBe(400);
    expect(await odd.json()).toMatchObject({ issues: [{ field: 'query.dryRun' }] });
  });
});
