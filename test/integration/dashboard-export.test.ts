/**
 * The sweep page's view toggle and figure export, and the compare page, in headless
 * Chromium against the Node runner (same routes and dashboard as the Worker): the PNG
 * comes out of a real canvas (a tainted canvas would throw), the SVG is the figure.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startLocalRunner } from '../../node/server';
import { waitForSweep } from '../helpers/server';
import { launchChromium } from '../helpers/browser';
import { createClient } from '../../client';

const dir = mkdtempSync(join(tmpdir(), 'atomsweep-export-'));
let runner: Awaited<ReturnType<typeof startLocalRunner>>;

beforeAll(async () => {
  runner = await startLocalRunner({ port: 0, db: join(dir, 'db.sqlite'), threads: 1, buildDashboard: false });
}, 60_000);
afterAll(async () => {
  await runner?.close();
  rmSync(dir, { recursive: true, force: true });
});

async function start(request: Record<string, unknown>): Promise<string> {
  const res = await fetch(`${runner.url}/api/sweeps`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(request) });
  expect(res.status).toBe(202);
  const { id } = (await res.json()) as { id: string };
  expect((await waitForSweep(runner.url, id)).status).toBe('done');
  return id;
}

describe('dashboard in headless Chromium: repeats view, SVG/PNG export, compare page', () => {
  test('toggle, downloads and compare on real sweeps', async () => {
    const small = { experiment: 'exp10', repeats: 3, params: { steps: 30, n: 100, width: 12 }, grid: { initializer: ['xavier', 'zeros'] } };
    const a = await start({ ...small, seed: 0 });
    const b = await start({ ...small, seed: 1 });
    const browser = await launchChromium();
    try {
      const page = await browser.newPage({ viewport: { width: 1300, height: 900 }, acceptDownloads: true });
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(String(e)));
      await page.goto(`${runner.url}/#/sweeps/${a}`);
      // Default view: 2 configs × 3 repeats as faint lines.
      await page.waitForSelector('#figure g.repeats path');
      expect(await page.locator('#figure g.repeats path').count()).toBe(6);
      await page.uncheck('#figure-view input[name=repeats]');
      await page.waitForFunction(() => !document.querySelector('#figure g.repeats') && document.querySelector('#figure svg'));
      // Band IQR → ±1 std: the band's outline changes (the figure is redrawn with the new view).
      const iqrBand = await page.locator('#figure g[aria-label="area"] path').first().getAttribute('d');
      await page.selectOption('#figure-view select[name=band]', 'std');
      await page.waitForFunction((before) => document.querySelector('#figure g[aria-label="area"] path')?.getAttribute('d') !== before, iqrBand);
      expect(await page.evaluate(() => localStorage.getItem('atomsweep-figure-view'))).toBe('{"band":"std","center":"median","repeats":false}');
      await page.check('#figure-view input[name=repeats]');
      await page.waitForSelector('#figure g.repeats path');

      const svgDownload = await Promise.all([page.waitForEvent('download'), page.click('#export-svg')]).then(([d]) => d);
      expect(svgDownload.suggestedFilename()).toBe(`${a}-exp10.svg`);
      const svg = readFileSync((await svgDownload.path())!, 'utf8');
      expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
      expect(svg).toContain('Performance for Various Initializers');
      expect(svg).toContain('class="repeats"');
      const pngDownload = await Promise.all([page.waitForEvent('download'), page.click('#export-png')]).then(([d]) => d);
      expect(pngDownload.suggestedFilename()).toBe(`${a}-exp10.png`);
      const png = readFileSync((await pngDownload.path())!);
      expect(png.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
      // IHDR: twice the figure's CSS size.
      const figureWidth = await page.evaluate(() => Math.ceil(document.querySelector('#figure > *')!.getBoundingClientRect().width));
      expect(png.readUInt32BE(16)).toBe(2 * figureWidth);
      expect(png.length).toBeGreaterThan(20_000); // a drawn figure, not a blank canvas

      // The list: tick the two sweeps, Compare.
      await page.goto(`${runner.url}/#/`);
      await page.waitForSelector('#sweeps');
      expect(await page.locator('#compare').isDisabled()).toBe(true);
      await page.check(`input.pick[value="${a}"]`);
      await page.check(`input.pick[value="${b}"]`);
      await page.click('#compare');
      await page.waitForSelector('#compare-figure svg');
      expect(page.url()).toContain(`#/compare?ids=${a},${b}`);
      expect(await page.locator('#compare-figure g[aria-label="line"] path').count()).toBe(2 * 2);
      expect(await page.locator('#compare-diff tr.differs td:first-child').allTextContents()).toEqual(['seed']);
      expect(errors).toEqual([]);
    } finally {
      await browser.close();
    }
  }, 180_000);

  test('the Sweeps page pages: 50 rows, then older ones by cursor, and back to the newest', async () => {
    // Enough one-trial sweeps to need a second page.
    for (let i = 0; i < 51; i++) {
      const res = await fetch(`${runner.url}/api/sweeps`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ experiment: 'exp11', repeats: 1, params: { steps: 1 }, name: `page ${i}` }) });
      expect(res.status).toBe(202);
    }
    const total = (await createClient(runner.url).allSweeps()).length;
    expect(total).toBeGreaterThan(50);
    expect(total).toBeLessThanOrEqual(100);
    const browser = await launchChromium();
    try {
      const page = await browser.newPage({ viewport: { width: 1300, height: 900 } });
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(String(e)));
      await page.goto(`${runner.url}/#/sweeps`);
      await page.waitForSelector('#sweeps tbody tr');
      expect(await page.locator('#sweeps tbody tr').count()).toBe(50);
      const newest = await page.locator('#sweeps tbody tr td:nth-child(2)').first().textContent();
      await page.click('#older');
      await page.waitForFunction((rest) => location.hash.startsWith('#/sweeps?cursor=') && document.querySelectorAll('#sweeps tbody tr').length === rest, total - 50);
      const older = await page.locator('#sweeps tbody tr td:nth-child(2)').allTextContents();
      expect(older).not.toContain(newest);
      expect(await page.locator('#older').count()).toBe(0);
      await page.click('#newest');
      await page.waitForFunction(() => document.querySelectorAll('#sweeps tbody tr').length === 50);
      expect(errors).toEqual([]);
    } finally {
      await browser.close();
    }
  }, 120_000);
});
