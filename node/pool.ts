/**
 * A local stand-in for Cloudflare Queues that uses every core: packs wait in a queue and
 * each of N worker threads trains one at a time. The longest pack (by its experiment's
 * work estimate) goes first, whatever sweep it belongs to, and when fewer packs wait than
 * threads are idle the next pack is split between them, so no core idles while another
 * trains the tail (a trial's numbers do not depend on its pack, core/train/train-pack.ts). Like the Queue it retries a failing pack
 * with backoff and, after `maxRetries`, gives its trials up as failed (the dead letter).
 * A thread that dies (an uncaught error, process.exit, a crash) or reports a WebAssembly
 * fault is replaced by a fresh one, and its pack is requeued as a failed attempt; a job
 * is never sent to a thread that is not alive.
 */
import { buildSync } from 'esbuild';
import { mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { Lease, SpecRegistry, TrialLeases } from '../core/db/roles';
import { knownExperiment, resolveExperiments } from '../core/experiments/resolve';
import type { FaultPlan } from '../core/run/faults';
import { splitPack, SPLIT_AFTER_FAILURES } from '../core/run/split';
import type { PackOutcome, TrialPackMessage } from '../core/run/run-trials';

interface Job {
  id: number;
  pack: TrialPackMessage;
  attempts: number;
  /** Estimated work (the experiment's cost summed over the pack), for longest-first. */
  work: number;
  /** When the current attempt was sent to a thread. */
  startedAt?: number;
  /** The leases the current attempt's thread took (it reports them before training). */
  leases?: Lease[];
}

/** Estimated work of a pack: Experiment.cost per trial (0 where an experiment has none); custom ones are resolved by `enqueue`. */
function workOf(pack: TrialPackMessage): number {
  const e = knownExperiment(pack.experiment);
  let sum = 0;
  for (const t of pack.trials) {
    const c = e ? Number(e.cost(t.params as never)) : 0;
    sum += Number.isFinite(c) ? c : 0;
  }
  return sum;
}

/** A thread's report of the leases its pack took, sent before training. */
interface LeasedReport {
  job: number;
  leased: Lease[];
}

interface Reply {
  job: number;
  ok: boolean;
  outcome?: PackOutcome;
  error?: string;
  /** The thread's WebAssembly instance is broken (core/run/failure.ts): replace the thread. */
  fatal?: boolean;
}

export interface PoolOptions {
  maxRetries?: number;
  /** The Store's lease, for the threads' stores. */
  leaseMs?: number;
  /** Fault injection for tests (core/run/faults.ts). */
  faults?: FaultPlan[];
  /** Called after each pack has finished or been given up (settle's next round: api/settle.ts). */
  onPackDone?: (sweepId: string) => Promise<void>;
}

export class TrialPool {
  private readonly queue: Job[] = [];
  private readonly idle: Worker[] = [];
  private readonly busy = new Map<Worker, Job>();
  /** Live threads; a thread leaves this set the moment it is known dead or replaced. */
  private readonly alive = new Set<Worker>();
  private nextId = 1;
  private waiters: Array<() => void> = [];
  /** Jobs waiting out their retry backoff. */
  private delayed = 0;
  private closing = false;
  private readonly script: string;
  private readonly wasmDir: string;
  private readonly maxRetries: number;
  completed = 0;
  /** Threads replaced after they died or broke. */
  respawned = 0;
  /** Of those, threads replaced because they hung past their lease (reapHung). */
  hungReplaced = 0;
  /** Packs split at the tail to keep idle threads busy. */
  splits = 0;
  /** Thread-milliseconds spent on packs (finished or failed attempts), since `since`. */
  busyMs = 0;
  readonly since = Date.now();

  constructor(
    /** Gives back a dead thread's leases and gives up what the retries did not finish; reads custom specs for costs. */
    private readonly store: TrialLeases & Pick<SpecRegistry, 'getExperimentSpec'>,
    private readonly dbFile: string,
    threads: number,
    private readonly options: PoolOptions = {},
  ) {
    this.maxRetries = options.maxRetries ?? 3;
    this.script = bundleThread();
    this.wasmDir = dirname(createRequire(import.meta.url).resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm')) + '/';
    for (let i = 0; i < threads; i++) this.spawn();
  }

  private spawn(): void {
    const w = new Worker(this.script, { workerData: { dbFile: this.dbFile, wasmDir: this.wasmDir, leaseMs: this.options.leaseMs, faults: this.options.faults } });
    this.alive.add(w);
    this.idle.push(w);
    w.on('message', (m: Reply | LeasedReport) => {
      if (!this.alive.has(w)) return;
      if ('leased' in m) {
        const job = this.busy.get(w);
        if (job?.id === m.job) job.leases = m.leased;
        return;
      }
      if (m.fatal) {
        console.error(`training thread broke (${m.error}): replacing it`);
        this.retire(w);
      } else this.release(w);
      void this.settle(this.takeJob(w, m.job), m);
    });
    // 'error' is an exception that escaped the thread; 'exit' follows it, or comes alone
    // (process.exit, a crash). Whichever comes first retires the thread and fails its job.
    // Handled on the next turn of the event loop: the thread's last messages (the leases it
    // reported before it died) travel on another channel than its death, and Node does not
    // order the two, so they are let in first.
    w.on('error', (err) => setImmediate(() => this.died(w, `training thread crashed: ${String(err)}`)));
    w.on('exit', (code) => setImmediate(() => this.died(w, `training thread exited with code ${code}`)));
  }

  private takeJob(w: Worker, id: number): Job | undefined {
    const job = this.busy.get(w);
    this.busy.delete(w);
    return job?.id === id ? job : undefined;
  }

  private release(w: Worker): void {
    if (this.alive.has(w)) this.idle.push(w);
  }

  /** Takes a thread out of service for good and starts a fresh one in its place. */
  private retire(w: Worker): void {
    if (!this.alive.delete(w)) return;
    const i = this.idle.indexOf(w);
    if (i >= 0) this.idle.splice(i, 1);
    void w.terminate();
    if (!this.closing) {
      this.respawned++;
      this.spawn();
    }
  }

  private died(w: Worker, reason: string): void {
    if (!this.alive.has(w) || this.closing) return;
    console.error(reason);
    const job = this.busy.get(w);
    this.busy.delete(w);
    this.retire(w);
    if (!job) return this.dispatch();
    // Its trials are still leased (running) by the dead thread: give back exactly the leases
    // it reported, under their attempt tokens, so a lease another thread took since (after
    // the repair requeued a hung pack) is never taken from it. A thread that died before
    // reporting leases holds none that the repair would not find once they expire.
    const leases = job.leases ?? [];
    job.leases = undefined;
    void this.store
      .releaseLeases(leases, 'queued', `attempt ${job.attempts} failed: ${reason}; retried on a fresh thread`, Date.now())
      .catch((err) => console.error(`could not requeue the dead thread's trials (the repair will): ${String(err)}`))
      .then(() => this.settle(job, { job: job.id, ok: false, error: reason }));
  }

  /**
   * Threads whose pack lost its leases to the repair (no heartbeat for a whole lease: a
   * loop that never yields, a deadlock) are hung: each is terminated and replaced, and its
   * job dropped, since the repair has already put its trials back on the queue. Only jobs
   * started before `startedBefore` (the repair's time) count. Returns how many threads were
   * replaced.
   */
  reapHung(expiredTrialIds: string[], startedBefore: number): number {
    const expired = new Set(expiredTrialIds);
    let reaped = 0;
    for (const [w, job] of [...this.busy]) {
      // A job started after the repair may already hold the requeued trials: it is not hung.
      if (!job.startedAt || job.startedAt >= startedBefore || !job.pack.trials.some((t) => expired.has(t.id))) continue;
      console.error(`training thread hung on a pack of ${job.pack.trials.length} trials (${job.pack.sweepId}) past its lease: replacing it`);
      this.busy.delete(w);
      this.busyMs += Date.now() - job.startedAt;
      this.retire(w);
      this.hungReplaced++;
      reaped++;
    }
    if (reaped) this.dispatchAndNotify();
    return reaped;
  }

  async enqueue(packs: TrialPackMessage[]): Promise<void> {
    // Custom experiments' costs come from their stored specs; each thread resolves its own copy.
    await resolveExperiments(this.store, packs.map((p) => p.experiment));
    for (const pack of packs) this.queue.push(this.job(pack));
    this.dispatch();
  }

  private job(pack: TrialPackMessage, attempts = 0): Job {
    return { id: this.nextId++, pack, attempts, work: workOf(pack) };
  }

  /** Busy share of the threads' time since the pool started, for /api/health. */
  stats(now = Date.now()): { threads: number; busyMs: number; wallMs: number; busyFraction: number; splits: number; respawned: number } {
    const running = [...this.busy.values()].reduce((a, j) => a + (j.startedAt ? now - j.startedAt : 0), 0);
    const wallMs = now - this.since;
    const busyMs = this.busyMs + running;
    return { threads: this.alive.size, busyMs, wallMs, busyFraction: wallMs > 0 ? busyMs / (this.alive.size * wallMs) : 0, splits: this.splits, respawned: this.respawned };
  }

  get pending(): number {
    return this.queue.length + this.busy.size + this.delayed;
  }

  get threads(): number {
    return this.alive.size;
  }

  /** Resolves when nothing is queued or running. */
  drained(): Promise<void> {
    if (this.pending === 0) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  async close(): Promise<void> {
    this.closing = true;
    await Promise.all([...this.alive].map((w) => w.terminate()));
    this.alive.clear();
  }

  private dispatch(): void {
    while (this.idle.length && this.queue.length) {
      const w = this.idle.pop()!;
      if (!this.alive.has(w)) continue;
      const { job, split } = takeNext(this.queue, this.idle.length, (pack) => this.job(pack));
      if (split) this.splits++;
      job.attempts++;
      job.startedAt = Date.now();
      this.busy.set(w, job);
      w.postMessage({ job: job.id, pack: job.pack });
    }
  }

  private async settle(job: Job | undefined, m: Reply): Promise<void> {
    if (job?.startedAt) {
      this.busyMs += Date.now() - job.startedAt;
      job.startedAt = undefined;
    }
    if (job && !m.ok) {
      if (!m.fatal && job.pack.trials.length > 1 && job.attempts >= SPLIT_AFTER_FAILURES) {
        // One bad trial must not fail its pack-mates (core/run/split.ts): each trial goes on
        // alone, keeping the attempts it has spent.
        for (const pack of splitPack(job.pack)) this.queue.push({ ...this.job(pack), attempts: job.attempts });
      } else if (job.attempts <= this.maxRetries) {
        const delay = Math.min(30_000, 500 * job.attempts * job.attempts);
        this.delayed++;
        setTimeout(() => {
          this.delayed--;
          this.queue.push(job);
          this.dispatch();
        }, delay);
      } else {
        await this.store.giveUp(
          job.pack.trials.map((t) => t.id),
          `gave up after ${job.attempts} attempts`,
          Date.now(),
        );
      }
    }
    if (job && m.ok) this.completed++;
    if (job && this.options.onPackDone) {
      // Counted as pending meanwhile, so drained() cannot resolve before what the hook adds.
      this.delayed++;
      try {
        await this.options.onPackDone(job.pack.sweepId);
      } catch (err) {
        console.error(`after a pack of ${job.pack.sweepId}: ${String(err)}`);
      } finally {
        this.delayed--;
      }
    }
    this.dispatchAndNotify();
  }

  /** Gives free threads work, and wakes `drained()` waiters when nothing is left. */
  private dispatchAndNotify(): void {
    this.dispatch();
    if (this.pending === 0) this.waiters.splice(0).forEach((r) => r());
  }
}

/**
 * Takes the job a free thread should run: the waiting job with the most work (the oldest
 * among equals). At the tail, when fewer jobs wait than threads are idle (`idleOthers`
 * besides this one), a first attempt is split into contiguous parts, one per idle thread:
 * the first part is returned and the rest wait in the queue for the other threads.
 */
export function takeNext<J extends { id: number; work: number; attempts: number; pack: TrialPackMessage }>(
  queue: J[],
  idleOthers: number,
  make: (pack: TrialPackMessage) => J,
): { job: J; split: boolean } {
  let best = 0;
  for (let i = 1; i < queue.length; i++) {
    if (queue[i].work > queue[best].work || (queue[i].work === queue[best].work && queue[i].id < queue[best].id)) best = i;
  }
  const job = queue.splice(best, 1)[0];
  // A retried pack keeps its own attempt count, so it is never split.
  const share = Math.min(idleOthers + 1 - queue.length, job.pack.trials.length);
  if (share <= 1 || job.attempts > 0) return { job, split: false };
  const size = Math.ceil(job.pack.trials.length / share);
  const parts: J[] = [];
  for (let i = 0; i < job.pack.trials.length; i += size) parts.push(make({ ...job.pack, trials: job.pack.trials.slice(i, i + size) }));
  queue.push(...parts.slice(1));
  return { job: parts[0], split: true };
}

/** Bundles the thread entry once per start (native better-sqlite3 stays external). */
function bundleThread(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  const outfile = join(here, '..', 'node_modules', '.cache', 'atomsweep', 'trial-thread.mjs');
  mkdirSync(dirname(outfile), { recursive: true });
  buildSync({
    entryPoints: [join(here, 'trial-thread.ts')],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node22',
    outfile,
    // Native or file-reading packages stay in node_modules, where they find their own files.
    external: ['better-sqlite3', 'libsvm-js'],
    mainFields: ['module', 'main'],
    // CommonJS globals the bundled emscripten glue expects.
    banner: {
      js: "import { createRequire as __cr } from 'node:module'; import { fileURLToPath as __fu } from 'node:url'; import { dirname as __dn } from 'node:path'; const require = __cr(import.meta.url); const __filename = __fu(import.meta.url); const __dirname = __dn(__filename);",
    },
    logLevel: 'error',
  });
  return outfile;
}
