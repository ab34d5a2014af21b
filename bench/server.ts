import { AtomsweepError, createClient, SweepTimeoutError, type SweepRequest } from '../client';

/**
 * End-to-end throughput through the local stack (`npm start`: wrangler dev with the API,
 * local Queues, the consumer and local D1): POST a sweep, poll until it settles.
 */
export interface SweepRun {
  experiment: string;
  request: unknown;
  id?: string;
  trials?: number;
  packs?: number;
  status: string;
  counts?: Record<string, number>;
  /** POST sent → poll saw a settled status (includes up to one poll interval). */
  clientWallMs?: number;
  /** Server's own createdAt → finishedAt (last result stored), when both are reported. */
  serverWallMs?: number;
  trialsPerSecond?: number;
  error?: string;
}

/** The typed API client (client/index.ts), with the token from $API_TOKEN. */
const clientFor = (base: string, requestTimeoutMs: number) => createClient(base, { token: process.env.API_TOKEN, requestTimeoutMs });

const describe = (err: unknown) => (err instanceof AtomsweepError ? `${err.status}: ${err.message.slice(0, 500)}` : String((err as Error)?.message ?? err));

/** null when the server answers its health check, else why not. */
export async function serverProblem(base: string): Promise<string | null> {
  try {
    const health = await clientFor(base, 5000).health();
    return health.ok ? null : `health check answered ${JSON.stringify(health).slice(0, 200)}`;
  } catch (err) {
    return `health check failed: ${describe(err)}`;
  }
}

export async function runSweep(base: string, request: { experiment: string; [k: string]: unknown }, opts: { timeoutMs: number; pollMs?: number; log?: (s: string) => void }): Promise<SweepRun> {
  const out: SweepRun = { experiment: request.experiment, request, status: 'not_started' };
  const t0 = performance.now();
  let created;
  try {
    created = await clientFor(base, 30_000).createSweep(request as SweepRequest);
  } catch (err) {
    out.status = 'rejected';
    out.error = `POST /api/sweeps → ${describe(err)}`;
    return out;
  }
  Object.assign(out, { id: created.id, trials: created.trials, packs: created.packs });
  // A poll can stall while the consumer computes (one workerd process serves both), so
  // a long per-request timeout; the overall deadline is separate.
  let lastLog = 0;
  try {
    const summary = await clientFor(base, 120_000).waitForSweep(created.id, {
      intervalMs: opts.pollMs ?? 250,
      timeoutMs: opts.timeoutMs,
      onProgress: (s) => {
        out.status = s.status;
        out.counts = s.counts;
        const elapsed = performance.now() - t0;
        if (opts.log && elapsed - lastLog > 10_000) {
          lastLog = elapsed;
          opts.log(`  ${request.experiment} ${out.id}: ${s.status} ${s.counts.done}/${s.counts.total} done after ${(elapsed / 1000).toFixed(0)} s`);
        }
      },
    });
    out.clientWallMs = Math.round(performance.now() - t0);
    if (summary.finishedAt && summary.createdAt) out.serverWallMs = summary.finishedAt - summary.createdAt;
    const wall = out.serverWallMs ?? out.clientWallMs;
    out.trialsPerSecond = Math.round(((summary.counts.done ?? out.trials ?? 0) / (wall / 1000)) * 1000) / 1000;
  } catch (err) {
    out.status = err instanceof SweepTimeoutError ? `timeout (last: ${err.last.status})` : `poll_error (${describe(err)})`;
    out.clientWallMs = Math.round(performance.now() - t0);
  }
  return out;
}

export async function listExperiments(base: string): Promise<{ id: string; repeats: number; grid: Record<string, unknown[]> }[]> {
  return clientFor(base, 10_000).experiments();
}
