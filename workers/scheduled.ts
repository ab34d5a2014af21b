import { storeFor } from './db';
import type { Env } from './env';
import { enqueueTrials, packLimits } from './packing';
import { enqueuePacks } from './queue-producer';
import { resolveExperiments } from '../core/experiments/resolve';
import { MAX_LEASES, type TrialPackMessage } from '../core/run/run-trials';

export { MAX_LEASES };

/**
 * The cron trigger (wrangler.toml [triggers], every minute): trials whose consumer died
 * mid-pack (CPU limit, eviction, a deploy) go back on the queue by themselves once their
 * lease expires (a minute without a heartbeat, core/db/store.ts).
 * The queue's own redelivery cannot do it: it finds the trials running and leaves them.
 */
export async function requeueStaleTrials(
  env: Env,
  now: number,
  enqueue: (packs: TrialPackMessage[]) => Promise<void> = (packs) => enqueuePacks(env.TRIALS, packs),
): Promise<{ requeued: number; packs: number; failed: number; cancelled: number }> {
  const store = storeFor(env);
  const { requeued, failed, cancelled } = await store.requeueStale(now, MAX_LEASES);
  const packs = await enqueueTrials(enqueue, packLimits(env), requeued, await resolveExperiments(store, requeued.map((t) => t.experiment)));
  if (requeued.length + failed.length + cancelled.length) {
    console.log(`cron: requeued ${requeued.length} stale trials in ${packs} packs; failed ${failed.length}; cancelled ${cancelled.length}`);
  }
  return { requeued: requeued.length, packs, failed: failed.length, cancelled: cancelled.length };
}
