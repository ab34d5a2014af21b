/**
 * CPU of a polled verdict, before and after verdicts were stored per sweep version
 * (api/routes/verdict.ts): the dashboard asks for a sweep's verdict every 2 s.
 *
 *   npx tsx bench/verdict-reads.ts [experiment …] [--rounds 15]
 *
 * For each experiment, a finished default sweep with synthetic results (every metric its
 * claims read, as scalar and as series) is stored on the Node runner's SQLite store, then,
 * interleaved round by round:
 * - recompute: what every poll cost before (Store.getSweep + sweepVerdict: every trial's
 *   results read and every claim's statistics computed again; the report of 2026-12-06 was
 *   measured with the bootstrap and permutation statistics of that time);
 * - stored: GET /api/sweeps/:id/verdict through the app, served from the stored answer;
 * - 304: the same GET with If-None-Match of the version the client holds.
 * Prints the median CPU ms per read with its range (process.cpuUsage, one thread).
 */
import { parseArgs } from 'node:util';
import type { MiddlewareHandler } from 'hono';
import { getExperiment } from '../core/experiments';
import { claimMetrics } from '../core/experiments/claims';
import type { TrialResult } from '../core/experiments/types';
import { expandSweep } from '../core/sweep/expand';
import { sweepVerdict } from '../core/verdict/sweep-verdict';
import { openSqliteStore } from '../node/sqlite-store';
import { createApp } from '../api/app';
import type { AppEnv } from '../api/context';

const { values, positionals } = parseArgs({ options: { rounds: { type: 'string', default: '15' } }, allowPositionals: true });
const experiments = positionals.length ? positionals : ['exp4', 'exp7', 'exp10'];
const rounds = Number(values.rounds);

const cpuMs = async (f: () => Promise<unknown>) => {
  const before = process.cpuUsage();
  await f();
  const d = process.cpuUsage(before);
  return (d.user + d.system) / 1000;
};
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const fmt = (xs: number[]) => `${median(xs).toFixed(2)} (${Math.min(...xs).toFixed(2)}–${Math.max(...xs).toFixed(2)})`;

console.log(`| experiment | trials | claims | recompute ms | stored ms | 304 ms |`);
console.log(`|:--|--:|--:|--:|--:|--:|`);
for (const id of experiments) {
  const experiment = getExperiment(id);
  if (!experiment) throw new Error(`unknown experiment ${id}`);
  const { store, sqlite } = openSqliteStore();
  const sweep = expandSweep({ experiment: id }, 'bench');
  await store.createSweep(sweep, { experiment: id }, 0);
  const names = [...new Set((experiment.claims ?? []).flatMap(claimMetrics))];
  // Deterministic synthetic values: every claim has something to judge.
  let x = 1;
  const rand = () => ((x = (x * 48271) % 2147483647) / 2147483647);
  const leases = await store.takeLeases(
    sweep.trials.map((t) => t.id),
    1,
  );
  const results: TrialResult[] = sweep.trials.map((t) => ({
    trialId: t.id,
    scalars: Object.fromEntries(names.map((n) => [n, rand()])),
    series: Object.fromEntries(names.map((n) => [n, { steps: Array.from({ length: 10 }, (_, i) => i * 10), values: Array.from({ length: 10 }, rand) }])),
  }));
  await store.saveResults(results, 2, 1, {}, leases);
  const host: MiddlewareHandler<AppEnv> = async (c, next) => {
    c.set('store', store);
    c.set('enqueue', async () => {});
    await next();
  };
  const app = createApp(host);
  const first = await app.request('/api/sweeps/bench/verdict', {}, {});
  const etag = first.headers.get('etag')!;
  const times = { recompute: [] as number[], stored: [] as number[], notModified: [] as number[] };
  for (let r = 0; r < rounds; r++) {
    times.recompute.push(await cpuMs(async () => sweepVerdict(store, 'bench', Date.now(), { sweep: (await store.getSweep('bench', Date.now()))! })));
    times.stored.push(await cpuMs(async () => (await app.request('/api/sweeps/bench/verdict', {}, {})).json()));
    times.notModified.push(await cpuMs(async () => (await app.request('/api/sweeps/bench/verdict', { headers: { 'if-none-match': etag } }, {})).text()));
  }
  console.log(`| ${id} | ${sweep.trials.length} | ${experiment.claims?.length ?? 0} | ${fmt(times.recompute)} | ${fmt(times.stored)} | ${fmt(times.notModified)} |`);
  sqlite.close();
}
