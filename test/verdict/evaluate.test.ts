/**
 * core/verdict/evaluate.ts on hand-made trials: which trials each claim kind compares, how
 * pairing, strata, order links, trend levels and missing values are handled, Holm and the
 * notebook agreement.
 */
import { describe, expect, test } from 'vitest';
import type { Claim } from '../../core/experiments/claims';
import { agreement, evaluateClaim, evaluateClaims, type TrialValues } from '../../core/verdict/evaluate';

let seq = 0;
function trial(params: Record<string, unknown>, repeat: number, scalars: Record<string, number>, series: TrialValues['series'] = {}): TrialValues {
  return { id: `t${seq++}`, repeat, params, scalars, series };
}

/** Widths 2, 4, 16 × functions f, g × 5 repeats; loss = base(width) + function offset + repeat effect. */
function grid(base: Record<number, number>, opts: { offset?: Record<string, number>; repeatEffect?: number } = {}): TrialValues[] {
  const out: TrialValues[] = [];
  for (const fn of ['f', 'g'])
    for (const w of [2, 4, 16])
      for (let r = 0; r < 5; r++) out.push(trial({ fn, w, steps: 10 }, r, { loss: base[w] + (opts.offset?.[fn] ?? 0) + (opts.repeatEffect ?? 0) * r + 0.01 * ((r * 7 + w) % 3) }));
  return out;
}

describe('difference and curves', () => {
  test('compares the trials with by = a against by = b, only those matching where', () => {
    const trials = grid({ 2: 1, 4: 0.5, 16: 0.2 }, { offset: { g: 10 } });
    const claim: Claim = { kind: 'difference', statement: 's', metric: 'loss', by: 'w', a: 16, b: 2, expect: 'less', where: { fn: 'g' } };
    const v = evaluateClaim(claim, trials);
    expect(v.n).toEqual({ a: 5, b: 5 });
    expect(v.effect).toBeCloseTo(-0.8 + (0.01 * [1, 2, 0, 1, 2].reduce((s, x) => s + x, 0) - 0.01 * [2, 0, 1, 2, 0].reduce((s, x) => s + x, 0)) / 5, 12);
    expect(v.result).toBe('supported');
    expect(v.effectKind).toBe('difference');
  });

  test('without where, the other axis is a stratum: its offset cancels instead of adding spread', () => {
    const trials = grid({ 2: 1, 4: 0.5, 16: 0.2 }, { offset: { g: 10 } });
    const v = evaluateClaim({ kind: 'difference', statement: 's', metric: 'loss', by: 'w', a: 16, b: 2, expect: 'less' }, trials);
    expect(v.n).toEqual({ a: 10, b: 10 });
    expect(v.result).toBe('supported');
    expect(Math.abs(v.d!)).toBeGreaterThan(10); // pooled within-cell sd, not inflated by the offset 10
  });

  test('paired claims match repeats: a shared repeat effect no longer hides the difference', () => {
    const trials = grid({ 2: 1, 4: 0.9, 16: 0.8 }, { repeatEffect: 1 });
    const claim: Claim = { kind: 'difference', statement: 's', metric: 'loss', by: 'w', a: 16, b: 2, expect: 'less', where: { fn: 'f' } };
    expect(evaluateClaim(claim, trials).result).toBe('inconclusive');
    const paired = evaluateClaim({ ...claim, paired: true }, trials);
    expect(paired.pairs).toBe(5);
    expect(paired.result).toBe('supported');
  });

  test('curves compare the mean over the listed steps; a trial without those steps is counted missing', () => {
    const curve = (values: number[]) => ({ acc: { steps: [0, 50, 100], values } });
    const trials = [0, 1, 2, 3].flatMap((r) => [trial({ init: 'x' }, r, {}, curve([0.5, 0.9, 0.95 + r / 100])), trial({ init: 'z' }, r, {}, curve([0.5, 0.5, 0.96 + r / 100]))]);
    trials.push(trial({ init: 'z' }, 4, {}, { acc: { steps: [0, 100], values: [0, 0] } }));
    const early: Claim = { kind: 'curves', statement: 's', metric: 'acc', by: 'init', a: 'x', b: 'z', steps: [0, 50], expect: 'greater', paired: true };
    const v = evaluateClaim(early, trials);
    expect(v.effect).toBeCloseTo(0.2, 12);
    expect(v.result).toBe('supported');
    expect(v.missing).toBe(1);
    expect(v.note).toMatch(/1 matching trial\(s\) lack/);
    const all = evaluateClaim({ ...early, steps: 'all' }, trials);
    expect(all.effect).toBeCloseTo((0.4 - 0.01) / 3, 12);
    const last = evaluateClaim({ kind: 'difference', statement: 's', metric: 'acc', at: 'last', by: 'init', a: 'x', b: 'z', expect: 'greater', paired: true }, trials);
    expect(last.effect).toBeCloseTo(-0.01, 12);
    expect(last.result).toBe('contradicted');
    const at50 = evaluateClaim({ kind: 'difference', statement: 's', metric: 'acc', at: { step: 50 }, by: 'init', a: 'x', b: 'z', expect: 'greater', paired: true }, trials);
    expect(at50.effect).toBeCloseTo(0.4, 12);
  });

  test('a claim on values the sweep did not run is inconclusive and says why', () => {
    const v = evaluateClaim({ kind: 'difference', statement: 's', metric: 'loss', by: 'w', a: 64, b: 2, expect: 'less' }, grid({ 2: 1, 4: 0.5, 16: 0.2 }));
    expect(v).toMatchObject({ result: 'inconclusive', effect: null, ci: null, p: null, repeatsToSettle: null });
    expect(v.note).toMatch(/no trials on both sides/);
  });
});

describe('order', () => {
  test('every adjacent step must hold; the weakest step is reported; one reversed step contradicts', () => {
    const down = grid({ 2: 1, 4: 0.5, 16: 0.2 });
    const ok = evaluateClaim({ kind: 'order', statement: 's', metric: 'loss', by: 'w', values: [2, 4, 16], direction: 'decreasing' }, down);
    expect(ok.result).toBe('supported');
    expect(ok.links!.map((l) => [l.from, l.to, l.result])).toEqual([
      [2, 4, 'supported'],
      [4, 16, 'supported'],
    ]);
    expect(ok.effect).toBeCloseTo(ok.links![1].effect!, 12); // 4 → 16 (−0.3) is weaker than 2 → 4 (−0.5)
    const bumpy = grid({ 2: 1, 4: 1.2, 16: 0.2 });
    const bad = evaluateClaim({ kind: 'order', statement: 's', metric: 'loss', by: 'w', values: [2, 4, 16], direction: 'decreasing' }, bumpy);
    expect(bad.result).toBe('contradicted');
    expect(bad.effect).toBeCloseTo(bad.links![0].effect!, 12);
  });
});

describe('trend and metrics', () => {
  test('numeric levels are ordered by value whatever the trial order; the slope is averaged over strata', () => {
    const trials = grid({ 2: 1, 4: 0.5, 16: 0.2 }, { offset: { g: 5 } }).reverse();
    const v = evaluateClaim({ kind: 'trend', statement: 's', metric: 'loss', along: 'w', expect: 'decreasing' }, trials);
    expect(v.effectKind).toBe('slope');
    // Level means 1, 0.5, 0.2 (plus noise of 0.01 at most) in both strata: slope (0.2 − 1)/2.
    expect(v.effect!).toBeCloseTo(-0.4, 2);
    expect(v.result).toBe('supported');
    expect(v.n).toEqual({ a: 10, b: 10 });
    // Two strata × three levels: six cells; the offset 5 of stratum g adds no spread.
    expect(v.test).toMatch(/t on 6 cell means/);
    expect(v.spread!).toBeLessThan(0.02);
  });

  test('string levels follow `values` when given', () => {
    const trials = [0, 1, 2].flatMap((r) => ['lo', 'mid', 'hi'].map((lvl, i) => trial({ lvl }, r, { m: i + r / 10 })));
    // Level means 0.1, 1.1, 2.1 in the listed order: slope 1 per step.
    expect(evaluateClaim({ kind: 'trend', statement: 's', metric: 'm', along: 'lvl', values: ['lo', 'mid', 'hi'], expect: 'increasing' }, trials).effect).toBeCloseTo(1, 12);
    expect(evaluateClaim({ kind: 'trend', statement: 's', metric: 'm', along: 'lvl', values: ['hi', 'mid', 'lo'], expect: 'increasing' }, trials).result).toBe('contradicted');
  });

  test('metrics: compares layers within each trial', () => {
    const trials = [0, 1, 2, 3, 4].map((r) => trial({}, r, { layer0: 500 + r, layer1: 400 + 3 * r, layer2: 300 - r, layer3: 100 }));
    const v = evaluateClaim({ kind: 'metrics', statement: 's', metrics: ['layer0', 'layer1', 'layer2', 'layer3'], expect: 'decreasing' }, trials);
    expect(v).toMatchObject({ kind: 'metrics', metric: 'layer0, layer1, layer2, layer3', paired: true, result: 'supported' });
    // Layer means 502, 406, 298, 100: least-squares slope (−1.5·502 − 0.5·406 + 0.5·298 + 1.5·100)/5.
    expect(v.effect!).toBeCloseTo(-131.4, 10);
    expect(v.pairs).toBe(5);
  });

  test('identical repeats are flagged: a point interval carries no repeat-to-repeat spread', () => {
    const trials = [1, 4, 16].flatMap((b) => [0, 1, 2].map((r) => trial({ b }, r, { runtime: 10 / b })));
    const v = evaluateClaim({ kind: 'trend', statement: 's', metric: 'runtime', along: 'b', expect: 'decreasing', paired: true }, trials);
    expect(v.result).toBe('supported');
    expect(v.note).toMatch(/every repeat of a config gave the same value/);
  });
});

describe('several claims', () => {
  test('Holm applies to the labels: decisive alone, inconclusive among three, with the interval at the claim\'s level', () => {
    const trials = [0, 1, 2, 3, 4, 5].flatMap((r) => ['x', 'y'].map((g) => trial({ g }, r, { m: (g === 'x' ? 0.7 : 0) + [0.9, -0.4, 0.3, -0.8, 0.1, 0.5][r] * (g === 'x' ? 1 : -1) })));
    const claim: Claim = { kind: 'difference', statement: 's', metric: 'm', by: 'g', a: 'x', b: 'y', expect: 'greater' };
    const alone = evaluateClaim(claim, trials);
    expect(alone).toMatchObject({ result: 'supported', confidence: 0.95 });
    expect(alone.p!).toBeLessThan(0.05);
    expect(alone.ci![0]).toBeGreaterThan(0);
    const [v] = evaluateClaims([claim, { ...claim, statement: 't' }, { ...claim, statement: 'u' }], trials);
    expect(v.p).toBe(alone.p);
    expect(v.pHolm!).toBeGreaterThan(0.05);
    expect(v.result).toBe('inconclusive');
    expect(v.confidence).toBeCloseTo(1 - 0.05 / 3, 12);
    expect(v.ci![0]).toBeLessThan(0);
    expect(v.repeatsToSettle).toBeGreaterThan(6);
  });

  test('notebook agreement: equal is agrees, decisive and different is disagrees, unsettled is n/a', () => {
    expect(agreement('supported', 'supported')).toBe('agrees');
    expect(agreement('contradicted', 'supported')).toBe('disagrees');
    expect(agreement('inconclusive', 'contradicted')).toBe('disagrees');
    expect(agreement('inconclusive', 'inconclusive')).toBe('agrees');
    expect(agreement('supported', 'inconclusive')).toBe('n/a');
    expect(agreement(null, 'supported')).toBe('n/a');
  });

  test('evaluateClaims keeps claim order and is deterministic', () => {
    const trials = grid({ 2: 1, 4: 0.5, 16: 0.2 });
    const claims: Claim[] = [
      { kind: 'trend', statement: 'one', metric: 'loss', along: 'w', expect: 'decreasing', notebook: 'supported' },
      { kind: 'difference', statement: 'two', metric: 'loss', by: 'fn', a: 'f', b: 'g', expect: 'greater', notebook: 'contradicted' },
    ];
    const one = evaluateClaims(claims, trials);
    expect(one.map((v) => v.statement)).toEqual(['one', 'two']);
    expect(one[0].notebook).toBe('agrees');
    expect(evaluateClaims(claims, [...trials].reverse())).toEqual(one);
  });
});
