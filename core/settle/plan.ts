/**
 * Settle's rounds, as a pure plan: which repeats to add, to which grid cells, within which
 * budget. core/settle/advance.ts runs it against the store.
 *
 * Only the cells an undecided claim compares grow: a claim's cells are the configs that match
 * its `where` and whose compared parameter takes one of the values it names (all matching
 * configs for a trend without values, and for `metrics`). Each claim aims for the repeats per
 * cell that would likely decide it under the anytime-valid rule (ClaimVerdict.repeatsToSettle),
 * but a round at most doubles a cell's repeats, so the evidence is looked at again on the way
 * (the rule stays valid however often it is read) and a hopeless claim cannot spend the whole
 * budget in one step. Repeats are added in layers, repeat index by repeat index, and a layer
 * goes in whole or not at all, so paired claims keep complete pairs. New repeat r of a cell is
 * the trial `<sweep>.<cell>.<r>` with the sweep's seed: exactly the trial the sweep would have
 * had with more repeats from the start.
 */
import { claimAxis, claimValues, matchesWhere, sameValue, type Claim } from '../experiments/claims';
import type { TrialSpec } from '../experiments/types';
import type { ClaimVerdict } from '../verdict/evaluate';

/** A grid cell of the sweep as stored: its index, config key, parameters and repeats so far. */
export interface SweepCell {
  index: number;
  config: string;
  params: Record<string, unknown>;
  repeats: number;
}

export interface SettleBudgetLeft {
  trials: number;
  /** Estimated CPU ms left; null when the budget is in trials only. */
  cpuMs: number | null;
}

export interface RoundPlan {
  trials: TrialSpec[];
  cpuMs: number;
  /** Cells that grow this round. */
  cells: number;
  /** Why nothing (more) could be added, when the plan falls short of the claims' targets. */
  shortfall: string | null;
}

/** The cells a claim compares: those its `where` selects, at the values it names (every level when it names none). */
export function cellsOfClaim(claim: Claim, cells: SweepCell[]): SweepCell[] {
  const axis = claimAxis(claim);
  const named = claimValues(claim);
  return cells.filter((c) => matchesWhere(c.params, claim.where) && (axis === null || !named.length || named.some((v) => sameValue(c.params[axis], v))));
}

/** The repeats per cell a claim's next round aims for. */
export function nextRepeats(verdict: Pick<ClaimVerdict, 'repeatsToSettle'>, current: number, maxRepeats: number): number {
  const want = verdict.repeatsToSettle ?? 2 * current;
  return Math.min(maxRepeats, Math.max(current + 1, Math.min(want, 2 * Math.max(1, current))));
}

type ClaimToSettle = { claim: Claim; verdict: Pick<ClaimVerdict, 'repeatsToSettle'> };

/**
 * Per cell index, the repeats the claims aim it at: each claim's `aim` (null: none) for the
 * cells it compares; a cell several claims compare takes the highest, and never less than it has.
 */
function cellTargets(claims: ClaimToSettle[], cells: SweepCell[], aim: (verdict: ClaimToSettle['verdict'], mine: SweepCell[]) => number | null): Map<number, number> {
  const target = new Map<number, number>();
  for (const { claim, verdict } of claims) {
    const mine = cellsOfClaim(claim, cells);
    const repeats = mine.length ? aim(verdict, mine) : null;
    if (repeats === null) continue;
    for (const c of mine) target.set(c.index, Math.max(target.get(c.index) ?? c.repeats, repeats));
  }
  return target;
}

export function planRound(opts: {
  sweep: { id: string; experiment: string; seed: number };
  claims: ClaimToSettle[];
  cells: SweepCell[];
  budget: SettleBudgetLeft;
  /** Repeats a cell may reach (the request limit) and trials the sweep may add in all (its cap less its size). */
  maxRepeats: number;
  roomTrials: number;
  trialCpuMs: (params: Record<string, unknown>) => number;
}): RoundPlan {
  const target = cellTargets(opts.claims, opts.cells, (verdict, mine) => nextRepeats(verdict, Math.min(...mine.map((c) => c.repeats)), opts.maxRepeats));
  const growing = opts.cells.filter((c) => (target.get(c.index) ?? 0) > c.repeats);
  if (!growing.length) return { trials: [], cpuMs: 0, cells: 0, shortfall: `every compared cell has the most repeats a sweep may have (${opts.maxRepeats})` };
  const trials: TrialSpec[] = [];
  let cpuMs = 0;
  let shortfall: string | null = null;
  const top = Math.max(...growing.map((c) => target.get(c.index)!));
  for (let r = Math.min(...growing.map((c) => c.repeats)); r < top; r++) {
    const layer = growing
      .filter((c) => c.repeats <= r && r < target.get(c.index)!)
      .map((c): TrialSpec => ({ id: `${opts.sweep.id}.${c.index}.${r}`, sweepId: opts.sweep.id, experiment: opts.sweep.experiment, configKey: c.config, repeat: r, seed: opts.sweep.seed, params: c.params }));
    const layerMs = layer.reduce((s, t) => s + opts.trialCpuMs(t.params), 0);
    const trialsLeft = Math.min(opts.budget.trials, opts.roomTrials) - trials.length;
    if (layer.length > trialsLeft) {
      shortfall = opts.roomTrials < opts.budget.trials ? `the sweep's trial cap leaves room for ${opts.roomTrials - trials.length} more trials` : `the budget has ${trialsLeft} trials left; the next repeat needs ${layer.length}`;
      break;
    }
    if (opts.budget.cpuMs !== null && cpuMs + layerMs > opts.budget.cpuMs) {
      shortfall = `the CPU budget has ${Math.round((opts.budget.cpuMs - cpuMs) / 1000)} s left; the next repeat needs about ${Math.round(layerMs / 1000)} s`;
      break;
    }
    trials.push(...layer);
    cpuMs += layerMs;
  }
  return { trials, cpuMs, cells: new Set(trials.map((t) => t.configKey)).size, shortfall };
}

/**
 * What settling every undecided claim would likely take: the trials that bring each claim's
 * cells to its repeats-to-settle (claims with no visible effect are counted apart: no number
 * of repeats can be promised for them).
 */
export function settleEstimate(
  claims: ClaimToSettle[],
  cells: SweepCell[],
  maxRepeats: number,
  trialCpuMs: (params: Record<string, unknown>) => number,
): { trials: number; cpuMs: number; unreachable: number } {
  const unreachable = claims.filter((c) => c.verdict.repeatsToSettle === null).length;
  const target = cellTargets(claims, cells, (verdict) => (verdict.repeatsToSettle === null ? null : Math.min(maxRepeats, verdict.repeatsToSettle)));
  let trials = 0;
  let cpuMs = 0;
  for (const c of cells) {
    const add = Math.max(0, (target.get(c.index) ?? c.repeats) - c.repeats);
    trials += add;
    cpuMs += add * trialCpuMs(c.params);
  }
  return { trials, cpuMs: Math.round(cpuMs), unreachable };
}
