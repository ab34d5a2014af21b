/**
 * Features block `pipeline` (the optional `features` section of a spec): transforms of the
 * data block's rows before training, each a no-op at its default, in this order:
 *   labels      'random' permutes the training labels among the rows (memorisation; the
 *               test labels stay true) — core/data/labels.ts
 *   dummy_dim   useless columns of noise_level × U[0,1) appended to train and test rows
 *   mixing      train and test right-multiplied by one random matrix ('uniform' entries or
 *               an 'orthogonal' rotation) — core/data/features.ts
 *   pca_dim     PCA fitted on the training rows, applied to both
 * Draws: the permutation and the training rows' dummy columns come from the training
 * stream, the test rows' from the test stream, the mixing matrix from the task stream (so
 * a transfer block's pretraining rows are mixed by the same matrix), each after the data
 * block's own draws.
 */
import { z } from 'zod';
import { appendDummy, mixFeatures, MIXINGS, pcaOption, reduceWithPca } from '../data/features';
import { LABELINGS, permuteLabels } from '../data/labels';
import { matFromTable, matToTable } from '../data/linalg';
import type { BlockBase, DataBlock, DataShape, DataSplit, DataStreams, Values } from './types';

export const pipelineShape = {
  labels: z.enum(LABELINGS),
  dummy_dim: z.number().int().min(0).max(512),
  noise_level: z.number().min(0).max(1000),
  mixing: z.enum(MIXINGS),
  pca_dim: pcaOption,
};

type PipelineValues = { labels: (typeof LABELINGS)[number]; dummy_dim: number; noise_level: number; mixing: (typeof MIXINGS)[number]; pca_dim: number | 'none' };

export interface FeaturesBlock extends BlockBase {
  family: 'features';
  describe(p: Values, data: DataShape): DataShape;
  apply(p: Values, split: DataSplit, streams: DataStreams): DataSplit;
  incompatible(p: Values, data: DataShape): [string, string] | null;
}

export const pipelineBlock: FeaturesBlock = {
  family: 'features',
  kind: 'pipeline',
  summary: 'Random training labels, dummy noise columns, a random mixing of the columns and PCA, applied in that order (each off by default).',
  shape: pipelineShape,
  defaults: { labels: 'true', dummy_dim: 0, noise_level: 1, mixing: 'none', pca_dim: 'none' },
  describe(values, data) {
    const p = values as PipelineValues;
    return { ...data, input: p.pca_dim === 'none' ? data.input + p.dummy_dim : p.pca_dim, side: p.dummy_dim === 0 && p.pca_dim === 'none' ? data.side : undefined };
  },
  apply(values, split, streams) {
    const p = values as PipelineValues;
    let train = p.labels === 'random' ? permuteLabels(split.train, streams.train) : split.train;
    let test = split.test;
    if (p.dummy_dim === 0 && p.mixing === 'none' && p.pca_dim === 'none') return { train, test };
    let a = matFromTable(train);
    let b = matFromTable(test);
    if (p.dummy_dim > 0) {
      a = appendDummy(a, p.dummy_dim, p.noise_level, streams.train);
      b = appendDummy(b, p.dummy_dim, p.noise_level, streams.test);
    }
    [a, b] = mixFeatures([a, b], p.mixing, streams.task);
    [a, b] = reduceWithPca(a, b, p.pca_dim);
    train = matToTable(a, train.labels);
    test = matToTable(b, test.labels);
    return { train, test };
  },
  incompatible(values, data) {
    const p = values as PipelineValues;
    const columns = data.input + p.dummy_dim;
    if (p.pca_dim !== 'none' && p.pca_dim > Math.min(columns, data.trainRows)) return ['pca_dim', `at most min(columns, training rows) = ${Math.min(columns, data.trainRows)} components`];
    return null;
  },
};

/** The data block with the pipeline applied to every draw (what trainings and recorders see). */
export function withFeatures(data: DataBlock, features: FeaturesBlock): DataBlock {
  const own = (values: Values) => Object.fromEntries(Object.keys(features.shape).map((k) => [k, values[k]]));
  return {
    ...data,
    shape: { ...data.shape, ...features.shape },
    defaults: { ...data.defaults, ...features.defaults },
    contentParams: [...data.contentParams, 'labels', 'noise_level', 'mixing'],
    describe: (values) => features.describe(own(values), data.describe(values)),
    generate: (values, streams, shift) => features.apply(own(values), data.generate(values, streams, shift), streams),
  };
}
