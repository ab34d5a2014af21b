/**
 * A custom experiment on the dashboard, in headless Chromium against the Node runner (the
 * same routes and dashboard as the Worker): the README's spec posted through the typed
 * client, a small sweep of it trained by the thread pool, then its sweep page: question,
 * hypothesis, the verdict on its claims and the generic band figure of its hint; and the
 * Experiments page lists it. The screenshot is kept in test-results/ for a human to look at.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createClient, type ExperimentSpecInput } from '../../client';
import { startLocalRunner } from '../../node/server';
import { readmeExample } from '../helpers/readme';
import { launchChromium } from '../helpers/browser';

const dir = mkdtempSync(join(tmpdir(), 'atomsweep-custom-page-'));
let runner: Awaited<ReturnType<typeof startLocalRunner>>;

beforeAll(async () => {
  runner = await startLocalRunner({ port: 0, db: join(dir, 'db.sqlite'), threads: 1, buildDashboard: false });
}, 60_000);
afterAll(async () => {
  await runner?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('custom experiment on the dashboard (headless Chromium)', () => {
  test("its sweep page shows the hypothesis, the verdict on the spec's claims and the band figure of its hint", async () => {
    const api = createClient(runner.url);
    const { spec, id } = readmeExample();
    const created = await api.createExperiment(spec as unknown as ExperimentSpecInput);
    expect(created.id).toBe(id);
    const sweep = await api.createSweep({ experiment: id, repeats: 3, params: { steps: 300 } });
    expect((await api.waitForSweep(sweep.id, { intervalMs: 300, timeoutMs: 240_000 })).status).toBe('done');

    const browser = await launchChromium();
    try {
      const page = await browser.newPage({ viewport: { width: 1300, height: 900 } });
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(String(e)));
      await page.goto(`${runner.url}/#/sweeps/${sweep.id}`);
      await page.waitForSelector('#figure svg');
      await page.waitForSelector('#verdict table.verdict');

      // The generic figure: one panel per width, a band per L2 strength in each.
      const titles = await page.locator('#figure h2').allTextContents();
      expect(titles).toEqual(['width=4', 'width=64']);
      expect(await page.locator('#figure svg g[aria-label="area"] path').count()).toBe(2 * 3);
      expect(await page.locator('#figure svg g.repeats path').count()).toBe(2 * 3 * 3);
      expect(await page.locator('#figure').textContent()).toContain('test_loss over training steps');

      // The question, the hypothesis and the verdict on each of the spec's claims.
      const body = (await page.locator('#app').textContent()) ?? '';
      expect(body).toContain(spec.question as string);
      expect(body).toContain(`Hypothesis: ${spec.hypothesis as string}`);
      expect(body).toContain(`Custom experiment (id ${id}`);
      expect(body).not.toContain('The 2018 notebook concluded');
      const claims = await page.locator('#verdict tr.claim').allTextContents();
      expect(claims).toHaveLength(2);
      // No notebook to agree with: no Notebook column.
      expect(await page.locator('#verdict th').allTextContents()).not.toContain('Notebook');
      (spec.claims as Array<{ statement: string }>).forEach((c, i) => expect(claims[i]).toContain(c.statement));
      // Headline numbers come from the same figure.
      expect(await page.locator('ul.headline li').count()).toBe(6);

      mkdirSync('test-results', { recursive: true });
      await page.screenshot({ path: 'test-results/custom-experiment-sweep.png', fullPage: true });

      // The Experiments page lists it beside the built-ins, marked custom.
      await page.goto(`${runner.url}/#/experiments`);
      await page.waitForSelector(`button[data-experiment="${id}"]`);
      const card = page.locator('.card', { has: page.locator(`button[data-experiment="${id}"]`) });
      expect(await card.locator('h3').textContent()).toBe(`${id}: ${spec.title as string} custom`);
      expect(await page.locator('button[data-experiment="exp1"]').count()).toBe(1);

      // Its "customise…" link opens the New sweep form, generated from the spec's parameters.
      await card.getByRole('link', { name: 'customise…' }).click();
      await page.getByLabel('steps', { exact: true }).fill('100');
      await page.getByLabel('Repeats').fill('2');
      await expect.poll(() => page.locator('#sf-trials').textContent()).toBe('12 trials');
      expect(JSON.parse((await page.locator('#sf-json').inputValue()) || '{}')).toMatchObject({ experiment: id, repeats: 2, params: { steps: 100 }, grid: { width: [4, 64], strength: [0, 0.01, 0.1] } });
      expect(errors).toEqual([]);
    } finally {
      await browser.close();
    }
  }, 300_000);
});
