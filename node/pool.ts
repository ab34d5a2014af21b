/**
 * A local stand-in for Cloudflare Queues that uses every core: packs wait in a FIFO and
 * each of N worker threads trains one at a time. Like the Queue it retries a failing pack
 * with backoff and, after `maxRetries`, gives its trials up as failed (the dead letter).
 */
import { buildSync } from 'esbuild';
import { mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { Store } from '../core/db/store';
import type { PackOutcome, TrialPackMessage } from '../core/run/run-trials';

interface Job {
  id: number;
  pack: TrialPackMessage;
  attempts: number;
}

export class TrialPool {
  private readonly queue: Job[] = [];
  private readonly idle: Worker[] = [];
  private readonly busy = new Map<Worker, Job>();
  private readonly workers: Worker[] = [];
  private nextId = 1;
  private waiters: Array<() => void> = [];
  /** Jobs waiting out their retry backoff. */
  private delayed = 0;
  completed = 0;

  constructor(
    private readonly store: Store,
    dbFile: string,
    threads: number,
    private readonly maxRetries = 3,
  ) {
    const script = bundleThread();
    const wasmDir = dirname(createRequire(import.meta.url).resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm')) + '/';
    for (let i = 0; i < threads; i++) {
      const w = new Worker(script, { workerData: { dbFile, wasmDir } });
      w.on('message', (m: { job: number; ok: boolean; outcome?: PackOutcome; error?: string }) => this.finished(w, m));
      w.on('error', (err) => {
        console.error(`training thread failed: ${String(err)}`);
        this.finished(w, { job: this.busy.get(w)?.id ?? 0, ok: false, error: String(err) });
      });
      this.workers.push(w);
      this.idle.push(w);
    }
  }

  async enqueue(packs: TrialPackMessage[]): Promise<void> {
    for (const pack of packs) this.queue.push({ id: this.nextId++, pack, attempts: 0 });
    this.dispatch();
  }

  get pending(): number {
    return this.queue.length + this.busy.size + this.delayed;
  }

  /** Resolves when nothing is queued or running. */
  drained(): Promise<void> {
    if (this.pending === 0) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.terminate()));
  }

  private dispatch(): void {
    while (this.idle.length && this.queue.length) {
      const w = this.idle.pop()!;
      const job = this.queue.shift()!;
      job.attempts++;
      this.busy.set(w, job);
      w.postMessage({ job: job.id, pack: job.pack });
    }
  }

  private async finished(w: Worker, m: { job: number; ok: boolean; error?: string }): Promise<void> {
    const job = this.busy.get(w);
    this.busy.delete(w);
    this.idle.push(w);
    if (job && !m.ok) {
      if (job.attempts <= this.maxRetries) {
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
    this.dispatch();
    if (this.pending === 0) this.waiters.splice(0).forEach((r) => r());
  }
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
