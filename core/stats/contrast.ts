/**
 * Every claim reduces to one linear contrast of cell means (core/verdict/evaluate.ts):
 *
 *   difference   a − b, averaged over the strata (the other grid axes' cells)
 *   curves       the same, on each trial's mean over the listed checkpoints
 *   trend        the least-squares slope of the cell means on the level index 0, 1, 2, …
 *                (change per step along the axis), averaged over strata
 *   metrics      the same slope across a trial's metrics, in list order
 *   order        one difference per adjacent pair of values (a contrast per link)
 *
 * Two designs give the contrast its standard error:
 *
 * - Unpaired (each trial draws its own data): the cell-means model. θ̂ = Σ c_j·ȳ_j, the spread
 *   s is the pooled within-cell standard deviation with ν = N − J degrees of freedom, and
 *   se = s·√(Σ c_j²/n_j). Pooled rather than Welch's: with equal repeats per cell it is
 *   robust to unequal spreads, and it is the linear model the sequential rule is valid in.
 * - Paired (repeat r of every config shares data or seeds; for `metrics`, a trial's metrics
 *   are measured together): the contrast is computed within each block, w_b, and θ̂ is the
 *   mean of the w_b with s their standard deviation, ν = B − 1, se = s/√B.
 *
 * A Contrast is what the decision rules (core/stats/decide.ts) need: θ̂, s, ν and the factor
 * v with se = s·√v. `units` (repeats per cell) and `dfOffset` let the rules scale v and ν to
 * more repeats for the repeats-to-settle estimate: v(R) = v·units/R and
 * ν(R) = (ν + dfOffset)·R/units − dfOffset.
 */
import { mean, sampleSd } from './describe';

export interface Contrast {
  estimate: number;
  /** Residual standard deviation (pooled within cells, or of the per-block contrasts). */
  s: number;
  df: number;
  /** se = s·√v. */
  v: number;
  units: number;
  dfOffset: number;
  n: { a: number; b: number };
  /** Paired designs: blocks used. */
  pairs?: number;
}

/** One cell of an unpaired contrast: its values and its coefficient. */
export interface ContrastCell {
  values: number[];
  coefficient: number;
}

/**
 * The unpaired contrast Σ c_j·ȳ_j over cells with at least one value. `n` says how many
 * observations are on the a and b sides (for display). Null when no cell has a value.
 */
export function unpairedContrast(cells: ContrastCell[], n: { a: number; b: number }): Contrast | null {
  const used = cells.filter((c) => c.values.length > 0);
  if (!used.length) return null;
  let estimate = 0;
  let v = 0;
  let ss = 0;
  let df = 0;
  for (const c of used) {
    const m = mean(c.values);
    estimate += c.coefficient * m;
    v += (c.coefficient * c.coefficient) / c.values.length;
    for (const x of c.values) ss += (x - m) ** 2;
    df += c.values.length - 1;
  }
  const withCoefficient = used.filter((c) => c.coefficient !== 0);
  const units = Math.min(...withCoefficient.map((c) => c.values.length));
  return { estimate, s: df > 0 ? Math.sqrt(ss / df) : NaN, df, v, units, dfOffset: used.length, n };
}

/** The paired contrast: one value per block (the contrast computed within that block). */
export function pairedContrast(perBlock: number[], n: { a: number; b: number }, blocksPerRepeat = 1): Contrast | null {
  if (!perBlock.length) return null;
  const B = perBlock.length;
  return { estimate: mean(perBlock), s: B > 1 ? sampleSd(perBlock) : NaN, df: B - 1, v: 1 / B, units: B / blocksPerRepeat, dfOffset: 1, n, pairs: B };
}

/**
 * Least-squares slope coefficients of values on the given level indices (equally weighted
 * levels): c_l = (l − l̄)/Σ(l − l̄)². Σ c_l·ȳ_l is the slope of the level means.
 */
export function slopeCoefficients(levels: number[]): number[] {
  const m = mean(levels);
  const sxx = levels.reduce((s, l) => s + (l - m) ** 2, 0);
  return levels.map((l) => (sxx > 0 ? (l - m) / sxx : 0));
}
