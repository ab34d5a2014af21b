/**
 * Experiment 6: Does unsupervised dimensionality reduction (PCA) help or hurt?
 *
 * Data: per repeat ONE Gaussian mixture, d = 10, class_seps [1]*10, covariance_scale 0.2,
 * n = 100, one-hot labels, split 80/20 (sklearn semantics); it is reused by every
 * dummy_dim and pca_dim of the repeat. For each dummy_dim (per repeat, shared by the pca
 * settings): append dummy_dim columns of noise_level × U[0,1), drawn independently for train
 * and test (the notebook's noise_level 1 makes them U[0,1), not the prose's "very low"
 * values); then the "random rotation": right-multiply train and test by one
 * (10+dummy)×(10+dummy) matrix of iid U[0,1) entries. The code's matrix is NOT orthogonal
 * (a dense positive mixing; `special_ortho_group` is imported but unused): that is
 * `rotation: 'uniform'`, the default. `'orthogonal'` is the prose's rotation, a Haar random
 * orthogonal matrix (the distribution of QR of a Gaussian matrix with the sign fix), built
 * as a product of Householder reflections (Stewart's algorithm, scipy's ortho_group);
 * `'none'` skips the mixing.
 *   PCA (sklearn, centred, no whitening) to pca_dim components is fitted on the train split
 * and applied to both; 'none' feeds all 10 + dummy columns. Quirk: the notebook overwrites
 * X_train/X_test inside its pca loop, so with the order [None, 10, 5, 1] the 5-dim PCA is
 * fitted on the 10-dim output and the 1-dim on the 5-dim one. Projected training data is
 * centred with a diagonal covariance, so this equals direct PCA up to the sign of each
 * component; direct PCA is used here (with sklearn's svd_flip sign convention, and the
 * exact SVD where sklearn 0.19's 'auto' would pick its randomized solver for wide inputs).
 * Model: input (pca_dim, or 10 + dummy_dim) → (100, 100) sigmoid → 2 logits, Xavier-uniform.
 * Training: softmax cross-entropy, TF1 Adam lr 0.003, 500 full-batch steps on the 80 rows.
 * Recorded: test accuracy (20 points) and train accuracy after training, input width.
 *
 * Memory and time at dummy_dim 2000 (width 2010): the mixing matrix is applied one row at
 * a time as it is drawn (X·M = Σ_k X[:,k] ⊗ M[k,:]), so the 2010² matrix (32 MB in float64)
 * never exists; the Householder reflections of 'orthogonal' are applied the same way. PCA
 * goes through the 80×80 Gram matrix (or the d×d scatter matrix when narrower): the same
 * components as ml-pca's SVD (tested against it), about 3× faster on 80×2010 (0.7 s vs
 * 2.1 s measured). A trial holds about 100×2010 float64 inputs a few times over (≈ 5 MB in
 * JS) plus, on the backend, 211k parameters × 4 (weights, two Adam slots, gradients) ≈
 * 3.4 MB per network; a pack of 5 is ≈ 25 MB, well inside a 128 MB Worker.
 */
import * as tf from '@tensorflow/tfjs-core';
import { z } from 'zod';
import type { Table } from '../data/dataset';
import { generateMixtureOfGaussians } from '../data/gaussian-mixture';
import { parameterCount, type MlpSpec } from '../nn/model';
import type { Rng } from '../rng';
import { evaluateAccuracy, oneHot, stack3d, trainPack } from '../train/train-pack';
import { activation, classSeps, hiddenLayers, initializer, int, learningRate, range, repeatStream, resolveSeps, trialStream } from './common';
import { chunkTrials, floatsPerTrial, memoryIssue } from './exp04-class-imbalance';
import type { Experiment, RunContext, TrialResult, TrialSpec } from './types';
import { packBytes } from './memory';

const params = z
  .object({
    dummy_dim: int(0, 4000).default(1),
    /** Principal components kept, or 'none' (the notebook's None): no PCA. */
    pca_dim: z.union([z.literal('none'), int(1, 4096)]).default('none'),
    noise_level: z.number().min(0).max(1000).default(1),
    /** 'uniform' = the code's iid U[0,1) mixing matrix; 'orthogonal' = the prose's random rotation. */
    rotation: z.enum(['uniform', 'orthogonal', 'none']).default('uniform'),
    n: int(4, 2000).default(100),
    d: int(1, 256).default(10),
    class_seps: classSeps.default(1),
    covariance_scale: z.number().positive().max(100).default(0.2),
    test_size: z.number().min(0.01).max(0.9).default(0.2),
    hidden: hiddenLayers.default([100, 100]),
    activation: activation.default('sigmoid'),
    initializer: initializer.default('xavier'),
    lr: learningRate.default(0.003),
    steps: int(1, 100_000).default(500),
  })
  .strict()
  .superRefine((p, ctx) => {
    const nTrain = p.n - Math.ceil(p.test_size * p.n);
    const width = p.d + p.dummy_dim;
    if (p.pca_dim !== 'none' && p.pca_dim > Math.min(nTrain, width)) {
      ctx.addIssue({ code: 'custom', path: ['pca_dim'], message: `at most min(train rows, d + dummy_dim) = ${Math.min(nTrain, width)}` });
    }
    if (Array.isArray(p.class_seps) && p.class_seps.length !== 1 && p.class_seps.length !== p.d) ctx.addIssue({ code: 'custom', path: ['class_seps'], message: `length must be 1 or d=${p.d}` });
    const memory = memoryIssue(floatsPerTrial(nTrain, p.pca_dim === 'none' ? width : p.pca_dim, p.hidden));
    if (memory) ctx.addIssue({ code: 'custom', path: ['hidden'], message: memory });
  });
type Params = z.infer<typeof params>;

export function inputWidth(p: Params): number {
  return p.pca_dim === 'none' ? p.d + p.dummy_dim : p.pca_dim;
}

export function modelFor(p: Params): MlpSpec {
  return { kind: 'mlp', input: inputWidth(p), hidden: p.hidden, output: 2, activation: p.activation, initializer: p.initializer };
}

/** A dense row-major matrix in float64 (the feature pipeline runs in double precision). */
export interface Mat {
  rows: number;
  cols: number;
  a: Float64Array;
}

function fromTable(t: Table): Mat {
  return { rows: t.n, cols: t.d, a: Float64Array.from(t.x) };
}

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

/**
 * Right-multiplies every matrix by one D×D matrix of iid U[0,1) entries, drawn row-major
 * (numpy's rand(D, D)) and applied row by row: out += A[:, k] ⊗ M[k, :].
 */
export function mixUniform(ms: Mat[], rng: Rng): Mat[] {
  const D = ms[0].cols;
  const outs = ms.map((m) => ({ rows: m.rows, cols: D, a: new Float64Array(m.rows * D) }));
  const row = new Float64Array(D);
  for (let k = 0; k < D; k++) {
    for (let j = 0; j < D; j++) row[j] = rng.uniform();
    ms.forEach((m, q) => {
      const out = outs[q].a;
      for (let i = 0; i < m.rows; i++) {
        const x = m.a[i * D + k];
        if (x === 0) continue;
        const o = i * D;
        for (let j = 0; j < D; j++) out[o + j] += x * row[j];
      }
    });
  }
  return outs;
}

/**
 * Right-multiplies every matrix by one Haar-random orthogonal D×D matrix H without forming
 * it: H = F_0 F_1 … F_{D−1}, F_n = −s·(I − v vᵀ) on the trailing block (Stewart 1980, as
 * scipy.stats.ortho_group builds H), so A·H applies the factors left to right.
 */
export function mixOrthogonal(ms: Mat[], rng: Rng): Mat[] {
  const D = ms[0].cols;
  const outs = ms.map((m) => ({ ...m, a: Float64Array.from(m.a) }));
  const v = new Float64Array(D);
  for (let n = 0; n < D; n++) {
    const len = D - n;
    let norm2 = 0;
    for (let j = 0; j < len; j++) {
      v[j] = rng.normal();
      norm2 += v[j] * v[j];
    }
    const x0 = v[0];
    const s = x0 === 0 ? 1 : Math.sign(x0);
    v[0] += s * Math.sqrt(norm2);
    const scale = Math.sqrt((norm2 - x0 * x0 + v[0] * v[0]) / 2);
    for (let j = 0; j < len; j++) v[j] /= scale;
    for (const m of outs) {
      for (let i = 0; i < m.rows; i++) {
        const o = i * D + n;
        let dot = 0;
        for (let j = 0; j < len; j++) dot += m.a[o + j] * v[j];
        for (let j = 0; j < len; j++) m.a[o + j] = -s * (m.a[o + j] - dot * v[j]);
      }
    }
  }
  return outs;
}

/** Eigenpairs of a symmetric n×n matrix (cyclic Jacobi), sorted by decreasing eigenvalue. */
export function symmetricEigen(input: Float64Array, n: number): { values: number[]; vectors: Float64Array[] } {
  const a = Float64Array.from(input);
  const v = new Float64Array(n * n);
  for (let i = 0; i < n; i++) v[i * n + i] = 1;
  for (let sweep = 0; sweep < 100; sweep++) {
    let off = 0;
    let diag = 0;
    for (let p = 0; p < n; p++) {
      diag += a[p * n + p] ** 2;
      for (let q = p + 1; q < n; q++) off += a[p * n + q] ** 2;
    }
    if (off <= 1e-30 * diag || off === 0) break;
    for (let p = 0; p < n - 1; p++) {
      for (let q = p + 1; q < n; q++) {
        const apq = a[p * n + q];
        if (apq === 0) continue;
        const theta = (a[q * n + q] - a[p * n + p]) / (2 * apq);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let k = 0; k < n; k++) {
          const akp = a[k * n + p];
          const akq = a[k * n + q];
          a[k * n + p] = c * akp - s * akq;
          a[k * n + q] = s * akp + c * akq;
        }
        for (let k = 0; k < n; k++) {
          const apk = a[p * n + k];
          const aqk = a[q * n + k];
          a[p * n + k] = c * apk - s * aqk;
          a[q * n + k] = s * apk + c * aqk;
        }
        for (let k = 0; k < n; k++) {
          const vkp = v[k * n + p];
          const vkq = v[k * n + q];
          v[k * n + p] = c * vkp - s * vkq;
          v[k * n + q] = s * vkp + c * vkq;
        }
      }
    }
  }
  const order = range(n).sort((i, j) => a[j * n + j] - a[i * n + i]);
  return { values: order.map((i) => a[i * n + i]), vectors: order.map((i) => Float64Array.from(range(n), (k) => v[k * n + i])) };
}

export interface PcaFit {
  mean: Float64Array;
  /** k components of length cols (unit vectors). */
  components: Float64Array[];
  /** Variance along each component (s²/(n−1)). */
  explainedVariance: number[];
}

/**
 * sklearn PCA(n_components=k).fit on the rows of `m`: centre, then the top-k right singular
 * vectors of the centred data. They come from the smaller of the Gram matrix X Xᵀ (n×n,
 * v = Xᵀu/s) and the scatter matrix XᵀX (d×d); the signs follow sklearn's svd_flip (the
 * largest-magnitude entry of each training score column is positive).
 */
export function pcaFit(m: Mat, k: number): PcaFit {
  const { rows: n, cols: d } = m;
  const mean = new Float64Array(d);
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) mean[j] += m.a[i * d + j] / n;
  const xc = new Float64Array(n * d);
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) xc[i * d + j] = m.a[i * d + j] - mean[j];
  let components: Float64Array[];
  let values: number[];
  if (n < d) {
    const g = new Float64Array(n * n);
    for (let i = 0; i < n; i++) {
      for (let l = i; l < n; l++) {
        let s = 0;
        for (let j = 0; j < d; j++) s += xc[i * d + j] * xc[l * d + j];
        g[i * n + l] = s;
        g[l * n + i] = s;
      }
    }
    const eig = symmetricEigen(g, n);
    values = eig.values.slice(0, k);
    components = eig.vectors.slice(0, k).map((u, c) => {
      const sv = Math.sqrt(Math.max(values[c], 0));
      const comp = new Float64Array(d);
      // A null direction (k beyond the rank) has no defined component; its scores are 0 anyway.
      if (sv < 1e-12) return comp;
      for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) comp[j] += (xc[i * d + j] * u[i]) / sv;
      return comp;
    });
  } else {
    const s = new Float64Array(d * d);
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < d; j++) {
        const x = xc[i * d + j];
        if (x === 0) continue;
        for (let l = j; l < d; l++) s[j * d + l] += x * xc[i * d + l];
      }
    }
    for (let j = 0; j < d; j++) for (let l = 0; l < j; l++) s[j * d + l] = s[l * d + j];
    const eig = symmetricEigen(s, d);
    values = eig.values.slice(0, k);
    components = eig.vectors.slice(0, k);
  }
  for (const comp of components) {
    // svd_flip(u_based): the training score with the largest magnitude is made positive.
    let best = 0;
    let bestAbs = -1;
    for (let i = 0; i < n; i++) {
      let score = 0;
      for (let j = 0; j < d; j++) score += xc[i * d + j] * comp[j];
      if (Math.abs(score) > bestAbs) {
        bestAbs = Math.abs(score);
        best = score;
      }
    }
    if (best < 0) for (let j = 0; j < d; j++) comp[j] = -comp[j];
  }
  return { mean, components, explainedVariance: values.map((v) => Math.max(v, 0) / (n - 1)) };
}

/** sklearn's transform: (X − mean)·Vₖᵀ, no whitening. */
export function pcaTransform(fit: PcaFit, m: Mat): Mat {
  const k = fit.components.length;
  const a = new Float64Array(m.rows * k);
  for (let i = 0; i < m.rows; i++) {
    for (let c = 0; c < k; c++) {
      const comp = fit.components[c];
      let s = 0;
      for (let j = 0; j < m.cols; j++) s += (m.a[i * m.cols + j] - fit.mean[j]) * comp[j];
      a[i * k + c] = s;
    }
  }
  return { rows: m.rows, cols: k, a };
}

export interface Exp6Data {
  train: Table;
  test: Table;
}

/**
 * One trial's inputs: the repeat's base split, the (repeat, dummy_dim) dummy columns and
 * mixing, then PCA for this trial's pca_dim. Labels are those of the base split.
 */
export function exp6Data(t: TrialSpec<Params>): Exp6Data {
  const p = t.params;
  const base = generateMixtureOfGaussians(repeatStream(t, 'data', p.n, p.d), {
    n: p.n,
    d: p.d,
    classSeps: resolveSeps(p.class_seps, p.d),
    covarianceScale: p.covariance_scale,
    testSize: p.test_size,
  });
  const dummyRng = repeatStream(t, 'dummy', p.dummy_dim);
  let train = appendDummy(fromTable(base.train), p.dummy_dim, p.noise_level, dummyRng);
  let test = appendDummy(fromTable(base.test), p.dummy_dim, p.noise_level, dummyRng);
  const mixRng = repeatStream(t, `rotation-${p.rotation}`, p.dummy_dim);
  if (p.rotation === 'uniform') [train, test] = mixUniform([train, test], mixRng);
  else if (p.rotation === 'orthogonal') [train, test] = mixOrthogonal([train, test], mixRng);
  if (p.pca_dim !== 'none') {
    const fit = pcaFit(train, p.pca_dim);
    train = pcaTransform(fit, train);
    test = pcaTransform(fit, test);
  }
  const toTable = (m: Mat, labels: Float32Array): Table => ({ n: m.rows, d: m.cols, x: Float32Array.from(m.a), labels });
  return { train: toTable(train, base.train.labels), test: toTable(test, base.test.labels) };
}

export const exp6: Experiment<typeof params> = {
  id: 'exp6',
  number: 6,
  section: 'II. Datasets',
  title: 'Does unsupervised dimensionality reduction (PCA) help or hurt?',
  question: 'With 80 training points and many useless, linearly mixed dummy features, does PCA before the network help?',
  hypothesis: 'Yes: the high-variance directions are likely the discriminative ones, so PCA keeps the signal and drops the noise.',
  conclusion:
    'Without PCA, accuracy collapses to below chance (0.433) once the dimension exceeds about 100 (about the dataset size). PCA to 5 or 10 dimensions keeps accuracy at about 0.93–0.95; PCA to 1 degrades gradually.',
  // Repeat r's data, dummy columns and mixing are shared by every pca_dim: paired.
  claims: [
    { kind: 'difference', statement: 'PCA to 10 dimensions raises test accuracy (averaged over all dummy dimensions)', metric: 'test_accuracy', by: 'pca_dim', a: 10, b: 'none', expect: 'greater', paired: true, notebook: 'supported' },
    { kind: 'difference', statement: 'With 1,000 dummy dimensions, PCA to 5 dimensions raises test accuracy', metric: 'test_accuracy', by: 'pca_dim', a: 5, b: 'none', expect: 'greater', where: { dummy_dim: 1000 }, paired: true, notebook: 'supported' },
  ],
  params,
  grid: { dummy_dim: [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000], pca_dim: ['none', 10, 5, 1] },
  repeats: 5,
  cost: (p) => {
    const nTrain = p.n - Math.ceil(p.test_size * p.n);
    const width = p.d + p.dummy_dim;
    // Training, plus the dense mixing of all n rows by a width² matrix.
    return p.steps * nTrain * parameterCount(modelFor(p)) + p.n * width * width;
  },
  // Full batch over the training rows; the feature pipeline (mixing, PCA) runs in JS float64, outside the WASM heap.
  memory: (p, pack) => packBytes({ model: modelFor(p), trainRows: p.n - Math.ceil(p.test_size * p.n), evalRows: p.n, dataRows: p.n }, pack),
  async runPack(trials, ctx) {
    const p = trials[0].params;
    const model = modelFor(p);
    const nTrain = p.n - Math.ceil(p.test_size * p.n);
    const results: TrialResult[] = [];
    for (const part of chunkTrials(trials, floatsPerTrial(nTrain, model.input, p.hidden))) {
      results.push(...(await runChunk(part, model, ctx)));
    }
    return results;
  },
};

async function runChunk(trials: TrialSpec<Params>[], model: MlpSpec, ctx: RunContext): Promise<TrialResult[]> {
  const p = trials[0].params;
  const data = trials.map(exp6Data);
  const { n: nTrain, d } = data[0].train;
  const nTest = data[0].test.n;
  const trainY = data.map((x) => oneHot(x.train.labels));
  const { pack } = await trainPack({
    model,
    initRngs: trials.map((t) => trialStream(t, 'init')),
    batchRngs: trials.map((t) => trialStream(t, 'batch')),
    trainX: data.map((x) => x.train.x),
    trainY,
    n: nTrain,
    loss: 'cross_entropy',
    lr: p.lr,
    steps: p.steps,
    batchSize: nTrain,
    yieldToHost: ctx.yieldToHost,
  });
  const tensors = [
    stack3d(data.map((x) => x.train.x), nTrain, d),
    stack3d(trainY, nTrain, 2),
    stack3d(data.map((x) => x.test.x), nTest, d),
    stack3d(data.map((x) => oneHot(x.test.labels)), nTest, 2),
  ] as const;
  const trainAcc = await evaluateAccuracy(pack, tensors[0], tensors[1]);
  const testAcc = await evaluateAccuracy(pack, tensors[2], tensors[3]);
  pack.dispose();
  tf.dispose([...tensors]);
  return range(trials.length).map(
    (k): TrialResult => ({
      trialId: trials[k].id,
      scalars: { test_accuracy: testAcc[k], train_accuracy: trainAcc[k], input_dim: d },
      series: {},
    }),
  );
}
