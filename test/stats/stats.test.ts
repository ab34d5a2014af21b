/**
 * core/stats: the contrasts and the decision rule against values computed independently
 * (R's t.test, a numerical integral of the sequential rule's Bayes factor, Holm by hand).
 * Coverage and error rates by simulation are in test/stats/simulation.test.ts.
 */
import { describe, expect, test } from 'vitest';
import { mean, sampleSd } from '../../core/stats/describe';
import { pairedContrast, slopeCoefficients, unpairedContrast, type Contrast } from '../../core/stats/contrast';
import { criticalT, eValue, holmAdjusted, holmLevels, interval, outcomeOf, pValue, repeatsToDecide, tStatistic } from '../../core/stats/decide';
import { differenceContrast, slopeContrast, type LevelObservation, type Observation } from '../../core/verdict/evaluate';

const obs = (values: number[], stratum = 's', blockOffset = 0): Observation[] => values.map((value, i) => ({ value, stratum, block: `r${i + blockOffset}` }));

describe('descriptive statistics', () => {
  test('sample sd uses n − 1', () => {
    expect(sampleSd([2, 4, 4, 4, 5, 5, 7, 9])).toBeCloseTo(Math.sqrt(32 / 7), 12);
    expect(mean([1, 2, 3, 6])).toBe(3);
  });
});

describe('fixed-sample t (values from R)', () => {
  test('paired differences 1..5: t.test gives t = 4.2426, p = 0.01324, 95% CI [1.036757, 4.963243]', () => {
    const c = differenceContrast(obs([2, 4, 6, 8, 10]), obs([1, 2, 3, 4, 5]), true)!;
    expect(c).toMatchObject({ estimate: 3, df: 4, pairs: 5 });
    expect(tStatistic(c)).toBeCloseTo(4.242641, 5);
    expect(pValue(c, 'fixed')).toBeCloseTo(0.01324, 5);
    const ci = interval(c, 'fixed', 0.05)!;
    expect(ci[0]).toBeCloseTo(1.036757, 5);
    expect(ci[1]).toBeCloseTo(4.963243, 5);
  });

  test('unpaired 1,2,3 against 4,5,6 (var.equal = TRUE): t = −3.6742, p = 0.02131, CI [−5.266958, −0.733042]', () => {
    const c = differenceContrast(obs([1, 2, 3]), obs([4, 5, 6]), false)!;
    expect(c).toMatchObject({ estimate: -3, df: 4, s: 1 });
    expect(tStatistic(c)).toBeCloseTo(-3.674235, 5);
    expect(pValue(c, 'fixed')).toBeCloseTo(0.02131, 5);
    const ci = interval(c, 'fixed', 0.05)!;
    expect(ci[0]).toBeCloseTo(-5.266958, 5);
    expect(ci[1]).toBeCloseTo(-0.733042, 5);
  });

  test('label, p and interval agree: the interval excludes 0 exactly when p ≤ α, on the side of the estimate', () => {
    for (const shift of [0, 0.3, 0.8, 1.5, 3, -1.2]) {
      const c = differenceContrast(obs([1, 2, 3, 4, 5].map((x, i) => x + shift + (i % 2) * 0.7)), obs([1, 2, 3, 4, 5]), true)!;
      for (const alpha of [0.05, 0.0167, 0.01]) {
        for (const rule of ['fixed', 'sequential'] as const) {
          const p = pValue(c, rule);
          const ci = interval(c, rule, alpha);
          const excludes = ci !== null && (ci[0] > 0 || ci[1] < 0);
          expect(excludes, `shift ${shift} α ${alpha} ${rule}`).toBe(p <= alpha);
          expect(outcomeOf(c, p, alpha, 1)).toBe(!excludes ? 'inconclusive' : c.estimate > 0 ? 'supported' : 'contradicted');
        }
      }
    }
  });

  test('stratified unpaired difference averages the per-stratum differences and pools the spread', () => {
    const c = differenceContrast([...obs([1, 2, 3], 'x'), ...obs([10, 12, 14], 'y')], [...obs([0, 1, 2], 'x'), ...obs([5, 7, 9], 'y')], false)!;
    expect(c.estimate).toBe((1 + 5) / 2);
    // Within-cell sums of squares 2, 8, 2, 8 over 8 degrees of freedom.
    expect(c.s).toBeCloseTo(Math.sqrt(20 / 8), 12);
    expect(c.v).toBeCloseTo((4 * 0.25) / 3, 12);
  });

  test('paired comparisons use only repeats present on both sides', () => {
    const c = differenceContrast(obs([5, 6, 7]), obs([1, 2], 's'), true)!;
    expect(c.pairs).toBe(2);
    expect(c.estimate).toBe(4);
  });

  test('a spread of zero: p = 0 when the estimate is not 0 (a point interval), 1 when it is', () => {
    const c = differenceContrast(obs([2, 2, 2]), obs([1, 1, 1]), true)!;
    expect(pValue(c, 'fixed')).toBe(0);
    expect(interval(c, 'fixed', 0.05)).toEqual([1, 1]);
    const none = differenceContrast(obs([1, 1, 1]), obs([1, 1, 1]), true)!;
    expect(pValue(none, 'fixed')).toBe(1);
  });
});

describe('slopes', () => {
  test('slope coefficients recover the least-squares slope of the level means', () => {
    const c = slopeCoefficients([0, 1, 2, 3]);
    expect(c.reduce((s, x, i) => s + x * (2 + 0.5 * i), 0)).toBeCloseTo(0.5, 12);
    expect(c.reduce((s, x) => s + x, 0)).toBeCloseTo(0, 12);
  });

  test('unpaired trend: estimate is the slope of the level means; ν = N − cells', () => {
    const o: LevelObservation[] = [0, 1, 2].flatMap((level) => [0, 1].map((r) => ({ level, value: level * 2 + r, stratum: 's', block: `r${r}` })));
    const c = slopeContrast(o, false)!;
    expect(c.estimate).toBeCloseTo(2, 12);
    expect(c.df).toBe(3);
  });

  test('paired trend: one slope per repeat, tested across repeats', () => {
    const o: LevelObservation[] = [0, 1, 2].flatMap((level) => [0, 1, 2].map((r) => ({ level, value: level * (1 + r) + 10 * r, stratum: 's', block: `r${r}` })));
    const c = slopeContrast(o, true)!;
    expect(c.estimate).toBeCloseTo(2, 12);
    expect(c.pairs).toBe(3);
    expect(c.s).toBeCloseTo(1, 12);
  });
});

describe('the sequential (anytime-valid) rule', () => {
  /**
   * The e-value's closed form against the Bayes factor integrated numerically: data x ~ N(μ, σ²),
   * H0: μ = 0, H1: μ = δσ with δ ~ N(0, g), both with the prior 1/σ on σ.
   */
  test('its closed form equals the Bayes factor by numerical integration', () => {
    const x = [0.5, 1.2, 0.3, 1.8, 0.9, -0.2];
    const n = x.length;
    const logLik = (mu: number, sigma: number) => x.reduce((s, xi) => s - 0.5 * ((xi - mu) / sigma) ** 2, 0) - n * Math.log(sigma);
    let h0 = 0;
    let h1 = 0;
    // σ on a log grid (dσ/σ = d log σ), δ on a grid of the N(0, 1) prior.
    for (let ls = -6; ls <= 4; ls += 0.005) {
      const sigma = Math.exp(ls);
      h0 += Math.exp(logLik(0, sigma)) * 0.005;
      for (let d = -8; d <= 8; d += 0.02) h1 += Math.exp(logLik(d * sigma, sigma)) * (Math.exp(-0.5 * d * d) / Math.sqrt(2 * Math.PI)) * 0.02 * 0.005;
    }
    const c = pairedContrast(x, { a: n, b: n })!;
    expect(eValue(tStatistic(c), c.df, c.v, 1)).toBeCloseTo(h1 / h0, 4);
  });

  test('the critical t is where the e-value reaches 1/α; it is wider than the fixed one and narrows with n', () => {
    for (const n of [5, 10, 40]) {
      const t = criticalT(n - 1, 1 / n, 'sequential', 0.05);
      expect(eValue(t, n - 1, 1 / n)).toBeCloseTo(20, 6);
      expect(t).toBeGreaterThan(criticalT(n - 1, 1 / n, 'fixed', 0.05));
    }
    expect(criticalT(39, 1 / 40, 'sequential', 0.05)).toBeLessThan(criticalT(9, 1 / 10, 'sequential', 0.05));
  });

  test('with too few degrees of freedom it can never decide: unbounded interval, p never below α', () => {
    // ν = 1, v = 1/2: the e-value is at most (1 + 2)^(1/2) < 20.
    const c: Contrast = { estimate: 100, s: 1, df: 1, v: 0.5, units: 2, dfOffset: 1, n: { a: 2, b: 2 } };
    expect(criticalT(1, 0.5, 'sequential', 0.05)).toBe(Infinity);
    expect(interval(c, 'sequential', 0.05)).toBeNull();
    expect(pValue(c, 'sequential')).toBeGreaterThan(0.05);
  });
});

describe('several claims: Holm', () => {
  test('levels per claim: 0.01 passes at 0.05/3; 0.03 fails at 0.05/2, and 0.04 after it gets the same level', () => {
    expect(holmLevels([0.01, 0.04, 0.03])).toEqual([0.05 / 3, 0.05 / 2, 0.05 / 2]);
    expect(holmLevels([0.001, 0.02])).toEqual([0.05 / 2, 0.05]);
    expect(holmLevels([null, 0.02])).toEqual([0.05, 0.05]);
  });

  test('a claim is decisive at its level exactly when its Holm-adjusted p ≤ 0.05', () => {
    const cases = [
      [0.01, 0.04, 0.03],
      [0.001, 0.02, 0.049, 0.3],
      [0.2, 0.01, 0.012],
    ];
    for (const ps of cases) {
      const levels = holmLevels(ps);
      const adjusted = holmAdjusted(ps);
      ps.forEach((p, i) => expect(p <= levels[i], `${ps} #${i}`).toBe(adjusted[i]! <= 0.05));
    }
  });
});

describe('repeats to decide', () => {
  const unit = (d: number): Contrast => ({ estimate: d, s: 1, df: 4, v: 1 / 5, units: 5, dfOffset: 1, n: { a: 5, b: 5 } });

  test('paired, d = 1, fixed rule: the least n with √n ≥ t(0.975, n − 1) + 0.84 is 10', () => {
    expect(repeatsToDecide(unit(1), 'fixed', 0.05)).toBe(10);
  });

  test('smaller effects and the sequential rule need more; no effect gives null', () => {
    const fixed = repeatsToDecide(unit(0.5), 'fixed', 0.05)!;
    expect(fixed).toBeGreaterThan(10);
    expect(repeatsToDecide(unit(0.5), 'sequential', 0.05)!).toBeGreaterThan(fixed);
    expect(repeatsToDecide(unit(0), 'fixed', 0.05)).toBeNull();
  });

  test('a smallest effect of interest replaces the observed one', () => {
    expect(repeatsToDecide(unit(0.01), 'fixed', 0.05, 1)).toBe(10);
  });

  test('unpaired contrasts scale their cells: two cells of 3 at d = 1 need about 17 per cell', () => {
    const c = unpairedContrast(
      [
        { values: [1, 2, 3], coefficient: 1 },
        { values: [0, 1, 2], coefficient: -1 },
      ],
      { a: 3, b: 3 },
    )!;
    // 2 cells: v(R) = 2/R, ν(R) = 2R − 2; √(R/2) ≥ t(0.975, 2R − 2) + 0.84 first holds at R = 17.
    expect(repeatsToDecide(c, 'fixed', 0.05)).toBe(17);
  });
});
