import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startLocalRunner } from './node/server';
import { createClient } from './client';
import { launchChromium } from './test/helpers/browser';
const dir = mkdtempSync(join(tmpdir(), 'play-'));
const runner = await startLocalRunner({ port: 0, db: join(dir, 'db.sqlite'), threads: 1, buildDashboard: false });
const c = createClient(runner.url);
const { id } = await c.createSweep({ experiment: 'exp1', repeats: 3, params: { steps: 2000, record_every: 100 }, grid: { n_hidden: [2, 16] } } as any);
await c.waitForSweep(id, { intervalMs: 300 });
const browser = await (launchChromium as any)();
const page = await browser.newPage({ viewport: { width: 1300, height: 900 } });
page.on('pageerror', (e: any) => console.log('pageerror', String(e)));
await page.goto(`${runner.url}/#/sweeps/${id}`);
await page.waitForSelector('#settle-estimate');
await page.locator('#settle').screenshot({ path: '/tmp/settle-play/before.png' });
await page.fill('#settle-budget', '60');
await page.click('#settle-start');
let i = 0;
for (let k = 0; k < 200; k++) {
  await page.waitForTimeout(400);
  const st = await page.locator('#settle-status .status').textContent().catch(() => null);
  const rows = await page.locator('#settle-rounds tbody tr').count();
  console.log(k, st, rows, await page.locator('#sweep-status .status').textContent().catch(() => null));
  if (st === 'running' && i < 2) { await page.locator('#settle').screenshot({ path: `/tmp/settle-play/running${i++}.png` }); }
  if (st && st !== 'running') break;
}
await page.locator('#settle').screenshot({ path: '/tmp/settle-play/after.png' });
// a refused request: a second Settle with an absurd budget
await page.fill('#settle-budget', '9999999');
await page.click('#settle-start');
await page.waitForTimeout(800);
await page.locator('#settle').screenshot({ path: '/tmp/settle-play/error.png' });
console.log(await page.locator('#settle-error').textContent());
await browser.close();
await runner.close();
