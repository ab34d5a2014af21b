/**
 * The sweep page's Settle card (dashboard/settle.ts) in headless Chromium against the Node
 * runner (node/server.ts, temp SQLite, one training thread): a small exp1 sweep whose claims
 * are undecided shows the estimate; a budget of 12 trials is settled from the page, which
 * polls until the settle stops and shows its rounds (the verdict's history).
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { createClient } from '../../client';
import { startLocalRunner } from '../../node/server';
import { launchChromium } from '../helpers/browser';
import { waitForSweep } from '../helpers/server';

let runner: Awaited<ReturnType<typeof startLocalRunner>>;
let dir: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'atomsweep-settle-page-'));
  runner = await startLocalRunner({ port: 0, db: join(dir, 'db.sqlite'), threads: 1, buildDashboard: false });
}, 60_000);

afterAll(async () => {
  await runner?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

test('Settle from the sweep page: estimate, a 12-trial budget, the rounds as they ran', async () => {
  const client = createClient(runner.url);
  // 2 widths × 3 repeats of sin(12x), polynomial and |x|: too few repeats to decide the claims.
  const { id } = await client.createSweep({ experiment: 'exp1', repeats: 3, params: { steps: 300 }, grid: { width: [2, 16] } } as Parameters<typeof client.createSweep>[0]);
  expect((await waitForSweep(runner.url, id, 60_000)).status).toBe('done');
  const before = await client.settleStatus(id);
  expect(before.settle).toBeNull();
  expect(before.estimate.undecided).toBeGreaterThan(0);

  const browser = await launchChromium();
  try {
    const page = await browser.newPage({ viewport: { width: 1300, height: 900 } });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    const posts: number[] = [];
    page.on('response', (r) => {
      if (r.request().method() === 'POST' && r.url().endsWith(`/api/sweeps/${id}/settle`)) posts.push(r.status());
    });
    await page.goto(`${runner.url}/#/sweeps/${id}`);
    await page.waitForSelector('#settle #settle-estimate');
    expect(await page.locator('#settle-estimate').textContent()).toMatch(/^About \d+ more trials?, (~[\d.]+ (s|min|h)|under 1 s) of CPU, would likely decide /);
    expect(await page.locator('#settle-budget').inputValue()).toBe(String(Math.min(before.estimate.trials, 1000)));
    expect(await page.locator('#settle-rounds').count()).toBe(0);

    await page.getByLabel('Budget (trials)').fill('12');
    await page.getByRole('button', { name: 'Settle', exact: true }).click();
    // The page polls GET settle while it runs; it stops at decided or exhausted.
    await expect.poll(() => page.locator('#settle-status .status').textContent(), { timeout: 60_000, interval: 250 }).toMatch(/^(decided|exhausted)$/);
    expect(posts).toEqual([202]);
    expect(await page.locator('#settle-error').textContent()).toBe('');
    const rows = await page.locator('#settle-rounds tbody tr').count();
    expect(rows).toBeGreaterThanOrEqual(1);
    // Every look shows a mark and the repeats per cell for each claim.
    const first = await page.locator('#settle-rounds tbody tr').first().locator('td.claim').allTextContents();
    expect(first.length).toBeGreaterThan(0);
    for (const cell of first) expect(cell).toMatch(/^[✓✗?] \d+$/);
    const spent = (await page.locator('#settle-spent').textContent())!.match(/· (\d+) of (\d+) trials? spent/);
    expect(spent, 'spent text').not.toBeNull();
    expect(Number(spent![1])).toBeLessThanOrEqual(12);
    expect(Number(spent![2])).toBe(12);
    // The page agrees with the API, and the verdict panel now says it is judged by the anytime-valid rule.
    const after = await client.settleStatus(id);
    expect(after.settle!.spent.trials).toBeLessThanOrEqual(12);
    expect(after.settle!.history).toHaveLength(rows);
    expect(await page.locator('#verdict .caption').textContent()).toContain('anytime-valid');
    expect(await page.locator('#verdict .meta').first().textContent()).toContain('anytime-valid rule');
    mkdirSync('test-results', { recursive: true });
    await page.screenshot({ path: 'test-results/settle-page.png', fullPage: true });
    expect(errors).toEqual([]);
  } finally {
    await browser.close();
  }
}, 90_000);
