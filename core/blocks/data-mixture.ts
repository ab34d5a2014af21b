/**
 * Data block `mixture`: two Gaussian classes with a shared random covariance
 * (core/data/gaussian-mixture.ts, the notebook's generator). Class 1's mean is `class_sep`
 * in every one of the `d` coordinates. The covariance factor is drawn from the task stream,
 * so the training and test rows (own streams) come from one task.
 *
 * Related task (transfer): the same covariance, and class 1's mean with the sign of the
 * first round(shift·d) coordinates flipped: shift 0 is the same task, 0.5 a mean direction
 * orthogonal to the original (for an even d), 1 the mirrored one.
 *
 * Imbalance: `class_ratio` r gives floor(n/(r+1)) rows of class 0 and the rest class 1, in
 * the training and the test rows; `resample` oversamples the training minority back to
 * floor(r) × its rows (core/data/imbalance.ts), so the training set grows.
 */
import { z } from 'zod';
import { drawCovarianceFactor, generateMixtureOfGaussians } from '../data/gaussian-mixture';
import type { Table } from '../data/dataset';
import { RESAMPLING, resampledSize, type Resampling } from '../data/imbalance';
import type { Rng } from '../rng';
import type { DataBlock, Values } from './types';

export const mixtureShape = {
  /** Training rows. */
  n: z.number().int().min(2).max(20_000),
  /** Test rows, drawn separately from the same task. */
  test_n: z.number().int().min(2).max(20_000),
  /** Input dimensions. */
  d: z.number().int().min(1).max(256),
  /** Class 1's mean in every coordinate (class 0's is 0). */
  class_sep: z.number().min(-100).max(100),
  /** Scale of the covariance factor's Uniform[0, scale) entries. */
  covariance_scale: z.number().positive().max(100),
  /** Majority (class 1) rows per minority (class 0) row, in training and test rows alike. */
  class_ratio: z.number().min(1).max(100),
  /** The training minority oversampled back to ratio × its rows: exact copies, draws with replacement, or not. */
  resample: z.enum(RESAMPLING),
};

type MixtureValues = { n: number; test_n: number; d: number; class_sep: number; covariance_scale: number; class_ratio: number; resample: Resampling };

/** Rows of one class-balanced draw from the mixture with this mean and covariance factor (shuffled). */
function draw(rng: Rng, n: number, mean: number[], covFactor: Float32Array, classRatio = 1, resample: Resampling = 'none'): Table {
  return generateMixtureOfGaussians(rng, { n, d: mean.length, classSeps: mean, covFactor, testSize: 0, classRatio, resample: resample === 'none' ? false : resample }).train;
}

export const mixtureBlock: DataBlock = {
  family: 'data',
  kind: 'mixture',
  summary: 'Two Gaussian classes in d dimensions with a shared random covariance (the notebook\'s generator).',
  shape: mixtureShape,
  defaults: { n: 400, test_n: 200, d: 12, class_sep: 1, covariance_scale: 1, class_ratio: 1, resample: 'none' },
  contentParams: ['class_sep', 'covariance_scale'],
  related: true,
  describe: (p) => ({ input: p.d as number, output: 2, task: 'classification', trainRows: resampledSize(p.n as number, p.class_ratio as number, p.resample as Resampling), testRows: p.test_n as number }),
  generate(values: Values, streams, relatedShift) {
    const p = values as MixtureValues;
    const covFactor = drawCovarianceFactor(streams.task, p.d, p.covariance_scale);
    const mean = new Array<number>(p.d).fill(p.class_sep);
    if (relatedShift !== undefined) {
      const flipped = Math.round(relatedShift * p.d);
      for (let j = 0; j < flipped; j++) mean[j] = -mean[j];
    }
    return { train: draw(streams.train, p.n, mean, covFactor, p.class_ratio, p.resample), test: draw(streams.test, p.test_n, mean, covFactor, p.class_ratio) };
  },
};
