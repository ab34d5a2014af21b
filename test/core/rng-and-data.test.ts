import { describe, expect, test } from 'vitest';
import { Rng, deriveSeed, streamFor } from '../../core/rng';
import { classCounts, linspace, minMaxNormalize, trainTestSplit, makeTable } from '../../core/data/dataset';
import { generateMixtureOfGaussians } from '../../core/data/gaussian-mixture';
import { generateMoons } from '../../core/data/moons';

describe('seeded randomness', () => {
  test('the same seed gives the same stream; different keys give different streams', () => {
    const a = streamFor(0, 'exp1', 'init', 'cfg', 0);
    const b = streamFor(0, 'exp1', 'init', 'cfg', 0);
    const c = streamFor(0, 'exp1', 'init', 'cfg', 1);
    const xa = Array.from({ length: 5 }, () => a.uniform());
    expect(Array.from({ length: 5 }, () => b.uniform())).toEqual(xa);
    expect(Array.from({ length: 5 }, () => c.uniform())).not.toEqual(xa);
    expect(deriveSeed('a', 1)).not.toBe(deriveSeed('a1'));
  });

  test('uniform is in [0,1) with mean ≈ 1/2; normal has mean ≈ 0 and variance ≈ 1', () => {
    const r = new Rng(42);
    const u = Array.from({ length: 20000 }, () => r.uniform());
    expect(Math.min(...u)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...u)).toBeLessThan(1);
    expect(u.reduce((s, x) => s + x, 0) / u.length).toBeCloseTo(0.5, 1);
    const z = Array.from({ length: 20000 }, () => r.normal());
    const m = z.reduce((s, x) => s + x, 0) / z.length;
    expect(Math.abs(m)).toBeLessThan(0.03);
    expect(z.reduce((s, x) => s + (x - m) ** 2, 0) / z.length).toBeCloseTo(1, 1);
  });

  test('permutation is a permutation', () => {
    const p = Array.from(new Rng(1).permutation(100));
    expect([...p].sort((a, b) => a - b)).toEqual(Array.from({ length: 100 }, (_, i) => i));
    expect(p).not.toEqual(Array.from({ length: 100 }, (_, i) => i));
  });

  test('permutation is Fisher–Yates on int(): the same swaps, and the stream goes on from the same state', () => {
    // The draws permutation() makes with its state in locals, against a call of int() per swap.
    for (const [seed, n] of [[1, 400], [7, 2], [123456789, 1000], [0xffffffff, 65]]) {
      const fast = new Rng(seed);
      const slow = new Rng(seed);
      for (let round = 0; round < 3; round++) {
        const expected = Int32Array.from({ length: n }, (_, i) => i);
        for (let i = n - 1; i > 0; i--) {
          const j = slow.int(i + 1);
          [expected[i], expected[j]] = [expected[j], expected[i]];
        }
        expect(Array.from(fast.permutation(n, new Int32Array(n + 3)).subarray(0, n))).toEqual(Array.from(expected));
        expect(fast.fingerprint()).toBe(slow.fingerprint());
        expect(fast.uniform()).toBe(slow.uniform());
        expect(fast.normal()).toBe(slow.normal());
      }
    }
  });
});

describe('datasets (core/data)', () => {
  test('train_test_split: ceil(test·N) test rows, the rest train; test_size 0 keeps every row', () => {
    const t = makeTable(10, 1);
    t.x.set(Array.from({ length: 10 }, (_, i) => i));
    const s = trainTestSplit(t, 0.25, new Rng(3));
    expect([s.train.n, s.test.n]).toEqual([7, 3]);
    expect([...s.train.x, ...s.test.x].sort((a, b) => a - b)).toEqual(Array.from({ length: 10 }, (_, i) => i));
    expect(trainTestSplit(t, 0, new Rng(3)).train.n).toBe(10);
  });

  test('mixture class sizes: n_pos = floor(n/(r+1)) of class 0; tiling repeats the minority r times', () => {
    const m = generateMixtureOfGaussians(new Rng(1), { n: 1200, d: 2, classSeps: [1, 0.5], classRatio: 10, testSize: 0, resample: 'tile' });
    expect(classCounts(m.train)).toEqual([1090, 1091]);
    const plain = generateMixtureOfGaussians(new Rng(1), { n: 1200, d: 2, classSeps: [1, 0.5], classRatio: 10, testSize: 0 });
    expect(classCounts(plain.train)).toEqual([109, 1091]);
  });

  test('mixture covariance is CᵀC with C ~ U[0,1)·scale, and the class-1 mean is the seps vector', () => {
    const d = 3;
    const m = generateMixtureOfGaussians(new Rng(5), { n: 40000, d, classSeps: [1, 0.5, 1 / 3], testSize: 0 });
    const C = m.covFactor;
    expect(Math.min(...C)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...C)).toBeLessThan(1);
    const rows = Array.from({ length: m.train.n }, (_, i) => i).filter((i) => m.train.labels[i] === 1);
    const mean = [0, 1, 2].map((j) => rows.reduce((s, i) => s + m.train.x[i * d + j], 0) / rows.length);
    const cov = (a: number, b: number) => rows.reduce((s, i) => s + (m.train.x[i * d + a] - mean[a]) * (m.train.x[i * d + b] - mean[b]), 0) / rows.length;
    const expected = (a: number, b: number) => [0, 1, 2].reduce((s, k) => s + C[k * d + a] * C[k * d + b], 0);
    [1, 0.5, 1 / 3].forEach((mu, j) => expect(mean[j]).toBeCloseTo(mu, 1));
    for (const [a, b] of [[0, 0], [0, 1], [1, 2], [2, 2]]) expect(cov(a, b)).toBeCloseTo(expected(a, b), 1);
  });

  test('min–max normalisation maps every column to [0,1] with both ends reached', () => {
    const m = generateMixtureOfGaussians(new Rng(2), { n: 300, d: 2, classSeps: [1], testSize: 0, normalizeX: true });
    for (let j = 0; j < 2; j++) {
      const col = Array.from({ length: m.train.n }, (_, i) => m.train.x[i * 2 + j]);
      expect(Math.min(...col)).toBe(0);
      expect(Math.max(...col)).toBe(1);
    }
    expect(minMaxNormalize(makeTable(2, 1)).x).toEqual(new Float32Array([0, 0]));
  });

  test('moons: half-circles of n//2 and n − n//2 points, 80/20 split', () => {
    const s = generateMoons(new Rng(1), 501, 0);
    expect(s.train.n + s.test.n).toBe(501);
    expect(s.test.n).toBe(Math.ceil(0.2 * 501));
    const all = [s.train, s.test];
    const counts = all.map((t) => classCounts(t)).reduce((a, b) => [a[0] + b[0], a[1] + b[1]]);
    expect(counts).toEqual([250, 251]);
    // Without noise, class 0 lies on the unit circle and class 1 on the shifted one.
    for (const t of all) {
      for (let i = 0; i < t.n; i++) {
        const [x, y] = [t.x[2 * i], t.x[2 * i + 1]];
        const r = t.labels[i] === 0 ? Math.hypot(x, y) : Math.hypot(1 - x, 0.5 - y);
        expect(r).toBeCloseTo(1, 5);
      }
    }
    expect(linspace(0, 1, 5)).toEqual([0, 0.25, 0.5, 0.75, 1]);
  });
});
