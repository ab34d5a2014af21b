/**
 * One bad trial must not fail its pack-mates. A pack that fails once is retried whole (most
 * failures are transient: a busy database, a lost connection); one that fails again is
 * split, each trial going on as a pack of its own, so only the trial that keeps failing
 * ends failed. A trial's numbers do not depend on its pack (core/train/train-pack.ts), so
 * splitting changes no result. Both hosts apply this: the Worker's queue consumer
 * (workers/queue-consumer.ts) and the Node pool (node/pool.ts).
 */
import { isWasmFault } from './failure';
import type { TrialPackMessage } from './run-trials';

/** Failures of a whole pack after which it is split. */
export const SPLIT_AFTER_FAILURES = 2;

/**
 * Whether a pack that just failed its `failures`-th time is split. A WebAssembly fault
 * breaks the backend, not a trial: that pack is retried whole on the fresh backend.
 */
export function shouldSplit(pack: TrialPackMessage, failures: number, err: unknown): boolean {
  return pack.trials.length > 1 && failures >= SPLIT_AFTER_FAILURES && !isWasmFault(err);
}

/** One message per trial. */
export function splitPack(pack: TrialPackMessage): TrialPackMessage[] {
  return pack.trials.map((t) => ({ ...pack, trials: [t] }));
}
