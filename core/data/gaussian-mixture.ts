import { z } from 'zod';
import type { Rng } from '../rng';
import { concatRows, makeTable, minMaxNormalize, trainTestSplit, type Split, type Table } from './dataset';
import { classSizes, oversample, type Resampling } from './imbalance';

/** Class seps 1/(i+1) for i < d: the notebook's "1/i" mean vector. */
export function inverseSeps(d: number): number[] {
  return Array.from({ length: d }, (_, i) => 1 / (i + 1));
}

/** The class-1 mean named by a `class_seps` parameter: a number (repeated), 'inverse' (1/(i+1)) or the vector. */
export const classSeps = z.union([z.number().min(-100).max(100), z.literal('inverse'), z.array(z.number()).min(1).max(4096)]);
export type ClassSeps = z.infer<typeof classSeps>;
export function resolveSeps(seps: ClassSeps, d: number): number[] {
  if (seps === 'inverse') return inverseSeps(d);
  if (typeof seps === 'number') return [seps];
  if (seps.length !== 1 && seps.length !== d) throw new Error(`class_seps must have length 1 or d=${d}`);
  return seps;
}

/**
 * The covariance factor C of the notebook's mixture: iid Uniform[0,1)·scale entries, covariance CᵀC.
 * Sampling x = mean + z·C with z ~ N(0, I) gives exactly that covariance without a Cholesky.
 */
export function drawCovarianceFactor(rng: Rng, d: number, scale: number): Float32Array {
  const c = new Float32Array(d * d);
  for (let i = 0; i < c.length; i++) c[i] = rng.uniform() * scale;
  return c;
}

function sampleGaussian(rng: Rng, n: number, mean: number[], factor: Float32Array, label: number): Table {
  const d = mean.length;
  const t = makeTable(n, d);
  const z = new Float64Array(d);
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < d; k++) z[k] = rng.normal();
    for (let j = 0; j < d; j++) {
      let s = mean[j];
      for (let k = 0; k < d; k++) s += z[k] * factor[k * d + j];
      t.x[i * d + j] = s;
    }
    t.labels[i] = label;
  }
  return t;
}

export interface MixtureOptions {
  n: number;
  d: number;
  /** Length 1 (repeated d times) or d: the class-1 mean. */
  classSeps: number[];
  covarianceScale?: number;
  testSize?: number;
  /** Test rows of the split, instead of ceil(testSize · rows). */
  testRows?: number;
  /** n_pos = floor(n / (ratio + 1)) rows of class 0 (the minority), the rest class 1. */
  classRatio?: number;
  /**
   * Oversample the minority class up to ratio × its size: 'tile' repeats the block exactly
   * (the notebook's code), 'replacement' samples rows with replacement (the notebook's prose).
   */
  resample?: false | Resampling;
  normalizeX?: boolean;
  /** Reuse a covariance factor (Exp 4 keeps it per (repeat, ratio)). */
  covFactor?: Float32Array;
}

export interface Mixture extends Split {
  covFactor: Float32Array;
}

/** The notebook's `Dataset.generate_mixture_of_gaussians`: two classes, shared covariance. */
export function generateMixtureOfGaussians(rng: Rng, o: MixtureOptions): Mixture {
  const { n, d } = o;
  if (o.classSeps.length !== 1 && o.classSeps.length !== d) {
    throw new Error(`classSeps must have length 1 or d=${d}, got ${o.classSeps.length}`);
  }
  const ratio = o.classRatio ?? 1;
  if (ratio < 1) throw new Error('classRatio must be >= 1');
  const mu1 = o.classSeps.length === 1 ? new Array(d).fill(o.classSeps[0]) : o.classSeps.slice();
  const covFactor = o.covFactor ?? drawCovarianceFactor(rng, d, o.covarianceScale ?? 1);
  const { minority: nPos, majority: nNeg } = classSizes(n, ratio);
  let minority = sampleGaussian(rng, nPos, new Array(d).fill(0), covFactor, 0);
  const majority = sampleGaussian(rng, nNeg, mu1, covFactor, 1);
  if (o.resample) minority = oversample(minority, ratio, o.resample, rng);
  let all = concatRows(minority, majority);
  if (o.normalizeX) all = minMaxNormalize(all);
  return { ...trainTestSplit(all, o.testSize ?? 0.2, rng, o.testRows), covFactor };
}

/**
 * The recipe most experiments pass as sweep parameters: n rows, d features, the class-1 mean
 * (`class_seps`), covariance scale and the test share of one balanced mixture.
 */
export const mixtureRecipe = z.object({
  d: z.number().int().min(1).max(1000).default(12),
  /** 'inverse' = the code's 1/(i+1); a number is repeated d times (the prose's 1). */
  class_seps: classSeps.default('inverse'),
  covariance_scale: z.number().positive().max(1000).default(1),
  n: z.number().int().min(4).max(20_000).default(500),
  test_size: z.number().min(0.01).max(0.9).default(0.2),
});
export type MixtureRecipe = z.infer<typeof mixtureRecipe>;

/** generate_mixture_of_gaussians(n, d, class_seps, covariance_scale, test_size): one balanced draw, split. */
export function drawMixture(rng: Rng, p: MixtureRecipe): Mixture {
  return generateMixtureOfGaussians(rng, { n: p.n, d: p.d, classSeps: resolveSeps(p.class_seps, p.d), covarianceScale: p.covariance_scale, testSize: p.test_size });
}
