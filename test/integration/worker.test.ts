/**
 * The whole path on the real local runtime: HTTP → Queue → tfjs WASM in workerd → D1 →
 * SQL aggregate → dashboard in headless Chromium.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startLocalRunner } from '../../node/server';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { readmeExample } from '../helpers/readme';
import { startLocalServer, waitForSweep, type LocalServer } from '../helpers/server';
import { launchChromium } from '../helpers/browser';

const SMALL_EXP1 = { experiment: 'exp1', repeats: 3, params: { steps: 400 }, grid: { width: [2, 16] } };
let server: LocalServer;
let sweepId: string;

beforeAll(async () => {
  server = await startLocalServer();
}, 180_000);

afterAll(async () => {
  await server?.stop();
});

describe('local Worker (wrangler dev)', () => {
  test('a small Exp 1 sweep runs through the queue and aggregates in SQL', async () => {
    const res = await fetch(`${server.url}/api/sweeps`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(SMALL_EXP1),
    });
    expect(res.status).toBe(202);
    const created = (await res.json()) as { id: string; trials: number };
    expect(created.trials).toBe(3 * 2 * 3);
    sweepId = created.id;
    const done = (await waitForSweep(server.url, sweepId)) as { status: string; counts: Record<string, number> };
    expect(done.status).toBe('done');
    expect(done.counts).toMatchObject({ total: 18, done: 18, failed: 0 });

    const { rows } = (await (await fetch(`${server.url}/api/sweeps/${sweepId}/aggregate`)).json()) as {
      rows: Array<{ config: string; metric: string; step: number | null; mean: number; std: number | null; n: number }>;
    };
    const finalMse = rows.filter((r) => r.metric === 'mse' && r.step === null);
    expect(finalMse.map((r) => r.config).sort()).toEqual(
      ['abs', 'polynomial', 'sin'].flatMap((f) => [`function=${f},width=16`, `function=${f},width=2`]).sort(),
    );
    // Mean and std recomputed from the raw trials must match the SQL aggregate.
    const { trials } = (await (await fetch(`${server.url}/api/sweeps/${sweepId}/trials?metric=mse`)).json()) as {
      trials: Array<{ config: string; scalars: Record<string, number>; info: { backend: string } }>;
    };
    expect(trials).toHaveLength(18);
    expect(new Set(trials.map((t) => t.info.backend))).toEqual(new Set(['wasm']));
    expect(new Set(trials.map((t) => (t.info as { engine?: string }).engine))).toEqual(new Set(['packed']));
    // The host installed atomsweep's wasm kernels (wrangler's precompiled .wasm import).
    expect(new Set(trials.map((t) => (t.info as { kernels?: string }).kernels))).toEqual(new Set(['atomsweep']));
    for (const r of finalMse) {
      const xs = trials.filter((t) => t.config === r.config).map((t) => t.scalars.mse);
      const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
      const std = Math.sqrt(xs.reduce((a, b) => a + (b - mean) ** 2, 0) / (xs.length - 1));
      expect(r.n).toBe(3);
      expect(r.mean).toBeCloseTo(mean, 12);
      expect(r.std!).toBeCloseTo(std, 12);
    }
    expect(rows.filter((r) => r.metric === 'y_pred' && r.config === 'function=sin,width=16')).toHaveLength(100);
  }, 240_000);

  test('the Node runner (npm run local) writes the same rows as the Worker for the same sweep', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'atomsweep-local-'));
    const runner = await startLocalRunner({ port: 0, db: join(dir, 'db.sqlite'), threads: 2, buildDashboard: false });
    try {
      const res = await fetch(`${runner.url}/api/sweeps`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(SMALL_EXP1) });
      expect(res.status).toBe(202);
      const { id } = (await res.json()) as { id: string };
      expect((await waitForSweep(runner.url, id)).status).toBe('done');
      type Trial = { config: string; repeat: number; scalars: unknown; series: unknown };
      const fetchTrials = async (url: string, sid: string) => ((await (await fetch(`${url}/api/sweeps/${sid}/trials`)).json()) as { trials: Trial[] }).trials;
      const key = (t: Trial) => `${t.config}#${t.repeat}`;
      const viaWorker = new Map((await fetchTrials(server.url, sweepId)).map((t) => [key(t), t]));
      const viaNode = await fetchTrials(runner.url, id);
      expect(viaNode).toHaveLength(viaWorker.size);
      for (const t of viaNode) {
        expect(t.scalars).toEqual(viaWorker.get(key(t))!.scalars);
        expect(t.series).toEqual(viaWorker.get(key(t))!.series);
      }
    } finally {
      await runner.close();
      rmSync(dir, { recursive: true, force: true });
    }
  }, 240_000);

  test("the README's custom experiment: posted to both hosts, the same id, a sweep of it trained by the Worker's queue consumer and by the Node threads gives the same numbers", async () => {
    const { spec, id } = readmeExample();
    const small = { experiment: id, repeats: 2, params: { steps: 200 } };
    const post = (url: string, path: string, body: unknown) => fetch(`${url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const run = async (url: string) => {
      const created = await post(url, '/api/experiments', spec);
      expect(created.status).toBe(201);
      expect(((await created.json()) as { id: string }).id).toBe(id);
      const res = await post(url, '/api/sweeps', small);
      expect(res.status).toBe(202);
      const sweep = ((await res.json()) as { id: string }).id;
      expect((await waitForSweep(url, sweep)).status).toBe('done');
      return ((await (await fetch(`${url}/api/sweeps/${sweep}/trials`)).json()) as { trials: Array<{ config: string; repeat: number; scalars: Record<string, number>; series: unknown }> }).trials;
    };
    const viaWorker = await run(server.url);
    expect(viaWorker).toHaveLength(6 * 2);
    for (const t of viaWorker) expect(t.scalars.test_accuracy).toBeGreaterThan(0.5);
    const dir = mkdtempSync(join(tmpdir(), 'atomsweep-local-'));
    const runner = await startLocalRunner({ port: 0, db: join(dir, 'db.sqlite'), threads: 2, buildDashboard: false });
    try {
      const viaNode = await run(runner.url);
      const key = (t: { config: string; repeat: number }) => `${t.config}#${t.repeat}`;
      const byKey = new Map(viaWorker.map((t) => [key(t), t]));
      expect(viaNode.map(key).sort()).toEqual([...byKey.keys()].sort());
      for (const t of viaNode) {
        expect(t.scalars).toEqual(byKey.get(key(t))!.scalars);
        expect(t.series).toEqual(byKey.get(key(t))!.series);
      }
    } finally {
      await runner.close();
      rmSync(dir, { recursive: true, force: true });
    }
  }, 240_000);

  test("Exp 3's SVM trains in workerd with the loader the Worker passes in the run context", async () => {
    const res = await fetch(`${server.url}/api/sweeps`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ experiment: 'exp3', repeats: 1, grid: { classifier: ['svm'], n: [50] } }) });
    expect(res.status).toBe(202);
    const { id } = (await res.json()) as { id: string };
    expect((await waitForSweep(server.url, id)).status).toBe('done');
    const { trials } = (await (await fetch(`${server.url}/api/sweeps/${id}/trials`)).json()) as { trials: Array<{ status: string; scalars: Record<string, number> }> };
    expect(trials).toHaveLength(1);
    expect(trials[0].scalars.n_support).toBeGreaterThan(0);
    expect(trials[0].scalars.train_accuracy).toBeGreaterThan(0.5);
  }, 120_000);

  test('the dashboard draws the sweep figure with std bands in headless Chromium', async () => {
    const browser = await launchChromium();
    try {
      const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(String(e)));
      await page.goto(`${server.url}/#/sweeps/${sweepId}`);
      await page.waitForSelector('#figure g[aria-label="area"] path', { timeout: 30_000 });
      expect(await page.locator('#figure g[aria-label="area"]').count()).toBe(6);
      expect(await page.locator('#sweep-status .status').textContent()).toBe('done');
      expect(await page.locator('.headline li').count()).toBe(6);
      await page.screenshot({ path: 'test-results/dashboard-exp1.png', fullPage: true });
      await page.goto(`${server.url}/#/`);
      await page.waitForSelector(`#sweeps a[href="#/sweeps/${sweepId}"]`);
      expect(errors).toEqual([]);
    } finally {
      await browser.close();
    }
  }, 120_000);

  test('Settle on both hosts: rounds run by the Worker\'s queue consumer and by the Node pool, the same trials added, with the same numbers', async () => {
    type Settle = { settle: { status: string; round: number; spent: { trials: number }; history: unknown[] } | null; estimate: { undecided: number } };
    type Trial = { config: string; repeat: number; scalars: unknown; series: unknown };
    const settleOn = async (url: string, id: string) => {
      const res = await fetch(`${url}/api/sweeps/${id}/settle`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ budget: { trials: 12 } }) });
      expect(res.status).toBe(202);
      const deadline = Date.now() + 180_000;
      for (;;) {
        const s = (await (await fetch(`${url}/api/sweeps/${id}/settle`)).json()) as Settle;
        if (s.settle && s.settle.status !== 'running') return s.settle;
        if (Date.now() > deadline) throw new Error(`settle of ${id} still running: ${JSON.stringify(s.settle)}`);
        await new Promise((r) => setTimeout(r, 1000));
      }
    };
    const trialsOf = async (url: string, id: string) => ((await (await fetch(`${url}/api/sweeps/${id}/trials`)).json()) as { trials: Trial[] }).trials;
    const viaWorker = await settleOn(server.url, sweepId);
    expect(['decided', 'exhausted']).toContain(viaWorker.status);
    expect(viaWorker.spent.trials).toBeGreaterThan(0);
    expect(viaWorker.spent.trials).toBeLessThanOrEqual(12);
    const verdict = (await (await fetch(`${server.url}/api/sweeps/${sweepId}/verdict`)).json()) as { rule: string; trials: { done: number; total: number } };
    expect(verdict).toMatchObject({ rule: 'sequential', trials: { done: 18 + viaWorker.spent.trials, total: 18 + viaWorker.spent.trials } });

    const dir = mkdtempSync(join(tmpdir(), 'atomsweep-settle-'));
    const runner = await startLocalRunner({ port: 0, db: join(dir, 'db.sqlite'), threads: 2, buildDashboard: false });
    try {
      const res = await fetch(`${runner.url}/api/sweeps`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(SMALL_EXP1) });
      const { id } = (await res.json()) as { id: string };
      expect((await waitForSweep(runner.url, id)).status).toBe('done');
      const viaNode = await settleOn(runner.url, id);
      // The same evidence gives the same verdicts, so the same rounds and the same trials.
      expect(viaNode.status).toBe(viaWorker.status);
      expect(viaNode.history).toHaveLength(viaWorker.history.length);
      const key = (t: Trial) => `${t.config}#${t.repeat}`;
      const worker = new Map((await trialsOf(server.url, sweepId)).map((t) => [key(t), t]));
      const node = await trialsOf(runner.url, id);
      expect(node).toHaveLength(worker.size);
      for (const t of node) {
        expect(t.scalars, key(t)).toEqual(worker.get(key(t))!.scalars);
        expect(t.series, key(t)).toEqual(worker.get(key(t))!.series);
      }
    } finally {
      await runner.close();
      rmSync(dir, { recursive: true, force: true });
    }
  }, 420_000);
});
