/**
 * Data block `target_1d`: regression of a 1-D function (Exp 1's targets) on [−1, 1].
 * Training inputs are `n` uniform draws (`train_x: 'uniform'`, the default) or the `n`
 * evenly spaced points linspace(−1, 1, n) (`train_x: 'grid'`, Exp 1's fit of the points
 * themselves), with Gaussian label noise `label_noise`; the test set is `test_n` evenly
 * spaced noise-free points, so test loss measures the fit itself. On the grid the training
 * table also keeps its inputs in float64 (Table.x64, what the `predictions` record stores
 * as `x`). No related task.
 */
import { z } from 'zod';
import { linspace, makeTable } from '../data/dataset';
import { TARGET_FUNCTIONS, targetFunction, type TargetOptions } from '../data/targets';
import type { DataBlock, Values } from './types';

export const TRAIN_X = ['uniform', 'grid'] as const;

export const target1dShape = {
  n: z.number().int().min(2).max(20_000),
  test_n: z.number().int().min(2).max(20_000),
  /** sin(omega·x), |x|, or the polynomial Σ coefs[k]·x^k (core/data/targets.ts). */
  function: z.enum(TARGET_FUNCTIONS),
  omega: z.number().min(-1000).max(1000),
  /** Ascending coefficients; the default is Exp 1's −2x⁴ + x³ + x² − 2x. */
  coefs: z.array(z.number().min(-1000).max(1000)).min(1).max(20),
  label_noise: z.number().min(0).max(100),
  /** Training inputs: 'uniform' draws from the train stream, or 'grid' (linspace(−1, 1, n), no draw). */
  train_x: z.enum(TRAIN_X),
};

type TargetValues = TargetOptions & { n: number; test_n: number; label_noise: number; train_x: (typeof TRAIN_X)[number] };

export const target1dBlock: DataBlock = {
  family: 'data',
  kind: 'target_1d',
  summary: 'Regression of a 1-D function on [-1, 1] (Exp 1\'s sin(omega x), |x| and polynomial, core/data/targets.ts): random noisy training points, an even noise-free test grid.',
  shape: target1dShape,
  defaults: { n: 100, test_n: 100, function: 'sin', omega: 6, coefs: [0, -2, 1, 1, -2], label_noise: 0, train_x: 'uniform' },
  contentParams: ['function', 'omega', 'coefs', 'label_noise'],
  related: false,
  describe: (p) => ({ input: 1, output: 1, task: 'regression', trainRows: p.n as number, testRows: p.test_n as number }),
  generate(values: Values, streams) {
    const p = values as TargetValues;
    const f = targetFunction(p);
    const train = makeTable(p.n, 1);
    const grid = p.train_x === 'grid' ? linspace(-1, 1, p.n) : null;
    if (grid) train.x64 = Float64Array.from(grid);
    for (let i = 0; i < p.n; i++) {
      const x = grid ? grid[i] : 2 * streams.train.uniform() - 1;
      train.x[i] = x;
      const y = f(x);
      train.labels[i] = p.label_noise ? y + p.label_noise * streams.train.normal() : y;
    }
    const test = makeTable(p.test_n, 1);
    linspace(-1, 1, p.test_n).forEach((x, i) => {
      test.x[i] = x;
      test.labels[i] = f(x);
    });
    return { train, test };
  },
};
