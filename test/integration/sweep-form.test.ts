/**
 * The new-sweep form (dashboard/sweep-form/) in headless Chromium against the Node runner
 * (node/server.ts, temp SQLite, one training thread): a client-side error, a server-side
 * 400 mapped next to its input, then a valid sweep that lands on its page and finishes.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { startLocalRunner } from '../../node/server';
import { waitForSweep } from '../helpers/server';
import { launchChromium } from '../helpers/browser';

const SHOTS = '/tmp/h5-shots';
let runner: Awaited<ReturnType<typeof startLocalRunner>>;
let dir: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'atomsweep-form-'));
  runner = await startLocalRunner({ port: 0, db: join(dir, 'db.sqlite'), threads: 1, buildDashboard: false });
});

afterAll(async () => {
  await runner?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

test('the form builds, checks and submits an exp1 sweep, which finishes', async () => {
  // One finished exp1 sweep, so the form has trials to estimate from.
  const seedRes = await fetch(`${runner.url}/api/sweeps`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ experiment: 'exp1', repeats: 1, params: { steps: 40, width: 2 } }),
  });
  expect(seedRes.status).toBe(202);
  expect((await waitForSweep(runner.url, ((await seedRes.json()) as { id: string }).id)).status).toBe('done');

  const browser = await launchChromium();
  try {
    const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    const posts: number[] = [];
    page.on('response', (r) => {
      if (r.request().method() === 'POST' && r.url().endsWith('/api/sweeps')) posts.push(r.status());
    });
    await page.goto(`${runner.url}/#/new`);
    await page.getByLabel('Experiment', { exact: true }).selectOption('exp1');
    await expect.poll(() => page.locator('#sf-estimate').textContent()).toContain('from 3 trials of exp1 already run');

    // Parameters through their labels: a fixed function, a small steps value, a grid of two width values.
    await page.getByLabel('sweep function over a list of values').uncheck();
    await page.getByLabel('function', { exact: true }).selectOption('abs');
    await page.getByLabel('steps', { exact: true }).fill('0');
    await page.getByLabel('width', { exact: true }).fill('2, 8');
    await page.getByLabel('Repeats').fill('2');
    await expect.poll(() => page.locator('#sf-trials').textContent()).toBe('4 trials');
    expect(await page.locator('#sf-estimate').textContent()).toMatch(/^About .+, from 3 trials of exp1 already run/);

    // Client-side: steps below the schema's minimum is marked and nothing is sent.
    await page.getByRole('button', { name: 'Start sweep' }).click();
    expect(await page.locator('[data-param="steps"] .field-error').textContent()).toBe('must be ≥ 1');
    expect(posts).toEqual([]);
    await page.getByLabel('steps', { exact: true }).fill('100');
    expect(await page.locator('[data-param="steps"] .field-error').textContent()).toBe('');

    // Server-side: the form does not know the API's repeat cap; its 400 lands next to Repeats.
    await page.getByLabel('Repeats').fill('101');
    await page.getByRole('button', { name: 'Start sweep' }).click();
    await expect.poll(() => page.locator('#sf-repeats-error').textContent()).toBe('at most 100');
    expect(posts).toEqual([400]);
    mkdirSync(SHOTS, { recursive: true });
    await page.locator('#sf-advanced summary').click();
    await page.screenshot({ path: `${SHOTS}/form.png`, fullPage: true });

    await page.getByLabel('Repeats').fill('2');
    expect(JSON.parse((await page.locator('#sf-json').inputValue()) || '{}')).toEqual({
      experiment: 'exp1',
      repeats: 2,
      seed: 0,
      params: { function: 'abs', steps: 100 },
      grid: { width: [2, 8] },
    });
    await page.getByRole('button', { name: 'Start sweep' }).click();
    await page.waitForURL(/#\/sweeps\/[\w.-]+$/);
    const id = page.url().split('#/sweeps/')[1];
    expect(posts).toEqual([400, 202]);
    const done = (await waitForSweep(runner.url, id)) as { status: string; counts: { total: number; done: number } };
    expect(done.status).toBe('done');
    expect(done.counts).toMatchObject({ total: 4, done: 4 });
    await expect.poll(() => page.locator('#sweep-status .status').textContent(), { timeout: 20_000 }).toBe('done');
    await page.screenshot({ path: `${SHOTS}/sweep.png`, fullPage: true });
    expect(errors).toEqual([]);
  } finally {
    await browser.close();
  }
}, 180_000);
