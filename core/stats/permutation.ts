/**
 * Permutation tests. Every test statistic used by core/stats/compare.ts is a SUM of
 * independent group contributions (a stratum's difference of means, a pair's signed
 * difference, a block's share of Spearman's numerator), and under the null hypothesis each
 * group's arrangement is uniform over a finite set. So when the product of the set sizes is
 * small the null distribution is enumerated exactly (`exactSumTest`); otherwise it is
 * sampled (`monteCarloTest`) with a seeded generator.
 */
import type { Rng } from '../rng';

/** Enumerate exactly up to this many arrangements; beyond, sample. */
export const EXACT_LIMIT = 200_000;

/** |T*| ≥ |T| up to float noise: sums of the same numbers in another order can differ in the last bits. */
function atLeastAsExtreme(t: number, observed: number): boolean {
  return Math.abs(t) >= Math.abs(observed) - 1e-9 * Math.max(1, Math.abs(observed));
}

/**
 * Exact two-sided p-value: `contributions[g]` lists group g's contribution under each of its
 * equally likely arrangements; the statistic is the sum over groups. Returns null when the
 * number of arrangements (the product of the list lengths) exceeds `limit`.
 */
export function exactSumTest(contributions: number[][], observed: number, limit = EXACT_LIMIT): { p: number; arrangements: number } | null {
  const total = contributions.reduce((n, c) => n * c.length, 1);
  if (total > limit) return null;
  let sums = new Float64Array([0]);
  for (const c of contributions) {
    const next = new Float64Array(sums.length * c.length);
    let k = 0;
    for (const s of sums) for (const v of c) next[k++] = s + v;
    sums = next;
  }
  let extreme = 0;
  for (const s of sums) if (atLeastAsExtreme(s, observed)) extreme++;
  return { p: extreme / total, arrangements: total };
}

/** Monte Carlo two-sided p-value, (1 + #extreme)/(1 + draws), which never understates p. */
export function monteCarloTest(draw: (rng: Rng) => number, observed: number, draws: number, rng: Rng): number {
  let extreme = 0;
  for (let i = 0; i < draws; i++) if (atLeastAsExtreme(draw(rng), observed)) extreme++;
  return (1 + extreme) / (1 + draws);
}

/** All k-subsets of 0..n−1 (as index lists), in lexicographic order. */
export function combinations(n: number, k: number): number[][] {
  const out: number[][] = [];
  const pick: number[] = [];
  const rec = (start: number) => {
    if (pick.length === k) return void out.push(pick.slice());
    for (let i = start; i <= n - (k - pick.length); i++) {
      pick.push(i);
      rec(i + 1);
      pick.pop();
    }
  };
  rec(0);
  return out;
}

/** All permutations of 0..k−1. */
export function permutations(k: number): number[][] {
  if (k <= 1) return [Array.from({ length: k }, (_, i) => i)];
  const out: number[][] = [];
  for (const p of permutations(k - 1)) for (let i = 0; i < k; i++) out.push([...p.slice(0, i), k - 1, ...p.slice(i)]);
  return out;
}

/** In-place Fisher–Yates shuffle of a[from..to). */
export function shuffleRange(a: number[] | Float64Array, from: number, to: number, rng: Rng): void {
  for (let i = to - 1; i > from; i--) {
    const j = from + rng.int(i - from + 1);
    const t = a[i];
    a[i] = a[j];
    a[j] = t;
  }
}
