/**
 * Experiment 4: Does unbalanced data hurt neural networks? Does oversampling help?
 *
 * Data, per (repeat, ratio r): a 2-D Gaussian mixture, class_seps (1, 0.5) (the notebook's
 * 1/(i+1)), covariance_scale 1, n = 1200 split into floor(n/(r+1)) rows of class 0 (the
 * minority, centred at 0) and the rest of class 1. With resampling the minority block is
 * TILED r times (exact copies: the code; the prose's "sampled with replacement" is
 * `resample: 'replacement'`). The (tiled) set is min–max normalised to [0,1]² and shuffled;
 * all of it is training data (test_size 0). The test set is a separate balanced draw of
 * n/4 = 300 points with the SAME covariance, min–max normalised with ITS OWN min/max
 * (a quirk of the code, reproduced; `test_normalization: 'train'` uses the train set's).
 *   The notebook saves the no-resampling run's covariances and passes them to the
 * resampling run, so both use one covariance per (repeat, ratio) while the samples are
 * fresh draws. Here the covariance factor comes from a stream keyed by (seed, repeat,
 * ratio) and the samples from per-trial streams, which gives the same pairing without
 * shared state.
 * Model: 2 → (100, 100) sigmoid → 2 logits, Xavier-uniform weights and biases.
 * Training: softmax cross-entropy, TF1 Adam lr 0.003, 500 full-batch steps (whole train set).
 * Recorded: test and train accuracy after training; class counts after resampling and the
 * train size. For the decision-boundary panels (the first `boundary_repeats` repeats only,
 * to keep the stored volume small), as traces: both logits on the 51×51 grid
 * arange(0, 1.02, 0.02)² (index i = iy·51 + ix, point (0.02·ix, 0.02·iy), the
 * meshgrid/ravel order; the notebook contours the raw class-1 logit, logit₀ adds the true
 * boundary logit₁ = logit₀), a per-class sample of the distinct training points (tiled
 * copies coincide) and all test points.
 */
import * as tf from '@tensorflow/tfjs-core';
import { z } from 'zod';
import { classCounts, makeTable, type Table } from '../data/dataset';
import { drawCovarianceFactor, generateMixtureOfGaussians } from '../data/gaussian-mixture';
import { parameterCount, type MlpSpec } from '../nn/model';
import { evaluateAccuracy, oneHot, predict, stack3d, trainPack } from '../train/train-pack';
import { activation, classSeps, hiddenLayers, initializer, int, learningRate, range, repeatStream, resolveSeps, trialStream } from './common';
import type { Experiment, RunContext, TrialResult, TrialSpec } from './types';
import { packBytes } from './memory';

export const RESAMPLING = ['none', 'tile', 'replacement'] as const;

const params = z
  .object({
    class_ratio: z.number().min(1).max(1000).default(1),
    /** 'tile' = the code's exact copies; 'replacement' = the prose; 'none' = plain imbalance. */
    resample: z.enum(RESAMPLING).default('tile'),
    n: int(4, 4000).default(1200),
    d: int(1, 64).default(2),
    class_seps: classSeps.default('inverse'),
    covariance_scale: z.number().positive().max(100).default(1),
    /** Test set size as a fraction of n (the notebook's n/4), drawn balanced (ratio 1). */
    test_fraction: z.number().min(0.01).max(4).default(0.25),
    /** 'own' = the code (test min–max scaled by its own range); 'train' = by the train set's. */
    test_normalization: z.enum(['own', 'train']).default('own'),
    hidden: hiddenLayers.default([100, 100]),
    activation: activation.default('sigmoid'),
    initializer: initializer.default('xavier'),
    lr: learningRate.default(0.003),
    steps: int(1, 100_000).default(500),
    /** Repeats (0 … k−1) that store the decision grid and points as traces (the figure draws repeat 0). */
    boundary_repeats: int(0, 100).default(1),
    /** Distinct training points kept per class in the boundary trace (all test points are kept). */
    boundary_points: int(0, 2000).default(300),
  })
  .strict()
  .superRefine((p, ctx) => {
    if (Math.floor(p.n / (p.class_ratio + 1)) < 1) ctx.addIssue({ code: 'custom', path: ['class_ratio'], message: 'n / (class_ratio + 1) must leave at least one minority row' });
    if (Math.floor(p.n * p.test_fraction) < 2) ctx.addIssue({ code: 'custom', path: ['test_fraction'], message: 'the test set needs at least 2 rows' });
    if (Array.isArray(p.class_seps) && p.class_seps.length !== 1 && p.class_seps.length !== p.d) ctx.addIssue({ code: 'custom', path: ['class_seps'], message: `length must be 1 or d=${p.d}` });
    const memory = memoryIssue(floatsPerTrial(trainSize(p), p.d, p.hidden));
    if (memory) ctx.addIssue({ code: 'custom', path: ['hidden'], message: memory });
  });
type Params = z.infer<typeof params>;

export function modelFor(p: Params): MlpSpec {
  return { kind: 'mlp', input: p.d, hidden: p.hidden, output: 2, activation: p.activation, initializer: p.initializer };
}

/** Train size after resampling: n − n_pos + n_pos·floor(r) (tiling and replacement alike). */
export function trainSize(p: Pick<Params, 'n' | 'class_ratio' | 'resample'>): number {
  const nPos = Math.floor(p.n / (p.class_ratio + 1));
  return p.resample === 'none' ? p.n : p.n - nPos + nPos * Math.floor(p.class_ratio);
}

type Range = Array<[number, number]>;

function columnRanges(t: Table): Range {
  return range(t.d).map((j) => {
    let lo = Infinity;
    let hi = -Infinity;
    for (let i = 0; i < t.n; i++) {
      const v = t.x[i * t.d + j];
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
    return [lo, hi];
  });
}

/** The notebook's `normalize` (core/data/dataset.ts) with given per-column limits. */
function scaleColumns(t: Table, limits: Range): Table {
  const x = new Float32Array(t.x);
  for (let i = 0; i < t.n; i++) {
    for (let j = 0; j < t.d; j++) {
      const [lo, hi] = limits[j];
      x[i * t.d + j] = hi === lo ? 0 : (x[i * t.d + j] - lo) / (hi - lo);
    }
  }
  return { ...t, x };
}

export interface Exp4Data {
  train: Table;
  test: Table;
  covFactor: Float32Array;
}

/** One trial's data: covariance per (repeat, ratio), fresh train and test samples per trial. */
export function exp4Data(t: TrialSpec<Params>): Exp4Data {
  const p = t.params;
  const seps = resolveSeps(p.class_seps, p.d);
  const covFactor = drawCovarianceFactor(repeatStream(t, 'covariance', p.class_ratio), p.d, p.covariance_scale);
  // Normalisation is per column and so commutes with the shuffle: scale after the split.
  const raw = generateMixtureOfGaussians(trialStream(t, 'train'), {
    n: p.n,
    d: p.d,
    classSeps: seps,
    classRatio: p.class_ratio,
    resample: p.resample === 'none' ? false : p.resample,
    testSize: 0,
    covFactor,
  }).train;
  const testRaw = generateMixtureOfGaussians(trialStream(t, 'test'), {
    n: Math.floor(p.n * p.test_fraction),
    d: p.d,
    classSeps: seps,
    classRatio: 1,
    testSize: 0,
    covFactor,
  }).train;
  const trainLimits = columnRanges(raw);
  return {
    train: scaleColumns(raw, trainLimits),
    test: scaleColumns(testRaw, p.test_normalization === 'own' ? columnRanges(testRaw) : trainLimits),
    covFactor,
  };
}

/** The 51×51 grid arange(0, 1.02, 0.02)² of plot_decision_boundary, x varying fastest. */
export const GRID_SIDE = 51;
export function decisionGrid(): Float32Array {
  const g = new Float32Array(GRID_SIDE * GRID_SIDE * 2);
  for (let iy = 0; iy < GRID_SIDE; iy++) {
    for (let ix = 0; ix < GRID_SIDE; ix++) {
      const i = iy * GRID_SIDE + ix;
      g[2 * i] = Math.fround(0.02 * ix);
      g[2 * i + 1] = Math.fround(0.02 * iy);
    }
  }
  return g;
}

/** Up to `perClass` distinct rows of each class, in the (shuffled) table order. */
export function distinctSample(t: Table, perClass: number): Table {
  const seen = new Set<string>();
  const taken = [0, 0];
  const rows: number[] = [];
  for (let i = 0; i < t.n; i++) {
    const label = t.labels[i];
    if (taken[label] >= perClass) continue;
    const key = Array.from(t.x.subarray(i * t.d, (i + 1) * t.d)).join(',');
    if (seen.has(key)) continue;
    seen.add(key);
    taken[label]++;
    rows.push(i);
  }
  const out = makeTable(rows.length, t.d);
  rows.forEach((r, i) => {
    out.x.set(t.x.subarray(r * t.d, (r + 1) * t.d), i * t.d);
    out.labels[i] = t.labels[r];
  });
  return out;
}

const round = (v: number, digits: number) => Math.round(v * 10 ** digits) / 10 ** digits;

/** Points as three traces (first two features and the label), indexed by point. */
function pointTraces(prefix: string, t: Table): TrialResult['traces'] {
  const index = range(t.n);
  const col = (j: number) => index.map((i) => round(t.x[i * t.d + j], 4));
  return {
    [`${prefix}_x1`]: { steps: index, values: col(0) },
    [`${prefix}_x2`]: { steps: index, values: t.d > 1 ? col(1) : index.map(() => 0) },
    [`${prefix}_label`]: { steps: index, values: Array.from(t.labels) },
  };
}

/** Floats a pack may hold on the backend: 16M (64 MB), leaving room in a 128 MB Worker. */
export const PACK_FLOAT_BUDGET = 16e6;

/**
 * Rough floats one trial of a pack holds on the backend: weights, two Adam slots and the
 * gradients (4 × params of an input → hidden → 2 MLP), plus the forward and backward
 * activations of `rows` rows.
 */
export function floatsPerTrial(rows: number, input: number, hidden: number[]): number {
  const params = parameterCount({ kind: 'mlp', input, hidden, output: 2, activation: 'sigmoid', initializer: 'xavier' });
  return 4 * params + rows * (input + 6 * hidden.reduce((a, b) => a + b, 0));
}

/** The schema check that one trial alone fits the budget (packs beyond it are chunked). */
export function memoryIssue(floats: number): string | null {
  return floats > PACK_FLOAT_BUDGET ? `one trial would hold about ${Math.round((floats * 4) / 1e6)} MB of tensors, above ${(PACK_FLOAT_BUDGET * 4) / 1e6} MB; use fewer rows or smaller layers` : null;
}

/**
 * Packs bigger than the budget train in chunks: every trial's numbers come from its own
 * streams (and a lone trial trains beside a shadow twin), so the split changes no result.
 */
export function chunkTrials<T>(trials: T[], perTrial: number, budget = PACK_FLOAT_BUDGET): T[][] {
  const size = Math.max(1, Math.floor(budget / perTrial));
  const out: T[][] = [];
  for (let i = 0; i < trials.length; i += size) out.push(trials.slice(i, i + size));
  return out;
}

export const exp4: Experiment<typeof params> = {
  id: 'exp4',
  number: 4,
  section: 'II. Datasets',
  title: 'Does unbalanced data hurt neural networks? Does oversampling help?',
  question: 'How does test accuracy on a balanced test set change as the training classes become imbalanced, with and without oversampling the minority class?',
  hypothesis: 'Accuracy falls as the imbalance grows; oversampling the minority class mitigates it.',
  conclusion:
    'Imbalance hurts, and resampling helps significantly by nudging (rotating) the decision boundary towards the majority class. For harder cases the notebook points to SMOTE.',
  // The covariance is shared by (repeat, ratio), so resampled and plain runs pair within a
  // ratio; different ratios share nothing, so the trend is unpaired.
  claims: [
    { kind: 'trend', statement: 'Without resampling, test accuracy falls as the class ratio grows', metric: 'test_accuracy', along: 'class_ratio', expect: 'decreasing', where: { resample: 'none' }, notebook: 'supported' },
    { kind: 'difference', statement: 'At ratio 100:1, oversampling the minority (tiling) raises test accuracy', metric: 'test_accuracy', by: 'resample', a: 'tile', b: 'none', expect: 'greater', where: { class_ratio: 100 }, paired: true, notebook: 'supported' },
    { kind: 'difference', statement: 'At ratio 10:1, oversampling the minority (tiling) raises test accuracy', metric: 'test_accuracy', by: 'resample', a: 'tile', b: 'none', expect: 'greater', where: { class_ratio: 10 }, paired: true, notebook: 'supported' },
  ],
  params,
  grid: { resample: ['none', 'tile'], class_ratio: [1, 2, 5, 10, 20, 50, 100] },
  repeats: 5,
  cost: (p) => p.steps * trainSize(p) * parameterCount(modelFor(p)),
  // Full-batch training; evaluation includes the GRID_SIDE² decision grid. runPack also
  // chunks packs by PACK_FLOAT_BUDGET itself, so this is an upper bound.
  memory: (p, pack) =>
    packBytes({ model: modelFor(p), trainRows: trainSize(p), evalRows: Math.max(GRID_SIDE * GRID_SIDE, Math.ceil(p.test_fraction * p.n)), dataRows: trainSize(p) + Math.ceil(p.test_fraction * p.n) }, pack),
  // Ratios and resampling change the train size, so only the repeats of one config share a pack.
  async runPack(trials, ctx) {
    const p = trials[0].params;
    const model = modelFor(p);
    const results: TrialResult[] = [];
    for (const part of chunkTrials(trials, floatsPerTrial(trainSize(p), p.d, p.hidden))) {
      results.push(...(await runChunk(part, model, ctx)));
    }
    return results;
  },
};

async function runChunk(trials: TrialSpec<Params>[], model: MlpSpec, ctx: RunContext): Promise<TrialResult[]> {
  const p = trials[0].params;
  const data = trials.map(exp4Data);
  const n = data[0].train.n;
  const nTest = data[0].test.n;
  const trainY = data.map((d) => oneHot(d.train.labels));
  const { pack } = await trainPack({
    model,
    initRngs: trials.map((t) => trialStream(t, 'init')),
    batchRngs: trials.map((t) => trialStream(t, 'batch')),
    trainX: data.map((d) => d.train.x),
    trainY,
    n,
    loss: 'cross_entropy',
    lr: p.lr,
    steps: p.steps,
    batchSize: n,
    yieldToHost: ctx.yieldToHost,
  });
  const tensors = {
    trainX: stack3d(data.map((d) => d.train.x), n, p.d),
    trainY: stack3d(trainY, n, 2),
    testX: stack3d(data.map((d) => d.test.x), nTest, p.d),
    testY: stack3d(data.map((d) => oneHot(d.test.labels)), nTest, 2),
  };
  const trainAcc = await evaluateAccuracy(pack, tensors.trainX, tensors.trainY);
  const testAcc = await evaluateAccuracy(pack, tensors.testX, tensors.testY);
  let gridLogits: Float32Array[] = [];
  const traced = trials.map((t) => p.d === 2 && t.repeat < p.boundary_repeats);
  if (traced.some(Boolean)) {
    const g = decisionGrid();
    const gx = stack3d(trials.map(() => g), GRID_SIDE * GRID_SIDE, 2);
    gridLogits = await predict(pack, gx);
    gx.dispose();
  }
  pack.dispose();
  tf.dispose(Object.values(tensors));
  const gridIndex = range(GRID_SIDE * GRID_SIDE);
  return trials.map((t, k): TrialResult => {
    const [minority, majority] = classCounts(data[k].train);
    return {
      trialId: t.id,
      scalars: { test_accuracy: testAcc[k], train_accuracy: trainAcc[k], n_minority: minority, n_majority: majority, n_train: n },
      series: {},
      traces: traced[k]
        ? {
            grid_logit0: { steps: gridIndex, values: gridIndex.map((i) => round(gridLogits[k][2 * i], 3)) },
            grid_logit1: { steps: gridIndex, values: gridIndex.map((i) => round(gridLogits[k][2 * i + 1], 3)) },
            ...pointTraces('train', distinctSample(data[k].train, p.boundary_points)),
            ...pointTraces('test', data[k].test),
          }
        : {},
    };
  });
}
