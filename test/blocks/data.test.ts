import { describe, expect, test } from 'vitest';
import { z } from 'zod';
import { DATA_BLOCKS } from '../../core/blocks';
import { alternatingBlock } from '../../core/blocks/data-alternating';
import { mixtureBlock } from '../../core/blocks/data-mixture';
import { moonsBlock } from '../../core/blocks/data-moons';
import { target1dBlock } from '../../core/blocks/data-target-1d';
import { linspace } from '../../core/data/dataset';
import type { DataBlock, DataStreams } from '../../core/blocks/types';
import { Rng } from '../../core/rng';

const streams = (seed: number): DataStreams => ({ task: new Rng(seed), train: new Rng(seed + 1), test: new Rng(seed + 2) });
const schemaOf = (b: DataBlock) => z.object(b.shape).strict();
/** Blocks whose rows are fixed points (nothing drawn); their test rows are the training rows. */
const FIXED = new Set(['alternating']);

describe.each(Object.values(DATA_BLOCKS).map((b) => [b.kind, b] as const))('data block %s', (_kind, block) => {
  test('defaults satisfy its schema; determinism: the same streams give the same rows, others differ', () => {
    const p = schemaOf(block).parse(block.defaults);
    const a = block.generate(p, streams(1));
    const b = block.generate(p, streams(1));
    const c = block.generate(p, streams(7));
    expect(a.train.x).toEqual(b.train.x);
    expect(a.train.labels).toEqual(b.train.labels);
    expect(a.test.x).toEqual(b.test.x);
    if (FIXED.has(block.kind)) expect(c).toEqual(a);
    else expect(c.train.x).not.toEqual(a.train.x);
  });

  test('shapes follow describe(): train and test rows, input width, labels in range', () => {
    const testN = 'test_n' in block.shape ? 23 : 37;
    const p = schemaOf(block).parse({ ...block.defaults, n: 37, ...('test_n' in block.shape ? { test_n: 23 } : {}) });
    const shape = block.describe(p);
    const { train, test } = block.generate(p, streams(3));
    expect([train.n, test.n]).toEqual([37, testN]);
    expect([shape.trainRows, shape.testRows]).toEqual([37, testN]);
    expect(train.d).toBe(shape.input);
    expect(train.x).toHaveLength(37 * shape.input);
    expect(test.x).toHaveLength(testN * shape.input);
    if (shape.task === 'classification') for (const l of [...train.labels, ...test.labels]) expect(Number.isInteger(l) && l >= 0 && l < shape.output).toBe(true);
    for (const v of train.x) expect(Number.isFinite(v)).toBe(true);
  });

  test('the schema rejects bad parameters: unknown keys, non-integer or zero rows', () => {
    const schema = schemaOf(block);
    expect(schema.safeParse({ ...block.defaults, extra: 1 }).success).toBe(false);
    expect(schema.safeParse({ ...block.defaults, n: 2.5 }).success).toBe(false);
    expect(schema.safeParse({ ...block.defaults, n: 0 }).success).toBe(false);
    expect(schema.safeParse({ ...block.defaults, test_n: 1e9 }).success).toBe(false);
  });
});

describe('alternating', () => {
  test('n points at i/n, class 1 at even i; the test rows are the same points, in arrays of their own', () => {
    const { train, test } = alternatingBlock.generate({ n: 5 }, streams(1));
    expect(Array.from(train.x)).toEqual([0, 0.2, 0.4, 0.6, 0.8].map(Math.fround));
    expect(Array.from(train.labels)).toEqual([1, 0, 1, 0, 1]);
    expect(test).toEqual(train);
    expect(test.x).not.toBe(train.x);
    expect(alternatingBlock.describe({ n: 5 })).toEqual({ input: 1, output: 2, task: 'classification', trainRows: 5, testRows: 5 });
  });
});

describe('mixture', () => {
  test('classes are balanced and separated along class_sep; test rows come from the same task', () => {
    const p = { ...mixtureBlock.defaults, n: 2000, test_n: 2000, d: 3, class_sep: 4 };
    const { train, test } = mixtureBlock.generate(p, streams(5));
    for (const t of [train, test]) {
      const ones = t.labels.reduce((s, l) => s + l, 0);
      expect(ones).toBe(1000);
      const mean = (label: number) => {
        let s = 0;
        for (let i = 0; i < t.n; i++) if (t.labels[i] === label) s += t.x[i * 3];
        return s / 1000;
      };
      expect(mean(1) - mean(0)).toBeGreaterThan(3);
    }
  });

  test('the related task flips the sign of round(shift·d) mean coordinates and keeps the covariance', () => {
    const p = { ...mixtureBlock.defaults, n: 4000, test_n: 10, d: 4, class_sep: 3 };
    const related = mixtureBlock.generate(p, streams(5), 0.5).train;
    const coordMean = (j: number) => {
      let s = 0;
      for (let i = 0; i < related.n; i++) if (related.labels[i] === 1) s += related.x[i * 4 + j];
      return s / 2000;
    };
    expect(coordMean(0)).toBeLessThan(-2);
    expect(coordMean(1)).toBeLessThan(-2);
    expect(coordMean(2)).toBeGreaterThan(2);
    expect(coordMean(3)).toBeGreaterThan(2);
    // Shift 0 is the same task: the same rows as no shift.
    expect(mixtureBlock.generate(p, streams(5), 0).train.x).toEqual(mixtureBlock.generate(p, streams(5)).train.x);
  });
});

describe('moons', () => {
  test('the related task rotates the points by shift·90°', () => {
    const p = { ...moonsBlock.defaults, noise: 0 };
    const base = moonsBlock.generate(p, streams(2)).train;
    const turned = moonsBlock.generate(p, streams(2), 1).train;
    // A quarter turn: (x, y) → (−y, x).
    for (let i = 0; i < 5; i++) {
      expect(turned.x[2 * i]).toBeCloseTo(-base.x[2 * i + 1], 5);
      expect(turned.x[2 * i + 1]).toBeCloseTo(base.x[2 * i], 5);
    }
  });
});

describe('target_1d', () => {
  test('noise-free test grid on [−1, 1] equals the function; training inputs lie in [−1, 1]', () => {
    const p = { ...target1dBlock.defaults, function: 'sin', omega: 3, n: 50, test_n: 11, label_noise: 0.1 };
    const { train, test } = target1dBlock.generate(p, streams(4));
    expect(test.x[0]).toBe(-1);
    expect(test.x[10]).toBe(1);
    for (let i = 0; i < 11; i++) expect(test.labels[i]).toBeCloseTo(Math.sin(3 * test.x[i]), 6);
    for (const x of train.x) expect(Math.abs(x)).toBeLessThanOrEqual(1);
    // Label noise: training labels are not exactly the function.
    expect(Math.abs(train.labels[0] - Math.sin(3 * train.x[0]))).toBeGreaterThan(0);
    // The default polynomial is Exp 1's −2x⁴ + x³ + x² − 2x: −2 at x = 1.
    const poly = target1dBlock.generate({ ...target1dBlock.defaults, function: 'polynomial', test_n: 3 }, streams(4)).test;
    expect(poly.labels[2]).toBeCloseTo(-2, 6);
  });
  test("train_x 'grid': the training inputs are linspace(−1, 1, n) (float64 kept), noise-free labels f(x) in float32, no draw", () => {
    const p = { ...target1dBlock.defaults, function: 'abs', n: 7, test_n: 3, train_x: 'grid' };
    const s = streams(4);
    const { train } = target1dBlock.generate(p, s);
    const xs = linspace(-1, 1, 7);
    expect(xs[3]).toBe(0);
    expect(Array.from(train.x64!)).toEqual(xs);
    expect(train.x).toEqual(Float32Array.from(xs));
    expect(train.labels).toEqual(Float32Array.from(xs.map(Math.abs)));
    // Nothing was drawn from the train stream: its next number is its first.
    expect(s.train.uniform()).toBe(streams(4).train.uniform());
    // The default draws uniform inputs and keeps no float64 copy.
    expect(target1dBlock.generate({ ...p, train_x: 'uniform' }, streams(4)).train.x64).toBeUndefined();
  });
});
