/**
 * Power before running: per claim, the repeats per cell likely (80%) to decide it with the
 * fixed-sample rule, for the design a sweep request would run, given a standardised effect
 * (the effect over the spread of repeats, as ClaimVerdict.d reports it). The effect comes
 * from the user (a smallest effect of interest) or from an earlier sweep's verdict.
 *
 * The design's contrasts are computed on placeholder values (every metric 0 at every step the
 * claims name): a contrast's standard-error factor and degrees of freedom depend only on which
 * trials exist, not on their values. Claims are planned at 5%/m (Bonferroni over m claims),
 * the strictest level Holm's procedure can give one of them, so the estimate errs towards more.
 */
import type { Claim } from '../experiments/claims';
import type { TrialSpec } from '../experiments/types';
import { ALPHA, repeatsToDecide } from '../stats/decide';
import { claimContrasts, type TrialValues } from './evaluate';

export interface ClaimPower {
  statement: string;
  /** The standardised effect assumed, and where it came from. */
  effect: number | null;
  basis: string | null;
  /** Repeats per cell this request runs, and those likely to decide the claim (null: no effect to find, or none assumed). */
  planned: number;
  repeatsNeeded: number | null;
}

/** Every step a claim names, so the placeholder curves have them. */
function stepsNamed(claims: Claim[]): number[] {
  const steps = new Set<number>([0]);
  for (const c of claims) {
    if (c.kind === 'curves' && c.steps !== 'all') c.steps.forEach((s) => steps.add(s));
    if ('at' in c && c.at && typeof c.at === 'object') steps.add(c.at.step);
  }
  return [...steps].sort((a, b) => a - b);
}

export function claimPower(claims: Claim[], trials: TrialSpec[], effects: Array<{ d: number | null; basis: string } | null>): ClaimPower[] {
  const steps = stepsNamed(claims);
  const zeros = { steps, values: steps.map(() => 0) };
  const placeholder: TrialValues[] = trials.map((t) => ({
    id: t.id,
    repeat: t.repeat,
    params: t.params,
    scalars: new Proxy({}, { get: () => 0 }) as Record<string, number>,
    series: new Proxy({}, { get: () => zeros }) as TrialValues['series'],
  }));
  const contrasts = claimContrasts(claims, placeholder);
  const level = ALPHA / Math.max(1, claims.length);
  return claims.map((claim, i) => {
    const c = contrasts[i];
    const e = effects[i];
    const planned = c ? Math.floor(c.units) : 0;
    const d = e?.d ?? null;
    const repeatsNeeded = c && d !== null && d !== 0 && Number.isFinite(d) ? repeatsToDecide(c, 'fixed', level, d) : null;
    return { statement: claim.statement, effect: d, basis: e?.basis ?? null, planned, repeatsNeeded };
  });
}
