/**
 * The two comparisons every claim reduces to (core/verdict/evaluate.ts):
 *
 * - `compareDifference`: is mean(a) − mean(b) positive or negative? Unpaired, the effect is
 *   the difference of group means (averaged over strata when other grid axes vary), the CI a
 *   percentile bootstrap that resamples repeats within each group and stratum, the test an
 *   exact permutation test of the group labels (Monte Carlo when there are too many
 *   relabellings). Paired (a's and b's trials of one repeat share data or seeds), the effect
 *   is the mean within-pair difference, the bootstrap resamples whole repeats, and the test
 *   is the sign-flip permutation test (exact for up to 2^17 flips).
 * - `compareTrend`: does the metric rise or fall along an ordered axis? The effect is
 *   Spearman's ρ between the axis level and the metric (averaged over strata), the CI a
 *   bootstrap (within level cells, or over repeats when paired), the test a permutation
 *   test of the values within strata (within repeats when paired).
 *
 * The verdict is read from the 95% CI alone: excluding 0 in the claimed direction is
 * "supported", in the opposite direction "contradicted", otherwise "inconclusive". The
 * permutation p-value is reported beside it as an independent check. Everything is
 * deterministic for a given seed (core/rng.ts).
 */
import { deriveSeed, Rng } from '../rng';
import { choose, factorial, mean, quantile, ranks, sampleSd, sumSquares } from './describe';
import { combinations, EXACT_LIMIT, exactSumTest, monteCarloTest, permutations, shuffleRange } from './permutation';

/** Two-sided 5% and 80% power normal quantiles, for the repeats-to-settle estimate. */
export const Z_ALPHA = 1.959963984540054;
export const Z_POWER = 0.8416212335729143;
/** Below this many repeats per side (pairs, blocks) a bootstrap is no interval: inconclusive by rule. */
export const MIN_REPEATS = 3;

export type Outcome = 'supported' | 'contradicted' | 'inconclusive';
/** +1: the claim expects a positive effect (a > b, increasing); −1 a negative one. */
export type Direction = 1 | -1;

export interface StatOptions {
  seed?: number;
  /** Bootstrap replicates (default 2000). */
  bootstrap?: number;
  /** Monte Carlo permutations when exact enumeration is too big (default 10,000). */
  permutations?: number;
  exactLimit?: number;
}

/** One trial's value. `stratum` names the cell of the other grid axes; `block` the repeat (pairing unit). */
export interface Observation {
  value: number;
  stratum: string;
  block: string;
}

export interface LevelObservation extends Observation {
  /** Position on the ordered axis (0, 1, 2, …). */
  level: number;
}

export interface StatResult {
  effect: number | null;
  ci: [number, number] | null;
  /**
   * Standardised effect: Cohen's d (unpaired: pooled within-cell sd; paired: d_z = mean/sd
   * of differences). For trends, d of the last level against the first.
   */
  d: number | null;
  /** The spread d divides by (and the power estimate uses). */
  sd: number | null;
  n: { a: number; b: number };
  /** Paired comparisons: matched pairs used. */
  pairs?: number;
  test: string;
  p: number | null;
  result: Outcome;
  /** Inconclusive only: repeats per config that would likely settle it either way (80% power, 5% two-sided). */
  repeatsToSettle: number | null;
  /** Trends: the difference between the last and first level (mean last − mean first), with its CI and d. */
  extremes?: { effect: number | null; ci: [number, number] | null; d: number | null };
  note?: string;
}

const defaults = (o: StatOptions) => ({
  seed: o.seed ?? 0,
  bootstrap: o.bootstrap ?? 2000,
  permutations: o.permutations ?? 10_000,
  exactLimit: o.exactLimit ?? EXACT_LIMIT,
});

/** The 95% percentile interval of bootstrap replicates. */
export function percentileCi(replicates: number[]): [number, number] {
  const sorted = Float64Array.from(replicates).sort();
  return [quantile(sorted, 0.025), quantile(sorted, 0.975)];
}

/** The verdict of a CI for a claimed direction. */
export function outcomeOf(ci: [number, number] | null, expect: Direction): Outcome {
  if (!ci) return 'inconclusive';
  const sign = ci[0] > 0 ? 1 : ci[1] < 0 ? -1 : 0;
  if (sign === 0) return 'inconclusive';
  return sign === expect ? 'supported' : 'contradicted';
}

/**
 * Repeats per config that would give 80% power at 5% two-sided for the observed effect and
 * spread: n ≈ ((1.96 + 0.84)·sd/effect)² for paired differences, twice that per group
 * unpaired, divided by the number of strata the effect averages over. A rough guide that
 * takes the observed effect at face value; at least one more than `current`.
 */
export function repeatsToSettle(effect: number | null, sd: number, paired: boolean, strata: number, current: number): number | null {
  if (effect === null || effect === 0 || !Number.isFinite(sd)) return null;
  if (sd === 0) return Math.max(MIN_REPEATS, current + 1);
  const n = (((Z_ALPHA + Z_POWER) * sd) / Math.abs(effect)) ** 2 * (paired ? 1 : 2) / Math.max(1, strata);
  return Math.max(MIN_REPEATS, current + 1, Math.ceil(n));
}

/**
 * The same for a trend, from ρ itself: Spearman's ρ has Fisher-z variance ≈ 1.06/(N − 3)
 * (Fieller, Hartley & Pearson), so N ≈ 1.06·((1.96 + 0.84)/atanh ρ)² + 3 observations per
 * stratum (fewer when averaging over strata), spread over `levels` levels.
 */
export function repeatsToSettleTrend(rho: number | null, levels: number, strata: number, current: number): number | null {
  if (rho === null || rho === 0 || !Number.isFinite(rho)) return null;
  const z = Math.atanh(Math.min(0.999999, Math.abs(rho)));
  const n = (1.06 * ((Z_ALPHA + Z_POWER) / z) ** 2) / Math.max(1, strata) + 3;
  return Math.max(MIN_REPEATS, current + 1, Math.ceil(n / Math.max(1, levels)));
}

function groupBy<T>(xs: T[], key: (x: T) => string): Map<string, T[]> {
  const m = new Map<string, T[]>();
  for (const x of xs) {
    const k = key(x);
    const list = m.get(k);
    if (list) list.push(x);
    else m.set(k, [x]);
  }
  return m;
}

function resampleMean(xs: number[], rng: Rng): number {
  let s = 0;
  for (let i = 0; i < xs.length; i++) s += xs[rng.int(xs.length)];
  return s / xs.length;
}

function describeTest(exact: { arrangements: number } | null, what: string, draws: number): string {
  return exact ? `${what}, exact over ${exact.arrangements} arrangements` : `${what}, Monte Carlo (${draws} draws)`;
}

/** mean(a) − mean(b); see the module header. `expect` is the claimed sign of the effect. */
export function compareDifference(a: Observation[], b: Observation[], paired: boolean, expect: Direction, options: StatOptions = {}): StatResult {
  const o = defaults(options);
  const bootRng = new Rng(deriveSeed(o.seed, 'bootstrap'));
  const permRng = new Rng(deriveSeed(o.seed, 'permutation'));
  return paired ? pairedDifference(a, b, expect, o, bootRng, permRng) : unpairedDifference(a, b, expect, o, bootRng, permRng);
}

function empty(n: { a: number; b: number }, test: string, note: string): StatResult {
  return { effect: null, ci: null, d: null, sd: null, n, test, p: null, result: 'inconclusive', repeatsToSettle: null, note };
}

function unpairedDifference(a: Observation[], b: Observation[], expect: Direction, o: ReturnType<typeof defaults>, bootRng: Rng, permRng: Rng): StatResult {
  const byA = groupBy(a, (x) => x.stratum);
  const byB = groupBy(b, (x) => x.stratum);
  const strata = [...byA.keys()].filter((s) => byB.has(s));
  const cells = strata.map((s) => ({ a: byA.get(s)!.map((x) => x.value), b: byB.get(s)!.map((x) => x.value) }));
  const n = { a: cells.reduce((k, c) => k + c.a.length, 0), b: cells.reduce((k, c) => k + c.b.length, 0) };
  const S = cells.length;
  const what = `unpaired: bootstrap (${o.bootstrap}) resampling repeats within each group${S > 1 ? ` and each of ${S} strata` : ''}`;
  if (!S) return empty({ a: a.length, b: b.length }, what, 'no trials on both sides');
  const effect = mean(cells.map((c) => mean(c.a) - mean(c.b)));
  const df = n.a + n.b - 2 * S;
  const sd = df > 0 ? Math.sqrt(cells.reduce((s, c) => s + sumSquares(c.a) + sumSquares(c.b), 0) / df) : NaN;
  const replicates: number[] = [];
  for (let r = 0; r < o.bootstrap; r++) {
    let s = 0;
    for (const c of cells) s += resampleMean(c.a, bootRng) - resampleMean(c.b, bootRng);
    replicates.push(s / S);
  }
  const ci = percentileCi(replicates);
  // Permutation test of the labels within each stratum: each stratum's difference of means
  // under every relabelling is one group's contribution to the (averaged) statistic.
  const arrangements = cells.reduce((k, c) => k * choose(c.a.length + c.b.length, c.a.length), 1);
  let exact: { p: number; arrangements: number } | null = null;
  if (arrangements <= o.exactLimit) {
    const contributions = cells.map((c) => {
      const pooled = [...c.a, ...c.b];
      const total = pooled.reduce((s, v) => s + v, 0);
      return combinations(pooled.length, c.a.length).map((pick) => {
        const sa = pick.reduce((s, i) => s + pooled[i], 0);
        return (sa / c.a.length - (total - sa) / c.b.length) / S;
      });
    });
    exact = exactSumTest(contributions, effect, o.exactLimit);
  }
  const p =
    exact?.p ??
    monteCarloTest(
      (rng) => {
        let s = 0;
        for (const c of cells) {
          const pooled = [...c.a, ...c.b];
          shuffleRange(pooled, 0, pooled.length, rng);
          s += mean(pooled.slice(0, c.a.length)) - mean(pooled.slice(c.a.length));
        }
        return s / S;
      },
      effect,
      o.permutations,
      permRng,
    );
  // Repeats per side and stratum (on average: a stratum may have lost a trial).
  const perSide = Math.min(n.a, n.b) / S;
  const tooFew = perSide < MIN_REPEATS;
  const result = tooFew ? 'inconclusive' : outcomeOf(ci, expect);
  return {
    effect,
    ci,
    d: sd > 0 ? effect / sd : null,
    sd: Number.isFinite(sd) ? sd : null,
    n,
    test: `${what}; ${describeTest(exact, 'permutation test of the labels', o.permutations)}`,
    p,
    result,
    repeatsToSettle: result === 'inconclusive' ? repeatsToSettle(effect, sd, false, S, Math.floor(perSide)) : null,
    ...(tooFew ? { note: `fewer than ${MIN_REPEATS} repeats per side` } : {}),
  };
}

function pairedDifference(a: Observation[], b: Observation[], expect: Direction, o: ReturnType<typeof defaults>, bootRng: Rng, permRng: Rng): StatResult {
  const key = (x: Observation) => `${x.stratum}\u0001${x.block}`;
  const bOf = new Map(b.map((x) => [key(x), x]));
  const pairs = a.filter((x) => bOf.has(key(x))).map((x) => ({ block: x.block, stratum: x.stratum, diff: x.value - bOf.get(key(x))!.value }));
  const n = { a: pairs.length, b: pairs.length };
  const blocks = [...groupBy(pairs, (x) => x.block).values()].map((g) => g.map((x) => x.diff));
  const S = new Set(pairs.map((x) => x.stratum)).size;
  const what = `paired by repeat: bootstrap (${o.bootstrap}) resampling whole repeats`;
  if (!pairs.length) return { ...empty(n, what, 'no repeat has trials on both sides'), pairs: 0 };
  const diffs = pairs.map((x) => x.diff);
  const effect = mean(diffs);
  const sd = sampleSd(diffs);
  const replicates: number[] = [];
  for (let r = 0; r < o.bootstrap; r++) {
    let s = 0;
    let k = 0;
    for (let i = 0; i < blocks.length; i++) {
      const blk = blocks[bootRng.int(blocks.length)];
      for (const v of blk) s += v;
      k += blk.length;
    }
    replicates.push(s / k);
  }
  const ci = percentileCi(replicates);
  const exact = exactSumTest(
    diffs.map((v) => [v / diffs.length, -v / diffs.length]),
    effect,
    o.exactLimit,
  );
  const p =
    exact?.p ??
    monteCarloTest(
      (rng) => {
        let s = 0;
        for (const v of diffs) s += rng.uniform() < 0.5 ? v : -v;
        return s / diffs.length;
      },
      effect,
      o.permutations,
      permRng,
    );
  const tooFew = blocks.length < MIN_REPEATS;
  const result = tooFew ? 'inconclusive' : outcomeOf(ci, expect);
  return {
    effect,
    ci,
    d: sd > 0 ? effect / sd : null,
    sd: Number.isFinite(sd) ? sd : null,
    n,
    pairs: pairs.length,
    test: `${what}${S > 1 ? ` (${S} strata)` : ''}; ${describeTest(exact, 'sign-flip test', o.permutations)}`,
    p,
    result,
    repeatsToSettle: result === 'inconclusive' ? repeatsToSettle(effect, sd, true, S, blocks.length) : null,
    ...(tooFew ? { note: `fewer than ${MIN_REPEATS} paired repeats` } : {}),
  };
}

interface Stratum {
  levels: number[];
  values: number[];
  blocks: string[];
}

/** Average ranks of small non-negative integer levels, by counting (no sort). */
function levelRanks(levels: number[]): Float64Array {
  let max = 0;
  for (const l of levels) if (l > max) max = l;
  const count = new Float64Array(max + 1);
  for (const l of levels) count[l]++;
  const avg = new Float64Array(max + 1);
  let below = 0;
  for (let l = 0; l <= max; l++) {
    avg[l] = below + (count[l] + 1) / 2;
    below += count[l];
  }
  return Float64Array.from(levels, (l) => avg[l]);
}

/** Spearman's ρ of one stratum; 0 when either side has no spread (no evidence of a trend). */
function stratumRho(levels: number[], values: number[]): number {
  const rl = levelRanks(levels);
  const rv = ranks(values);
  const ml = (rl.length + 1) / 2;
  let num = 0;
  let sl = 0;
  let sv = 0;
  for (let i = 0; i < rl.length; i++) {
    num += (rl[i] - ml) * (rv[i] - ml);
    sl += (rl[i] - ml) ** 2;
    sv += (rv[i] - ml) ** 2;
  }
  return sl > 0 && sv > 0 ? num / Math.sqrt(sl * sv) : 0;
}

function meanRho(strata: Stratum[]): number {
  let sum = 0;
  let k = 0;
  for (const s of strata) {
    // A stratum needs two levels to say anything about a trend.
    if (!s.levels.some((l) => l !== s.levels[0])) continue;
    sum += stratumRho(s.levels, s.values);
    k++;
  }
  return k ? sum / k : NaN;
}

/** Spearman trend of `value` over `level`; see the module header. */
export function compareTrend(obs: LevelObservation[], paired: boolean, expect: Direction, options: StatOptions = {}): StatResult {
  const o = defaults(options);
  const bootRng = new Rng(deriveSeed(o.seed, 'bootstrap'));
  const permRng = new Rng(deriveSeed(o.seed, 'permutation'));
  const levels = [...new Set(obs.map((x) => x.level))].sort((x, y) => x - y);
  const first = obs.filter((x) => x.level === levels[0]);
  const last = obs.filter((x) => x.level === levels[levels.length - 1]);
  const n = { a: first.length, b: last.length };
  const what = paired ? `Spearman ρ; paired by repeat: bootstrap (${o.bootstrap}) resampling whole repeats` : `Spearman ρ; bootstrap (${o.bootstrap}) resampling repeats within each level`;
  const strata: Stratum[] = [...groupBy(obs, (x) => x.stratum).values()]
    .map((g) => ({ levels: g.map((x) => x.level), values: g.map((x) => x.value), blocks: g.map((x) => x.block) }))
    .filter((s) => new Set(s.levels).size >= 2);
  if (levels.length < 2 || !strata.length) return empty(n, what, 'fewer than two levels of the axis have results');
  const effect = meanRho(strata);
  const S = strata.length;

  const replicates: number[] = [];
  if (paired) {
    const blockIds = [...new Set(obs.map((x) => x.block))];
    const byBlock = strata.map((s) => groupBy(s.levels.map((_, i) => i), (i) => s.blocks[i]));
    for (let r = 0; r < o.bootstrap; r++) {
      const picked = blockIds.map(() => blockIds[bootRng.int(blockIds.length)]);
      const resampled = strata.map((s, k) => {
        const idx = picked.flatMap((blk) => byBlock[k].get(blk) ?? []);
        return { levels: idx.map((i) => s.levels[i]), values: idx.map((i) => s.values[i]), blocks: [] };
      });
      const rho = meanRho(resampled);
      replicates.push(Number.isNaN(rho) ? 0 : rho);
    }
  } else {
    const cells = strata.map((s) => [...groupBy(s.levels.map((_, i) => i), (i) => String(s.levels[i])).values()]);
    for (let r = 0; r < o.bootstrap; r++) {
      const resampled = strata.map((s, k) => {
        const idx = cells[k].flatMap((cell) => cell.map(() => cell[bootRng.int(cell.length)]));
        return { levels: idx.map((i) => s.levels[i]), values: idx.map((i) => s.values[i]), blocks: [] };
      });
      replicates.push(meanRho(resampled));
    }
  }
  const ci = percentileCi(replicates);

  // Permutation test: values are exchangeable across levels within a stratum (within a
  // repeat of a stratum when paired). The ranks of the values within a stratum do not change
  // under such permutations, so each group's share of Spearman's numerator is precomputed.
  const groups: Array<{ idx: number[]; rl: number[]; rv: number[]; scale: number }> = [];
  for (const s of strata) {
    const rl = ranks(s.levels);
    const rv = ranks(s.values);
    const ml = mean(rl);
    const mv = mean(rv);
    const sl = rl.reduce((t, v) => t + (v - ml) ** 2, 0);
    const sv = rv.reduce((t, v) => t + (v - mv) ** 2, 0);
    const scale = sl > 0 && sv > 0 ? 1 / Math.sqrt(sl * sv) / S : 0;
    const parts = paired ? [...groupBy(s.levels.map((_, i) => i), (i) => s.blocks[i]).values()] : [s.levels.map((_, i) => i)];
    for (const idx of parts) groups.push({ idx, rl: idx.map((i) => rl[i] - ml), rv: idx.map((i) => rv[i] - mv), scale });
  }
  const arrangements = groups.reduce((k, g) => k * factorial(g.idx.length), 1);
  let exact: { p: number; arrangements: number } | null = null;
  if (arrangements <= o.exactLimit) {
    exact = exactSumTest(
      groups.map((g) => permutations(g.idx.length).map((perm) => g.scale * perm.reduce((t, j, i) => t + g.rl[i] * g.rv[j], 0))),
      effect,
      o.exactLimit,
    );
  }
  const p =
    exact?.p ??
    monteCarloTest(
      (rng) => {
        let t = 0;
        for (const g of groups) {
          const rv = g.rv.slice();
          shuffleRange(rv, 0, rv.length, rng);
          let s = 0;
          for (let i = 0; i < rv.length; i++) s += g.rl[i] * rv[i];
          t += g.scale * s;
        }
        return t;
      },
      effect,
      o.permutations,
      permRng,
    );

  // Size and power from the two ends of the axis.
  const ends = compareDifference(last, first, paired, expect, { ...options, seed: deriveSeed(o.seed, 'extremes') });
  const perLevel = Math.min(...levels.map((l) => (paired ? new Set(obs.filter((x) => x.level === l).map((x) => x.block)).size : obs.filter((x) => x.level === l).length / S)));
  const tooFew = perLevel < MIN_REPEATS;
  const result = tooFew ? 'inconclusive' : outcomeOf(ci, expect);
  return {
    effect,
    ci,
    d: ends.d,
    sd: ends.sd,
    n,
    test: `${what}${S > 1 ? ` (mean over ${S} strata)` : ''}; ${describeTest(exact, paired ? 'permutation test within repeats' : 'permutation test', o.permutations)}`,
    p,
    result,
    repeatsToSettle: result === 'inconclusive' ? repeatsToSettleTrend(effect, levels.length, S, Math.floor(perLevel)) : null,
    extremes: { effect: ends.effect, ci: ends.ci, d: ends.d },
    ...(tooFew ? { note: `fewer than ${MIN_REPEATS} repeats at some level` } : {}),
  };
}
