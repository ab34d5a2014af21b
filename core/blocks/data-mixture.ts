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
 * the training rows and, unless `test_balanced`, the test rows; `resample` oversamples the
 * training minority back to floor(r) × its rows (core/data/imbalance.ts), so the training
 * set grows.
 *
 * Class 1's mean is `class_sep` in every coordinate, or with `class_sep_decay: 'inverse'`
 * class_sep/(i+1) in coordinate i (the notebook's code: 1, 1/2, 1/3, …).
 *
 * Scaling (`scaling`): 'minmax' maps every column of the training rows onto [0, 1] and the
 * test rows by the same map; 'minmax_test_own' maps the test rows by their own range
 * instead (the notebook's Exp 4, a quirk of its code). Scaling is per column, after the
 * rows are drawn and shuffled.
 *
 * One draw, split (`test_size`): by default the training rows (`n`) and the test rows
 * (`test_n`) are separate draws from their own streams. A `test_size` s instead draws all
 * `n` rows at once from the task stream (covariance first, then the rows) and splits them
 * as scikit-learn's train_test_split does: ceil(s·n) test rows, the rest training rows
 * (`test_n` is then unused; core/data/gaussian-mixture.ts, the notebook's
 * generate_mixture_of_gaussians). The rows are then part of the task: trials that share
 * the task (a paired spec's repeat, or `task_shared_by`) share them and their split.
 */
import { z } from 'zod';
import { drawCovarianceFactor, generateMixtureOfGaussians } from '../data/gaussian-mixture';
import { columnRanges, scaleColumns, type Table } from '../data/dataset';
import { classSizes, RESAMPLING, resampledSize, type Resampling } from '../data/imbalance';
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
  /** Test rows drawn with one row of each class per row of the other, whatever class_ratio is. */
  test_balanced: z.boolean(),
  /** 'none': class 1's mean is class_sep in every coordinate; 'inverse': class_sep/(i+1) in coordinate i. */
  class_sep_decay: z.enum(['none', 'inverse']),
  /** Columns min–max scaled onto [0, 1] by the training rows' range, or the test rows by their own. */
  scaling: z.enum(['none', 'minmax', 'minmax_test_own']),
  /** null: n training and test_n test rows, separate draws; s: n rows drawn at once from the task stream, ceil(s·n) of them test rows. */
  test_size: z.number().min(0.01).max(0.9).nullable(),
};

type MixtureValues = {
  n: number;
  test_n: number;
  d: number;
  class_sep: number;
  covariance_scale: number;
  class_ratio: number;
  resample: Resampling;
  test_balanced: boolean;
  class_sep_decay: 'none' | 'inverse';
  scaling: 'none' | 'minmax' | 'minmax_test_own';
  test_size: number | null;
};

/** Training and test rows at these values: n and test_n, or n split by test_size. */
function rowCounts(p: Pick<MixtureValues, 'n' | 'test_n' | 'class_ratio' | 'resample' | 'test_size'>): { trainRows: number; testRows: number } {
  if (p.test_size === null) return { trainRows: resampledSize(p.n, p.class_ratio, p.resample), testRows: p.test_n };
  const testRows = Math.ceil(p.test_size * p.n);
  return { trainRows: p.n - testRows, testRows };
}

/** Rows of one class-balanced draw from the mixture with this mean and covariance factor (shuffled). */
function draw(rng: Rng, n: number, mean: number[], covFactor: Float32Array, classRatio = 1, resample: Resampling = 'none'): Table {
  return generateMixtureOfGaussians(rng, { n, d: mean.length, classSeps: mean, covFactor, testSize: 0, classRatio, resample: resample === 'none' ? false : resample }).train;
}

export const mixtureBlock: DataBlock = {
  family: 'data',
  kind: 'mixture',
  summary: 'Two Gaussian classes in d dimensions with a shared random covariance (the notebook\'s generator).',
  shape: mixtureShape,
  defaults: { n: 400, test_n: 200, d: 12, class_sep: 1, covariance_scale: 1, class_ratio: 1, resample: 'none', test_balanced: false, class_sep_decay: 'none', scaling: 'none', test_size: null },
  contentParams: ['class_sep', 'covariance_scale', 'class_sep_decay', 'scaling'],
  related: true,
  describe: (p) => ({ input: p.d as number, output: 2, task: 'classification', ...rowCounts(p as MixtureValues) }),
  generate(values: Values, streams, relatedShift) {
    const p = values as MixtureValues;
    const covFactor = drawCovarianceFactor(streams.task, p.d, p.covariance_scale);
    const mean = Array.from({ length: p.d }, (_, i) => (p.class_sep_decay === 'inverse' ? p.class_sep / (i + 1) : p.class_sep));
    if (relatedShift !== undefined) {
      const flipped = Math.round(relatedShift * p.d);
      for (let j = 0; j < flipped; j++) mean[j] = -mean[j];
    }
    const { train, test } =
      p.test_size === null
        ? { train: draw(streams.train, p.n, mean, covFactor, p.class_ratio, p.resample), test: draw(streams.test, p.test_n, mean, covFactor, p.test_balanced ? 1 : p.class_ratio) }
        : generateMixtureOfGaussians(streams.task, { n: p.n, d: p.d, classSeps: mean, covFactor, testSize: p.test_size, classRatio: p.class_ratio });
    if (p.scaling === 'none') return { train, test };
    const trainRange = columnRanges(train);
    return { train: scaleColumns(train, trainRange), test: scaleColumns(test, p.scaling === 'minmax' ? trainRange : columnRanges(test)) };
  },
  incompatible(values: Values) {
    const p = values as MixtureValues;
    if (p.test_size !== null) {
      // Oversampling before the split would put copies of training rows among the test rows.
      if (p.resample !== 'none') return ['resample', `resampling oversamples the training rows; with test_size (one draw, split) leave resample 'none'`];
      if (p.test_balanced) return ['test_balanced', `with test_size the test rows are a share of one draw, not a balanced draw of their own: leave test_balanced false`];
      if (p.n - Math.ceil(p.test_size * p.n) < 1) return ['test_size', `n = ${p.n} rows at test_size ${p.test_size} leave no training row`];
    }
    if (classSizes(p.n, p.class_ratio).minority < 1) return ['class_ratio', `n = ${p.n} rows at class_ratio ${p.class_ratio} leave no row of the minority class (floor(n / (class_ratio + 1)) = 0)`];
    if (p.test_size === null && (p.test_balanced ? p.test_n < 2 : classSizes(p.test_n, p.class_ratio).minority < 1)) return ['test_n', `test_n = ${p.test_n} rows at class_ratio ${p.class_ratio} leave no test row of the minority class`];
    return null;
  },
};
