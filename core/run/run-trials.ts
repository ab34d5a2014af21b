/**
 * The trial path shared by every host (queue consumer, Node runner): lease the trials of
 * a pack, train them together while renewing the leases (heartbeat), store one row set per
 * trial. Hosts decide what an error means for delivery (retry, dead-letter); this function
 * never loses a trial silently: each one ends done, failed (with its message), or back in
 * queued with the attempt's error so a retry can lease it again at once.
 */
import * as tf from '@tensorflow/tfjs-core';
import { DEFAULT_ENGINE } from '../engine';
import { wasmKernelsFor } from '../nn/wasm-kernels';
import { getExperiment } from '../experiments';
import type { Experiment, RunContext, TrialResult, TrialSpec } from '../experiments/types';
import { unstorableIn } from '../db/leases';
import type { Lease, TrialLeases } from '../db/roles';
import { attemptError, errorMessage, LeaseLost } from './failure';

export { errorMessage } from './failure';

export interface TrialPackMessage {
  sweepId: string;
  experiment: string;
  trials: TrialSpec[];
}

export interface PackOutcome {
  leased: number;
  done: number;
  failed: number;
  skipped: number;
  /** Trials whose lease was taken over while this pack ran (nothing written for them). */
  lost: number;
  durationMs: number;
}

/**
 * Leases a trial may take before the repair gives up on it: the queue's 4 deliveries
 * (max_retries = 3 in wrangler.toml; the Node pool's maxRetries = 3), so a trial that kills
 * its consumer every time ends failed with its cause instead of looping.
 */
export const MAX_LEASES = 4;

export type ExperimentLookup = (id: string) => Experiment | undefined;

/**
 * Yields after which a heartbeat is sent even though the clock did not move: production
 * Workers freeze Date.now() during pure CPU work (it advances on I/O, and the heartbeat is
 * I/O), and the training loops yield at least every few hundred steps (core/train/train-pack.ts).
 */
const FROZEN_CLOCK_YIELDS = 20;

export interface PackContext extends RunContext {
  now: () => number;
  /**
   * The clock of heartbeats (default Date.now). Separate from `now`, which the experiments
   * read to time their own phases: a heartbeat must not consume a caller's (test) clock.
   */
  leaseNow?: () => number;
  /**
   * Told the leases this pack took, before it trains: a host that may lose the pack mid-way
   * (the Node pool, when a thread dies) gives back exactly these, under their attempt
   * tokens, and never a lease another consumer took since.
   */
  onLeased?: (leases: Lease[]) => void;
}

export async function runTrialPack(store: TrialLeases, msg: TrialPackMessage, ctx: PackContext, lookup: ExperimentLookup = getExperiment): Promise<PackOutcome> {
  const experiment = lookup(msg.experiment);
  const ids = msg.trials.map((t) => t.id);
  if (!experiment) {
    await store.markTrials(ids, 'failed', `unknown experiment '${msg.experiment}'`, ctx.now());
    return { leased: 0, done: 0, failed: ids.length, skipped: 0, lost: 0, durationMs: 0 };
  }
  let leases: Lease[] = await store.takeLeases(ids, ctx.now());
  if (leases.length) ctx.onLeased?.(leases);
  const taken = new Set(leases.map((l) => l.id));
  const pack = msg.trials.filter((t) => taken.has(t.id));
  const skipped = ids.length - pack.length;
  if (!pack.length) return { leased: 0, done: 0, failed: 0, skipped, lost: 0, durationMs: 0 };

  // Heartbeat on the loop's own yields: workerd runs no timer during CPU work, and a Node
  // thread's event loop is just as busy, so the yield points are where time is observed.
  const clock = ctx.leaseNow ?? Date.now;
  let lastBeat = clock();
  let lastSeen = lastBeat;
  let frozen = 0;
  const heartbeat = async () => {
    const t = clock();
    frozen = t === lastSeen ? frozen + 1 : 0;
    lastSeen = t;
    if (t - lastBeat < store.heartbeatMs && frozen < FROZEN_CLOCK_YIELDS) return;
    let renewed: string[];
    try {
      renewed = await store.renewLeases(leases, t);
    } catch (err) {
      // A transient store error (D1 busy, a network blip) must not throw the pack away: the
      // next yield tries again, and a lease that really expires is taken over as usual.
      console.warn(`heartbeat of ${leases.length} trials failed, retrying at the next yield: ${errorMessage(err)}`);
      return;
    }
    const held = new Set(renewed);
    lastBeat = lastSeen = clock();
    frozen = 0;
    if (held.size < leases.length) leases = leases.filter((l) => held.has(l.id));
    if (!leases.length) throw new LeaseLost(pack.length);
  };
  const runCtx: RunContext = {
    ...ctx,
    yieldToHost: async () => {
      await ctx.yieldToHost?.();
      await heartbeat();
    },
  };

  const started = ctx.now();
  let results: TrialResult[];
  try {
    results = await experiment.runPack(pack, runCtx);
  } catch (err) {
    // A zombie stops quietly: whoever took its trials over owns them now.
    if (err instanceof LeaseLost) return { leased: pack.length, done: 0, failed: 0, skipped, lost: pack.length, durationMs: ctx.now() - started };
    // Put the trials back so the redelivery (or a later retry) can lease them again.
    await releaseEach(store, leases, 'queued', (a) => attemptError(a, err), ctx.now());
    throw err;
  }
  const durationMs = ctx.now() - started;
  const good: TrialResult[] = [];
  let failed = 0;
  for (const r of results) {
    const bad = unstorableIn(r);
    const lease = leases.find((l) => l.id === r.trialId);
    if (!lease) continue;
    if (bad) {
      failed++;
      await store.releaseLeases([lease], 'failed', bad, ctx.now());
    } else good.push(r);
  }
  const info = {
    backend: ctx.backend ?? 'unknown',
    engine: (ctx.engine ?? DEFAULT_ENGINE).name,
    // Which kernels trained it: atomsweep's wasm kernels (core/nn/wasm-kernels.ts) or tfjs's own; same numbers.
    kernels: wasmKernelsFor(tf.findBackend('wasm')) ? 'atomsweep' : 'tfjs',
    packSize: pack.length,
    packMs: durationMs,
    clock: 'wall time of the whole pack; frozen during pure CPU work on production Workers',
  };
  let written: string[] = [];
  if (good.length) {
    const goodLeases = leases.filter((l) => good.some((r) => r.trialId === l.id));
    try {
      written = await store.saveResults(good, ctx.now(), durationMs / pack.length, info, goodLeases);
    } catch (err) {
      // The write failed (SQLite busy, a D1 error): nothing of it landed (one batch), so
      // the trials go back to queued with the cause; the host retries the pack.
      await releaseEach(store, goodLeases, 'queued', (a) => `${attemptError(a, err)} (saving results)`, ctx.now()).catch(() => {
        /* the store is down too: the lease expires and the repair requeues them */
      });
      throw err;
    }
  }
  return { leased: pack.length, done: written.length, failed, skipped, lost: good.length - written.length, durationMs };
}

/** Releases leases with a message that names each trial's own attempt. */
async function releaseEach(store: TrialLeases, leases: Lease[], status: 'queued' | 'failed', message: (attempt: number) => string, now: number): Promise<void> {
  const attempts = [...new Set(leases.map((l) => l.attempt))];
  for (const a of attempts) {
    await store.releaseLeases(
      leases.filter((l) => l.attempt === a),
      status,
      message(a),
      now,
    );
  }
}
