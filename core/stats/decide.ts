/**
 * The decision rule: one test per contrast (core/stats/contrast.ts), and the interval is the
 * set of effects that test does not reject, so the label, the interval and the p-value agree
 * by construction.
 *
 * Two rules share everything but the test statistic's boundary:
 *
 * - `fixed` (a sweep as submitted): Student's t. p = 2·P(T_ν > |t|) and the interval is
 *   θ̂ ± t_{1−α/2,ν}·se, exact for normal repeats at any n ≥ 2 per cell.
 * - `sequential` (a sweep being settled, core/settle): the anytime-valid t-test. Its e-value
 *   is the Bayes factor of the t statistic with a normal prior N(0, g) on the standardised
 *   effect θ/σ and the scale-invariant prior on σ,
 *       E = (1 + g/v)^(−1/2) · [(1 + t²/ν) / (1 + t²/(ν·(1 + g/v)))]^((ν+1)/2),
 *   which is a test martingale under "θ = 0" whatever σ is (Pérez-Ortiz, Lardy, de Heide and
 *   Grünwald, "E-statistics, group invariance and anytime-valid testing", 2024; Lindon et al.,
 *   "Anytime-valid linear models", 2022). By Ville's inequality P(E ever ≥ 1/α) ≤ α, so
 *   p = min(1, 1/E) may be read after every round of repeats and the user may stop whenever
 *   they like. The interval {θ : E(θ) < 1/α} is a confidence sequence: θ̂ ± t*·se where
 *   E(t*) = 1/α. It is wider than the fixed interval; that is the price of looking often.
 *
 * A claim is decided when p ≤ its level α (after the correction for several claims, `holmLevels`):
 * supported when the estimate has the claimed sign, contradicted when it has the other.
 */
import tCdf from '@stdlib/stats-base-dists-t-cdf';
import tQuantile from '@stdlib/stats-base-dists-t-quantile';
import type { Contrast } from './contrast';

export type Rule = 'fixed' | 'sequential';
export type Outcome = 'supported' | 'contradicted' | 'inconclusive';
/** +1: the claim expects a positive contrast; −1 a negative one. */
export type Direction = 1 | -1;

/** The family-wise error rate every verdict is held to. */
export const ALPHA = 0.05;
/** The sequential rule's prior variance of the standardised effect: effects of about one spread. */
export const PRIOR_G = 1;
/** Power the repeats-to-settle estimate aims for. */
export const POWER = 0.8;
const Z_POWER = 0.8416212335729143;
/** The repeats-to-settle search stops here: beyond, "more than this" is all one can say. */
export const MAX_REPEATS_SEARCH = 10_000;

/** t statistic; ±Infinity when the spread is 0 and the estimate is not, 0 when both are. */
export function tStatistic(c: Contrast, theta = 0): number {
  const diff = c.estimate - theta;
  const se = c.s * Math.sqrt(c.v);
  if (diff === 0) return 0;
  if (se === 0) return diff > 0 ? Infinity : -Infinity;
  return diff / se;
}

/** The sequential rule's e-value for a t statistic with ν degrees of freedom and factor v. */
export function eValue(t: number, df: number, v: number, g = PRIOR_G): number {
  const k = 1 + g / v;
  if (!Number.isFinite(t)) return k ** (df / 2);
  const t2 = t * t;
  return k ** -0.5 * ((1 + t2 / df) / (1 + t2 / (df * k))) ** ((df + 1) / 2);
}

/** Can this contrast be tested at all? It needs a spread with at least one degree of freedom. */
export function testable(c: Contrast | null): c is Contrast {
  return c !== null && c.df >= 1 && Number.isFinite(c.s);
}

/** Two-sided p-value of θ = `theta` under `rule`. */
export function pValue(c: Contrast, rule: Rule, theta = 0): number {
  const t = tStatistic(c, theta);
  if (rule === 'fixed') return Number.isFinite(t) ? 2 * (1 - tCdf(Math.abs(t), c.df)) : 0;
  return Math.min(1, 1 / eValue(t, c.df, c.v));
}

/**
 * The critical |t| at level α: the fixed rule's t quantile, or the t* at which the e-value
 * reaches 1/α (Infinity when it never does: too few degrees of freedom for the sequential
 * rule to decide however large the effect).
 */
export function criticalT(df: number, v: number, rule: Rule, alpha: number): number {
  if (rule === 'fixed') return tQuantile(1 - alpha / 2, df);
  const target = 1 / alpha;
  if (eValue(Infinity, df, v) <= target) return Infinity;
  let lo = 0;
  let hi = 1;
  while (eValue(hi, df, v) < target) hi *= 2;
  for (let i = 0; i < 200 && hi - lo > 1e-12 * hi; i++) {
    const mid = (lo + hi) / 2;
    if (eValue(mid, df, v) < target) lo = mid;
    else hi = mid;
  }
  return hi;
}

/** The interval of θ not rejected at level α: θ̂ ± t*·se; null when unbounded. */
export function interval(c: Contrast, rule: Rule, alpha: number): [number, number] | null {
  const crit = criticalT(c.df, c.v, rule, alpha);
  if (!Number.isFinite(crit)) return null;
  const half = crit * c.s * Math.sqrt(c.v);
  return [c.estimate - half, c.estimate + half];
}

/** The label of a claim whose test gave p at level α. */
export function outcomeOf(c: Contrast | null, p: number | null, alpha: number, expect: Direction): Outcome {
  if (!c || p === null || p > alpha || c.estimate === 0) return 'inconclusive';
  return Math.sign(c.estimate) === expect ? 'supported' : 'contradicted';
}

/** The claims that have a p-value, smallest p first, with their positions. */
function byAscendingP(ps: Array<number | null>): Array<{ p: number; i: number }> {
  return ps
    .map((p, i) => ({ p, i }))
    .filter((x): x is { p: number; i: number } => x.p !== null)
    .sort((a, b) => a.p - b.p);
}

/**
 * Holm's step-down procedure as a level per claim, so that each claim's interval can be drawn
 * at the level its label was decided at. With the p-values sorted p(1) ≤ … ≤ p(m), claim (k)
 * is rejected when p(j) ≤ α/(m − j + 1) for every j ≤ k. A rejected claim's level is
 * α/(m − k + 1), and p ≤ level; a claim at or after the first failure r gets α/(m − r + 1),
 * and p ≥ p(r) > level. So "p ≤ level" is exactly Holm's decision and each interval at its level
 * excludes 0 exactly when the label is decisive. Claims without a p-value get α (they are
 * inconclusive whatever the level). Family-wise error ≤ α; each interval covers with
 * probability ≥ 1 − α.
 */
export function holmLevels(ps: Array<number | null>, alpha = ALPHA): number[] {
  const order = byAscendingP(ps);
  const m = order.length;
  const levels = ps.map(() => alpha);
  let failedAt: number | null = null;
  order.forEach(({ p, i }, k) => {
    const level = alpha / (m - k);
    if (failedAt === null && p > level) failedAt = k;
    levels[i] = failedAt === null ? level : alpha / (m - failedAt);
  });
  return levels;
}

/** Holm-adjusted p-values (for display beside the raw ones). */
export function holmAdjusted(ps: Array<number | null>): Array<number | null> {
  const order = byAscendingP(ps);
  const out: Array<number | null> = ps.map(() => null);
  let running = 0;
  order.forEach(({ p, i }, k) => {
    running = Math.max(running, Math.min(1, (order.length - k) * p));
    out[i] = running;
  });
  return out;
}

/**
 * Repeats per cell that would decide the claim with probability about `POWER` at level α if
 * the effect and spread are what this contrast shows (or `standardised` effect θ/s, when the
 * user gives a smallest effect of interest): the least R with
 * |θ/s|/√(v(R)) ≥ t*(ν(R)) + z_power. Null when there is no effect to find, or more than
 * MAX_REPEATS_SEARCH would be needed.
 */
export function repeatsToDecide(c: Contrast, rule: Rule, alpha: number, standardised?: number): number | null {
  const d = standardised ?? (c.s > 0 ? c.estimate / c.s : c.estimate === 0 ? 0 : Infinity);
  if (!Number.isFinite(d)) return c.units + 1;
  if (d === 0 || c.units <= 0) return null;
  const perUnit = c.v * c.units;
  const dfAt = (R: number) => ((c.df + c.dfOffset) * R) / c.units - c.dfOffset;
  const enough = (R: number) => {
    const df = dfAt(R);
    if (df < 1) return false;
    const v = perUnit / R;
    return Math.abs(d) / Math.sqrt(v) >= criticalT(df, v, rule, alpha) + Z_POWER;
  };
  // Doubling, then bisection: `enough` only becomes true as R grows.
  let hi = Math.max(2, c.units);
  while (!enough(hi)) {
    if (hi >= MAX_REPEATS_SEARCH) return null;
    hi = Math.min(MAX_REPEATS_SEARCH, hi * 2);
  }
  let lo = 1;
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (enough(mid)) hi = mid;
    else lo = mid;
  }
  return hi;
}
