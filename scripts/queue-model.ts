/**
 * A model of running measured packs on Cloudflare Workers + Queues, for `npm run estimate`:
 * every pack is one queue message, a consumer invocation trains one message
 * (`max_batch_size = 1` in wrangler.toml), and at most `concurrency` invocations run at
 * once; messages are delivered in the order they were sent (Queues is close to FIFO), each
 * to the first consumer that frees up. A failed delivery is retried after `retryDelayMs`,
 * re-running the whole pack. The result is the predicted wall time (the makespan) and the
 * bill at published prices.
 */

export interface MeasuredPack {
  /** Experiment (or sweep) the pack belongs to, for the per-experiment report. */
  group: string;
  /** CPU milliseconds of one delivery (the measured pack time). */
  cpuMs: number;
  trials: number;
  /** D1 rows one successful delivery writes (lease, metric rows, done flags). */
  rowsWritten: number;
}

export interface QueueSettings {
  /** Concurrent consumer invocations (Queues' max_concurrency; 250 is the platform cap). */
  concurrency: number;
  /** Added to every invocation: isolate start, tfjs WASM compile and backend set-up. */
  overheadMs: number;
  /** Share of deliveries that fail and are retried (deterministic: every 1/rate-th pack). */
  retryRate: number;
  retryDelayMs: number;
}

/**
 * Prices in USD beyond the Workers Paid plan's monthly inclusions (Workers: requests and
 * CPU ms; Queues: operations, 3 per message of up to 64 KB — write, read, delete; D1: rows
 * written and read), as published by Cloudflare for the Workers Paid plan.
 */
export const PRICES = {
  workerRequestsPerMillion: 0.3,
  workerCpuMsPerMillion: 0.02,
  queueOperationsPerMillion: 0.4,
  d1RowsWrittenPerMillion: 1.0,
  d1RowsReadPerMillion: 0.001,
} as const;

export interface Estimate {
  wallMs: number;
  deliveries: number;
  cpuMs: number;
  /** Busy consumer time / (concurrency × wall): how well the packs fill the consumers. */
  utilisation: number;
  costUsd: { workers: number; queues: number; d1: number; total: number };
  longestPackMs: number;
}

/** Earliest-free-consumer list scheduling in send order; retries go to the back after their delay. */
export function simulate(packs: MeasuredPack[], s: QueueSettings): Estimate {
  if (!(s.concurrency >= 1)) throw new Error('concurrency must be at least 1');
  const free: number[] = Array.from({ length: Math.min(s.concurrency, Math.max(1, packs.length)) }, () => 0);
  // Pending deliveries: time the message becomes visible, the pack, and whether it will fail.
  const every = s.retryRate > 0 ? Math.max(1, Math.round(1 / s.retryRate)) : Infinity;
  let queue = packs.map((p, i) => ({ visibleAt: 0, pack: p, fails: (i + 1) % every === 0 }));
  let wallMs = 0;
  let deliveries = 0;
  let busyMs = 0;
  while (queue.length) {
    const next: typeof queue = [];
    for (const d of queue) {
      let c = 0;
      for (let i = 1; i < free.length; i++) if (free[i] < free[c]) c = i;
      const start = Math.max(free[c], d.visibleAt);
      const took = s.overheadMs + d.pack.cpuMs;
      free[c] = start + took;
      busyMs += took;
      deliveries++;
      wallMs = Math.max(wallMs, free[c]);
      if (d.fails) next.push({ visibleAt: free[c] + s.retryDelayMs, pack: d.pack, fails: false });
    }
    queue = next;
  }
  const cpuMs = busyMs;
  const rowsWritten = packs.reduce((a, p) => a + p.rowsWritten, 0);
  const workers = (deliveries * PRICES.workerRequestsPerMillion + cpuMs * PRICES.workerCpuMsPerMillion) / 1e6;
  const queues = (3 * deliveries * PRICES.queueOperationsPerMillion) / 1e6;
  const d1 = (rowsWritten * PRICES.d1RowsWrittenPerMillion) / 1e6;
  return {
    wallMs,
    deliveries,
    cpuMs,
    utilisation: wallMs > 0 ? busyMs / (free.length * wallMs) : 0,
    costUsd: { workers, queues, d1, total: workers + queues + d1 },
    longestPackMs: Math.max(0, ...packs.map((p) => p.cpuMs)),
  };
}
