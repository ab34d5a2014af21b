/**
 * Feature pipelines on a train/test split (Exp 6): useless dummy columns appended to the
 * inputs, a random mixing of all columns, and PCA fitted on the training rows. Each step
 * takes the generator it draws from, so callers decide which draws are shared (per repeat,
 * per dummy width) and which are per trial.
 */
import { z } from 'zod';
import type { Rng } from '../rng';
import { mixOrthogonal, mixUniform, pcaFit, pcaTransform, type Mat } from './linalg';

export const dummyFeatureOptions = z.object({
  dummy_dim: z.number().int().min(0).max(4000).default(1),
  noise_level: z.number().min(0).max(1000).default(1),
});

/** 'uniform' = the code's iid U[0,1) mixing matrix; 'orthogonal' = the prose's random rotation. */
export const MIXINGS = ['uniform', 'orthogonal', 'none'] as const;
export type Mixing = (typeof MIXINGS)[number];
export const mixingOption = z.enum(MIXINGS);

/** Principal components kept, or 'none' (the notebook's None): no PCA. */
export const pcaOption = z.union([z.literal('none'), z.number().int().min(1).max(4096)]);

/** [A | noise_level × U[0,1)] with the dummy columns drawn row by row (numpy's rand(n, k) order). */
export function appendDummy(m: Mat, dummy: number, noiseLevel: number, rng: Rng): Mat {
  const cols = m.cols + dummy;
  const a = new Float64Array(m.rows * cols);
  for (let i = 0; i < m.rows; i++) {
    a.set(m.a.subarray(i * m.cols, (i + 1) * m.cols), i * cols);
    for (let j = 0; j < dummy; j++) a[i * cols + m.cols + j] = noiseLevel * rng.uniform();
  }
  return { rows: m.rows, cols, a };
}

/** Train and test (in that order) right-multiplied by one random matrix of the named kind. */
export function mixFeatures(ms: Mat[], mixing: Mixing, rng: Rng): Mat[] {
  if (mixing === 'uniform') return mixUniform(ms, rng);
  if (mixing === 'orthogonal') return mixOrthogonal(ms, rng);
  return ms;
}

/** PCA to k components fitted on `train`, applied to both ('none' keeps every column). */
export function reduceWithPca(train: Mat, test: Mat, k: number | 'none'): [Mat, Mat] {
  if (k === 'none') return [train, test];
  const fit = pcaFit(train, k);
  return [pcaTransform(fit, train), pcaTransform(fit, test)];
}
