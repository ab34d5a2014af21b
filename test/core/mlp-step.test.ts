/**
 * The direct training step of a plain MLP (core/nn/mlp-step.ts) against the gradient tape
 * it replaces, bit for bit, and the GEMM's fused sigmoid (kernels/elementwise.c) against
 * tfjs-wasm's own Sigmoid kernel.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { useBackend } from '../tf-node';
import { heapOffset, wasmKernelsFor } from '../../core/nn/wasm-kernels';
import { DirectStep, directStepApplies, NETWORK_MAJOR_MIN_MACS } from '../../core/nn/mlp-step';
import { initialValues, NetworkPack, type MlpSpec } from '../../core/nn/model';
import { packLoss, type LossName } from '../../core/nn/losses';
import type { Activation } from '../../core/nn/activations';
import { Rng } from '../../core/rng';

beforeAll(() => useBackend('wasm'));

const bits = (x: Float32Array) => Buffer.from(x.buffer, x.byteOffset, x.byteLength).toString('hex');

describe('the fused sigmoid (kernels/elementwise.c)', () => {
  it("equals tfjs-wasm's Sigmoid kernel on floats across the whole bit range, specials and every tail length", () => {
    const kernels = wasmKernelsFor(tf.backend())!;
    // Every 4,099th bit pattern (a prime stride: about a million floats, every exponent and
    // sign), then zeros, infinities, NaNs, subnormals and the neighbourhood of the cutoff.
    const sampled = Uint32Array.from({ length: Math.floor(2 ** 32 / 4099) }, (_, i) => i * 4099);
    const cutoff = new Float32Array([87.33654, -87.33654]);
    const around = Array.from(new Uint32Array(cutoff.buffer)).flatMap((b) => Array.from({ length: 41 }, (_, i) => b - 20 + i));
    const specials = new Uint32Array([0, 0x80000000, 0x7f800000, 0xff800000, 0x7fc00000, 0xffc00001, 1, 0x80000001, 0x007fffff, 0x3f800000, 0xbf800000, ...around]);
    const all = new Float32Array(Uint32Array.from([...specials, ...sampled]).buffer);
    for (const length of [all.length, 1, 2, 3, 5, 6, 7]) {
      const x = tf.tensor1d(all.subarray(0, length));
      const out = tf.zerosLike(x);
      kernels.sigmoid(heapOffset(tf.backend(), x), heapOffset(tf.backend(), out), length);
      expect(bits(out.dataSync() as Float32Array)).toBe(bits(tf.sigmoid(x).dataSync() as Float32Array));
      tf.dispose([x, out]);
    }
  });
});

describe('the fused ReLU and its gradient (kernels/elementwise.c)', () => {
  it("equal tf.relu and tfjs-core's ReLU gradient across the whole bit range, NaNs with either sign included", () => {
    const kernels = wasmKernelsFor(tf.backend())!;
    const sampled = Uint32Array.from({ length: Math.floor(2 ** 32 / 4099) }, (_, i) => i * 4099);
    const specials = new Uint32Array([0, 0x80000000, 0x7f800000, 0xff800000, 0x7fc00000, 0xffc00000, 0x7f800001, 0xff800003, 1, 0x80000001, 0x3f800000, 0xbf800000]);
    const x = tf.tensor1d(new Float32Array(Uint32Array.from([...specials, ...sampled]).buffer));
    const dy = tf.tensor1d(Float32Array.from({ length: x.size }, (_, i) => [-2.5, 3, -0, 0, Infinity, -1e-40][i % 6]));
    const at = (t: tf.Tensor) => heapOffset(tf.backend(), t);
    const out = tf.zerosLike(x);
    kernels.relu(at(x), at(out), x.size);
    expect(bits(out.dataSync() as Float32Array)).toBe(bits(tf.relu(x).dataSync() as Float32Array));
    const grad = tf.zerosLike(x);
    kernels.reluGrad(at(dy), at(x), at(grad), x.size);
    const ref = tf.grad((z: tf.Tensor) => tf.sum(tf.mul(tf.relu(z), dy)))(x);
    expect(bits(grad.dataSync() as Float32Array)).toBe(bits(ref.dataSync() as Float32Array));
    tf.dispose([x, dy, out, grad, ref]);
  });
});

describe("tfjs-wasm's expf and logf (kernels/libm.c)", () => {
  it('equal the Exp and Log kernels on floats across the whole bit range', () => {
    const kernels = wasmKernelsFor(tf.backend())!;
    // Every 4,099th bit pattern: every sign and exponent, NaNs, infinities and subnormals.
    const all = new Float32Array(Uint32Array.from({ length: Math.floor(2 ** 32 / 4099) }, (_, i) => i * 4099).buffer);
    for (const [mine, ref] of [
      [kernels.exp, tf.exp],
      [kernels.log, tf.log],
    ] as const) {
      const x = tf.tensor1d(all);
      const out = tf.zerosLike(x);
      mine.call(kernels, heapOffset(tf.backend(), x), heapOffset(tf.backend(), out), all.length);
      expect(bits(out.dataSync() as Float32Array)).toBe(bits(ref(x).dataSync() as Float32Array));
      tf.dispose([x, out]);
    }
  });
});

describe('loss gradients in one pass (kernels/losses.c)', () => {
  const lossGrad = (loss: LossName, z: tf.Tensor3D, t: tf.Tensor3D) => {
    const g = tf.grad((x: tf.Tensor) => tf.sum(packLoss(loss, x as tf.Tensor3D, t)))(z);
    return bits(g.dataSync() as Float32Array);
  };
  for (const [loss, classes] of [['cross_entropy', 2], ['cross_entropy', 3], ['cross_entropy', 7], ['mean_squared_error', 1], ['mean_squared_error', 2]] as const) {
    it(`${loss}, ${classes} classes: tf.grad of packLoss bit for bit, extreme logits and target rows included`, () => {
      const kernels = wasmKernelsFor(tf.backend())!;
      const [K, B] = [3, 41];
      const rng = new Rng(classes * 13 + loss.length);
      const z = Float32Array.from({ length: K * B * classes }, (_, i) => (i % 17 === 0 ? [1e30, -1e30, 150, -150, 88.7, -104, 0, -0][i % 8] : rng.normal() * (i % 5 === 0 ? 40 : 2)));
      const t = new Float32Array(K * B * classes);
      for (let r = 0; r < K * B; r++) {
        if (r % 11 === 5) continue; // an all-zero target row
        if (loss === 'mean_squared_error') for (let c = 0; c < classes; c++) t[r * classes + c] = rng.normal();
        else t[r * classes + Math.floor(rng.uniform() * classes)] = 1;
      }
      const zt = tf.tensor3d(z, [K, B, classes]);
      const tt = tf.tensor3d(t, [K, B, classes]);
      const g = tf.zerosLike(zt);
      const at = (x: tf.Tensor) => heapOffset(tf.backend(), x);
      kernels.lossGrad(loss, at(zt), at(tt), at(g), K, B, classes);
      expect(bits(g.dataSync() as Float32Array)).toBe(lossGrad(loss, zt, tt));
      tf.dispose([zt, tt, g]);
    });
  }
});

interface Case {
  label: string;
  sizes: number[];
  K: number;
  trials?: number;
  rows: number;
  loss: LossName;
  activation?: Activation;
}

function pack(c: Case, seed = 1): NetworkPack {
  const spec: MlpSpec = { kind: 'mlp', input: c.sizes[0], hidden: c.sizes.slice(1, -1), output: c.sizes.at(-1)!, activation: c.activation ?? 'sigmoid', initializer: 'xavier' };
  return new NetworkPack(spec, Array.from({ length: c.K }, (_, k) => initialValues(spec, new Rng(seed + k))), c.trials ?? c.K);
}

function batch(c: Case): [tf.Tensor3D, tf.Tensor3D] {
  const rng = new Rng(7);
  const [d, classes] = [c.sizes[0], c.sizes.at(-1)!];
  const x = Float32Array.from({ length: c.K * c.rows * d }, () => rng.normal());
  const y = new Float32Array(c.K * c.rows * classes);
  for (let r = 0; r < c.K * c.rows; r++) y[r * classes + (rng.uniform() < 0.4 ? 0 : classes - 1)] = 1;
  return [tf.tensor3d(x, [c.K, c.rows, d]), tf.tensor3d(y, [c.K, c.rows, classes])];
}

/** Gradients (parameter order) and logits, as bits, from the direct step or from the tape. */
function gradientBits(net: NetworkPack, x: tf.Tensor3D, y: tf.Tensor3D, loss: LossName, direct: boolean): string[] {
  if (direct) {
    const step = new DirectStep(net, loss);
    // Twice: the second step rewrites the tensors of the first (same inputs, same result).
    step.gradients(x, y);
    const { grads, logits } = step.gradients(x, y);
    const out = [logits, ...grads].map((t) => bits(t.dataSync() as Float32Array));
    step.dispose();
    return out;
  }
  let logits: tf.Tensor | undefined;
  const { value, grads } = tf.variableGrads(() => {
    const z = net.forward(x, 'train');
    logits = tf.keep(z);
    return tf.sum(packLoss(loss, z, y)) as tf.Scalar;
  }, net.params);
  const out = [logits!, ...net.params.map((p) => grads[p.name])].map((t) => bits(t.dataSync() as Float32Array));
  tf.dispose([value, logits!, ...Object.values(grads)]);
  return out;
}

describe('the direct step (core/nn/mlp-step.ts) = the gradient tape, bit for bit', () => {
  const cases: Case[] = [
    { label: 'wide layers, per-network path, cross-entropy', sizes: [6, 40, 30, 2], K: 3, rows: 64, loss: 'cross_entropy' },
    { label: 'tiny layers, batched path (tfjs loop order)', sizes: [1, 16, 1], K: 4, rows: 20, loss: 'mean_squared_error' },
    { label: 'one network, no twin, mixed paths', sizes: [12, 24, 2], K: 1, rows: 50, loss: 'cross_entropy' },
    { label: 'a shadow twin slot (2 networks, 1 trial)', sizes: [2, 33, 17, 2], K: 2, trials: 1, rows: 70, loss: 'hinge_loss' },
    { label: 'row and column counts off the register blocks, mean absolute error', sizes: [5, 13, 7, 3], K: 2, rows: 37, loss: 'mean_abs_error' },
    { label: 'identity activation (a linear net)', sizes: [4, 21, 2], K: 2, rows: 45, loss: 'mean_squared_error', activation: 'identity' },
    { label: 'fourth-power error', sizes: [3, 20, 20, 2], K: 2, rows: 40, loss: 'mean_fourth_pow_error' },
    { label: 'ReLU, batched and per-network layers, cross-entropy', sizes: [3, 30, 24, 2], K: 3, rows: 48, loss: 'cross_entropy', activation: 'relu' },
    { label: 'ReLU beside a shadow twin slot, squared error', sizes: [5, 40, 2], K: 2, trials: 1, rows: 33, loss: 'mean_squared_error', activation: 'relu' },
    // Batches of fewer than 4 rows (Exp 8's batch of 1): the products' rows through the 4-row tile.
    { label: 'a batch of one row, sigmoid', sizes: [12, 100, 100, 2], K: 2, rows: 1, loss: 'cross_entropy' },
    { label: 'a batch of three rows, ReLU', sizes: [12, 100, 100, 2], K: 2, rows: 3, loss: 'cross_entropy', activation: 'relu' },
    // Above NETWORK_MAJOR_MIN_MACS: one network at a time through the whole step.
    { label: 'wide layers a network at a time, cross-entropy', sizes: [6, 200, 200, 2], K: 3, rows: 64, loss: 'cross_entropy' },
    { label: 'a network at a time beside a shadow twin slot, squared error', sizes: [2, 100, 100, 2], K: 2, trials: 1, rows: 120, loss: 'mean_squared_error' },
    { label: 'ReLU, a network at a time', sizes: [6, 200, 200, 2], K: 2, rows: 64, loss: 'cross_entropy', activation: 'relu' },
    // More rows than a block of the whole-step kernel (kernels/mlp-step.c): the weight and bias
    // gradients continue from block to block; a 2-input first layer (its weight gradient is
    // computed transposed, continuing too); a short last block.
    { label: "Exp 4's network on 1,200 rows, in blocks of rows", sizes: [2, 100, 100, 2], K: 2, rows: 1200, loss: 'cross_entropy' },
    { label: 'ReLU, squared error, one network, rows in blocks with a short last one', sizes: [3, 64, 48, 3], K: 1, rows: 700, loss: 'mean_squared_error', activation: 'relu' },
    { label: 'blocks of rows beside a shadow twin slot, identity', sizes: [5, 120, 2], K: 2, trials: 1, rows: 2000, loss: 'cross_entropy', activation: 'identity' },
    // Blocks of 128, 128 and 20 rows: the last is too short for W's packed transpose (its own path).
    { label: 'a last block too short to pack', sizes: [4, 120, 120, 2], K: 2, rows: 276, loss: 'cross_entropy' },
  ];
  it('the wide cases are above the one-network-at-a-time threshold and the others below it', () => {
    const macs = (c: Case) => c.rows * c.sizes.slice(1).reduce((s, w, l) => s + c.sizes[l] * w, 0);
    expect(cases.filter((c) => macs(c) >= NETWORK_MAJOR_MIN_MACS).map((c) => c.label)).toEqual(cases.slice(-7).map((c) => c.label));
  });
  for (const c of cases) {
    it(c.label, () => {
      const net = pack(c);
      const [x, y] = batch(c);
      expect(directStepApplies(net, { penalty: false })).toBe(true);
      // The wide cases go through the whole-step kernel, once per real network and step.
      const kernels = wasmKernelsFor(tf.backend())!;
      const mlpStep = kernels.mlpStep;
      let wholeSteps = 0;
      kernels.mlpStep = (...args) => {
        wholeSteps++;
        mlpStep.apply(kernels, args);
      };
      let direct: string[];
      try {
        direct = gradientBits(net, x, y, c.loss, true);
      } finally {
        kernels.mlpStep = mlpStep;
      }
      const wide = c.rows * c.sizes.slice(1).reduce((s, w, l) => s + c.sizes[l] * w, 0) >= NETWORK_MAJOR_MIN_MACS;
      expect(wholeSteps).toBe(wide ? 2 * (c.trials ?? c.K) : 0);
      const tape = gradientBits(net, x, y, c.loss, false);
      expect(direct.length).toBe(1 + net.params.length);
      // The twin's slots differ by design (the tape's gradients there are not the pack's concern): real trials only.
      const trials = c.trials ?? c.K;
      const real = (s: string[]) => s.map((h) => h.slice(0, (h.length / c.K) * trials));
      expect(real(direct)).toEqual(real(tape));
      // Not vacuous: every gradient is non-zero somewhere.
      for (const h of direct.slice(1)) expect(/[1-9a-f]/.test(h)).toBe(true);
      net.dispose();
      tf.dispose([x, y]);
    });
  }

  it("holds only the logits and gradients where every network goes through the whole-step kernel (a block's activations live in the kernel's scratch)", () => {
    const c: Case = { label: '', sizes: [2, 100, 100, 2], K: 2, rows: 1200, loss: 'cross_entropy' };
    const net = pack(c);
    const [x, y] = batch(c);
    const before = tf.memory().numBytes;
    const step = new DirectStep(net, c.loss);
    step.gradients(x, y);
    const params = c.sizes.slice(1).reduce((sum, w, l) => sum + (c.sizes[l] + 1) * w, 0);
    expect(tf.memory().numBytes - before).toBe(4 * c.K * (c.rows * 2 + params));
    // A layer-at-a-time step (a loss without a fused gradient) makes the layers' tensors too.
    const layered = new DirectStep(net, 'mean_abs_error');
    layered.gradients(x, y);
    expect(tf.memory().numBytes - before).toBeGreaterThan(2 * 4 * c.K * (c.rows * 2 + params) + 4 * c.K * c.rows * 200);
    step.dispose();
    layered.dispose();
    expect(tf.memory().numBytes).toBe(before);
    net.dispose();
    tf.dispose([x, y]);
  });

  it('is taken only where it computes what the tape does', () => {
    const plain = pack({ label: '', sizes: [2, 8, 2], K: 2, rows: 4, loss: 'cross_entropy' });
    expect(directStepApplies(plain, { penalty: false })).toBe(true);
    expect(directStepApplies(plain, { penalty: true })).toBe(false);
    expect(directStepApplies(plain, { penalty: false, trainable: [true, true, false, true] })).toBe(false);
    const relu = pack({ label: '', sizes: [2, 8, 2], K: 2, rows: 4, loss: 'cross_entropy', activation: 'relu' });
    expect(directStepApplies(relu, { penalty: false })).toBe(true);
    const tanh = pack({ label: '', sizes: [2, 8, 2], K: 2, rows: 4, loss: 'cross_entropy', activation: 'tanh' });
    expect(directStepApplies(tanh, { penalty: false })).toBe(false);
    const bnSpec: MlpSpec = { kind: 'mlp', input: 2, hidden: [8], output: 2, activation: 'sigmoid', initializer: 'xavier', batchNorm: true };
    const bn = new NetworkPack(bnSpec, [initialValues(bnSpec, new Rng(1))]);
    expect(directStepApplies(bn, { penalty: false })).toBe(false);
    [plain, relu, tanh, bn].forEach((n) => n.dispose());
  });
});
