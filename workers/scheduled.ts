import { storeFor } from './db';
import type { Env } from './env';
import { enqueueTrials, packLimits } from '../api/packing';
import { enqueuePacks } from './queue-producer';
import { resolveExperiments } from '../core/experiments/resolve';
import { advanceRunningSettles } from '../api/settle';
import { MAX_LEASES, type TrialPackMessage } from '../core/run/run-trials';

export { MAX_LEASES };

/**
 * The cron trigger (wrangler.toml [triggers], every minute): trials whose consumer died
 * mid-pack (CPU limit, eviction, a deploy) go back on the queue by themselves once their
 * lease expires (a minute without a heartbeat, core/db/leases.ts).
 * The queue's own redelivery cannot do it: it finds the trials running and leaves them.
 */
export async function requeueStaleTrials(
  env: Env,
  now: number,
  enqueue: (packs: TrialPackMessage[]) => Promise<void> = (packs) => enqueuePacks(env.TRIALS, packs),
): Promise<{ requeued: number; resent: number; packs: number; failed: number; cancelled: number }> {
  const store = storeFor(env);
  const { requeued, failed, cancelled } = await store.requeueStale(now, MAX_LEASES);
  // Queued trials whose message was lost (wrangler dev's queue lives in memory) are sent again.
  const resent = await store.resendStalled(now, STALLED_MS);
  const all = [...requeued, ...resent];
  const packs = await enqueueTrials(enqueue, packLimits(env), all, await resolveExperiments(store, all.map((t) => t.experiment)));
  // Settles whose round finished without the consumer moving them on.
  const settled = await advanceRunningSettles(store, env, enqueue, now);
  if (settled) console.log(`cron: settle rounds added ${settled} trials`);
  if (all.length + failed.length + cancelled.length) {
    console.log(`cron: requeued ${requeued.length} stale trials and re-sent ${resent.length} waiting ones in ${packs} packs; failed ${failed.length}; cancelled ${cancelled.length}`);
  }
  return { requeued: requeued.length, resent: resent.length, packs, failed: failed.length, cancelled: cancelled.length };
}

/**
 * A sweep with queued trials and no activity for this long has lost its messages: one pack
 * runs at most the Worker's 5-minute CPU limit, and a running pack heartbeats every 15 s.
 */
export const STALLED_MS = 6 * 60_000;
