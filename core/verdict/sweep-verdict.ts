/**
 * A sweep's verdict: loads only the metrics its experiment's claims read (Store.trialResults
 * with those names), keeps the finished trials and evaluates the claims. While trials are
 * still queued or running the verdict is computed from what is done and marked provisional.
 */
import { resolveExperiment } from '../experiments/resolve';
import { claimMetrics } from '../experiments/claims';
import type { Experiment } from '../experiments/types';
import type { Store, SweepStatus } from '../db/store';
import type { StatOptions } from '../stats/compare';
import { evaluateClaims, type ClaimVerdict } from './evaluate';

export interface SweepVerdict {
  sweep: string;
  experiment: string;
  status: SweepStatus;
  /** True while trials are queued or running: later results can change every number. */
  provisional: boolean;
  trials: { done: number; total: number };
  claims: ClaimVerdict[];
}

export async function sweepVerdict(
  store: Store,
  sweepId: string,
  now: number,
  options: StatOptions & { lookup?: (id: string) => Experiment | undefined } = {},
): Promise<SweepVerdict | null> {
  const sweep = await store.getSweep(sweepId, now);
  if (!sweep) return null;
  const experiment = options.lookup ? options.lookup(sweep.experiment) : await resolveExperiment(store, sweep.experiment);
  const claims = experiment?.claims ?? [];
  const names = [...new Set(claims.flatMap(claimMetrics))];
  const trials = names.length ? (await store.trialResults(sweepId, names)).filter((t) => t.status === 'done') : [];
  return {
    sweep: sweep.id,
    experiment: sweep.experiment,
    status: sweep.status,
    provisional: sweep.status === 'queued' || sweep.status === 'running',
    trials: { done: sweep.counts.done, total: sweep.counts.total },
    claims: evaluateClaims(claims, trials, options),
  };
}
