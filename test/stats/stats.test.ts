/**
 * core/stats: known values computed by hand, exact permutation p-values by enumeration,
 * seeded reproducibility, and coverage of the bootstrap CI on synthetic normal data.
 */
import { describe, expect, test } from 'vitest';
import { compareDifference, compareTrend, outcomeOf, percentileCi, repeatsToSettle, type LevelObservation, type Observation } from '../../core/stats/compare';
import { choose, mean, quantile, ranks, sampleSd, spearman } from '../../core/stats/describe';
import { combinations, exactSumTest, permutations } from '../../core/stats/permutation';
import { Rng } from '../../core/rng';

const obs = (values: number[], stratum = 's', blockOffset = 0): Observation[] => values.map((value, i) => ({ value, stratum, block: `r${i + blockOffset}` }));

describe('descriptive statistics', () => {
  test('sample sd uses n − 1; quantile is type 7; ties share their average rank', () => {
    expect(sampleSd([2, 4, 4, 4, 5, 5, 7, 9])).toBeCloseTo(Math.sqrt(32 / 7), 12);
    expect(quantile([1, 2, 3, 4], 0.5)).toBe(2.5);
    expect(quantile([10, 20, 30, 40, 50], 0.975)).toBeCloseTo(49, 12);
    expect(ranks([10, 30, 20, 30])).toEqual([1, 3.5, 2, 3.5]);
  });

  test('Spearman: 1 for any increasing relation, −1 for decreasing, hand value with a tie', () => {
    expect(spearman([1, 2, 3, 4], [1, 8, 27, 1000])).toBeCloseTo(1, 12);
    expect(spearman([1, 2, 3, 4], [4, 3, 2, 1])).toBeCloseTo(-1, 12);
    // ranks x = 1,2,3 and y = 1.5,1.5,3: r = 1.5/√(2·1.5)
    expect(spearman([1, 2, 3], [5, 5, 9])).toBeCloseTo(1.5 / Math.sqrt(3), 12);
  });

  test('combinations and permutations enumerate every arrangement once', () => {
    expect(combinations(5, 2)).toHaveLength(choose(5, 2));
    expect(new Set(combinations(6, 3).map((c) => c.join())).size).toBe(20);
    const perms = permutations(4);
    expect(perms).toHaveLength(24);
    expect(new Set(perms.map((p) => p.join())).size).toBe(24);
  });
});

describe('exact permutation p-values', () => {
  test('sign flips of 1..5: only all-plus and all-minus are as extreme, p = 2/32', () => {
    const r = compareDifference(obs([2, 3, 4, 5, 6]), obs([1, 1, 1, 1, 1]), true, 1);
    expect(r.effect).toBe(3);
    expect(r.p).toBe(2 / 32);
    expect(r.test).toMatch(/sign-flip test, exact over 32 arrangements/);
  });

  test('two groups 1,2,3 vs 4,5,6: 2 of C(6,3) = 20 relabellings are as extreme, p = 0.1', () => {
    const r = compareDifference(obs([1, 2, 3]), obs([4, 5, 6]), false, -1);
    expect(r.effect).toBe(-3);
    expect(r.p).toBeCloseTo(0.1, 12);
    expect(r.test).toMatch(/exact over 20 arrangements/);
  });

  test('trend over three levels, one value each: 2 of 3! orderings give |ρ| = 1, p = 1/3', () => {
    const o: LevelObservation[] = [0, 1, 2].map((level) => ({ level, value: level * 10, stratum: 's', block: `r${level}` }));
    const r = compareTrend(o, false, 1);
    expect(r.effect).toBe(1);
    expect(r.p).toBeCloseTo(1 / 3, 12);
  });

  test('exactSumTest sums group contributions: {±1}³ has 2 of 8 sums with |s| ≥ 3', () => {
    expect(exactSumTest([[1, -1], [1, -1], [1, -1]], 3)).toEqual({ p: 0.25, arrangements: 8 });
    expect(exactSumTest([[1, -1], [1, -1]], 2, 3)).toBeNull();
  });
});

describe('bootstrap intervals', () => {
  test('constant groups give a point interval; the verdict follows its side of 0', () => {
    const r = compareDifference(obs([1, 1, 1]), obs([0, 0, 0]), false, 1);
    expect(r.ci).toEqual([1, 1]);
    expect(r.result).toBe('supported');
    expect(compareDifference(obs([1, 1, 1]), obs([0, 0, 0]), false, -1).result).toBe('contradicted');
  });

  test('paired differences 0,0,0,0,10: the mean of a resample is 2·Binomial(5, 0.2), so the 95% interval is [0, 6]', () => {
    // P(k = 0) = 0.328 covers the 2.5% point; P(k ≤ 2) = 0.942 < 0.975 < P(k ≤ 3) = 0.993.
    const r = compareDifference(obs([0, 0, 0, 0, 10]), obs([0, 0, 0, 0, 0]), true, 1, { bootstrap: 4000 });
    expect(r.effect).toBe(2);
    expect(r.ci).toEqual([0, 6]);
    expect(r.result).toBe('inconclusive');
  });

  test('the same seed reproduces the interval; another seed gives another', () => {
    const rng = new Rng(7);
    const a = obs(Array.from({ length: 8 }, () => rng.normal() + 0.3));
    const b = obs(Array.from({ length: 8 }, () => rng.normal()));
    const one = compareDifference(a, b, false, 1, { seed: 1 });
    expect(compareDifference(a, b, false, 1, { seed: 1 }).ci).toEqual(one.ci);
    expect(compareDifference(a, b, false, 1, { seed: 2 }).ci).not.toEqual(one.ci);
  });

  test('coverage: about 95% of intervals contain the true difference on synthetic normal data', () => {
    const rng = new Rng(12345);
    const trueDiff = 0.5;
    let covered = 0;
    const runs = 300;
    for (let k = 0; k < runs; k++) {
      const a = obs(Array.from({ length: 20 }, () => rng.normal() + trueDiff));
      const b = obs(Array.from({ length: 20 }, () => rng.normal()));
      const { ci } = compareDifference(a, b, false, 1, { seed: k, bootstrap: 1000, permutations: 200 });
      if (ci![0] <= trueDiff && trueDiff <= ci![1]) covered++;
    }
    // Percentile intervals run slightly narrow at n = 20; a broken interval (a standard
    // error instead of a quantile, one-sided, or unresampled) lands far outside.
    expect(covered / runs).toBeGreaterThan(0.88);
    expect(covered / runs).toBeLessThan(0.99);
  });

  test('pairing removes a shared repeat effect that hides the difference unpaired', () => {
    const rng = new Rng(3);
    const shared = Array.from({ length: 6 }, () => 10 * rng.normal());
    const a = obs(shared.map((s) => s + 1 + 0.1 * rng.normal()));
    const b = obs(shared.map((s) => s + 0.1 * rng.normal()));
    expect(compareDifference(a, b, false, 1).result).toBe('inconclusive');
    const paired = compareDifference(a, b, true, 1);
    expect(paired.result).toBe('supported');
    expect(paired.d!).toBeGreaterThan(3);
  });
});

describe('verdict rules and effect sizes', () => {
  test('outcomeOf reads the side of 0', () => {
    expect(outcomeOf([0.1, 0.3], 1)).toBe('supported');
    expect(outcomeOf([0.1, 0.3], -1)).toBe('contradicted');
    expect(outcomeOf([-0.1, 0.3], 1)).toBe('inconclusive');
    expect(outcomeOf(null, 1)).toBe('inconclusive');
    expect(percentileCi([3, 1, 2])).toEqual([1.05, 2.95]);
  });

  test("Cohen's d: unpaired divides by the pooled sd, paired by the sd of the differences", () => {
    const u = compareDifference(obs([1, 2, 3]), obs([3, 4, 5]), false, -1);
    expect(u.d).toBeCloseTo(-2, 12); // difference −2, pooled sd 1
    const p = compareDifference(obs([2, 4, 5]), obs([1, 2, 2]), true, 1);
    expect(p.effect).toBeCloseTo(2, 12); // differences 1, 2, 3
    expect(p.d).toBeCloseTo(2, 12); // sd of differences 1
  });

  test('repeats to settle: ((1.96 + 0.84)·sd/effect)², doubled unpaired, at least one more than now', () => {
    expect(repeatsToSettle(1, 1, true, 1, 3)).toBe(8); // 7.85 → 8
    expect(repeatsToSettle(1, 1, false, 1, 3)).toBe(16); // 15.7 → 16
    expect(repeatsToSettle(1, 1, false, 2, 3)).toBe(8);
    expect(repeatsToSettle(10, 1, true, 1, 5)).toBe(6);
    expect(repeatsToSettle(0, 1, true, 1, 5)).toBeNull();
  });

  test('fewer than three repeats per side is inconclusive whatever the interval says', () => {
    const r = compareDifference(obs([5, 5]), obs([0, 0]), false, 1);
    expect(r.ci).toEqual([5, 5]);
    expect(r.result).toBe('inconclusive');
    expect(r.note).toMatch(/fewer than 3/);
    expect(r.repeatsToSettle).toBe(3);
  });

  test('stratified unpaired difference averages the per-stratum differences', () => {
    const a = [...obs([1, 1, 1], 'x'), ...obs([11, 11, 11, 11, 11, 11], 'y')];
    const b = [...obs([0, 0, 0], 'x'), ...obs([10, 10, 10], 'y')];
    const r = compareDifference(a, b, false, 1);
    expect(r.effect).toBe(1); // not the pooled 23/3 − 5
    expect(r.n).toEqual({ a: 9, b: 6 });
  });

  test('paired comparisons use only repeats present on both sides', () => {
    const r = compareDifference(obs([3, 3, 3, 3]), obs([1, 1, 1], 's', 1), true, 1);
    expect(r.pairs).toBe(3);
    expect(r.effect).toBe(2);
  });

  test('trend: noisy increase is supported, its reverse contradicted, d from the two ends', () => {
    const rng = new Rng(5);
    const o: LevelObservation[] = [];
    for (let level = 0; level < 4; level++) for (let r = 0; r < 5; r++) o.push({ level, value: level + 0.5 * rng.normal(), stratum: 's', block: `r${r}` });
    const up = compareTrend(o, false, 1);
    expect(up.effect!).toBeGreaterThan(0.7);
    expect(up.result).toBe('supported');
    expect(up.p!).toBeLessThan(0.01);
    expect(up.extremes!.effect).toBeCloseTo(mean(o.filter((x) => x.level === 3).map((x) => x.value)) - mean(o.filter((x) => x.level === 0).map((x) => x.value)), 12);
    expect(compareTrend(o, false, -1).result).toBe('contradicted');
    expect(compareTrend(o, true, 1).test).toMatch(/paired by repeat/);
  });

  test('trend with no relation stays inconclusive and says how many repeats might settle it', () => {
    const rng = new Rng(9);
    const o: LevelObservation[] = [];
    for (let level = 0; level < 3; level++) for (let r = 0; r < 5; r++) o.push({ level, value: rng.normal(), stratum: 's', block: `r${r}` });
    const r = compareTrend(o, false, 1);
    expect(r.result).toBe('inconclusive');
    expect(r.repeatsToSettle!).toBeGreaterThan(5);
  });
});
