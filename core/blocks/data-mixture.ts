/**
 * Data block `mixture`: two Gaussian classes with a shared random covariance
 * (core/data/gaussian-mixture.ts, the notebook's generator). Class 1's mean is `class_sep`
 * in every one of the `d` coordinates. The covariance factor is drawn from the task stream,
 * so the training and test rows (own streams) come from one task.
 *
 * Related task (transfer): the same covariance, and class 1's mean with the sign of the
 * first round(shift·d) coordinates flipped: shift 0 is the same task, 0.5 a mean direction
 * orthogonal to the original (for an even d), 1 the mirrored one.
 */
import { z } from 'zod';
import { drawCovarianceFactor, generateMixtureOfGaussians } from '../data/gaussian-mixture';
import type { Table } from '../data/dataset';
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
};

type MixtureValues = { n: number; test_n: number; d: number; class_sep: number; covariance_scale: number };

/** Rows of one class-balanced draw from the mixture with this mean and covariance factor (shuffled). */
function draw(rng: Rng, n: number, mean: number[], covFactor: Float32Array): Table {
  return generateMixtureOfGaussians(rng, { n, d: mean.length, classSeps: mean, covFactor, testSize: 0 }).train;
}

export const mixtureBlock: DataBlock = {
  family: 'data',
  kind: 'mixture',
  summary: 'Two Gaussian classes in d dimensions with a shared random covariance (the notebook\'s generator).',
  shape: mixtureShape,
  defaults: { n: 400, test_n: 200, d: 12, class_sep: 1, covariance_scale: 1 },
  contentParams: ['class_sep', 'covariance_scale'],
  related: true,
  describe: (p) => ({ input: p.d as number, output: 2, task: 'classification', trainRows: p.n as number, testRows: p.test_n as number }),
  generate(values: Values, streams, relatedShift) {
    const p = values as MixtureValues;
    const covFactor = drawCovarianceFactor(streams.task, p.d, p.covariance_scale);
    const mean = new Array<number>(p.d).fill(p.class_sep);
    if (relatedShift !== undefined) {
      const flipped = Math.round(relatedShift * p.d);
      for (let j = 0; j < flipped; j++) mean[j] = -mean[j];
    }
    return { train: draw(streams.train, p.n, mean, covFactor), test: draw(streams.test, p.test_n, mean, covFactor) };
  },
};
