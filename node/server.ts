/**
 * `npm run local`: the same API and dashboard as `npm start`, but trials run on every core
 * in a worker-thread pool and results go to a local SQLite file through the same drizzle
 * schema and queries. For big sweeps on a laptop; `npm start` is the Cloudflare path.
 *
 *   npm run local -- [--port 8788] [--db .data/atomsweep.sqlite] [--threads <cores>]
 *
 * Crash safety: the runner owns its SQLite file (a lock file next to it names the owning
 * process), so at start-up every trial still `running` belongs to a dead predecessor and
 * goes straight back to the queue. While it runs, a repair timer (every quarter lease)
 * requeues trials whose lease expired without a heartbeat, like the Worker's cron.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { dirname } from 'node:path';
import { parseArgs } from 'node:util';
import type { MiddlewareHandler } from 'hono';
import { createApp } from '../api/app';
import { ConfigError, parseConfig } from '../api/config';
import type { AppBindings } from '../api/context';
import type { AppEnv } from '../api/context';
import type { LeaseRepair, SpecRegistry } from '../core/db/roles';
import { enqueueTrials, packLimits } from '../api/packing';
import { advanceAndEnqueue, advanceRunningSettles } from '../api/settle';
import type { TrialPackMessage } from '../core/run/run-trials';
import { serve } from './http';
import { TrialPool } from './pool';
import { openSqliteStore } from './sqlite-store';
import { MAX_LEASES } from '../core/run/run-trials';
import { resolveExperiments } from '../core/experiments/resolve';
import { parseFaultPlan, type FaultPlan } from '../core/run/faults';

/** The settings the API reads, from the environment (api/config.ts lists them). */
export function bindingsFromEnv(env: NodeJS.ProcessEnv): AppBindings {
  const { API_TOKEN, PROTECT_READS, MAX_TRIALS, MAX_PACK, ENGINE, ALLOWED_ORIGINS, ALLOWED_HOSTS } = env;
  // No CPU cut by default here: the pool splits the last packs across threads (api/config.ts).
  const MAX_PACK_CPU_MS = env.MAX_PACK_CPU_MS ?? '0';
  return { API_TOKEN, PROTECT_READS, MAX_TRIALS, MAX_PACK, MAX_PACK_CPU_MS, ENGINE, ALLOWED_ORIGINS, ALLOWED_HOSTS };
}

/**
 * Whether a process runs. A killed process stays a zombie until its parent reaps it, and
 * one whose parent died too (kill -9 of `tsx` and its node child) may never be reaped where
 * PID 1 does not reap (containers): signal 0 still reaches a zombie, so /proc says which.
 */
function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ESRCH') return false;
    throw err;
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return !/^[ZX]/.test(stat.slice(stat.lastIndexOf(')') + 2));
  } catch {
    return true; // no /proc (macOS): signal 0 is all we know
  }
}

/** Refuses a second runner on the same file: its start-up repair would steal live leases. */
function lockDatabase(db: string): () => void {
  if (db === ':memory:') return () => {};
  const lock = `${db}.lock`;
  let pid = 0;
  try {
    pid = Number(readFileSync(lock, 'utf8'));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  // A lock whose process is gone was left by a crash: take it over.
  if (pid && pid !== process.pid && processAlive(pid)) {
    throw new Error(`${db} is in use by the runner with pid ${pid} (remove ${lock} if that is wrong)`);
  }
  writeFileSync(lock, String(process.pid));
  return () => rmSync(lock, { force: true });
}

/**
 * The Node runner's repair (its cron): trials whose lease expired go back on the pool, and
 * a thread still holding such a pack has hung (it stopped heartbeating), so it is
 * terminated and replaced (a duplicate of a pack the pool retries is a no-op).
 */
export async function repairLeases(store: LeaseRepair & Pick<SpecRegistry, 'getExperimentSpec'>, pool: TrialPool, bindings: AppBindings): Promise<{ requeued: number; hung: number }> {
  const now = Date.now();
  const { requeued } = await store.requeueStale(now, MAX_LEASES);
  if (!requeued.length) return { requeued: 0, hung: 0 };
  // Enqueued before the hung threads are dropped, so the pool never looks drained between.
  await enqueueTrials((packs) => pool.enqueue(packs), packLimits(bindings), requeued, await resolveExperiments(store, requeued.map((t) => t.experiment)));
  const hung = pool.reapHung(
    requeued.map((t) => t.id),
    now,
  );
  console.log(`repair: requeued ${requeued.length} trials whose lease expired${hung ? `; replaced ${hung} hung threads` : ''}`);
  return { requeued: requeued.length, hung };
}

export interface LocalRunnerOptions {
  port: number;
  db: string;
  threads: number;
  buildDashboard?: boolean;
  /** Lease of a running trial (default: the Store's 60 s); heartbeats and repair follow it. */
  leaseMs?: number;
  /** Fault injection for tests and scripts/faults.ts (core/run/faults.ts). */
  faults?: FaultPlan[];
  /** The API's settings; default process.env (api/config.ts lists them). */
  bindings?: AppBindings;
}

/** Starts the runner. Bad settings throw a ConfigError before anything is opened or served. */
export async function startLocalRunner(opts: LocalRunnerOptions) {
  const bindings = opts.bindings ?? bindingsFromEnv(process.env);
  parseConfig(bindings);
  if (opts.buildDashboard !== false) {
    const r = spawnSync(process.execPath, ['scripts/build-dashboard.mjs'], { stdio: 'inherit' });
    if (r.status !== 0) throw new Error('dashboard build failed');
  }
  if (opts.db !== ':memory:') mkdirSync(dirname(opts.db), { recursive: true });
  const unlock = lockDatabase(opts.db);
  const { store, sqlite, invocation } = openSqliteStore(opts.db, { leaseMs: opts.leaseMs });
  const enqueue = (packs: TrialPackMessage[]) => pool.enqueue(packs);
  // After each pack: the next round of a settling sweep whose round just finished.
  const onPackDone = async (sweepId: string) => void (await advanceAndEnqueue(store, sweepId, bindings, enqueue));
  const pool: TrialPool = new TrialPool(store, opts.db, opts.threads, { leaseMs: store.leaseMs, faults: opts.faults, onPackDone });
  const host: MiddlewareHandler<AppEnv> = async (c, next) => {
    // One store per request, counting its queries as D1 counts an invocation's.
    c.set('store', invocation());
    c.set('enqueue', (packs) => pool.enqueue(packs));
    c.set('hostStats', () => pool.stats());
    await next();
  };
  const app = createApp(host);
  const server = await serve((req) => app.fetch(req, bindings), 'dashboard/dist', opts.port);
  const port = (server.address() as { port: number }).port;

  // Resume after a crash or restart. Trials left running belong to the dead predecessor
  // (this process holds the lock), so they are requeued now rather than after their lease;
  // then whatever is queued (or failed) in unfinished sweeps goes back on the pool.
  await store.requeueStale(Date.now(), MAX_LEASES, Date.now() + 1);
  let resumed = 0;
  for await (const s of store.allSweeps(Date.now())) {
    if (!['queued', 'running'].includes(s.status)) continue;
    const trials = await store.requeueUnfinished(s.id, Date.now());
    if (!trials.length) continue;
    resumed += trials.length;
    await enqueueTrials((packs) => pool.enqueue(packs), packLimits(bindings), trials, await resolveExperiments(store, [s.experiment]));
  }
  // The repair: a thread that hangs or a pack whose heartbeat stopped loses its lease, and
  // its trials go back on the pool (a duplicate of a pack the pool retries is a no-op).
  const repair = () => repairLeases(store, pool, bindings);
  // Settles whose round finished while the runner was down (or whose hook was lost) move on.
  const settles = () => advanceRunningSettles(store, bindings, enqueue);
  await settles();
  const timer = setInterval(() => {
    void repair().catch((err) => console.error(`repair failed: ${String(err)}`));
    void settles().catch((err) => console.error(`settle failed: ${String(err)}`));
  }, store.heartbeatMs);
  timer.unref();
  return {
    url: `http://127.0.0.1:${port}`,
    resumed,
    pool,
    store,
    repair,
    close: async () => {
      clearInterval(timer);
      server.close();
      await pool.close();
      sqlite.close();
      unlock();
    },
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({
    options: {
      port: { type: 'string', default: '8788' },
      db: { type: 'string', default: '.data/atomsweep.sqlite' },
      threads: { type: 'string', default: String(availableParallelism()) },
      'lease-ms': { type: 'string' },
      // JSON fault plan (core/run/faults.ts), for scripts/faults.ts only.
      faults: { type: 'string' },
      'no-dashboard': { type: 'boolean', default: false },
    },
  });
  let runner: Awaited<ReturnType<typeof startLocalRunner>>;
  try {
    runner = await startLocalRunner({
      port: Number(values.port),
      db: values.db!,
      threads: Number(values.threads),
      leaseMs: values['lease-ms'] ? Number(values['lease-ms']) : undefined,
      faults: parseFaultPlan(values.faults),
      buildDashboard: !values['no-dashboard'],
    });
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    console.error(`atomsweep local runner: ${err.message}`);
    process.exit(2);
  }
  console.log(`atomsweep local runner: ${runner.url}/ (SQLite ${values.db}, ${values.threads} training threads${runner.resumed ? `, resumed ${runner.resumed} unfinished trials` : ''})`);
  // A stray rejection (a client gone mid-stream, a bug) is logged; it never ends the server.
  process.on('unhandledRejection', (err) => console.error('unhandled rejection (still serving):', err));
  for (const sig of ['SIGINT', 'SIGTERM'] as const) process.on(sig, () => runner.close().then(() => process.exit(0)));
}
