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

const SETTLED = new Set(['done', 'failed', 'cancelled']);

async function fetchJson(url: string, init: RequestInit = {}, timeoutMs = 10_000): Promise<{ status: number; body: any }> {
  const res = await fetch(url, { ...init, signal: AbortSignal.timeout(timeoutMs) });
  const text = await res.text();
  let body: any = text;
  try {
    body = JSON.parse(text);
  } catch {
    /* keep text */
  }
  return { status: res.status, body };
}

/** null when the server answers its health check, else why not. */
export async function serverProblem(base: string): Promise<string | null> {
  try {
    const { status, body } = await fetchJson(`${base}/api/health`, {}, 5000);
    if (status === 200 && body?.ok) return null;
    return `health check answered ${status}: ${JSON.stringify(body).slice(0, 200)}`;
  } catch (err) {
    return String((err as Error)?.message ?? err);
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function runSweep(base: string, request: { experiment: string; [k: string]: unknown }, opts: { timeoutMs: number; pollMs?: number; log?: (s: string) => void }): Promise<SweepRun> {
  const out: SweepRun = { experiment: request.experiment, request, status: 'not_started' };
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (process.env.API_TOKEN) headers.authorization = `Bearer ${process.env.API_TOKEN}`;
  const t0 = performance.now();
  const posted = await fetchJson(`${base}/api/sweeps`, { method: 'POST', headers, body: JSON.stringify(request) }, 30_000);
  if (posted.status !== 202) {
    out.status = 'rejected';
    out.error = `POST /api/sweeps → ${posted.status}: ${JSON.stringify(posted.body).slice(0, 500)}`;
    return out;
  }
  Object.assign(out, { id: posted.body.id, trials: posted.body.trials, packs: posted.body.packs });
  const pollMs = opts.pollMs ?? 250;
  let lastLog = 0;
  for (;;) {
    // A poll can stall while the consumer computes (one workerd process serves both), so
    // a long per-request timeout; the overall deadline is separate.
    let summary: any;
    try {
      summary = (await fetchJson(`${base}/api/sweeps/${out.id}`, {}, 120_000)).body;
    } catch (err) {
      summary = { status: 'poll_error', error: String(err) };
    }
    const elapsed = performance.now() - t0;
    if (summary?.status) out.status = summary.status;
    if (summary?.counts) out.counts = summary.counts;
    if (SETTLED.has(summary?.status)) {
      out.clientWallMs = Math.round(elapsed);
      if (summary.finishedAt && summary.createdAt) out.serverWallMs = summary.finishedAt - summary.createdAt;
      const wall = out.serverWallMs ?? out.clientWallMs;
      out.trialsPerSecond = Math.round(((summary.counts?.done ?? out.trials ?? 0) / (wall / 1000)) * 1000) / 1000;
      return out;
    }
    if (elapsed > opts.timeoutMs) {
      out.status = `timeout (last: ${summary?.status})`;
      out.clientWallMs = Math.round(elapsed);
      return out;
    }
    if (opts.log && elapsed - lastLog > 10_000) {
      lastLog = elapsed;
      const c = summary?.counts;
      opts.log(`  ${request.experiment} ${out.id}: ${summary?.status} ${c ? `${c.done}/${c.total} done` : ''} after ${(elapsed / 1000).toFixed(0)} s`);
    }
    await sleep(pollMs);
  }
}

export async function listExperiments(base: string): Promise<{ id: string; repeats: number; grid: Record<string, unknown[]> }[]> {
  const { status, body } = await fetchJson(`${base}/api/experiments`);
  if (status !== 200 || !Array.isArray(body)) throw new Error(`GET /api/experiments → ${status}`);
  return body;
}
