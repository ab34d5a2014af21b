/**
 * Bounded load test on loopback: one sweep of 2,100 small trials through the local Queue
 * and D1 completes with none lost and none doubled (each trial leased once and its result
 * written once, counted by info.writes, not only by the metric key), while status requests
 * keep being answered. Latency is printed (and belongs in the closing note), not asserted.
 */
import { afterAll, beforeAll, expect, test } from 'vitest';
import { createClient } from '../../client';
import { startLocalServer, type LocalServer } from '../helpers/server';

let server: LocalServer;
beforeAll(async () => {
  server = await startLocalServer();
}, 180_000);
afterAll(async () => server?.stop());

const quantile = (xs: number[], q: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(q * xs.length))];

test('2,100 trials: every one done exactly once; the API answers meanwhile', async () => {
  const widths = [1, 2, 3, 4, 5, 6, 7];
  const res = await fetch(`${server.url}/api/sweeps`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ experiment: 'exp1', repeats: 100, params: { steps: 3, n: 10 }, grid: { width: widths } }),
  });
  expect(res.status).toBe(202);
  const { id, trials } = (await res.json()) as { id: string; trials: number };
  expect(trials).toBe(2100);

  const started = Date.now();
  const latencies: number[] = [];
  let status: { status: string; counts: Record<string, number> };
  for (;;) {
    const t0 = performance.now();
    status = (await (await fetch(`${server.url}/api/sweeps/${id}`)).json()) as typeof status;
    latencies.push(performance.now() - t0);
    if (!['queued', 'running'].includes(status.status)) break;
    if (Date.now() - started > 600_000) throw new Error(`still ${status.status} after 10 minutes: ${JSON.stringify(status.counts)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  const seconds = (Date.now() - started) / 1000;
  expect(status.status).toBe('done');
  expect(status.counts).toMatchObject({ total: 2100, done: 2100, failed: 0, queued: 0, running: 0 });

  // Exactly one final MSE per trial: n = 100 repeats in each of the 21 configs.
  const { rows } = (await (await fetch(`${server.url}/api/sweeps/${id}/aggregate?metric=mse,n_params`)).json()) as { rows: Array<{ metric: string; step: number | null; n: number }> };
  const finals = rows.filter((r) => r.step === null);
  expect(finals).toHaveLength(21 * 2);
  expect(finals.every((r) => r.n === 100)).toBe(true);
  const curve = rows.filter((r) => r.metric === 'mse' && r.step !== null);
  // One checkpoint per config: Exp 1 records every 1,000 updates from the first, so 3 steps give update 1 only.
  expect(curve).toHaveLength(21 * 1);
  expect(curve.every((r) => r.n === 100)).toBe(true);
  // Trials come in pages of at most 500 (`next` continues): 2,100 take five.
  const { trials: raw } = await createClient(server.url).allTrials(id, { metric: ['n_params'] });
  expect(new Set(raw.map((t) => t.id)).size).toBe(2100);
  // The metric key would hide a second insert: count the result writes themselves. Nothing
  // failed here, so every trial was leased once and written once, by that lease.
  const off = raw.filter((t) => t.status !== 'done' || t.attempts !== 1 || t.info?.writes !== 1 || t.info?.attempt !== 1 || !Number.isFinite(t.scalars.n_params));
  expect(off.slice(0, 5)).toEqual([]);

  console.log(
    `load: 2100 trials in ${seconds.toFixed(1)} s (${(2100 / seconds).toFixed(1)} trials/s); status latency over ${latencies.length} requests: p50 ${quantile(latencies, 0.5).toFixed(1)} ms, p95 ${quantile(latencies, 0.95).toFixed(1)} ms, max ${Math.max(...latencies).toFixed(1)} ms`,
  );
}, 700_000);
