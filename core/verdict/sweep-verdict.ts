/**
 * A sweep's verdict: loads only the metrics its experiment's claims read (trialResults with
 * those names, core/db/results.ts), keeps the finished trials and evaluates the claims.
 * While trials are still queued or running the verdict is computed from what is done and
 * marked provisional.
 */
import { resolveExperiment } from '../experiments/resolve';
import { claimMetrics, type Claim } from '../experiments/claims';
import type { Experiment } from '../experiments/types';
import type { ResultQueries, SpecRegistry, SweepCatalogue, SweepStatus, SweepSummary } from '../db/roles';
import { evaluateClaims, type ClaimVerdict, type EvaluateOptions, type Rule } from './evaluate';

export interface SweepVerdict {
  sweep: string;
  experiment: string;
  status: SweepStatus;
  /** True while trials are queued or running: later results can change every number. */
  provisional: boolean;
  trials: { done: number; total: number };
  /** 'fixed': the sweep as submitted; 'sequential': the anytime-valid rule of a settled sweep. */
  rule: Rule;
  claims: ClaimVerdict[];
}

/** What a verdict reads: the sweep, its trials' results, and a custom experiment's spec. */
export type VerdictReads = ResultQueries & Pick<SweepCatalogue, 'getSweep'> & Pick<SpecRegistry, 'getExperimentSpec'>;

export async function sweepVerdict(
  store: VerdictReads,
  sweepId: string,
  now: number,
  options: EvaluateOptions & { lookup?: (id: string) => Experiment | undefined; sweep?: SweepSummary } = {},
): Promise<SweepVerdict | null> {
  const sweep = options.sweep ?? (await store.getSweep(sweepId, now));
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
    rule: options.rule ?? 'fixed',
    claims: evaluateClaims(claims, trials, { rule: options.rule }),
  };
}

/**
 * Bump when the statistics behind a verdict change (core/stats, core/verdict): stored
 * verdicts of the old rule are then recomputed on their next read.
 */
export const VERDICT_RULE = 2;

/**
 * The version a verdict is stored under (Store.storeAnswer, kind 'verdict'): the sweep's
 * version, the claims and statistics it was computed with, and the rule that judged them.
 */
export function verdictVersion(sweepVersion: string, claims: readonly Claim[], rule: Rule): string {
  return `${sweepVersion}.${verdictFingerprint(claims)}${rule === 'sequential' ? '.s' : ''}`;
}

/** A short hash of the claims and the rule: verdicts stored under another fingerprint are stale. */
export function verdictFingerprint(claims: readonly Claim[]): string {
  const text = `${VERDICT_RULE}:${JSON.stringify(claims)}`;
  // FNV-1a, 32 bits: enough to tell one experiment's claim lists apart.
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return (h >>> 0).toString(36);
}
