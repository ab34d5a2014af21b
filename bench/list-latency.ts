/**
 * The Sweeps page at the sizes users reach: creates sweeps on a running server until it
 * holds `--sweeps` (default 1,000; small exp11 sweeps, which the server then trains, so
 * the reads below meet a busy server as they would during a catalogue), then measures
 * the reads the dashboard polls: the first page of GET /api/sweeps, a later page (by
 * cursor), one sweep's status, and its verdict with and without the ETag it was given.
 *
 *   npx tsx bench/list-latency.ts [--server http://127.0.0.1:8787] [--sweeps 1000] [--requests 200]
 *
 * Prints p50/p95/max in ms per read (wall time of the HTTP round trip on loopback).
 */
import { parseArgs } from 'node:util';
import { createClient } from '../client';

const { values } = parseArgs({
  options: {
    server: { type: 'string', default: 'http://127.0.0.1:8787' },
    sweeps: { type: 'string', default: '1000' },
    requests: { type: 'string', default: '200' },
  },
});
const base = values.server!;
const want = Number(values.sweeps);
const requests = Number(values.requests);
const client = createClient(base, { requestTimeoutMs: 60_000 });

const have = (await client.allSweeps()).length;
const t0 = Date.now();
for (let i = have; i < want; i++) {
  await client.createSweep({ experiment: 'exp11', repeats: 1, params: { steps: 50 }, name: `scale ${i}` });
  if ((i + 1) % 100 === 0) console.log(`created ${i + 1} sweeps (${((Date.now() - t0) / 1000).toFixed(0)} s)`);
}

const quantile = (xs: number[], q: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(q * xs.length))];
async function time(name: string, f: () => Promise<Response>): Promise<void> {
  const ms: number[] = [];
  const statuses = new Map<number, number>();
  for (let i = 0; i < requests; i++) {
    const start = performance.now();
    const res = await f();
    await res.arrayBuffer();
    ms.push(performance.now() - start);
    statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
  }
  console.log(`| ${name} | ${quantile(ms, 0.5).toFixed(1)} | ${quantile(ms, 0.95).toFixed(1)} | ${Math.max(...ms).toFixed(1)} | ${[...statuses].map(([s, n]) => `${n}× ${s}`).join(', ')} |`);
}

const first = await client.sweeps();
const all = await client.allSweeps();
const second = await client.sweeps({ cursor: first.next ?? undefined });
const busy = (await client.health()) as { pool?: unknown };
console.log(`\n${all.length} sweeps on ${base}; pages of ${first.sweeps.length}; ${all.filter((s) => s.status === 'queued' || s.status === 'running').length} still queued or running${busy.pool ? '' : ''}\n`);
const some = first.sweeps[0].id;
const etag = (await fetch(`${base}/api/sweeps/${some}/verdict`)).headers.get('etag') ?? '';
console.log('| read | p50 ms | p95 ms | max ms | answers |');
console.log('|:--|--:|--:|--:|:--|');
await time('GET /api/sweeps (first page, 50)', () => fetch(`${base}/api/sweeps`));
await time('GET /api/sweeps?cursor=… (second page)', () => fetch(`${base}/api/sweeps?cursor=${encodeURIComponent(first.next ?? '')}`));
await time('GET /api/sweeps/:id', () => fetch(`${base}/api/sweeps/${some}`));
await time('GET /api/sweeps/:id/verdict', () => fetch(`${base}/api/sweeps/${some}/verdict`));
await time('GET /api/sweeps/:id/verdict, If-None-Match', () => fetch(`${base}/api/sweeps/${some}/verdict`, { headers: { 'if-none-match': etag } }));
void second;
