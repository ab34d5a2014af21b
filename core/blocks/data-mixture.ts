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
 * One draw, split (`test_size`, core/blocks/types.ts): by default the training rows (`n`)
 * and the test rows (`test_n`) are separate draws from their own streams. A `test_size` s
 * instead draws all `n` rows at once from the task stream (covariance first, then the rows)
 * and splits them as scikit-learn's train_test_split does: ceil(s·n) test rows, the rest
 * training rows (`test_n` is then unused; the notebook's generate_mixture_of_gaussians),
 * with class_ratio over all of them; it leaves no test set to balance and nothing to
 * resample.
 *
 * Scaling (`scaling`): 'minmax' maps every column of the training rows onto [0, 1] and the
 * test rows by the same map; 'minmax_test_own' maps the test rows by their own range
 * instead (the notebook's Exp 4, a quirk of its code). Scaling is per column, after the
 * rows are drawn and shuffled.
 *
 * Training rows: int(`train_fraction`·n) (default 1: n), truncating the product as
 * Python's int() does (the notebook's Exp 3 trains on int(0.8·n) rows of an n-point set).
 *
 * A pool (`pool_n`, default null: none): instead of fresh rows per trial, the task stream
 * draws ONE set of pool_n rows (covariance, rows, one shuffle: the notebook's
 * generate_mixture_of_gaussians(pool_n, test_size = 0)), of which the first test_n shuffled
 * rows are the test set and the rest the training pool; a trial trains on the FIRST
 * int(train_fraction·n) rows of that pool. So every trial whose task stream is the same
 * (with `task_shared_by`, a repeat's configs: core/custom/compile.ts specStreams) sees the
 * same test rows and nested prefixes of the same training rows (the notebook's Exp 3). The
 * pool is drawn once per isolate or thread and kept (sharedData, core/experiments/common.ts)
 * where the streams name their task (DataStreams.taskKey). The train and test streams draw
 * nothing then; the pool takes class_ratio but not resample or test_balanced. A features
 * section (core/blocks/features-pipeline.ts) transforms the whole training pool before the
 * prefix is taken (random labels permute the pool's labels: the notebook's Exp 5), through
 * DataBlock.pooled. `test_n: 0` draws no test rows (only training metrics are recorded).
 */
import { z } from 'zod';
import { drawCovarianceFactor, generateMixtureOfGaussians } from '../data/gaussian-mixture';
import { columnRanges, prefix, scaleColumns, selectRows, type Table } from '../data/dataset';
import { sharedData } from '../experiments/common';
import { classSizes, RESAMPLING, resampledSize, type Resampling } from '../data/imbalance';
import type { Rng } from '../rng';
import { splitRows, testSizeShape, type DataBlock, type Values } from './types';

export const mixtureShape = {
  /** Training rows. */
  n: z.number().int().min(2).max(20_000),
  /** Test rows, drawn separately from the same task (0: none, only training metrics). */
  test_n: z.number().int().min(0).max(20_000),
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
  test_size: testSizeShape,
  /** Training rows are int(train_fraction·n) (the notebook's Exp 3: 0.8). */
  train_fraction: z.number().gt(0).max(1),
  /** Rows of one pool per task (test_n test rows, the rest a training pool whose first rows each trial takes); null: fresh rows per trial. */
  pool_n: z.number().int().min(4).max(20_000).nullable(),
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
  train_fraction: number;
  pool_n: number | null;
};

/** A trial's training rows before resampling: int(train_fraction·n), truncated as Python's int(). */
export function mixtureTrainRows(p: { n: number; train_fraction: number }): number {
  return Math.trunc(p.train_fraction * p.n);
}

/**
 * The pool of a task: its covariance factor first, then pool_n rows of the mixture, shuffled
 * once; the first test_n rows are the test set, the rest the training pool.
 */
function drawPool(rng: Rng, p: MixtureValues, mean: number[]): { train: Table; test: Table; covFactor: Float32Array } {
  const covFactor = drawCovarianceFactor(rng, p.d, p.covariance_scale);
  const all = draw(rng, p.pool_n!, mean, covFactor, p.class_ratio);
  const rows = (from: number, to: number) => selectRows(all, Int32Array.from({ length: to - from }, (_, i) => from + i));
  return { test: rows(0, p.test_n), train: rows(p.test_n, all.n), covFactor };
}

/** Rows of one class-balanced draw from the mixture with this mean and covariance factor (shuffled). */
function draw(rng: Rng, n: number, mean: number[], covFactor: Float32Array, classRatio = 1, resample: Resampling = 'none'): Table {
  if (n === 0) return { n: 0, d: mean.length, x: new Float32Array(0), labels: new Float32Array(0) };
  return generateMixtureOfGaussians(rng, { n, d: mean.length, classSeps: mean, covFactor, testSize: 0, classRatio, resample: resample === 'none' ? false : resample }).train;
}

export const mixtureBlock: DataBlock = {
  family: 'data',
  kind: 'mixture',
  summary: 'Two Gaussian classes in d dimensions with a shared random covariance (the notebook\'s generator).',
  shape: mixtureShape,
  defaults: { n: 400, test_n: 200, d: 12, class_sep: 1, covariance_scale: 1, class_ratio: 1, resample: 'none', test_balanced: false, class_sep_decay: 'none', scaling: 'none', test_size: null, train_fraction: 1, pool_n: null },
  contentParams: ['class_sep', 'covariance_scale', 'class_sep_decay', 'scaling'],
  related: true,
  describe: (p) => ({
    input: p.d as number,
    output: 2,
    task: 'classification',
    ...(p.test_size === null ? { trainRows: resampledSize(mixtureTrainRows(p as MixtureValues), p.class_ratio as number, p.resample as Resampling), testRows: p.test_n as number } : splitRows(p as MixtureValues)),
  }),
  generate(values: Values, streams, relatedShift) {
    const p = values as MixtureValues;
    const mean = Array.from({ length: p.d }, (_, i) => (p.class_sep_decay === 'inverse' ? p.class_sep / (i + 1) : p.class_sep));
    if (relatedShift !== undefined) {
      const flipped = Math.round(relatedShift * p.d);
      for (let j = 0; j < flipped; j++) mean[j] = -mean[j];
    }
    let train: Table;
    let test: Table;
    if (p.pool_n !== null) {
      const recipe = { pool_n: p.pool_n, test_n: p.test_n, d: p.d, mean, covariance_scale: p.covariance_scale, class_ratio: p.class_ratio };
      // Work of a draw: d normals and d² multiply-adds per row.
      const tableBytes = (t: Table) => 4 * (t.x.length + t.labels.length);
      const size = (pool: ReturnType<typeof drawPool>) => ({ bytes: tableBytes(pool.train) + tableBytes(pool.test) + 4 * pool.covFactor.length, work: p.pool_n! * p.d * (p.d + 1) });
      const pool = streams.taskKey === undefined ? drawPool(streams.task, p, mean) : sharedData.get(JSON.stringify(['mixture_pool', streams.taskKey, recipe]), () => drawPool(streams.task, p, mean), size);
      // The prefix is a copy; the test rows are the kept table itself (read only).
      train = prefix(pool.train, mixtureTrainRows(p));
      test = pool.test;
    } else if (p.test_size !== null) {
      // One draw from the task stream: covariance, rows, then the split.
      ({ train, test } = generateMixtureOfGaussians(streams.task, { n: p.n, d: p.d, classSeps: mean, covarianceScale: p.covariance_scale, classRatio: p.class_ratio, testSize: p.test_size }));
    } else {
      const covFactor = drawCovarianceFactor(streams.task, p.d, p.covariance_scale);
      train = draw(streams.train, mixtureTrainRows(p), mean, covFactor, p.class_ratio, p.resample);
      test = draw(streams.test, p.test_n, mean, covFactor, p.test_balanced ? 1 : p.class_ratio);
    }
    if (p.scaling === 'none') return { train, test };
    const trainRange = columnRanges(train);
    return { train: scaleColumns(train, trainRange), test: scaleColumns(test, p.scaling === 'minmax' ? trainRange : columnRanges(test)) };
  },
  pooled(values: Values) {
    const p = values as MixtureValues;
    // The whole training pool, of which the trial keeps the first rows.
    return p.pool_n === null ? null : { whole: { ...values, n: p.pool_n - p.test_n, train_fraction: 1 }, first: mixtureTrainRows(p) };
  },
  incompatible(values: Values) {
    const p = values as MixtureValues;
    const rows = mixtureTrainRows(p);
    if (rows < 2) return ['train_fraction', `int(train_fraction·n) = int(${p.train_fraction}·${p.n}) = ${rows} training rows; at least 2 are needed`];
    if (p.test_size !== null) {
      if (p.pool_n !== null) return ['test_size', `a pool (pool_n = ${p.pool_n}) has its own split (its first test_n rows): leave test_size null`];
      if (p.train_fraction !== 1) return ['train_fraction', 'with test_size the training rows are what the split leaves: leave train_fraction 1'];
      // Oversampling before the split would put copies of training rows among the test rows.
      if (p.resample !== 'none') return ['resample', "resampling oversamples the training rows; with test_size (one draw, split) leave resample 'none'"];
      if (p.test_balanced) return ['test_balanced', 'with test_size the test rows are a share of one draw, not a balanced draw of their own: leave test_balanced false'];
      if (splitRows(p).trainRows < 2) return ['test_size', `n = ${p.n} rows at test_size ${p.test_size} leave fewer than 2 training rows`];
      if (classSizes(p.n, p.class_ratio).minority < 1) return ['class_ratio', `n = ${p.n} rows at class_ratio ${p.class_ratio} leave no row of the minority class`];
      return null;
    }
    if (p.pool_n !== null) {
      if (p.resample !== 'none') return ['resample', `a pool (pool_n = ${p.pool_n}) is drawn once per task: its rows are not resampled (resample 'none')`];
      if (p.test_balanced) return ['test_balanced', `a pool's test rows are its first test_n shuffled rows: test_balanced must be false with pool_n = ${p.pool_n}`];
      if (p.test_n >= p.pool_n) return ['test_n', `test_n = ${p.test_n} rows leave no training row in a pool of pool_n = ${p.pool_n}`];
      if (rows > p.pool_n - p.test_n) return ['n', `int(train_fraction·n) = ${rows} training rows exceed the ${p.pool_n - p.test_n} of the pool (pool_n − test_n)`];
      if (classSizes(p.pool_n, p.class_ratio).minority < 1) return ['class_ratio', `a pool of ${p.pool_n} rows at class_ratio ${p.class_ratio} has no row of the minority class`];
      return null;
    }
    if (classSizes(rows, p.class_ratio).minority < 1) return ['class_ratio', `${rows} training rows at class_ratio ${p.class_ratio} leave no row of the minority class (floor(rows / (class_ratio + 1)) = 0)`];
    if (p.test_n === 0) return p.test_balanced ? ['test_balanced', 'test_n = 0 draws no test rows to balance'] : null;
    if (p.test_balanced ? p.test_n < 2 : classSizes(p.test_n, p.class_ratio).minority < 1) return ['test_n', `test_n = ${p.test_n} rows at class_ratio ${p.class_ratio} leave no test row of the minority class`];
    return null;
  },
};
