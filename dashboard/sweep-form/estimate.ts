/**
 * What the new-sweep form says about a sweep before it runs: how long it would take, from
 * the finished sweeps of the same experiment (GET /api/sweeps, the list alone), and per
 * claim the repeats likely to decide it (the power of a dry run, POST /api/sweeps?dryRun=1).
 */
import type { ClaimPowerLine, SweepSummary } from '../routes';

export type { ClaimPowerLine };

/** What the estimate reads of a sweep of the list, nothing per trial. */
export type SweepListEntry = Pick<SweepSummary, 'experiment' | 'status' | 'createdAt' | 'finishedAt'> & { counts: Pick<SweepSummary['counts'], 'done'> };

export interface Estimate {
  msPerTrial: number;
  trials: number;
  sweeps: number;
}

/**
 * Mean wall time per trial over this experiment's finished sweeps, from the list alone
 * ((finishedAt − createdAt) / done): it includes queueing and reflects the server's
 * parallelism, which is what a user waits for. Null when none has finished.
 */
export function estimateFromSweeps(sweeps: SweepListEntry[], experiment: string): Estimate | null {
  let ms = 0;
  let trials = 0;
  let n = 0;
  for (const s of sweeps) {
    if (s.experiment !== experiment || s.status !== 'done' || s.finishedAt === null || s.counts.done <= 0) continue;
    ms += Math.max(0, s.finishedAt - s.createdAt);
    trials += s.counts.done;
    n++;
  }
  return trials > 0 ? { msPerTrial: ms / trials, trials, sweeps: n } : null;
}

/** "45 s", "2 min 30 s", "12 min", "2 h 5 min". */
export function formatDuration(ms: number): string {
  const s = Math.round(ms / 1000);
  if (s < 90) return `${s} s`;
  if (s < 600) return s % 60 ? `${Math.floor(s / 60)} min ${s % 60} s` : `${s / 60} min`;
  const m = Math.round(s / 60);
  return m < 90 ? `${m} min` : `${Math.floor(m / 60)} h ${m % 60} min`;
}

/** The estimate as the form says it, for `trials` trials (null: the count is not known yet). */
export function estimateText(est: Estimate | null, trials: number | null, experiment: string): string {
  if (!est) return `No trials of ${experiment} have run here yet, so no time estimate.`;
  const base = `from ${est.trials} trial${est.trials === 1 ? '' : 's'} of ${experiment} already run (${est.sweeps} finished sweep${est.sweeps === 1 ? '' : 's'}, ${(est.msPerTrial / 1000).toFixed(est.msPerTrial < 10_000 ? 2 : 0)} s per trial; their parameters may differ)`;
  return trials === null ? `Estimate ${base}.` : `About ${formatDuration(trials * est.msPerTrial)}, ${base}.`;
}

/** One line per claim: how many repeats per cell would likely decide it, and on what assumption. */
export function powerText(c: ClaimPowerLine): string {
  if (c.effect === null) return `${c.statement}: no effect to plan from (no finished sweep of this experiment yet; give a smallest effect)`;
  const d = `d = ${Number(c.effect.toPrecision(2))}`;
  if (c.repeatsNeeded === null) return `${c.statement}: no effect seen (${d}, ${c.basis}): no number of repeats can be promised`;
  const verdict = c.repeatsNeeded <= c.planned ? 'enough' : 'likely too few';
  return `${c.statement}: ~${c.repeatsNeeded} repeats per cell likely decide it; ${c.planned} planned (${verdict}) — ${d}, ${c.basis}`;
}
