/**
 * The trial path shared by every host (queue consumer, Node runner): lease the trials of
 * a pack, train them together, store one row set per trial. Hosts decide what an error
 * means for delivery (retry, dead-letter); this function never loses a trial silently:
 * each one ends done, failed (with its message), or back in queued for a retry.
 */
import { engine } from '../engine';
import { getExperiment } from '../experiments';
import type { Experiment, RunContext, TrialResult, TrialSpec } from '../experiments/types';
import { nonFiniteIn, type Store } from '../db/store';

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
  durationMs: number;
}

export type ExperimentLookup = (id: string) => Experiment | undefined;

export async function runTrialPack(
  store: Store,
  msg: TrialPackMessage,
  ctx: RunContext & { now: () => number },
  lookup: ExperimentLookup = getExperiment,
): Promise<PackOutcome> {
  const experiment = lookup(msg.experiment);
  const ids = msg.trials.map((t) => t.id);
  if (!experiment) {
    await store.markTrials(ids, 'failed', `unknown experiment '${msg.experiment}'`, ctx.now());
    return { leased: 0, done: 0, failed: ids.length, skipped: 0, durationMs: 0 };
  }
  const leasedIds = new Set(await store.leaseTrials(ids, ctx.now()));
  const pack = msg.trials.filter((t) => leasedIds.has(t.id));
  const skipped = ids.length - pack.length;
  if (!pack.length) return { leased: 0, done: 0, failed: 0, skipped, durationMs: 0 };

  const started = ctx.now();
  let results: TrialResult[];
  try {
    results = await experiment.runPack(pack, ctx);
  } catch (err) {
    // Put the trials back so the redelivery (or a later retry) can lease them again.
    await store.markTrials(
      pack.map((t) => t.id),
      'queued',
      `attempt failed: ${errorMessage(err)}`,
      ctx.now(),
    );
    throw err;
  }
  const durationMs = ctx.now() - started;
  const good: TrialResult[] = [];
  let failed = 0;
  for (const r of results) {
    const bad = nonFiniteIn(r);
    if (bad) {
      failed++;
      await store.markTrials([r.trialId], 'failed', `non-finite result: ${bad}`, ctx.now());
    } else good.push(r);
  }
  const info = { backend: ctx.backend ?? 'unknown', engine: engine().name, packSize: pack.length, packMs: durationMs, clock: 'wall time of the whole pack; frozen during pure CPU work on production Workers' };
  if (good.length) await store.saveResults(good, ctx.now(), durationMs / pack.length, info);
  return { leased: pack.length, done: good.length, failed, skipped, durationMs };
}

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
