/**
 * The experiment editor (dashboard/spec-editor/) in headless Chromium against the Node
 * runner: exp14 forked from its page, a parameter and the repeats changed in the form, the
 * server's dry run (id, trials) followed, Create, Run, and the new sweep's page with its
 * figure and verdict once trained; and New experiment with an invalid value, its issue shown
 * next to the field and beside the JSON, the JSON and the form kept in step; and exp4 forked
 * with fewer class ratios and the SVM for its network, whose sweep page keeps exp4's
 * decision-boundary views (the figure hint's named panel). Screenshots are kept in
 * test-results/ for a human to look at.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createClient } from '../../client';
import { startLocalRunner } from '../../node/server';
import { launchChromium } from '../helpers/browser';

const dir = mkdtempSync(join(tmpdir(), 'atomsweep-spec-editor-'));
let runner: Awaited<ReturnType<typeof startLocalRunner>>;

beforeAll(async () => {
  runner = await startLocalRunner({ port: 0, db: join(dir, 'db.sqlite'), threads: 1, buildDashboard: false });
}, 60_000);
afterAll(async () => {
  await runner?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** A form input by its path in the spec (json-editor marks each field with data-schemapath). */
const input = (page: Page, path: string) => page.locator(`[data-schemapath="root.${path}"] :is(input:not(.json-editor-opt-in), select, textarea)`).first();

async function setField(page: Page, path: string, value: string) {
  const field = input(page, path);
  await field.fill(value);
  // json-editor reads a field on change (blur), as a person leaves it.
  await field.press('Tab');
}

/** A page of the dashboard that collects page errors and console errors (the CSP's refusals among them). */
async function dashboardPage(browser: Awaited<ReturnType<typeof launchChromium>>) {
  const page = await browser.newPage({ viewport: { width: 1300, height: 900 } });
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('console', (m) => void (m.type() === 'error' && errors.push(m.text())));
  return { page, errors };
}

describe('experiment editor (headless Chromium)', () => {
  test("fork exp14, change the steps and repeats, follow the dry run, Create, Run: the sweep's page with figure and verdict", async () => {
    const api = createClient(runner.url);
    const browser = await launchChromium();
    mkdirSync('test-results', { recursive: true });
    try {
      const { page, errors } = await dashboardPage(browser);

      // Under the dashboard's CSP (dashboard/csp.json), and nothing it refuses.
      await page.addInitScript(() => document.addEventListener('securitypolicyviolation', (e) => console.error(`CSP violation: ${e.violatedDirective} ${e.blockedURI}`)));
      const served = await page.goto(`${runner.url}/#/experiments/exp14`);
      expect(served!.headers()['content-security-policy']).toMatch(/script-src 'self';/);
      await page.locator('a[data-fork="exp14"]').click();
      await page.waitForSelector('#se-form [data-schemapath="root.training.steps"]');
      await expect.poll(() => page.locator('#se-summary').textContent(), { timeout: 15_000 }).toContain('Valid');
      expect(await input(page, 'title').inputValue()).toMatch(/^Fork of /);
      // The JSON beside the form is the fork's spec.
      const start = JSON.parse(await page.locator('#se-json').inputValue());
      expect(start).toMatchObject({ data: { block: 'mixture' }, model: { block: 'mlp' }, training: { block: 'adam' } });
      expect(start.note).toBeUndefined();
      await page.screenshot({ path: 'test-results/spec-editor-fork.png' });

      const cells = Object.values(start.grid as Record<string, unknown[]>).reduce((n, v) => n * v.length, 1);
      await setField(page, 'training.steps', '60');
      await setField(page, 'repeats', '2');
      await expect.poll(() => page.locator('#se-trials').textContent(), { timeout: 15_000 }).toBe(`${cells * 2} trials`);
      const id = (await page.locator('#se-id').textContent())!;
      expect(id).toMatch(/^x[0-9a-f]{12}$/);
      expect(await page.locator('#se-cpu').textContent()).toMatch(/^about [\d.]+ (s|min) of CPU$/);
      // The JSON followed the form.
      expect(JSON.parse(await page.locator('#se-json').inputValue())).toMatchObject({ repeats: 2, training: { steps: 60 } });
      // Nothing is stored before Create.
      expect((await api.experimentsPage()).experiments.some((e) => e.id === id)).toBe(false);
      expect(await page.locator('#se-run').isDisabled()).toBe(true);

      await page.locator('#se-create').click();
      await expect.poll(() => page.locator('#se-created').textContent()).toBe(`Created ${id}.`);
      const stored = await api.experiment(id);
      expect(stored.spec).toMatchObject({ repeats: 2, training: { block: 'adam', steps: 60 } });
      expect(stored.title).toMatch(/^Fork of /);

      await page.locator('#se-run').click();
      await page.waitForURL(/#\/sweeps\/[\w.-]+$/);
      const sweep = page.url().split('#/sweeps/')[1];
      expect((await api.sweep(sweep)).experiment).toBe(id);
      expect((await api.waitForSweep(sweep, { intervalMs: 300, timeoutMs: 240_000 })).status).toBe('done');
      await page.waitForSelector('#figure svg', { timeout: 30_000 });
      await page.waitForSelector('#verdict table.verdict', { timeout: 30_000 });
      await expect.poll(() => page.locator('#sweep-status .status').textContent(), { timeout: 30_000 }).toBe('done');
      expect(await page.locator('#verdict tr.claim').count()).toBeGreaterThan(0);
      expect(await page.locator('h2').first().textContent()).toContain('Fork of');
      await page.screenshot({ path: 'test-results/spec-editor-sweep.png', fullPage: true });
      expect(errors).toEqual([]);
    } finally {
      await browser.close();
    }
  }, 300_000);

  test("fork exp4, fewer class ratios and repeats, the SVM for the network: the new experiment's sweep page shows the bands, the verdict and exp4's decision-boundary panel", async () => {
    const api = createClient(runner.url);
    const browser = await launchChromium();
    mkdirSync('test-results', { recursive: true });
    try {
      const { page, errors } = await dashboardPage(browser);
      await page.goto(`${runner.url}/#/experiments/exp4`);
      await page.locator('a[data-fork="exp4"]').click();
      await page.waitForSelector('#se-form [data-schemapath="root.grid"]');
      await expect.poll(() => page.locator('#se-summary').textContent(), { timeout: 15_000 }).toContain('Valid');
      // The fork carries exp4's figure hint with its panel.
      const start = JSON.parse(await page.locator('#se-json').inputValue());
      expect(start.figure).toEqual({ x: 'class_ratio', y: 'test_accuracy', color: 'resample', panels: ['decision_boundary'] });
      // The editor shows the panel among the figure hint's fields.
      await expect.poll(() => page.locator('[data-schemapath^="root.figure.panels"]').count()).toBeGreaterThan(0);

      // Fewer repeats in the form; three class ratios (the claims' 10 and 100 among them) and the SVM in the JSON beside it.
      await setField(page, 'repeats', '2');
      await expect.poll(async () => JSON.parse(await page.locator('#se-json').inputValue()).repeats).toBe(2);
      const edited = { ...JSON.parse(await page.locator('#se-json').inputValue()), model: { block: 'svm' } };
      edited.grid = { ...edited.grid, class_ratio: [1, 10, 100] };
      await page.locator('#se-json').fill(JSON.stringify(edited, null, 2));
      await expect.poll(() => page.locator('#se-trials').textContent(), { timeout: 15_000 }).toBe(`${2 * 3 * 2} trials`);
      expect(await page.locator('.se-issue').count()).toBe(0);
      const id = (await page.locator('#se-id').textContent())!;
      await page.locator('[data-schemapath="root.figure"]').screenshot({ path: 'test-results/fork-exp4-svm-editor-figure.png' });

      await page.locator('#se-create').click();
      await expect.poll(() => page.locator('#se-created').textContent()).toBe(`Created ${id}.`);
      expect((await api.experiment(id)).spec).toMatchObject({ model: { block: 'svm' }, grid: { class_ratio: [1, 10, 100] }, figure: { panels: ['decision_boundary'] } });
      await page.locator('#se-run').click();
      await page.waitForURL(/#\/sweeps\/[\w.-]+$/);
      const sweep = page.url().split('#/sweeps/')[1];
      expect((await api.waitForSweep(sweep, { intervalMs: 300, timeoutMs: 240_000 })).status).toBe('done');
      await expect.poll(() => page.locator('#sweep-status .status').textContent(), { timeout: 30_000 }).toBe('done');
      await page.waitForSelector('#verdict table.verdict', { timeout: 30_000 });
      expect(await page.locator('#verdict tr.claim').count()).toBe(3);
      // The bands: test accuracy against the class ratio, one band per resampling.
      const band = page.locator('#figure .figure.spec > div').first();
      await expect.poll(() => band.locator('g[aria-label="area"] path').count(), { timeout: 30_000 }).toBe(2);
      // Exp 4's decision-boundary views: training and test plots per config, repeat 0, the SVM's predicted class as the contour.
      const boundary = page.locator('#figure section.named-panel[data-panel="decision_boundary"]');
      await expect.poll(() => boundary.locator('svg').count(), { timeout: 30_000 }).toBe(6 * 2);
      // Every plot shades the SVM's classes: filled contours, or one colour where it predicts one class on the whole square
      // (the majority, at 100:1 without resampling); the line logit₁ = logit₀ where the class changes inside it.
      const shaded = await boundary.locator('svg').evaluateAll((svgs) => svgs.filter((svg) => svg.querySelector('g[aria-label="contour"] > g[fill-opacity], g[aria-label="rect"]')).length);
      expect(shaded).toBe(6 * 2);
      const cells = [1, 10, 100].flatMap((c) => ['none', 'tile'].map((r) => `class_ratio=${c}, resample=${r} (repeat 0)`));
      expect((await boundary.locator('.panel > h4').allTextContents()).sort()).toEqual(cells.sort());
      await page.screenshot({ path: 'test-results/fork-exp4-svm-sweep.png', fullPage: true });
      await page.locator('#figure').screenshot({ path: 'test-results/fork-exp4-svm-figure.png' });
      expect(errors).toEqual([]);
    } finally {
      await browser.close();
    }
  }, 300_000);

  test('New experiment: an invalid value is named next to its field and beside the JSON; JSON edits reach the form', async () => {
    const browser = await launchChromium();
    try {
      const page = await browser.newPage({ viewport: { width: 1300, height: 900 } });
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(String(e)));
      await page.goto(`${runner.url}/`);
      await page.getByRole('link', { name: 'New experiment' }).click();
      await page.waitForSelector('#se-form [data-schemapath="root.model.width"]');
      await expect.poll(() => page.locator('#se-summary').textContent(), { timeout: 15_000 }).toContain('Valid');
      expect(await page.locator('#se-create').isEnabled()).toBe(true);

      await setField(page, 'model.width', '0');
      const mark = page.locator('[data-schemapath="root.model.width"] .se-issue');
      await expect.poll(() => mark.textContent(), { timeout: 15_000 }).toMatch(/>=\s*1/);
      expect(await page.locator('#se-issues li[data-field="model.width"]').textContent()).toMatch(/^model\.width /);
      expect(await page.locator('#se-summary').textContent()).toContain('1 issue');
      expect(await page.locator('#se-create').isDisabled()).toBe(true);
      await mark.scrollIntoViewIfNeeded();
      await page.screenshot({ path: 'test-results/spec-editor-issue.png' });

      // The JSON side: text that does not parse is named; a valid edit reaches the form and clears the issue.
      const json = page.locator('#se-json');
      await json.fill('{"title": ');
      await expect.poll(() => page.locator('#se-issues li[data-field="(JSON)"]').count()).toBe(1);
      const spec = { title: 'Width from JSON', question: 'Q?', hypothesis: 'H.', data: { block: 'moons' }, model: { block: 'mlp', width: 8 }, training: { block: 'adam', steps: 100 }, record: [{ metric: 'test_accuracy', at: 'end' }], repeats: 3 };
      await json.fill(JSON.stringify(spec, null, 2));
      await expect.poll(() => input(page, 'model.width').inputValue()).toBe('8');
      expect(await input(page, 'repeats').inputValue()).toBe('3');
      await expect.poll(() => page.locator('#se-trials').textContent(), { timeout: 15_000 }).toBe('3 trials');
      expect(await page.locator('.se-issue').count()).toBe(0);
      // The id the dry run gives is the one the real POST gives.
      const dry = (await page.locator('#se-id').textContent())!;
      expect((await createClient(runner.url).createExperiment(spec as never)).id).toBe(dry);
      expect(errors).toEqual([]);
    } finally {
      await browser.close();
    }
  }, 120_000);
});
