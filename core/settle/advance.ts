/**
 * Settle, driven by the store: each call looks at a settling sweep and, once the trials of
 * its last round are all finished, judges its claims by the anytime-valid rule and either
 * ends (every claim decided, the budget spent, the sweep cancelled) or adds the next round
 * (core/settle/plan.ts) and returns its trials for the host to enqueue. Hosts call it when a
 * pack finishes, and from their periodic repair (the Worker's cron, the Node runner's timer),
 * so a lost call only delays a round. Two callers at once are safe: a round is claimed by
 * compare-and-set (claimSettleRound, core/db/settle-store.ts) and trial ids are deterministic.
 */

import type { Experiment, TrialSpec } from '../experiments/types';
import type { SettleStore, SweepSummary } from '../db/roles';
import { estimatePackMs } from '../sweep/pack-budget';
import { sweepVerdict, type SweepVerdict, type VerdictReads } from '../verdict/sweep-verdict';
import { planRound, settleEstimate } from './plan';
import { MAX_ROUND_TRIALS, MAX_SETTLE_ROUNDS, type SettleRound, type SettleState } from './types';

export interface SettleLimits {
  /** Repeats a cell may reach (the sweep request's limit). */
  maxRepeats: number;
  /** Trials one sweep may hold. */
  maxTrials: number;
}

function look(round: number, now: number, verdict: SweepVerdict): Omit<SettleRound, 'added'> {
  return {
    round,
    at: now,
    trials: verdict.trials,
    claims: verdict.claims.map((c) => ({ statement: c.statement, result: c.result, p: c.p, ci: c.ci, repeats: c.repeats, repeatsToSettle: c.repeatsToSettle })),
  };
}

/** The sweep's verdict under the anytime-valid rule, and its claims that verdict leaves undecided. */
async function judge(store: VerdictReads, sweep: SweepSummary, experiment: Experiment | undefined, now: number) {
  const verdict = (await sweepVerdict(store, sweep.id, now, { sweep, lookup: () => experiment, rule: 'sequential' }))!;
  const undecided = (experiment?.claims ?? []).map((claim, i) => ({ claim, verdict: verdict.claims[i] })).filter((x) => x.verdict.result === 'inconclusive');
  return { verdict, undecided };
}

/** One trial's CPU by the pack-time model (core/sweep/pack-budget.ts). */
const trialCpuOf = (experiment: Experiment) => (params: Record<string, unknown>) => estimatePackMs(experiment, [{ params }]);

export async function advanceSettle(store: SettleStore & VerdictReads, sweepId: string, now: number, experimentOf: (id: string) => Promise<Experiment | undefined>, limits: SettleLimits): Promise<TrialSpec[]> {
  const settle = await store.getSettle(sweepId);
  if (!settle || settle.status !== 'running') return [];
  const sweep = await store.getSweep(sweepId, now);
  if (!sweep) return [];
  if (sweep.status === 'cancelled') {
    await store.endSettle(sweepId, 'stopped', 'the sweep was cancelled', settle.history, now);
    return [];
  }
  // A round is judged only once all its trials have finished.
  if (sweep.counts.queued + sweep.counts.running > 0) return [];
  const experiment = await experimentOf(sweep.experiment);
  const claims = experiment?.claims ?? [];
  const { verdict, undecided } = await judge(store, sweep, experiment, now);
  const seen = look(settle.round, now, verdict);
  const end = (status: 'decided' | 'exhausted', reason: string | null) => store.endSettle(sweepId, status, reason, [...settle.history, { ...seen, added: { trials: 0, cpuMs: 0, cells: 0 } }], now);
  if (!claims.length || !experiment) {
    await end('decided', experiment ? 'the experiment states no claims' : `experiment '${sweep.experiment}' is no longer known`);
    return [];
  }
  if (!undecided.length) {
    await end('decided', null);
    return [];
  }
  if (settle.round >= MAX_SETTLE_ROUNDS) {
    await end('exhausted', `${MAX_SETTLE_ROUNDS} rounds without deciding every claim`);
    return [];
  }
  const plan = planRound({
    sweep: { id: sweep.id, experiment: sweep.experiment, seed: sweep.seed },
    claims: undecided,
    cells: await store.cells(sweepId),
    budget: { trials: settle.budget.trials - settle.spent.trials, cpuMs: settle.budget.cpuMs === null ? null : settle.budget.cpuMs - settle.spent.cpuMs },
    maxRepeats: limits.maxRepeats,
    roomTrials: Math.min(MAX_ROUND_TRIALS, limits.maxTrials - sweep.counts.total),
    trialCpuMs: trialCpuOf(experiment),
  });
  if (!plan.trials.length) {
    await end('exhausted', plan.shortfall);
    return [];
  }
  if (!(await store.claimSettleRound(sweepId, settle.round, now))) return [];
  const round: SettleRound = { ...seen, added: { trials: plan.trials.length, cpuMs: Math.round(plan.cpuMs), cells: plan.cells } };
  await store.addSettleRound(sweepId, plan.trials, { trials: settle.spent.trials + plan.trials.length, cpuMs: settle.spent.cpuMs + plan.cpuMs }, [...settle.history, round], now);
  return plan.trials;
}

/** What the Settle button shows before it is pressed: the trials and CPU that would likely decide every undecided claim. */
export async function estimateSettle(store: VerdictReads, sweep: SweepSummary, now: number, experiment: Experiment | undefined, limits: SettleLimits): Promise<{ undecided: number; trials: number; cpuMs: number; unreachable: number }> {
  const { undecided } = await judge(store, sweep, experiment, now);
  if (!experiment || !undecided.length) return { undecided: 0, trials: 0, cpuMs: 0, unreachable: 0 };
  const e = settleEstimate(undecided, await store.cells(sweep.id), limits.maxRepeats, trialCpuOf(experiment));
  return { undecided: undecided.length, ...e };
}

export type { SettleState };
