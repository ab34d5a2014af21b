import { storeFor } from './db';
import type { Env } from './env';
import { enqueueTrials, packSize } from './packing';
import { enqueuePacks } from './queue-producer';
import type { TrialPackMessage } from '../core/run/run-trials';

/**
 * Leases a trial may take before the cron gives up on it: the queue's 4 deliveries
 * (max_retries = 3 in wrangler.toml), so a trial that kills its consumer every time ends
 * failed with its cause instead of looping.
 */
export const MAX_LEASES = 4;

/**
 * The cron trigger (wrangler.toml [triggers]): trials whose consumer died mid-pack (CPU
 * limit, eviction, a deploy) go back on the queue by themselves once their lease expires.
 * The queue's own redelivery cannot do it: it finds the trials running and leaves them.
 */
export async function requeueStaleTrials(
  env: Env,
  now: number,
  enqueue: (packs: TrialPackMessage[]) => Promise<void> = (packs) => enqueuePacks(env.TRIALS, packs),
): Promise<{ requeued: number; packs: number; failed: number; cancelled: number }> {
  const { requeued, failed, cancelled } = await storeFor(env).requeueStale(now, MAX_LEASES);
  const packs = await enqueueTrials(enqueue, packSize(env), requeued);
  if (requeued.length + failed.length + cancelled.length) {
    console.log(`cron: requeued ${requeued.length} stale trials in ${packs} packs; failed ${failed.length}; cancelled ${cancelled.length}`);
  }
  return { requeued: requeued.length, packs, failed: failed.length, cancelled: cancelled.length };
}
