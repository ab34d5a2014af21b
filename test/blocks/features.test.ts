import { describe, expect, test } from 'vitest';
import { z } from 'zod';
import { mixtureBlock } from '../../core/blocks/data-mixture';
import { pipelineBlock, withFeatures } from '../../core/blocks/features-pipeline';
import type { DataStreams } from '../../core/blocks/types';
import { classCounts } from '../../core/data/dataset';
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
