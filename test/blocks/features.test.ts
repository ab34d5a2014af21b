import { describe, expect, test } from 'vitest';
import { z } from 'zod';
import { mixtureBlock } from '../../core/blocks/data-mixture';
import { pipelineBlock, withFeatures } from '../../core/blocks/features-pipeline';
import type { DataStreams } from '../../core/blocks/types';
import { classCounts } from '../../core/data/dataset';
import { appendDummy, mixFeatures, reduceWithPca } from '../../core/data/features';
import { generateMixtureOfGaussians } from '../../core/data/gaussian-mixture';
import { matFromTable } from '../../core/data/linalg';
import { sharedData } from '../../core/experiments/common';
import { Rng } from '../../core/rng';

const streams = (seed: number): DataStreams => ({ task: new Rng(seed), train: new Rng(seed + 1), test: new Rng(seed + 2) });
const mixture = { ...mixtureBlock.defaults, n: 80, test_n: 30, d: 5 };
const off = pipelineBlock.defaults;

describe('features pipeline', () => {
  test('at its defaults it changes nothing', () => {
    const block = withFeatures(mixtureBlock, pipelineBlock);
    const a = block.generate({ ...mixture, ...off }, streams(1));
    const b = mixtureBlock.generate(mixture, streams(1));
    expect(a.train.x).toEqual(b.train.x);
    expect(a.train.labels).toEqual(b.train.labels);
    expect(block.describe({ ...mixture, ...off })).toEqual(mixtureBlock.describe(mixture));
  });

  test('random labels permute the training labels only (same class counts, other order)', () => {
    const block = withFeatures(mixtureBlock, pipelineBlock);
    const plain = mixtureBlock.generate(mixture, streams(2));
    const random = block.generate({ ...mixture, ...off, labels: 'random' }, streams(2));
    expect(random.train.x).toEqual(plain.train.x);
    expect(random.train.labels).not.toEqual(plain.train.labels);
    expect(classCounts(random.train)).toEqual(classCounts(plain.train));
    expect(random.test.labels).toEqual(plain.test.labels);
  });

  test('dummy columns, mixing and PCA set the width describe() reports; deterministic', () => {
    const block = withFeatures(mixtureBlock, pipelineBlock);
    const dummy = { ...mixture, ...off, dummy_dim: 7, noise_level: 2 };
    const a = block.generate(dummy, streams(3));
    expect(a.train.d).toBe(12);
    expect(block.describe(dummy).input).toBe(12);
    // The original columns are kept; the dummy ones lie in [0, noise_level).
    expect(Array.from(a.train.x.subarray(0, 5))).toEqual(Array.from(mixtureBlock.generate(mixture, streams(3)).train.x.subarray(0, 5)));
    for (let j = 5; j < 12; j++) expect(a.test.x[j]).toBeGreaterThanOrEqual(0), expect(a.test.x[j]).toBeLessThan(2);
    const reduced = { ...dummy, mixing: 'orthogonal', pca_dim: 3 };
    const r = block.generate(reduced, streams(3));
    expect([r.train.d, r.test.d, block.describe(reduced).input]).toEqual([3, 3, 3]);
    expect(block.generate(reduced, streams(3)).test.x).toEqual(r.test.x);
    expect(block.generate(reduced, streams(4)).test.x).not.toEqual(r.test.x);
  });

  test('refuses more components than columns or rows; the schema rejects bad values', () => {
    const shape = mixtureBlock.describe(mixture);
    expect(pipelineBlock.incompatible({ ...off, pca_dim: 6 }, shape)?.[0]).toBe('pca_dim');
    expect(pipelineBlock.incompatible({ ...off, pca_dim: 6, dummy_dim: 1 }, shape)).toBeNull();
    const schema = z.object(pipelineBlock.shape).strict();
    expect(schema.safeParse(off).success).toBe(true);
    expect(schema.safeParse({ ...off, mixing: 'fourier' }).success).toBe(false);
    expect(schema.safeParse({ ...off, dummy_dim: 10_000 }).success).toBe(false);
  });
});

describe('features drawn from their own streams, kept between trials', () => {
  const block = withFeatures(mixtureBlock, pipelineBlock);
  const wide = { ...mixture, ...off, dummy_dim: 6, mixing: 'uniform' };
  const own = (seed: number): DataStreams => ({ ...streams(seed), features: { dummy: new Rng(seed + 10), mixing: new Rng(seed + 11) } });

  test("dummy columns (training rows, then test rows) from the features' dummy stream, the mixing from its mixing stream; the data streams are not drawn", () => {
    const s = own(20);
    const base = mixtureBlock.generate(mixture, streams(20));
    const marks = [s.task, s.train, s.test].map((r) => r.fingerprint());
    sharedData.clear();
    const got = block.generate({ ...wide, pca_dim: 4 }, s);
    // The mixture drew from its streams; the pipeline from none of them.
    const after = streams(20);
    mixtureBlock.generate(mixture, after);
    expect([s.task, s.train, s.test].map((r) => r.fingerprint())).toEqual([after.task, after.train, after.test].map((r) => r.fingerprint()));
    expect(marks).not.toEqual([after.task, after.train, after.test].map((r) => r.fingerprint()));
    const dummy = new Rng(30);
    const widened = [base.train, base.test].map((t) => appendDummy(matFromTable(t), 6, 1, dummy));
    const [a, b] = mixFeatures(widened, 'uniform', new Rng(31));
    const [ra, rb] = reduceWithPca(a, b, 4);
    expect(got.train.x).toEqual(Float32Array.from(ra.a));
    expect(got.test.x).toEqual(Float32Array.from(rb.a));
    sharedData.clear();
  });

  test('a second trial of the same split and stream positions reads the kept rows and PCA basis: the numbers of computing afresh, for every pca_dim', () => {
    const settings: Array<Record<string, unknown>> = ['none', 5, 2, 1].map((pca_dim) => ({ ...wide, pca_dim }));
    const cold = settings.map((v) => {
      sharedData.clear();
      return block.generate(v, own(40));
    });
    sharedData.clear();
    const warm = settings.map((v) => block.generate(v, own(40)));
    expect(warm).toEqual(cold);
    const held = sharedData.bytes;
    expect(held).toBeGreaterThan(0);
    // A hit draws nothing from the pipeline's streams.
    const s = own(40);
    block.generate(settings[2], s);
    expect(s.features!.mixing.fingerprint()).toBe(new Rng(51).fingerprint());
    expect(sharedData.bytes).toBe(held);
    // Other dummy or mixing draws, another split, or other pipeline values are other entries.
    const other = (s2: DataStreams, v = settings[1]) => block.generate(v, s2).test.x;
    expect(other({ ...own(40), features: { dummy: new Rng(99), mixing: new Rng(51) } })).not.toEqual(warm[1].test.x);
    expect(other({ ...own(40), features: { dummy: new Rng(50), mixing: new Rng(98) } })).not.toEqual(warm[1].test.x);
    expect(other({ ...own(41), features: { dummy: new Rng(50), mixing: new Rng(51) } })).not.toEqual(warm[1].test.x);
    expect(other(own(40), { ...settings[1], noise_level: 3 })).not.toEqual(warm[1].test.x);
    sharedData.clear();
  });

  test('without own streams, random labels and dummy columns still draw from the training stream: a stream at another position is another entry', () => {
    const v = { ...mixture, ...off, labels: 'random', dummy_dim: 2 };
    sharedData.clear();
    const a = block.generate(v, streams(60));
    const moved = streams(60);
    const b = block.generate(v, { ...moved, train: new Rng(77) });
    expect(b.train.labels).not.toEqual(a.train.labels);
    expect(block.generate(v, streams(60))).toEqual(a);
    sharedData.clear();
  });
});

describe('mixture: one draw split by test_size', () => {
  test("n rows from the task stream (covariance first), ceil(test_size·n) of them test rows: the notebook's generate_mixture_of_gaussians", () => {
    const p: Record<string, unknown> = { ...mixtureBlock.defaults, n: 100, d: 10, class_sep: 1, covariance_scale: 0.2, test_size: 0.2 };
    expect(mixtureBlock.describe(p)).toMatchObject({ trainRows: 80, testRows: 20, input: 10 });
    const s = streams(8);
    const marks = [s.train, s.test].map((r) => r.fingerprint());
    const got = mixtureBlock.generate(p, s);
    expect([got.train.n, got.test.n]).toEqual([80, 20]);
    expect(classCounts(got.train)[0] + classCounts(got.test)[0]).toBe(50);
    // The training and test streams are not drawn.
    expect([s.train, s.test].map((r) => r.fingerprint())).toEqual(marks);
    const want = generateMixtureOfGaussians(new Rng(8), { n: 100, d: 10, classSeps: [1], covarianceScale: 0.2, testSize: 0.2 });
    expect(got.train.x).toEqual(want.train.x);
    expect(got.test.x).toEqual(want.test.x);
    expect(got.test.labels).toEqual(want.test.labels);
    // At its default (null) the block draws as before.
    expect(mixtureBlock.generate({ ...p, test_size: null }, streams(8)).test.n).toBe(p.test_n);
    expect(mixtureBlock.incompatible!({ ...p, n: 2, test_size: 0.9 })?.[0]).toBe('test_size');
  });
});

describe('mixture imbalance', () => {
  test('class_ratio sets the minority share of train and test; resample tiles the training minority back', () => {
    const p = { ...mixtureBlock.defaults, n: 100, test_n: 40, d: 3, class_ratio: 3, resample: 'none' };
    const plain = mixtureBlock.generate(p, streams(5));
    expect(classCounts(plain.train)).toEqual([25, 75]);
    expect(classCounts(plain.test)).toEqual([10, 30]);
    const tiled = { ...p, resample: 'tile' };
    const t = mixtureBlock.generate(tiled, streams(5));
    expect(classCounts(t.train)).toEqual([75, 75]);
    expect(mixtureBlock.describe(tiled).trainRows).toBe(150);
  });
});
