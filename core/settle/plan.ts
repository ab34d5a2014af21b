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
import { claimAxis, type Claim } from '../experiments/claims';
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

const same = (x: unknown, y: unknown) => JSON.stringify(x) === JSON.stringify(y);

/** The cells a claim compares. */
export function cellsOfClaim(claim: Claim, cells: SweepCell[]): SweepCell[] {
  const axis = claimAxis(claim);
  const named: unknown[] | null =
    claim.kind === 'difference' || claim.kind === 'curves' ? [claim.a, claim.b] : claim.kind === 'order' ? claim.values : claim.kind === 'trend' ? (claim.values ?? null) : null;
  return cells.filter((c) => Object.entries(claim.where ?? {}).every(([k, v]) => same(c.params[k], v)) && (axis === null || named === null || named.some((v) => same(c.params[axis], v))));
}

/** The repeats per cell a claim's next round aims for. */
export function nextRepeats(verdict: Pick<ClaimVerdict, 'repeatsToSettle'>, current: number, maxRepeats: number): number {
  const want = verdict.repeatsToSettle ?? 2 * current;
  return Math.min(maxRepeats, Math.max(current + 1, Math.min(want, 2 * Math.max(1, current))));
}

export function planRound(opts: {
  sweep: { id: string; experiment: string; seed: number };
  claims: Array<{ claim: Claim; verdict: Pick<ClaimVerdict, 'repeatsToSettle'> }>;
  cells: SweepCell[];
  budget: SettleBudgetLeft;
  /** Repeats a cell may reach (the request limit) and trials the sweep may add in all (its cap less its size). */
  maxRepeats: number;
  roomTrials: number;
  trialCpuMs: (params: Record<string, unknown>) => number;
}): RoundPlan {
  const target = new Map<number, number>();
  for (const { claim, verdict } of opts.claims) {
    const mine = cellsOfClaim(claim, opts.cells);
    if (!mine.length) continue;
    const current = Math.min(...mine.map((c) => c.repeats));
    const next = nextRepeats(verdict, current, opts.maxRepeats);
    for (const c of mine) target.set(c.index, Math.max(target.get(c.index) ?? c.repeats, next));
  }
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
  claims: Array<{ claim: Claim; verdict: Pick<ClaimVerdict, 'repeatsToSettle'> }>,
  cells: SweepCell[],
  maxRepeats: number,
  trialCpuMs: (params: Record<string, unknown>) => number,
): { trials: number; cpuMs: number; unreachable: number } {
  const target = new Map<number, number>();
  let unreachable = 0;
  for (const { claim, verdict } of claims) {
    if (verdict.repeatsToSettle === null) {
      unreachable++;
      continue;
    }
    for (const c of cellsOfClaim(claim, cells)) target.set(c.index, Math.max(target.get(c.index) ?? c.repeats, Math.min(maxRepeats, verdict.repeatsToSettle)));
  }
  let trials = 0;
  let cpuMs = 0;
  for (const c of cells) {
    const add = Math.max(0, (target.get(c.index) ?? c.repeats) - c.repeats);
    trials += add;
    cpuMs += add * trialCpuMs(c.params);
  }
  return { trials, cpuMs: Math.round(cpuMs), unreachable };
}
