import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, test } from 'vitest';
import { AdamTF1 } from '../../core/nn/adam';
import { initialValues, NetworkPack, parameterCount, parameterShapes, type MlpSpec, type SharedSpec } from '../../core/nn/model';
import { packAccuracy, packLoss } from '../../core/nn/losses';
import { Rng } from '../../core/rng';
import { oneHot, trainPack } from '../../core/train/train-pack';
import { useBackend } from '../tf-node';

beforeAll(() => useBackend('wasm'));

const shared = (depth: number): SharedSpec => ({ kind: 'shared', input: 1, width: 10, depth, output: 2, activation: 'relu' });
const mlp: MlpSpec = { kind: 'mlp', input: 12, hidden: [100, 100], output: 2, activation: 'sigmoid', initializer: 'xavier' };

describe('models (protocol §1.5, §1.6)', () => {
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

describe('TF1 Adam (protocol §0.4)', () => {
  test('first steps match the hand-computed TF1 update', () => {
    const lr = 0.003;
    const theta = tf.variable(tf.tensor1d([1, -2]));
    const adam = new AdamTF1([theta], { lr });
    const g1 = [0.5, -0.1];
    const g2 = [0.2, 0.3];
    adam.apply([tf.tensor1d(g1)]);
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
    // The first TF1 step moves every coordinate by ≈ lr·sign(g), whatever g's size.
    expect(Math.abs(1 - (1 - lr))).toBeCloseTo(lr, 9);
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
});
