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
 * block's own draws. With a spec's `features_shared_by` (core/custom/spec.ts) the dummy
 * columns (the training rows', then the test rows') and the mixing matrix come instead from
 * the pipeline's own streams (DataStreams.features), one per repeat and value of those
 * parameters: e.g. per (repeat, dummy_dim), shared by every pca_dim, as Exp 6's protocol
 * does.
 *
 * Kept between packs: the rows after labels, dummy columns and mixing, and their PCA basis
 * (core/data/linalg.ts pcaBasis), are the same for every pca_dim of one base split and one
 * position of the streams they draw from. They are computed once per isolate or thread and
 * kept in the shared-data store (core/experiments/common.ts sharedData), keyed by a hash of
 * the base split (checked value for value on every hit), the pipeline's other values and
 * the fingerprints of its streams (core/rng.ts Rng.fingerprint): the same numbers as
 * computing them afresh, which for Exp 6 is most of its data work.
 */
import { z } from 'zod';
import { prefix, type Table } from '../data/dataset';
import type { Rng } from '../rng';
import { appendDummy, mixFeatures, MIXINGS, pcaOption } from '../data/features';
import { LABELINGS, permuteLabels } from '../data/labels';
import { matFromTable, matToTable, pcaBasis, pcaBasisBytes, pcaFit, pcaTransform, type Mat } from '../data/linalg';
import { sharedData } from '../experiments/common';
import type { BlockBase, DataBlock, DataShape, DataSplit, DataStreams, Values } from './types';

/** JavaScript heap the pipeline's float64 copies may take for one trial. */
export const MAX_PIPELINE_BYTES = 16 * 2 ** 20;

export const pipelineShape = {
  labels: z.enum(LABELINGS),
  dummy_dim: z.number().int().min(0).max(4000),
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
    if (p.dummy_dim === 0 && p.mixing === 'none' && p.pca_dim === 'none') {
      return { train: p.labels === 'random' ? permuteLabels(split.train, streams.train) : split.train, test: split.test };
    }
    const key = JSON.stringify(['pipeline rows', splitHash(split), p.labels, p.dummy_dim, p.noise_level, p.mixing, ...drawnFrom(p, streams).map((r) => r.fingerprint())]);
    const compute = () => widen(p, split, streams);
    let rows = sharedData.get(key, compute, (w) => ({ bytes: widenedBytes(w), work: widenedWork(p, w) }));
    // A hash collision would hand over another split's rows: checked, and computed afresh.
    const fresh = !sameSplit(rows.base, split);
    if (fresh) rows = compute();
    if (p.pca_dim === 'none') return { train: matToTable(rows.train, rows.trainLabels), test: matToTable(rows.test, rows.testLabels) };
    const { rows: n, cols } = rows.train;
    const small = Math.min(n, cols);
    const basis = fresh ? pcaBasis(rows.train) : sharedData.get(`${key} pca basis`, () => pcaBasis(rows.train), (b) => ({ bytes: pcaBasisBytes(b), work: n * cols * small + 10 * small ** 3 }));
    const fit = pcaFit(rows.train, p.pca_dim, basis);
    return { train: matToTable(pcaTransform(fit, rows.train), rows.trainLabels), test: matToTable(pcaTransform(fit, rows.test), rows.testLabels) };
  },
  incompatible(values, data) {
    const p = values as PipelineValues;
    const columns = data.input + p.dummy_dim;
    if (p.pca_dim !== 'none' && p.pca_dim > Math.min(columns, data.trainRows)) return ['pca_dim', `at most min(columns, training rows) = ${Math.min(columns, data.trainRows)} components`];
    // The pipeline works on float64 copies in the JavaScript heap (about 3 alive at once),
    // outside the WebAssembly estimate: keep them within a slice of the isolate's 32 MB.
    const bytes = 3 * 8 * (data.trainRows + data.testRows) * columns;
    if (p.dummy_dim > 0 || p.mixing !== 'none' || p.pca_dim !== 'none') {
      if (bytes > MAX_PIPELINE_BYTES) return ['dummy_dim', `the feature pipeline would hold about ${(bytes / 2 ** 20).toFixed(0)} MB of float64 rows in the JavaScript heap, above ${MAX_PIPELINE_BYTES / 2 ** 20} MB; use fewer rows or columns`];
    }
    return null;
  },
};

/** The rows after labels, dummy columns and mixing (before PCA), and the split they came from. */
interface Widened {
  base: DataSplit;
  train: Mat;
  test: Mat;
  trainLabels: Float32Array;
  testLabels: Float32Array;
}

/** The generators the pipeline draws from at these values, in a fixed order. */
function drawnFrom(p: PipelineValues, streams: DataStreams) {
  const out: Rng[] = [];
  if (p.labels === 'random') out.push(streams.train);
  if (p.dummy_dim > 0) out.push(...(streams.features ? [streams.features.dummy] : [streams.train, streams.test]));
  if (p.mixing !== 'none') out.push(streams.features?.mixing ?? streams.task);
  return out;
}

/** Random labels, dummy columns and mixing (draws in that order). */
function widen(p: PipelineValues, split: DataSplit, streams: DataStreams): Widened {
  const train = p.labels === 'random' ? permuteLabels(split.train, streams.train) : split.train;
  let a = matFromTable(train);
  let b = matFromTable(split.test);
  if (p.dummy_dim > 0) {
    a = appendDummy(a, p.dummy_dim, p.noise_level, streams.features?.dummy ?? streams.train);
    b = appendDummy(b, p.dummy_dim, p.noise_level, streams.features?.dummy ?? streams.test);
  }
  [a, b] = mixFeatures([a, b], p.mixing, streams.features?.mixing ?? streams.task);
  return { base: split, train: a, test: b, trainLabels: Float32Array.from(train.labels), testLabels: Float32Array.from(split.test.labels) };
}

function widenedBytes(w: Widened): number {
  const table = (t: Table) => 4 * (t.x.length + t.labels.length);
  return 8 * (w.train.a.length + w.test.a.length) + 4 * (w.trainLabels.length + w.testLabels.length) + table(w.base.train) + table(w.base.test);
}

/** Work a kept entry saves: the mixing's rows·columns² multiply-adds, or drawing the columns. */
function widenedWork(p: PipelineValues, w: Widened): number {
  const rows = w.train.rows + w.test.rows;
  return p.mixing === 'none' ? rows * w.train.cols : rows * w.train.cols * w.train.cols;
}

/** A 32-bit hash of a split's shapes, inputs and labels (bit patterns). */
function splitHash(split: DataSplit): string {
  let h = 0x811c9dc5;
  for (const t of [split.train, split.test]) {
    for (const arr of [t.x, t.labels]) {
      const words = new Uint32Array(arr.buffer, arr.byteOffset, arr.length);
      for (let i = 0; i < words.length; i++) h = Math.imul(h ^ words[i], 0x01000193);
    }
  }
  return `${split.train.n}x${split.train.d}/${split.test.n}x${split.test.d}/${(h >>> 0).toString(16)}`;
}

function sameTable(a: Table, b: Table): boolean {
  if (a === b) return true;
  if (a.n !== b.n || a.d !== b.d) return false;
  const eq = (x: Float32Array, y: Float32Array) => {
    const u = new Uint32Array(x.buffer, x.byteOffset, x.length);
    const v = new Uint32Array(y.buffer, y.byteOffset, y.length);
    for (let i = 0; i < u.length; i++) if (u[i] !== v[i]) return false;
    return true;
  };
  return eq(a.x, b.x) && eq(a.labels, b.labels);
}

function sameSplit(a: DataSplit, b: DataSplit): boolean {
  return sameTable(a.train, b.train) && sameTable(a.test, b.test);
}

/**
 * Arithmetic of the pipeline in plain JS (float64), in the same units as the training
 * work: a mixing is a product of the rows with a columns² matrix; PCA forms the smaller
 * Gram or scatter matrix (rows·columns·min) and diagonalises it by cyclic Jacobi (about
 * 10 sweeps of 4·min³).
 */
export function pipelineCost(p: PipelineValues, rows: number, columns: number): number {
  const mixing = p.mixing === 'none' ? 0 : rows * columns * columns;
  const small = Math.min(rows, columns);
  const pca = p.pca_dim === 'none' ? 0 : rows * columns * small + 40 * small ** 3;
  return mixing + pca;
}

/** The data block with the pipeline applied to every draw (what trainings and recorders see). */
export function withFeatures(data: DataBlock, features: FeaturesBlock): DataBlock {
  const own = (values: Values) => Object.fromEntries(Object.keys(features.shape).map((k) => [k, values[k]]));
  return {
    ...data,
    shape: { ...data.shape, ...features.shape },
    defaults: { ...data.defaults, ...features.defaults },
    contentParams: [...data.contentParams, 'labels', 'noise_level', 'mixing'],
    describe: (values) => features.describe(own(values), data.describe(values)),
    generate: (values, streams, shift) => {
      // A pool is transformed whole (one permutation of its labels, …), then its prefix kept.
      const pool = data.pooled?.(values);
      if (!pool) return features.apply(own(values), data.generate(values, streams, shift), streams);
      const whole = features.apply(own(values), data.generate(pool.whole, streams, shift), streams);
      return { train: prefix(whole.train, pool.first), test: whole.test };
    },
    preparationCost: (values) => {
      const shape = data.describe(data.pooled?.(values)?.whole ?? values);
      return pipelineCost(own(values) as PipelineValues, shape.trainRows + shape.testRows, shape.input + (values.dummy_dim as number));
    },
  };
}
