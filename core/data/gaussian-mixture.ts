import type { Rng } from '../rng';
import { concatRows, makeTable, minMaxNormalize, trainTestSplit, type Split, type Table } from './dataset';

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
  /** n_pos = floor(n / (ratio + 1)) rows of class 0 (the minority), the rest class 1. */
  classRatio?: number;
  /**
   * Oversample the minority class up to ratio × its size: 'tile' repeats the block exactly
   * (the notebook's code), 'replacement' samples rows with replacement (the notebook's prose).
   */
  resample?: false | 'tile' | 'replacement';
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
  const nPos = Math.floor(n / (ratio + 1));
  const nNeg = n - nPos;
  let minority = sampleGaussian(rng, nPos, new Array(d).fill(0), covFactor, 0);
  const majority = sampleGaussian(rng, nNeg, mu1, covFactor, 1);
  if (o.resample === 'tile') {
    const reps = Math.floor(ratio);
    let tiled = minority;
    for (let r = 1; r < reps; r++) tiled = concatRows(tiled, minority);
    minority = tiled;
  } else if (o.resample === 'replacement') {
    const total = nPos * Math.floor(ratio);
    const rows = Array.from({ length: total }, () => rng.int(nPos));
    const out = makeTable(total, d);
    rows.forEach((r, i) => {
      out.x.set(minority.x.subarray(r * d, (r + 1) * d), i * d);
      out.labels[i] = 0;
    });
    minority = out;
  }
  let all = concatRows(minority, majority);
  if (o.normalizeX) all = minMaxNormalize(all);
  return { ...trainTestSplit(all, o.testSize ?? 0.2, rng), covFactor };
}
