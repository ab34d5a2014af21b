/**
 * Settle's rounds as the hosts drive them (core/settle/advance.ts): after a pack finishes,
 * from the periodic repair, and when Settle is pressed. Whatever the next round adds is
 * stored first, then enqueued: a lost message is re-sent like any queued trial's.
 */
import type { SettleStore } from '../core/db/roles';
import { resolveExperiment, resolveExperiments } from '../core/experiments/resolve';
import type { TrialPackMessage } from '../core/run/run-trials';
import { advanceSettle, type SettleLimits } from '../core/settle/advance';
import type { VerdictReads } from '../core/verdict/sweep-verdict';
import { DEFAULT_LIMITS } from '../core/sweep/request';
import { configFor } from './config';
import type { AppBindings } from './context';
import { enqueueTrials, packLimits } from './packing';

export function settleLimits(env: AppBindings): SettleLimits {
  return { maxRepeats: DEFAULT_LIMITS.maxRepeats, maxTrials: configFor(env).MAX_TRIALS };
}

/** A round's trials are stored (queued) but their messages were not all sent: a retry or the cron re-sends them. */
export class RoundNotSent extends Error {}

/** Advances one sweep's settle and enqueues the round it adds; returns the trials added. */
export async function advanceAndEnqueue(store: SettleStore & VerdictReads, sweepId: string, env: AppBindings, enqueue: (packs: TrialPackMessage[]) => Promise<void>, now = Date.now()): Promise<number> {
  const trials = await advanceSettle(store, sweepId, now, (id) => resolveExperiment(store, id), settleLimits(env));
  if (!trials.length) return 0;
  try {
    await enqueueTrials(enqueue, packLimits(env), trials, await resolveExperiments(store, [trials[0].experiment]));
  } catch (err) {
    throw new RoundNotSent(`${trials.length} trials of sweep ${sweepId} are stored but not all sent (${err instanceof Error ? err.message : String(err)})`);
  }
  return trials.length;
}

/** The periodic safety net: every running settle whose round has finished moves on. */
export async function advanceRunningSettles(store: SettleStore & VerdictReads, env: AppBindings, enqueue: (packs: TrialPackMessage[]) => Promise<void>, now = Date.now()): Promise<number> {
  let added = 0;
  for (const id of await store.runningSettles()) added += await advanceAndEnqueue(store, id, env, enqueue, now);
  return added;
}
