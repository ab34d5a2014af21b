/**
 * What every host does with one queue message, in one place: the Worker's queue consumer
 * (workers/queue-consumer.ts) and the Node runner's training thread (node/trial-thread.ts)
 * both call `consumePack`, and differ only in what they do with a failure (the Worker retries
 * or splits the message on Cloudflare Queues, the Node thread reports to its pool).
 *
 * The sequence: resolve the message's experiment (a custom spec is read from the store once
 * per isolate or thread, then known), run the pack (core/run/run-trials.ts), and classify a
 * failure: a WebAssembly fault (core/run/failure.ts) leaves the host's tfjs instance broken,
 * so the host must replace it before anything else trains on it.
 */
import type { SpecRegistry, TrialLeases } from '../db/roles';
import { resolveExperiment } from '../experiments/resolve';
import { errorMessage, isWasmFault } from './failure';
import { runTrialPack, type ExperimentLookup, type PackContext, type PackOutcome, type TrialPackMessage } from './run-trials';

export type ConsumeResult = { ok: true; outcome: PackOutcome } | { ok: false; error: string; cause: unknown; wasmFault: boolean };

export async function consumePack(
  msg: TrialPackMessage,
  ctx: PackContext,
  stores: {
    /** Where the pack writes (one invocation's store, or a fault-injecting one). */
    pack: TrialLeases;
    /** Where a custom experiment's spec is read. */
    specs: Pick<SpecRegistry, 'getExperimentSpec'>;
  },
  lookup: ExperimentLookup,
): Promise<ConsumeResult> {
  try {
    await resolveExperiment(stores.specs, msg.experiment);
    return { ok: true, outcome: await runTrialPack(stores.pack, msg, ctx, lookup) };
  } catch (err) {
    return { ok: false, error: errorMessage(err), cause: err, wasmFault: isWasmFault(err) };
  }
}
