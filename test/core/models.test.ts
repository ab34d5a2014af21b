import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, test } from 'vitest';
import {
  BATCH_NORM_MOMENTUM,
  convParameterCount,
  initialValues,
  mlpMatchingConv,
  mlpWidthForParameterCount,
  NetworkPack,
  parameterCount,
  parameterShapes,
  type ConvSpec,
  type MlpSpec,
  type ModelSpec,
} from '../../core/nn/model';
import { Rng } from '../../core/rng';
import { evaluateAccuracy, oneHot, predict, stack3d, trainPack, type PackTrainingSpec } from '../../core/train/train-pack';
import { generateOrientedBars } from '../../core/data/images';
import { classCounts } from '../../core/data/dataset';
import { packBytes } from '../../core/experiments/memory';
import { useBackend } from '../tf-node';

beforeAll(() => useBackend('wasm'));

const bnMlp: MlpSpec = { kind: 'mlp', input: 6, hidden: [20, 12], output: 2, activation: 'relu', initializer: 'xavier', batchNorm: true };
const conv: ConvSpec = { kind: 'conv', side: 8, filters: 4, kernel: 3, hidden: [16], output: 2, activation: 'relu', initializer: 'xavier' };

/** Per-trial random data for `model` that depends on the seed only (so a trial's task is the same in any pack). */
function taskFor(model: ModelSpec, seeds: number[], extra: Partial<PackTrainingSpec> = {}, n = 60, batchSize = 24, steps = 10): PackTrainingSpec {
  const d = model.kind === 'conv' ? model.side * model.side : model.input;
  const data = seeds.map((s) => {
    const rng = new Rng(700 + s);
    const x = Float32Array.from({ length: n * d }, () => rng.normal());
    const y = oneHot(Float32Array.from({ length: n }, (_, i) => (x[i * d] + x[i * d + 1] > 0 ? 1 : 0)));
    return { x, y };
  });
  return {
    model,
    initRngs: seeds.map((s) => new Rng(s)),
    batchRngs: seeds.map((s) => new Rng(s + 1000)),
    trainX: data.map((t) => t.x),
    trainY: data.map((t) => t.y),
    n,
    loss: 'cross_entropy',
    lr: 0.01,
    steps,
    batchSize,
    ...extra,
  };
}

describe('batch normalisation (MlpSpec.batchNorm)', () => {
  test('parameters: W, b, gamma, beta per hidden layer, none on the output; gamma 1, beta 0; same W/b draws as without BN', () => {
    const shapes = parameterShapes(bnMlp);
    expect(shapes.map((p) => p.name)).toEqual(['W0', 'b0', 'gamma0', 'beta0', 'W1', 'b1', 'gamma1', 'beta1', 'W2', 'b2']);
    expect(shapes.filter((p) => p.isWeight).map((p) => p.name)).toEqual(['W0', 'W1', 'W2']);
    const plain = { ...bnMlp, batchNorm: false };
    expect(parameterCount(bnMlp)).toBe(parameterCount(plain) + 2 * (20 + 12));
    const withBn = initialValues(bnMlp, new Rng(3));
    const without = initialValues(plain, new Rng(3));
    expect(Array.from(withBn[2])).toEqual(Array(20).fill(1));
    expect(Array.from(withBn[3])).toEqual(Array(20).fill(0));
    expect(withBn[4]).toEqual(without[2]);
    expect(withBn[8]).toEqual(without[4]);
  });

  test("training mode: each network's hidden pre-activations have batch mean 0 and variance 1 per unit, then gamma·x + beta", () => {
    // Identity activation: hidden[l] is the BN output itself.
    const spec: MlpSpec = { ...bnMlp, activation: 'identity' };
    const K = 3;
    const B = 50;
    const vals = [1, 2, 3].map((s) => initialValues(spec, new Rng(s)));
    // Network 2 gets gamma0 = 2.5, beta0 = −1: its first hidden layer must have mean −1, std 2.5.
    vals[2][2] = new Float32Array(20).fill(2.5);
    vals[2][3] = new Float32Array(20).fill(-1);
    const pack = new NetworkPack(spec, vals);
    const rng = new Rng(4);
    // Networks get inputs of different scales and offsets: statistics must be per network.
    const x = tf.tensor3d(Array.from({ length: K * B * 6 }, (_, i) => rng.normal() * (1 + Math.floor(i / (B * 6))) + 3 * Math.floor(i / (B * 6))), [K, B, 6]);
    const hidden = tf.tidy(() => pack.forwardLayers(x, 'train').hidden.map((h) => h.arraySync()));
    for (let k = 0; k < K; k++) {
      for (const [l, units] of [[0, 20], [1, 12]] as const) {
        const [g, b] = k === 2 && l === 0 ? [2.5, -1] : [1, 0];
        for (let j = 0; j < units; j++) {
          const col = hidden[l][k].map((row) => row[j]);
          const mean = col.reduce((a, v) => a + v, 0) / B;
          const variance = col.reduce((a, v) => a + (v - mean) ** 2, 0) / B;
          expect(mean).toBeCloseTo(b, 4);
          // var_B / (var_B + ε) · g²: within 1% of g² for the unit variances here.
          expect(Math.abs(variance / (g * g) - 1)).toBeLessThan(0.01);
        }
      }
    }
    // Evaluation mode at the initial running stats (mean 0, variance 1) is a near-identity.
    const evalHidden = tf.tidy(() => {
      const { hidden: h } = pack.forwardLayers(x, 'eval');
      return h[0].arraySync();
    });
    const z = tf.tidy(() => tf.add(tf.matMul(x, pack.params[0]), pack.params[1]).arraySync() as number[][][]);
    expect(evalHidden[0][0][0]).toBeCloseTo(z[0][0][0] / Math.sqrt(1 + 1e-3), 5);
    x.dispose();
    pack.dispose();
  });

  test('running averages start at 0 and 1 and move toward the batch statistics by 1 − momentum per step; evaluation uses them', async () => {
    const spec = taskFor(bnMlp, [4], {}, 60, 60, 1);
    const r = await trainPack(spec);
    // Full batch: the batch statistics are the training set's; recompute them by hand.
    const [W0, b0] = initialValues(bnMlp, new Rng(4));
    const x = spec.trainX[0];
    const mean = new Float64Array(20);
    const sq = new Float64Array(20);
    for (let i = 0; i < 60; i++)
      for (let j = 0; j < 20; j++) {
        let z = b0[j];
        for (let q = 0; q < 6; q++) z += x[i * 6 + q] * W0[q * 20 + j];
        mean[j] += z / 60;
        sq[j] += (z * z) / 60;
      }
    const [stats] = await r.pack.readRunningStats();
    expect(stats).toHaveLength(4);
    const m = 1 - BATCH_NORM_MOMENTUM;
    for (let j = 0; j < 20; j++) {
      expect(stats[0][j]).toBeCloseTo(m * mean[j], 4);
      expect(stats[1][j]).toBeCloseTo(BATCH_NORM_MOMENTUM + m * (sq[j] - mean[j] ** 2), 4);
    }
    // More steps: the running mean keeps approaching the batch mean (momentum 0.99).
    const longer = await trainPack(taskFor(bnMlp, [4], {}, 60, 60, 200));
    const [later] = await longer.pack.readRunningStats();
    const dist = (s: Float32Array) => Array.from(s).reduce((a, v, j) => a + Math.abs(v - mean[j]), 0);
    expect(dist(later[0])).toBeLessThan(0.5 * dist(stats[0]));
    // Evaluation (predict) differs from the training-mode forward pass on the same rows.
    const xt = stack3d([x], 60, 6);
    const evalLogits = (await predict(longer.pack, xt))[0];
    const trainLogits = tf.tidy(() => longer.pack.forward(tf.concat([xt, xt], 0) as tf.Tensor3D, 'train').dataSync().slice(0, 120));
    expect(Array.from(evalLogits)).not.toEqual(Array.from(trainLogits));
    xt.dispose();
    r.pack.dispose();
    longer.pack.dispose();
  });

  test('gradients through BN agree with finite differences', () => {
    const spec: MlpSpec = { ...bnMlp, input: 3, hidden: [5], activation: 'tanh' };
    const pack = new NetworkPack(spec, [initialValues(spec, new Rng(9))]);
    const rng = new Rng(10);
    const x = tf.tensor3d(Array.from({ length: 8 * 3 }, () => rng.normal()), [1, 8, 3]);
    const y = tf.tensor3d(oneHot(Float32Array.from([0, 1, 1, 0, 1, 0, 0, 1])), [1, 8, 2]);
    const loss = () => tf.neg(tf.mean(tf.sum(tf.mul(y, tf.logSoftmax(pack.forward(x, 'train'))), 2))) as tf.Scalar;
    const { value, grads } = tf.variableGrads(loss, pack.params);
    value.dispose();
    const eps = 1e-2;
    for (const pi of [0, 2, 3]) {
      const v = pack.params[pi];
      const analytic = grads[v.name].dataSync();
      const base = v.dataSync().slice();
      for (const i of [0, 3]) {
        const at = (dv: number) => {
          const p = base.slice();
          p[i] += dv;
          v.assign(tf.tensor(p, v.shape));
          return tf.tidy(() => loss().dataSync()[0]);
        };
        const numeric = (at(eps) - at(-eps)) / (2 * eps);
        v.assign(tf.tensor(base, v.shape));
        expect(analytic[i]).toBeCloseTo(numeric, 3);
      }
    }
    tf.dispose(grads);
    pack.updateRunningStats();
    x.dispose();
    y.dispose();
    pack.dispose();
  });
});

describe('frozen parameters and given starting values (trainPack)', () => {
  test('initialValues are the starting point: 0 steps → read() returns them, for every trial', async () => {
    const start = [11, 12].map((s) => initialValues(bnMlp, new Rng(s)));
    start[1][2] = new Float32Array(20).fill(0.5);
    const r = await trainPack(taskFor(bnMlp, [1, 2], { initialValues: start }, 60, 24, 0));
    expect(await r.pack.read()).toEqual(start);
    r.pack.dispose();
    const lone = await trainPack(taskFor(bnMlp, [1], { initialValues: [start[1]] }, 60, 24, 0));
    expect(await lone.pack.read()).toEqual([start[1]]);
    lone.pack.dispose();
  });

  test('frozen parameters are bit-unchanged after training; trainable ones change', async () => {
    const trainable = parameterShapes(bnMlp).map((p) => !p.name.endsWith('0'));
    const start = initialValues(bnMlp, new Rng(5));
    const r = await trainPack(taskFor(bnMlp, [5], { trainable }, 60, 24, 15));
    const [after] = await r.pack.read();
    after.forEach((v, i) => {
      if (trainable[i]) expect(Array.from(v)).not.toEqual(Array.from(start[i]));
      else expect(Array.from(v)).toEqual(Array.from(start[i]));
    });
    r.pack.dispose();
  });

  test('bad initialValues or trainable are refused with the parameter named', async () => {
    const start = initialValues(bnMlp, new Rng(5));
    await expect(trainPack(taskFor(bnMlp, [5], { initialValues: [start.slice(1)] }))).rejects.toThrow(/initialValues\[0\]: 9 arrays/);
    await expect(trainPack(taskFor(bnMlp, [5], { initialValues: [[...start.slice(0, 9), new Float32Array(3)]] }))).rejects.toThrow(/b2/);
    await expect(trainPack(taskFor(bnMlp, [5, 6], { initialValues: [start] }))).rejects.toThrow(/1 trials given, 2 trained/);
    await expect(trainPack(taskFor(bnMlp, [5], { trainable: [true] }))).rejects.toThrow(/trainable: 1 flags/);
    await expect(trainPack(taskFor(bnMlp, [5], { trainable: Array(10).fill(false) }))).rejects.toThrow(/at least one/);
  });

  test('fine-tuning from pretrained weights continues where pretraining stopped', async () => {
    // The second run's first forward pass (full batch, before its update) is the first
    // run's trained network on the same rows: the weights really carry over.
    const first = await trainPack(taskFor(conv, [3], {}, 40, 40, 10));
    const weights = await first.pack.read();
    const x = stack3d([taskFor(conv, [3], {}, 40).trainX[0]], 40, 64);
    const logitsAfter = (await predict(first.pack, x))[0];
    const second = await trainPack(taskFor(conv, [3], { initialValues: weights }, 40, 40, 1));
    expect(Array.from(second.finalOutputs[0])).toEqual(Array.from(logitsAfter));
    x.dispose();
    first.pack.dispose();
    second.pack.dispose();
  });
});

describe('conv net (ConvSpec, im2col)', () => {
  test('parameter shapes and counts; Xavier bounds from the [kernel², filters] matrix', () => {
    expect(parameterShapes(conv).map((p) => `${p.name}:${p.shape.join('x')}`)).toEqual(['conv_w:9x4', 'conv_b:4', 'W0:144x16', 'b0:16', 'W1:16x2', 'b1:2']);
    const expected = 9 * 4 + 4 + 36 * 4 * 16 + 16 + 16 * 2 + 2;
    expect(convParameterCount(conv)).toBe(expected);
    expect(parameterCount(conv)).toBe(expected);
    const vals = initialValues(conv, new Rng(1));
    const bound = Math.sqrt(6 / (9 + 4));
    expect(Math.max(...Array.from(vals[0]).map(Math.abs))).toBeLessThanOrEqual(bound);
    expect(Math.max(...Array.from(vals[0]).map(Math.abs))).toBeGreaterThan(0.6 * bound);
  });

  test('an MLP of (about) equal parameter count', () => {
    const target = convParameterCount(conv);
    const h = mlpWidthForParameterCount(64, 2, 1, target);
    const count = (w: number) => 64 * w + w + w * 2 + 2;
    expect(Math.abs(count(h) - target)).toBeLessThanOrEqual(Math.abs(count(h + 1) - target));
    expect(Math.abs(count(h) - target)).toBeLessThanOrEqual(Math.abs(count(h - 1) - target));
    const mlp = mlpMatchingConv(conv);
    expect(mlp).toMatchObject({ kind: 'mlp', input: 64, hidden: [h], output: 2, activation: 'relu' });
    expect(Math.abs(parameterCount(mlp) - target) / target).toBeLessThan(0.02);
    expect(mlpMatchingConv(conv, 2).hidden).toHaveLength(2);
  });

  test('the im2col convolution equals tf.conv2d with the same kernel', () => {
    const spec: ConvSpec = { ...conv, side: 6, kernel: 2, filters: 3 };
    const K = 2;
    const B = 4;
    const vals = [1, 2].map((s) => initialValues(spec, new Rng(s)));
    const pack = new NetworkPack(spec, vals);
    const rng = new Rng(8);
    const xs = Array.from({ length: K * B * 36 }, () => rng.normal());
    const x = tf.tensor3d(xs, [K, B, 36]);
    const maps = tf.tidy(() => pack.forwardLayers(x, 'train').hidden[0].arraySync());
    for (let k = 0; k < K; k++) {
      const ref = tf.tidy(() => {
        const img = tf.tensor4d(xs.slice(k * B * 36, (k + 1) * B * 36), [B, 6, 6, 1]);
        const filter = tf.tensor4d(vals[k][0], [2, 2, 1, 3]);
        const out = tf.relu(tf.add(tf.conv2d(img, filter, 1, 'valid'), tf.tensor1d(vals[k][1])));
        return tf.reshape(out, [B, 25 * 3]) as tf.Tensor2D;
      });
      ref.arraySync().forEach((row, b) => row.forEach((v, j) => expect(maps[k][b][j]).toBeCloseTo(v, 5)));
      ref.dispose();
    }
    // The pack's matMul path for the kernel matrix is chosen from rows·positions patch rows.
    expect(pack.matMulPaths(4)[0]).toBe('batched');
    expect(pack.matMulPaths(512)[0]).toBe('per-network');
    x.dispose();
    pack.dispose();
  });
});

describe('a trial ignores its pack', () => {
  /** Trains seed 7 alone, second in a pack of 2 and third in a pack of 3; all must agree bit for bit. */
  async function expectPackIndependent(model: ModelSpec, extra: (seeds: number[]) => Partial<PackTrainingSpec> = () => ({}), n = 60, batchSize = 24) {
    const d = model.kind === 'conv' ? model.side * model.side : model.input;
    const runs: { loss: number; weights: number[][]; stats: number[][]; logits: number[]; accuracy: number }[] = [];
    for (const seeds of [[7], [3, 7], [1, 2, 7]]) {
      const spec = taskFor(model, seeds, extra(seeds), n, batchSize, 8);
      const r = await trainPack(spec);
      const k = seeds.indexOf(7);
      const x = stack3d(spec.trainX, n, d);
      const y = stack3d(spec.trainY, n, 2);
      const logits = (await predict(r.pack, x))[k];
      const accuracy = (await evaluateAccuracy(r.pack, x, y))[k];
      const weights = (await r.pack.read())[k];
      const stats = (await r.pack.readRunningStats())[k];
      tf.dispose([x, y]);
      r.pack.dispose();
      runs.push({ loss: r.finalLoss[k], weights: weights.map((w) => Array.from(w)), stats: stats.map((s) => Array.from(s)), logits: Array.from(logits), accuracy });
    }
    expect(Number.isFinite(runs[0].loss)).toBe(true);
    for (const r of runs.slice(1)) {
      expect(r.loss).toBe(runs[0].loss);
      expect(r.logits).toEqual(runs[0].logits);
      expect(r.accuracy).toBe(runs[0].accuracy);
      expect(r.stats).toEqual(runs[0].stats);
      r.weights.forEach((w, i) => expect(w).toEqual(runs[0].weights[i]));
    }
    return runs[0];
  }

  test('batch-normalised MLP (small layers batched, and wide ones per network)', async () => {
    const small = await expectPackIndependent(bnMlp);
    expect(small.stats).toHaveLength(4);
    await expectPackIndependent({ ...bnMlp, hidden: [100, 100] }, () => ({}), 100, 64);
  });

  test('conv net', async () => {
    await expectPackIndependent(conv);
  });

  test('frozen parameters and given starting values', async () => {
    const trainable = parameterShapes(bnMlp).map((p) => p.name !== 'W0' && p.name !== 'gamma1');
    const start = (seeds: number[]) => ({ initialValues: seeds.map((s) => initialValues(bnMlp, new Rng(100 + s))), trainable });
    const run = await expectPackIndependent(bnMlp, start);
    expect(run.weights[0]).toEqual(Array.from(initialValues(bnMlp, new Rng(107))[0]));
  });
});

describe('oriented bars (core/data/images.ts)', () => {
  test('deterministic per seed, balanced, split like the mixture', () => {
    const a = generateOrientedBars(new Rng(1), { n: 101, noise: 0.3, testSize: 0.2 });
    const b = generateOrientedBars(new Rng(1), { n: 101, noise: 0.3, testSize: 0.2 });
    const c = generateOrientedBars(new Rng(2), { n: 101, noise: 0.3, testSize: 0.2 });
    expect(a).toEqual(b);
    expect(Array.from(a.train.x)).not.toEqual(Array.from(c.train.x));
    expect(a.test.n).toBe(21);
    expect(a.train.n).toBe(80);
    expect(a.train.d).toBe(64);
    const counts = classCounts(a.train).map((v, i) => v + classCounts(a.test)[i]);
    expect(counts).toEqual([51, 50]);
    // Shuffled: the training labels are not in generation order.
    expect(Array.from(a.train.labels.slice(0, 20))).not.toEqual(Array.from({ length: 20 }, (_, i) => i % 2));
    const four = generateOrientedBars(new Rng(3), { n: 400, side: 6, noise: 0, testSize: 0, classes: 4 });
    expect(classCounts(four.train, 4)).toEqual([100, 100, 100, 100]);
  });

  test('without noise each image is exactly one bar of its class; the class-mean images show the orientation', () => {
    const side = 8;
    const { train } = generateOrientedBars(new Rng(4), { n: 800, side, noise: 0, testSize: 0, classes: 4 });
    const means = Array.from({ length: 4 }, () => new Float64Array(side * side));
    const counts = classCounts(train, 4);
    for (let i = 0; i < train.n; i++) {
      const img = train.x.subarray(i * 64, (i + 1) * 64);
      expect(img.reduce((a, v) => a + v, 0)).toBe(side);
      const label = train.labels[i];
      // Every row (class 0: one row only) or column holds the bar's pixels.
      const rowSums = Array.from({ length: side }, (_, r) => img.slice(r * side, (r + 1) * side).reduce((a, v) => a + v, 0));
      if (label === 0) expect(rowSums.filter((s) => s === side)).toHaveLength(1);
      else expect(rowSums).toEqual(Array(side).fill(1));
      img.forEach((v, p) => (means[label][p] += v / counts[label]));
    }
    // At uniform positions every class's mean image is flat (≈ 1/side per pixel): the
    // orientation is not in the mean but in which neighbours light up together.
    means.forEach((m) => m.forEach((v) => expect(Math.abs(v - 1 / side)).toBeLessThan(0.07)));
    const noisy = generateOrientedBars(new Rng(5), { n: 2000, side, noise: 0.5, testSize: 0 }).train;
    const rowCorr = (cls: number, horizontal: boolean) => {
      let same = 0;
      let cnt = 0;
      for (let i = 0; i < noisy.n; i++) {
        if (noisy.labels[i] !== cls) continue;
        const img = noisy.x.subarray(i * 64, (i + 1) * 64);
        for (let r = 0; r < side; r++)
          for (let c = 0; c + 1 < side; c++) {
            const [p, q] = horizontal ? [r * side + c, r * side + c + 1] : [c * side + r, (c + 1) * side + r];
            same += img[p] * img[q];
            cnt++;
          }
      }
      return same / cnt;
    };
    // Neighbours along the bar are both 1 for one row in side: E[x_p·x_q] ≈ 1/side; across it ≈ 0.
    expect(rowCorr(0, true)).toBeGreaterThan(0.09);
    expect(rowCorr(0, false)).toBeLessThan(0.035);
    expect(rowCorr(1, false)).toBeGreaterThan(0.09);
    expect(rowCorr(1, true)).toBeLessThan(0.035);
  });
});

describe('memory estimate (core/experiments/memory.ts)', () => {
  test('BN and conv nets cost more than the plain MLP of the same widths; conv activations scale with positions × filters', () => {
    const plain = { ...bnMlp, batchNorm: false };
    const shape = (model: ModelSpec) => ({ model, trainRows: 64, evalRows: 1000, dataRows: 1200 });
    expect(packBytes(shape(bnMlp))).toBeGreaterThan(packBytes(shape(plain)));
    const wide = packBytes(shape({ ...conv, filters: 16 }));
    const narrow = packBytes(shape(conv));
    expect(wide).toBeGreaterThan(narrow);
    // The convolution's activations (1000 rows × 36 positions × 16 filters × 2 values × 4 bytes × 16 nets) dominate.
    expect(wide - narrow).toBeGreaterThan(1000 * 36 * 12 * 2 * 4 * 16);
    expect(Number.isFinite(packBytes(shape(mlpMatchingConv(conv))))).toBe(true);
  });
});
