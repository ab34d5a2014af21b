import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, test } from 'vitest';
import { AdamTF1 } from '../../core/nn/adam';
import { matMulPath, PER_NETWORK_MIN_MACS, perNetworkAvailable, type MatMulPath, type MatMulPathOption } from '../../core/nn/matmul';
import { uninstallWasmKernels, wasmKernelsFor } from '../../core/nn/wasm-kernels';
import { installKernelsInNode } from '../../node/kernels';
import { initialValues, NetworkPack, parameterCount, parameterShapes, type MlpSpec, type SharedSpec } from '../../core/nn/model';
import { packAccuracy, packLoss } from '../../core/nn/losses';
import { Rng } from '../../core/rng';
import { evaluateAccuracy, oneHot, predict, stack3d, trainPack, type PackTrainingSpec, type Regularization } from '../../core/train/train-pack';
import { useBackend } from '../tf-node';
import { engineNamed, packSizeFor, parseEngine } from '../../core/engine';

beforeAll(() => useBackend('wasm'));

const shared = (depth: number): SharedSpec => ({ kind: 'shared', input: 1, width: 10, depth, output: 2, activation: 'relu' });
const mlp: MlpSpec = { kind: 'mlp', input: 12, hidden: [100, 100], output: 2, activation: 'sigmoid', initializer: 'xavier' };

describe('models (core/nn/model.ts)', () => {
  test('the weight-shared net has 152 parameters at depths 1, 2 and 3', () => {
    expect([1, 2, 3].map((d) => parameterCount(shared(d)))).toEqual([152, 152, 152]);
    expect(parameterShapes(shared(2)).map((p) => p.name)).toEqual(['w_in', 'b_in', 'w_shared', 'b_shared', 'w_out', 'b_out']);
  });

  test('Xavier-uniform: weights within ±sqrt(6/(a+b)), biases within ±sqrt(3/n), and they fill the range', () => {
    const values = initialValues(mlp, new Rng(7));
    parameterShapes(mlp).forEach((p, i) => {
      const bound = p.shape.length === 2 ? Math.sqrt(6 / (p.shape[0] + p.shape[1])) : Math.sqrt(3 / p.shape[0]);
      const v = Array.from(values[i]);
      expect(Math.max(...v.map(Math.abs))).toBeLessThanOrEqual(bound);
      if (v.length >= 50) expect(Math.max(...v.map(Math.abs))).toBeGreaterThan(0.9 * bound);
      expect(v.some((x) => x !== 0)).toBe(true);
    });
  });

  test('depth L applies the shared matrix L times (L+1 ReLU layers)', () => {
    const vals = initialValues(shared(3), new Rng(1));
    const pack = new NetworkPack(shared(3), [vals]);
    const x = 0.3;
    const [wIn, bIn, wS, bS, wOut, bOut] = vals;
    let a = Array.from({ length: 10 }, (_, j) => Math.max(0, x * wIn[j] + bIn[j]));
    for (let l = 0; l < 3; l++) a = Array.from({ length: 10 }, (_, j) => Math.max(0, a.reduce((s, ai, i) => s + ai * wS[i * 10 + j], 0) + bS[j]));
    const expected = [0, 1].map((o) => a.reduce((s, ai, i) => s + ai * wOut[i * 2 + o], 0) + bOut[o]);
    const out = tf.tidy(() => pack.forward(tf.tensor3d([x], [1, 1, 1])).dataSync());
    expect(out[0]).toBeCloseTo(expected[0], 5);
    expect(out[1]).toBeCloseTo(expected[1], 5);
    pack.dispose();
  });
});

describe('TF1 Adam (core/nn/adam.ts)', () => {
  test('first steps match the hand-computed TF1 update', () => {
    const lr = 0.003;
    const theta = tf.variable(tf.tensor1d([1, -2]));
    const adam = new AdamTF1([theta], { lr });
    const g1 = [0.5, -0.1];
    const g2 = [0.2, 0.3];
    adam.apply([tf.tensor1d(g1)]);
    const afterFirst = Array.from(theta.dataSync());
    adam.apply([tf.tensor1d(g2)]);
    // By hand: m_t = β1 m + (1−β1) g, v_t = β2 v + (1−β2) g², lr_t = lr·sqrt(1−β2^t)/(1−β1^t).
    const expected = [1, -2].map((t0, i) => {
      let m = 0;
      let v = 0;
      let t = t0;
      [g1[i], g2[i]].forEach((g, k) => {
        m = 0.9 * m + 0.1 * g;
        v = 0.999 * v + 0.001 * g * g;
        const lrT = (lr * Math.sqrt(1 - 0.999 ** (k + 1))) / (1 - 0.9 ** (k + 1));
        t -= (lrT * m) / (Math.sqrt(v) + 1e-8);
      });
      return t;
    });
    const got = theta.dataSync();
    expect(got[0]).toBeCloseTo(expected[0], 6);
    expect(got[1]).toBeCloseTo(expected[1], 6);
    // The first TF1 step moves every coordinate by ≈ −lr·sign(g), whatever g's size
    // (m/sqrt(v) = g/|g| once the bias correction is folded in; ε shifts it by < 1e-8 here).
    [1, -2].forEach((t0, i) => expect(afterFirst[i] - t0).toBeCloseTo(-lr * Math.sign(g1[i]), 6));
    adam.dispose();
    theta.dispose();
  });

  test('the first step moves each parameter by ≈ −lr·sign(g) of its loss gradient, g derived by hand', () => {
    const lr = 0.003;
    // L(θ) = Σ a_i·θ_i + ½·b_i·θ_i², so g_i = a_i + b_i·θ_i = (0.01, 0.6, −0.5, −50): sizes 0.01 to 50, both signs.
    const theta0 = [1, -2, 0.5, 3];
    const a = [0.01, 1, -0.3, 10];
    const b = [0, 0.2, -0.4, -20];
    const g = theta0.map((t, i) => a[i] + b[i] * t);
    g.forEach((v, i) => expect(v).toBeCloseTo([0.01, 0.6, -0.5, -50][i], 12));
    const theta = tf.variable(tf.tensor1d(theta0));
    const adam = new AdamTF1([theta], { lr });
    const loss = () => tf.sum(tf.add(tf.mul(tf.tensor1d(a), theta), tf.mul(tf.mul(tf.tensor1d(b), 0.5), tf.square(theta)))) as tf.Scalar;
    const { grads } = tf.variableGrads(loss, [theta]);
    Array.from(grads[theta.name].dataSync()).forEach((v, i) => expect(v).toBeCloseTo(g[i], 5));
    adam.apply([grads[theta.name]]);
    const moved = Array.from(theta.dataSync()).map((t, i) => t - theta0[i]);
    moved.forEach((d, i) => expect(d, `θ${i}, g = ${g[i]}`).toBeCloseTo(-lr * Math.sign(g[i]), 6));
    tf.dispose(grads);
    adam.dispose();
    theta.dispose();
  });

  test('a zero gradient makes no update at all (the constant-loss control)', () => {
    const theta = tf.variable(tf.tensor1d([0.25, -0.5]));
    const adam = new AdamTF1([theta], { lr: 0.003 });
    for (let i = 0; i < 5; i++) adam.apply([tf.zeros([2])]);
    expect(Array.from(theta.dataSync())).toEqual([0.25, -0.5]);
    adam.dispose();
  });
});

describe('gradients and losses', () => {
  test('finite-difference check of the MLP cross-entropy gradient', () => {
    const spec: MlpSpec = { kind: 'mlp', input: 3, hidden: [4], output: 2, activation: 'sigmoid', initializer: 'xavier' };
    const pack = new NetworkPack(spec, [initialValues(spec, new Rng(11))]);
    const rng = new Rng(12);
    const x = tf.tensor3d(Array.from({ length: 15 }, () => rng.normal()), [1, 5, 3]);
    const y = tf.tensor3d(oneHot(Float32Array.from([0, 1, 1, 0, 1])), [1, 5, 2]);
    const lossOf = () => tf.tidy(() => packLoss('cross_entropy', pack.forward(x), y).dataSync()[0]);
    const { grads } = tf.variableGrads(() => tf.sum(packLoss('cross_entropy', pack.forward(x), y)) as tf.Scalar, pack.params);
    const W0 = pack.params[0];
    const analytic = grads[W0.name].dataSync();
    const base = W0.dataSync().slice();
    const eps = 1e-2;
    for (const i of [0, 5, 11]) {
      const plus = base.slice();
      plus[i] += eps;
      W0.assign(tf.tensor(plus, W0.shape));
      const lp = lossOf();
      const minus = base.slice();
      minus[i] -= eps;
      W0.assign(tf.tensor(minus, W0.shape));
      const lm = lossOf();
      W0.assign(tf.tensor(base, W0.shape));
      expect(analytic[i]).toBeCloseTo((lp - lm) / (2 * eps), 3);
    }
    pack.dispose();
  });

  test('accuracy breaks argmax ties toward class 0', () => {
    const logits = tf.tensor3d([0, 0, 1, 2, 3, 1], [1, 3, 2]);
    const y = tf.tensor3d([1, 0, 0, 1, 0, 1], [1, 3, 2]);
    expect(packAccuracy(logits, y).dataSync()[0]).toBeCloseTo(2 / 3, 6);
  });
});

describe('packs and determinism', () => {
  const task = (seeds: number[]) => {
    const rng = new Rng(99);
    const x = Float32Array.from({ length: 40 * 12 }, () => rng.normal());
    const y = oneHot(Float32Array.from({ length: 40 }, (_, i) => i % 2));
    return {
      model: mlp,
      initRngs: seeds.map((s) => new Rng(s)),
      batchRngs: seeds.map((s) => new Rng(s + 1000)),
      trainX: seeds.map(() => x),
      trainY: seeds.map(() => y),
      n: 40,
      loss: 'cross_entropy' as const,
      lr: 0.003,
      steps: 30,
      batchSize: 16,
    };
  };

  test('the same seed gives bit-identical results', async () => {
    const a = await trainPack(task([1, 2]));
    const b = await trainPack(task([1, 2]));
    expect(a.finalLoss).toEqual(b.finalLoss);
    expect(await a.pack.read()).toEqual(await b.pack.read());
    a.pack.dispose();
    b.pack.dispose();
  });

  test('a network trained in a pack of 3 equals the same network trained alone', async () => {
    // Batch 16: 12×100 and 100×100 run per network, the 100×2 output layer batched, so the
    // lone trial's shadow twin still matters for that layer.
    expect(mixedPaths(mlp, 16)).toEqual(['per-network', 'per-network', 'batched']);
    const together = await trainPack(task([1, 2, 3]));
    const alone = await trainPack(task([2]));
    const inPair = await trainPack(task([5, 2]));
    expect(inPair.finalLoss[1]).toBe(alone.finalLoss[0]);
    inPair.pack.dispose();
    const wTogether = await together.pack.read();
    const wAlone = await alone.pack.read();
    expect(together.finalLoss[1]).toBe(alone.finalLoss[0]);
    wAlone[0].forEach((p, i) => expect(Array.from(wTogether[1][i])).toEqual(Array.from(p)));
    together.pack.dispose();
    alone.pack.dispose();
  });
});

describe('baseline engine (core/engine.ts)', () => {
  const spec = (seed: number): PackTrainingSpec => {
    const rng = new Rng(7);
    const x = Float32Array.from({ length: 64 * 12 }, () => rng.normal());
    const y = oneHot(Float32Array.from({ length: 64 }, (_, i) => (x[i * 12] > 0 ? 1 : 0)));
    return { model: mlp, initRngs: [new Rng(seed)], batchRngs: [new Rng(seed + 1)], trainX: [x], trainY: [y], n: 64, loss: 'cross_entropy', lr: 0.003, steps: 20, batchSize: 32 };
  };

  test('baseline: one trial per message, stock tf.matMul on every layer, no shadow twin; packed otherwise', async () => {
    expect(parseEngine(undefined)).toBe('packed');
    expect(() => parseEngine('turbo')).toThrow(/ENGINE must be/);
    expect(packSizeFor('baseline', 16)).toBe(1);
    expect(packSizeFor('packed', 16)).toBe(16);
    const packed = await trainPack(spec(3));
    // atomsweep's kernels (installed on the test backend) give a lone network the pack's
    // numbers without a shadow twin; without them it trains beside one.
    expect(packed.pack.size).toBe(1);
    uninstallWasmKernels(tf.backend());
    try {
      const twinned = await trainPack(spec(3));
      expect(twinned.pack.size).toBe(2);
      expect(twinned.finalLoss).toEqual(packed.finalLoss);
      twinned.pack.dispose();
    } finally {
      installKernelsInNode();
    }
    expect(packed.pack.matMulPaths(32)).toContain('per-network');
    // The engine is a value passed with the training call, not a process-wide setting.
    try {
      const base = await trainPack({ ...spec(3), engine: engineNamed('baseline') });
      expect(base.pack.size).toBe(1);
      expect(base.pack.matMulPaths(32)).toEqual(['batched', 'batched', 'batched']);
      // Same trial, same seed: the engines differ only in float32 rounding.
      expect(base.finalLoss[0]).toBeCloseTo(packed.finalLoss[0], 4);
      expect(base.finalLoss[0]).not.toBe(0);
      base.pack.dispose();
    } finally {
      packed.pack.dispose();
    }
  });
});

/**
 * Runs `fn` on tfjs's own cpu backend (@tensorflow/tfjs-backend-cpu, loaded by test/tf-node.ts),
 * then returns to wasm. There NetworkPack runs plain tf.matMul, tf.add and tf.sigmoid with
 * tfjs-core's stock gradients (perNetworkAvailable in core/nn/matmul.ts, wasmKernelsFor in
 * core/nn/wasm-kernels.ts), none of atomsweep's kernels or custom gradients: a reference
 * independent of them. (On the wasm test backend even the 'batched' path runs atomsweep's
 * pack GEMM and its custom gradient, since test/tf-node.ts installs the kernels.)
 */
async function onTfjsCpu<T>(fn: () => T): Promise<T> {
  await useBackend('cpu');
  try {
    expect(tf.getBackend()).toBe('cpu');
    expect(perNetworkAvailable()).toBe(false);
    expect(wasmKernelsFor(tf.backend())).toBeUndefined();
    return fn();
  } finally {
    await useBackend('wasm');
  }
}

/** The layer paths NetworkPack picks for `rows` rows per network. */
function mixedPaths(spec: MlpSpec, rows: number): MatMulPath[] {
  const pack = new NetworkPack(spec, [initialValues(spec, new Rng(0))]);
  const paths = pack.matMulPaths(rows);
  pack.dispose();
  return paths;
}

describe('matMul paths (core/nn/matmul.ts)', () => {
  test('the path is a function of one network’s shape: wide layers per network, tiny ones batched', () => {
    expect(matMulPath(64, 100, 100)).toBe('per-network');
    expect(matMulPath(64, 100, 2)).toBe('per-network');
    expect(matMulPath(100, 1, 16)).toBe('batched');
    expect(matMulPath(100, 16, 1)).toBe('batched');
    expect(matMulPath(PER_NETWORK_MIN_MACS, 1, 1)).toBe('per-network');
    expect(matMulPath(PER_NETWORK_MIN_MACS - 1, 1, 1)).toBe('batched');
    expect(matMulPath(100, 1, 16, 'per-network')).toBe('per-network');
    expect(matMulPath(64, 100, 100, 'batched')).toBe('batched');
    // The bench shapes: 1-16-1 on 100 rows stays batched; the wide ones are per network.
    expect(mixedPaths({ ...mlp, input: 1, hidden: [16], output: 1 }, 100)).toEqual(['batched', 'batched']);
    expect(mixedPaths({ ...mlp, input: 6, hidden: [200, 200, 200] }, 64)).toEqual(Array(4).fill('per-network'));
    expect(mixedPaths({ ...mlp, input: 2 }, 1200)).toEqual(Array(3).fill('per-network'));
  });

  test('both paths compute the same products (to float rounding) as tfjs’s own kernels, and a shadow twin’s slots are zeros', async () => {
    const spec: MlpSpec = { kind: 'mlp', input: 5, hidden: [7], output: 3, activation: 'tanh', initializer: 'xavier' };
    const vals = [1, 2, 3].map((s) => initialValues(spec, new Rng(s)));
    const rng = new Rng(4);
    const x = tf.tensor3d(Array.from({ length: 3 * 6 * 5 }, () => rng.normal()), [3, 6, 5]);
    const out = (option: MatMulPathOption, trials = 3) => {
      const pack = new NetworkPack(spec, vals, trials, { matMulPath: option });
      const y = tf.tidy(() => pack.forward(x).arraySync());
      pack.dispose();
      return y;
    };
    // The reference: tfjs's own matMul and add on its cpu backend.
    const stock = (await onTfjsCpu(() => out('batched'))).flat(2);
    expect(wasmKernelsFor(tf.backend())).toBeDefined();
    const batched = out('batched');
    const perNet = out('per-network');
    batched.flat(2).forEach((v, i) => expect(perNet.flat(2)[i]).toBeCloseTo(v, 5));
    expect(Math.max(...stock.map(Math.abs))).toBeGreaterThan(0.1);
    stock.forEach((v, i) => {
      expect(batched.flat(2)[i]).toBeCloseTo(v, 5);
      expect(perNet.flat(2)[i]).toBeCloseTo(v, 5);
    });
    // trials = 1 of 3: the per-network layers compute network 0 only; the others get zeros
    // there (then the output bias), while network 0's numbers are untouched.
    const lone = out('per-network', 1);
    expect(lone[0]).toEqual(perNet[0]);
    const b1 = vals[1][3];
    lone[1].forEach((row) => row.forEach((v, j) => expect(v).toBeCloseTo(b1[j], 6)));
    x.dispose();
  });
});

describe('per-network path: exact whatever the pack', () => {
  /** A task whose data, like its weights and batches, depend on the seed only. */
  const taskFor = (model: MlpSpec, n: number, batchSize: number, steps: number, seeds: number[], extra: Partial<PackTrainingSpec> = {}): PackTrainingSpec => {
    const data = seeds.map((s) => {
      const rng = new Rng(500 + s);
      const x = Float32Array.from({ length: n * model.input }, () => rng.normal());
      const y = oneHot(Float32Array.from({ length: n }, (_, i) => (x[i * model.input] + 0.3 * rng.normal() > 0 ? 1 : 0)));
      return { x, y };
    });
    return {
      model,
      initRngs: seeds.map((s) => new Rng(s)),
      batchRngs: seeds.map((s) => new Rng(s + 1000)),
      trainX: data.map((d) => d.x),
      trainY: data.map((d) => d.y),
      n,
      loss: 'cross_entropy',
      lr: 0.003,
      steps,
      batchSize,
      ...extra,
    };
  };

  /** Trains seed 7 alone, second in a pack of 2 and fourth in a pack of 5; all must agree bit for bit. */
  async function expectPackIndependent(model: MlpSpec, n: number, batchSize: number, steps: number, extra: Partial<PackTrainingSpec> = {}) {
    const layouts = [[7], [3, 7], [1, 2, 3, 7, 9]];
    const runs: { loss: number; outputs: number[]; weights: number[][]; logits: number[]; accuracy: number }[] = [];
    for (const seeds of layouts) {
      const spec = taskFor(model, n, batchSize, steps, seeds, extra);
      const r = await trainPack(spec);
      const k = seeds.indexOf(7);
      const x = stack3d(spec.trainX, n, model.input);
      const y = stack3d(spec.trainY, n, 2);
      const weights = (await r.pack.read())[k];
      const logits = (await predict(r.pack, x))[k];
      const accuracy = (await evaluateAccuracy(r.pack, x, y))[k];
      tf.dispose([x, y]);
      r.pack.dispose();
      runs.push({ loss: r.finalLoss[k], outputs: Array.from(r.finalOutputs[k]), weights: weights.map((w) => Array.from(w)), logits: Array.from(logits), accuracy });
    }
    expect(Number.isFinite(runs[0].loss)).toBe(true);
    for (const r of runs.slice(1)) {
      expect(r.loss).toBe(runs[0].loss);
      expect(r.outputs).toEqual(runs[0].outputs);
      expect(r.accuracy).toBe(runs[0].accuracy);
      expect(r.logits).toEqual(runs[0].logits);
      r.weights.forEach((w, i) => expect(w).toEqual(runs[0].weights[i]));
    }
    return runs[0];
  }

  test('12-100-100-2, batch 64 of 200: alone = in a pack of 2 = in a pack of 5 (every layer per network)', async () => {
    expect(mixedPaths(mlp, 64)).toEqual(Array(3).fill('per-network'));
    await expectPackIndependent(mlp, 200, 64, 12);
  });

  test('2-100-100-2, full batch of 1,200: alone = in a pack of 2 = in a pack of 5', async () => {
    const model = { ...mlp, input: 2 };
    expect(mixedPaths(model, 1200)).toEqual(Array(3).fill('per-network'));
    await expectPackIndependent(model, 1200, 1200, 6);
  });

  test('with L1 and L2 penalties, and with either path forced, a trial still ignores its pack', async () => {
    const l2 = await expectPackIndependent(mlp, 100, 32, 8, { regularization: { type: 'l2', strength: 0.5 } });
    const l1 = await expectPackIndependent(mlp, 100, 32, 8, { regularization: { type: 'l1', strength: 0.5 } });
    const none = await expectPackIndependent(mlp, 100, 32, 8);
    // The penalties reach the weights through the per-network kernel's tape entry.
    expect(l2.weights[0]).not.toEqual(none.weights[0]);
    expect(l1.weights[0]).not.toEqual(l2.weights[0]);
    const tiny: MlpSpec = { ...mlp, input: 2, hidden: [6] };
    for (const matMulPath of ['per-network', 'batched'] as const) await expectPackIndependent(tiny, 40, 16, 8, { matMulPath });
  });
});

describe('per-network path: gradients', () => {
  const spec: MlpSpec = { kind: 'mlp', input: 3, hidden: [5, 4], output: 2, activation: 'sigmoid', initializer: 'xavier' };
  const K = 3;
  const rng = new Rng(21);
  const xData = Array.from({ length: K * 7 * 3 }, () => rng.normal());
  const yData = oneHot(Float32Array.from({ length: K * 7 }, (_, i) => (i * 5) % 3 === 0 ? 1 : 0));

  /** trainPack's objective: Σ_k (loss_k + strength·Σ_W R(W_k)), on a pack forced onto one path. */
  function objective(pack: NetworkPack, reg?: Regularization): tf.Scalar {
    const x = tf.tensor3d(xData, [K, 7, 3]);
    const y = tf.tensor3d(yData, [K, 7, 2]);
    let perNet = packLoss('cross_entropy', pack.forward(x), y);
    if (reg) {
      let penalty: tf.Tensor = tf.zeros([K]);
      for (const w of pack.weightVariables()) penalty = tf.add(penalty, reg.type === 'l2' ? tf.mean(tf.square(w), [1, 2]) : tf.mean(tf.abs(w), [1, 2]));
      perNet = tf.add(perNet, tf.mul(penalty, reg.strength)) as tf.Tensor1D;
    }
    return tf.sum(perNet) as tf.Scalar;
  }

  function gradients(option: MatMulPathOption, reg?: Regularization): number[][] {
    const pack = new NetworkPack(spec, [1, 2, 3].map((s) => initialValues(spec, new Rng(s))), K, { matMulPath: option });
    // On wasm the path forced is the path taken (on tfjs's cpu backend everything is batched).
    if (tf.getBackend() === 'wasm') expect(pack.matMulPaths(7)).toEqual(Array(3).fill(option));
    const grads = tf.tidy(() => {
      const { value, grads } = tf.variableGrads(() => objective(pack, reg), pack.params);
      value.dispose();
      return pack.params.map((p) => grads[p.name]);
    });
    const out = grads.map((g) => Array.from(g.dataSync()));
    tf.dispose(grads);
    pack.dispose();
    return out;
  }

  for (const reg of [undefined, { type: 'l1', strength: 0.3 }, { type: 'l2', strength: 0.3 }] as const) {
    test(`custom gradient = tfjs autodiff of the batched path (${reg ? reg.type : 'no penalty'})`, async () => {
      // tfjs autodiff with tfjs's kernels: the cpu backend, no atomsweep kernel or gradient involved.
      const auto = await onTfjsCpu(() => gradients('batched', reg));
      // atomsweep's kernels and their custom gradients, on both paths (core/nn/matmul.ts).
      expect(wasmKernelsFor(tf.backend())).toBeDefined();
      const custom = gradients('per-network', reg);
      const batched = gradients('batched', reg);
      expect(custom).toHaveLength(auto.length);
      expect(batched).toHaveLength(auto.length);
      auto.forEach((g, i) => {
        const scale = Math.max(...g.map(Math.abs));
        expect(scale).toBeGreaterThan(0);
        g.forEach((v, j) => expect(Math.abs(custom[i][j] - v)).toBeLessThan(1e-5 * Math.max(1, scale)));
        g.forEach((v, j) => expect(Math.abs(batched[i][j] - v)).toBeLessThan(1e-5 * Math.max(1, scale)));
      });
    });
  }

  test('finite differences agree with the per-network gradient (L2 penalty on)', () => {
    const reg: Regularization = { type: 'l2', strength: 0.3 };
    const pack = new NetworkPack(spec, [1, 2, 3].map((s) => initialValues(spec, new Rng(s))), K, { matMulPath: 'per-network' });
    expect(pack.matMulPaths(7)).toEqual(Array(3).fill('per-network'));
    const { value, grads } = tf.variableGrads(() => objective(pack, reg), pack.params);
    value.dispose();
    const lossOf = () => tf.tidy(() => objective(pack, reg).dataSync()[0]);
    const eps = 1e-2;
    for (const [pi, indices] of [[0, [0, 17, 40]], [2, [3, 44, 59]], [4, [1, 13, 23]]] as const) {
      const W = pack.params[pi];
      const analytic = grads[W.name].dataSync();
      const base = W.dataSync().slice();
      for (const i of indices) {
        const at = (d: number) => {
          const v = base.slice();
          v[i] += d;
          W.assign(tf.tensor(v, W.shape));
          return lossOf();
        };
        const numeric = (at(eps) - at(-eps)) / (2 * eps);
        W.assign(tf.tensor(base, W.shape));
        expect(analytic[i]).toBeCloseTo(numeric, 3);
      }
    }
    tf.dispose(grads);
    pack.dispose();
  });
});

describe('memory', () => {
  test('training a pack and disposing it leaves no tensors behind', async () => {
    const before = tf.memory().numTensors;
    const rng = new Rng(3);
    const x = Float32Array.from({ length: 20 * 12 }, () => rng.normal());
    const y = oneHot(Float32Array.from({ length: 20 }, (_, i) => i % 2));
    const r = await trainPack({
      model: mlp,
      initRngs: [new Rng(1), new Rng(2)],
      batchRngs: [new Rng(3), new Rng(4)],
      trainX: [x, x],
      trainY: [y, y],
      n: 20,
      loss: 'mean_squared_error',
      lr: 0.003,
      steps: 5,
      batchSize: 8,
      regularization: { type: 'l1', strength: 0.1 },
    });
    r.pack.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  test('the per-network path leaves no tensors, and its views leave no wasm heap growth, behind', async () => {
    const rng = new Rng(5);
    const x = Float32Array.from({ length: 64 * 12 }, () => rng.normal());
    const y = oneHot(Float32Array.from({ length: 64 }, (_, i) => i % 2));
    const run = async () => {
      const r = await trainPack({
        model: mlp,
        initRngs: [new Rng(1), new Rng(2), new Rng(3)],
        batchRngs: [new Rng(4), new Rng(5), new Rng(6)],
        trainX: [x, x, x],
        trainY: [y, y, y],
        n: 64,
        loss: 'cross_entropy',
        lr: 0.003,
        steps: 20,
        batchSize: 32,
        regularization: { type: 'l2', strength: 0.1 },
        matMulPath: 'per-network',
      });
      r.pack.dispose();
    };
    await run();
    const before = tf.memory();
    const heap = () => (tf.backend() as unknown as { wasm: { HEAPU8: Uint8Array } }).wasm.HEAPU8.length;
    const heapBefore = heap();
    for (let i = 0; i < 5; i++) await run();
    expect(tf.memory().numTensors).toBe(before.numTensors);
    expect(tf.memory().numBytes).toBe(before.numBytes);
    expect(heap()).toBe(heapBefore);
  });
});
