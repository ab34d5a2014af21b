/**
 * atomsweep's wasm kernels (core/nn/wasm-kernels.ts) must give the same bits as the tfjs
 * kernels they replace:
 * - the pack GEMM (kernels/gemm.c) as the per-network XNNPACK products (core/nn/matmul.ts),
 *   forward and both gradients, on shapes with every kind of tail (rows mod 4, columns
 *   mod 8 and mod 4), leaving a shadow twin's slots zero; and on the batched path as
 *   tf.matMul (tfjs-wasm's own loop, sums in blocks of 48, or XNNPACK for one plain matrix);
 * - fused TF1 Adam (kernels/elementwise.c) as the twelve tensor ops of core/nn/adam.ts;
 * - the fused sigmoid gradient as tfjs-core's dy·(y·(1−y));
 * - the non-copying Identity keeps a clone alive after its source is disposed;
 * - and so whole trainings (trainPack, sklearn's MLP) give the same bits with and without them.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { useBackend } from '../tf-node';
import { waitForSweep } from '../helpers/server';
import { installKernelsInNode } from '../../node/kernels';
import { startLocalRunner } from '../../node/server';
import { uninstallWasmKernels, wasmKernelsFor } from '../../core/nn/wasm-kernels';
import { AdamTF1 } from '../../core/nn/adam';
import { activate } from '../../core/nn/activations';
import { fitSklearnMlps, SKLEARN_MLP_DEFAULTS } from '../../core/classical/sklearn-mlp';
import { trainPack } from '../../core/train/train-pack';
import { initialValues, type MlpSpec } from '../../core/nn/model';
import { packDense, packMatMul } from '../../core/nn/matmul';
import { Rng } from '../../core/rng';

beforeAll(() => useBackend('wasm'));
afterAll(() => installKernelsInNode());

const bits = (x: Float32Array) => Buffer.from(x.buffer, x.byteOffset, x.byteLength).toString('hex');

function randomTensor(rng: Rng, shape: number[]): tf.Tensor3D {
  const size = shape.reduce((a, b) => a * b, 1);
  const v = new Float32Array(size);
  for (let i = 0; i < size; i++) v[i] = rng.normal() * (i % 7 === 0 ? 3 : 0.5);
  return tf.tensor3d(v, shape as [number, number, number]);
}

/** Forward output and the gradients w.r.t. both operands, of sum(packMatMul(x, w) ⊙ r). */
function productAndGradients(x: tf.Tensor3D, w: tf.Tensor3D, r: tf.Tensor3D, live: number): string[] {
  return tf.tidy(() => {
    const f = (a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(packMatMul(a as tf.Tensor3D, b as tf.Tensor3D, 'per-network', live), r));
    const out = packMatMul(x, w, 'per-network', live);
    const [dx, dw] = tf.grads(f)([x, w]);
    return [out, dx, dw].map((t) => bits(t.dataSync() as Float32Array));
  });
}

// [rows, in, out] of one network's product.
const SHAPES: [number, number, number][] = [
  [1, 1, 1], [300, 600, 9], [9, 700, 5], [3, 5, 7], [4, 8, 8], [5, 13, 9], [17, 33, 31], [64, 6, 200], [64, 200, 2], [64, 200, 200], [100, 2, 16], [2000, 100, 2], [6, 3, 12], [2000, 100, 100], [40, 300, 33],
  // Fewer than 4 inputs over more than one slice of the shared dimension (Exp 4's first
  // layer): its weight gradient is computed transposed (kernels/gemm.c gemm()).
  [2000, 2, 100], [700, 3, 36], [7, 3, 5],
  // Batches of 1 to 3 rows (through the 4-row tile), one over more than one slice of the shared dimension.
  [1, 100, 100], [2, 12, 100], [3, 300, 40],
];

/** packDense's output and the gradients w.r.t. x, w and bias, of sum(dense ⊙ r). */
function denseAndGradients(x: tf.Tensor3D, w: tf.Tensor3D, bias: tf.Tensor3D, r: tf.Tensor3D, live: number): string[] {
  return tf.tidy(() => {
    const f = (a: tf.Tensor, b: tf.Tensor, c: tf.Tensor) => tf.sum(tf.mul(packDense(a as tf.Tensor3D, b as tf.Tensor3D, c as tf.Tensor3D, 'per-network', live), r));
    const out = packDense(x, w, bias, 'per-network', live);
    const grads = tf.grads(f)([x, w, bias]);
    // Real networks only: a shadow twin's slots differ by design (zeros or bias).
    return [out, ...grads].map((t) => bits((t.dataSync() as Float32Array).slice(0, (t.size / t.shape[0]) * live)));
  });
}

/** The batched path (tiny layers): packDense's output and gradients, K networks, all live. */
function batchedBits(x: tf.Tensor3D, w: tf.Tensor3D, bias: tf.Tensor3D, r: tf.Tensor3D): string[] {
  return tf.tidy(() => {
    const f = (a: tf.Tensor, b: tf.Tensor, c: tf.Tensor) => tf.sum(tf.mul(packDense(a as tf.Tensor3D, b as tf.Tensor3D, c as tf.Tensor3D, 'batched'), r));
    const out = packDense(x, w, bias, 'batched');
    const plain = packMatMul(x, w, 'batched');
    return [out, plain, ...tf.grads(f)([x, w, bias])].map((t) => bits(t.dataSync() as Float32Array));
  });
}

describe('pack GEMM on the batched path (tfjs-wasm\'s own loop order)', () => {
  for (const [K, rows, inner, cols] of [
    [1, 5, 12, 100], [2, 5, 12, 100], [3, 64, 100, 2], [2, 100, 1, 16], [2, 17, 97, 49], [1, 130, 50, 3], [4, 1, 100, 100], [2, 3, 200, 7], [2, 40, 100, 20], [1, 33, 70, 9], [2, 150, 3, 12], [1, 400, 2, 100],
  ] as [number, number, number, number][]) {
    it(`matches tf.matMul + tf.add and their gradients bit for bit: K=${K}, ${rows}×${inner} · ${inner}×${cols}`, () => {
      const rng = new Rng(K * 31 + rows * 7 + inner * 3 + cols);
      const x = randomTensor(rng, [K, rows, inner]);
      const w = randomTensor(rng, [K, inner, cols]);
      const bias = randomTensor(rng, [K, 1, cols]);
      const r = randomTensor(rng, [K, rows, cols]);
      installKernelsInNode();
      const fused = batchedBits(x, w, bias, r);
      uninstallWasmKernels(tf.backend());
      // One network computes what it computes in a pack (tfjs sends a lone plain product to
      // XNNPACK instead, which is why a lone network without the kernels needs a twin): its
      // reference is the stock product of a pack of two copies, first network.
      const twice = (t: tf.Tensor3D) => tf.concat([t, t]) as tf.Tensor3D;
      const stock = K > 1 ? batchedBits(x, w, bias, r) : tf.tidy(() => batchedBits(twice(x), twice(w), twice(bias), twice(r))).map((h) => h.slice(0, h.length / 2));
      installKernelsInNode();
      expect(fused).toEqual(stock);
      tf.dispose([x, w, bias, r]);
    });
  }
});

describe('pack GEMM', () => {
  it('is installed by the Node hosts: trials trained by a pool thread of the Node runner say kernels = atomsweep', async () => {
    installKernelsInNode();
    expect(wasmKernelsFor(tf.backend())).toBeDefined();
    // The proof that counts is a real training thread's (node/trial-thread.ts, run by the pool of
    // node/server.ts): core/run/run-trials.ts stamps each trial's info with the kernels that trained it,
    // as test/integration/worker.test.ts checks for the Worker.
    const dir = mkdtempSync(join(tmpdir(), 'atomsweep-kernels-'));
    const runner = await startLocalRunner({ port: 0, db: join(dir, 'db.sqlite'), threads: 1, buildDashboard: false });
    try {
      const sweep = { experiment: 'exp1', repeats: 1, params: { steps: 20, n: 20 }, grid: { width: [2, 16] } };
      const res = await fetch(`${runner.url}/api/sweeps`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(sweep) });
      expect(res.status).toBe(202);
      const { id } = (await res.json()) as { id: string };
      expect((await waitForSweep(runner.url, id, 90_000)).status).toBe('done');
      const { trials } = (await (await fetch(`${runner.url}/api/sweeps/${id}/trials`)).json()) as { trials: Array<{ status: string; info: { backend?: string; engine?: string; kernels?: string } }> };
      expect(trials).toHaveLength(3 * 2);
      for (const t of trials) expect(t).toMatchObject({ status: 'done', info: { backend: 'wasm', engine: 'packed', kernels: 'atomsweep' } });
    } finally {
      await runner.close();
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);

  for (const [rows, inner, cols] of SHAPES) {
    it(`matches the XNNPACK path bit for bit: ${rows}×${inner} · ${inner}×${cols}, 3 slots, 2 live`, () => {
      const rng = new Rng(rows * 1000 + inner * 10 + cols);
      const x = randomTensor(rng, [3, rows, inner]);
      const w = randomTensor(rng, [3, inner, cols]);
      const r = randomTensor(rng, [3, rows, cols]);
      installKernelsInNode();
      const withKernel = productAndGradients(x, w, r, 2);
      uninstallWasmKernels(tf.backend());
      expect(wasmKernelsFor(tf.backend())).toBeUndefined();
      const xnnpack = productAndGradients(x, w, r, 2);
      installKernelsInNode();
      expect(withKernel).toEqual(xnnpack);
      // The shadow twin's slot (the third network) is zero on both paths.
      const out = tf.tidy(() => packMatMul(x, w, 'per-network', 2).dataSync() as Float32Array);
      expect(Array.from(out.subarray(2 * rows * cols)).every((v) => v === 0)).toBe(true);
      expect(Array.from(out.subarray(0, rows * cols)).some((v) => v !== 0)).toBe(true);
      tf.dispose([x, w, r]);
    });

    it(`with a bias matches matMul + tf.add and its Sum gradient bit for bit: ${rows}×${inner} · ${inner}×${cols}`, () => {
      const rng = new Rng(rows * 7 + inner * 3 + cols);
      const x = randomTensor(rng, [3, rows, inner]);
      const w = randomTensor(rng, [3, inner, cols]);
      const bias = randomTensor(rng, [3, 1, cols]);
      const r = randomTensor(rng, [3, rows, cols]);
      installKernelsInNode();
      const fused = denseAndGradients(x, w, bias, r, 2);
      uninstallWasmKernels(tf.backend());
      const separate = denseAndGradients(x, w, bias, r, 2);
      installKernelsInNode();
      expect(fused).toEqual(separate);
      tf.dispose([x, w, bias, r]);
    });
  }
});

/** Parameters after `steps` Adam updates with fixed random gradients, as bits. */
function adamRun(kernels: boolean, steps: number): string[] {
  if (kernels) installKernelsInNode();
  else uninstallWasmKernels(tf.backend());
  const rng = new Rng(7);
  const shapes: [number, number, number][] = [[3, 5, 7], [2, 1, 13], [4, 33, 2]];
  const vars = shapes.map((s) => tf.variable(randomTensor(rng, s)));
  const grads = shapes.map((s) => randomTensor(rng, s));
  const adam = new AdamTF1(vars, { lr: 0.003 });
  for (let t = 0; t < steps; t++) adam.apply(grads.map((g, i) => (t % 2 ? tf.mul(g, i + 1) : g)));
  const out = vars.map((v) => bits(v.dataSync() as Float32Array));
  adam.dispose();
  tf.dispose([...vars, ...grads]);
  installKernelsInNode();
  return out;
}

describe('fused TF1 Adam', () => {
  it('updates parameters bit for bit as the tensor ops do, over 25 steps', () => {
    const fused = adamRun(true, 25);
    const ops = adamRun(false, 25);
    expect(fused).toEqual(ops);
    // And the updates did something.
    expect(adamRun(true, 1)).not.toEqual(fused);
  });

  it('leaks no tensors', () => {
    installKernelsInNode();
    const v = tf.variable(tf.ones([2, 3]));
    const adam = new AdamTF1([v], { lr: 0.1 });
    const g = tf.ones([2, 3]);
    adam.apply([g]);
    const before = tf.memory().numTensors;
    for (let t = 0; t < 5; t++) adam.apply([g]);
    expect(tf.memory().numTensors).toBe(before);
    adam.dispose();
    tf.dispose([v, g]);
  });
});

describe('non-copying Identity', () => {
  it('a clone keeps its values after the source is disposed', () => {
    installKernelsInNode();
    const x = tf.tensor([1, 2, 3, 4]);
    const y = tf.clone(x);
    x.dispose();
    const z = tf.add(tf.ones([4]), 0); // may reuse freed memory: must not be y's
    expect(Array.from(y.dataSync())).toEqual([1, 2, 3, 4]);
    tf.dispose([y, z]);
  });
});

describe('fused sigmoid gradient', () => {
  it('gives tf.sigmoid\'s values and gradient bit for bit', () => {
    const rng = new Rng(11);
    const x = randomTensor(rng, [3, 37, 21]);
    const r = randomTensor(rng, [3, 37, 21]);
    const run = () =>
      tf.tidy(() => {
        const f = (z: tf.Tensor) => tf.sum(tf.mul(activate('sigmoid', z), r));
        return [activate('sigmoid', x), tf.grad(f)(x)].map((t) => bits(t.dataSync() as Float32Array));
      });
    installKernelsInNode();
    const fused = run();
    uninstallWasmKernels(tf.backend());
    const stock = run();
    installKernelsInNode();
    expect(fused).toEqual(stock);
    tf.dispose([x, r]);
  });
});

/** Every parameter after trainPack, as bits: K networks of `model` on random data. */
async function trainedBits(model: MlpSpec, K: number, batchSize: number, steps: number): Promise<string[]> {
  const d = model.input;
  const n = 80;
  const rng = new Rng(3);
  const trainX = Array.from({ length: K }, () => Float32Array.from({ length: n * d }, () => rng.normal()));
  const trainY = trainX.map((x) => {
    const y = new Float32Array(n * 2);
    for (let r = 0; r < n; r++) y[r * 2 + (x[r * d] + 0.3 * x[r * d + 1] > 0 ? 1 : 0)] = 1;
    return y;
  });
  const { pack } = await trainPack({
    model,
    n,
    trainX,
    trainY,
    initRngs: trainX.map((_, k) => new Rng(100 + k)),
    batchRngs: trainX.map((_, k) => new Rng(200 + k)),
    loss: 'cross_entropy',
    lr: 0.01,
    batchSize,
    steps,
  });
  const out = (await pack.read()).flat().map(bits);
  pack.dispose();
  return out;
}

describe('whole trainings with and without the kernels', () => {
  const mlp = (hidden: number[], batchNorm = false): MlpSpec => ({ kind: 'mlp', input: 6, hidden, output: 2, activation: 'sigmoid', initializer: 'xavier', ...(batchNorm ? { batchNorm } : {}) }) as MlpSpec;
  for (const [label, model, K, batch] of [
    ['6-64-64-2, 3 networks, batch 32', mlp([64, 64]), 3, 32],
    ['6-64-64-2, one network (shadow twin), full batch', mlp([64, 64]), 1, 80],
    ['6-40-2 with batch norm, 2 networks', mlp([40], true), 2, 16],
    // Above core/nn/mlp-step.ts NETWORK_MAJOR_MIN_MACS: each network's step and Adam update in turn.
    ['6-200-200-2, 3 networks, batch 64, one network at a time', mlp([200, 200]), 3, 64],
    ['6-64-64-2 with ReLU, 2 networks, batch 32', { ...mlp([64, 64]), activation: 'relu' } as MlpSpec, 2, 32],
  ] as const) {
    it(`trainPack ends on the same bits: ${label}`, async () => {
      installKernelsInNode();
      const fast = await trainedBits(model, K, batch, 30);
      uninstallWasmKernels(tf.backend());
      const stock = await trainedBits(model, K, batch, 30);
      installKernelsInNode();
      expect(fast).toEqual(stock);
      expect(initialValues(model, new Rng(100)).map(bits)).not.toEqual(fast.slice(0, initialValues(model, new Rng(100)).length));
    });
  }

  it('sklearn MLP fits end on the same losses and logits', async () => {
    const n = 300;
    const d = 4;
    const rng = new Rng(5);
    const tasks = [0, 1].map((k) => {
      const x = Float32Array.from({ length: n * d }, () => rng.normal());
      const y = Float32Array.from({ length: n }, (_, r) => (x[r * d] - x[r * d + 2] > 0 ? 1 : 0));
      return { x, y, evalSets: [x.slice(0, 40 * d)], initRng: new Rng(10 + k), shuffleRng: new Rng(20 + k) };
    });
    const fit = async () => {
      const fresh = tasks.map((t, k) => ({ ...t, initRng: new Rng(10 + k), shuffleRng: new Rng(20 + k) }));
      const fits = await fitSklearnMlps(fresh, n, d, { ...SKLEARN_MLP_DEFAULTS, hidden: [64], maxIter: 8 });
      return fits.map((f) => [f.lossCurve.join(','), ...f.evalLogits.map(bits)]);
    };
    installKernelsInNode();
    const fast = await fit();
    uninstallWasmKernels(tf.backend());
    const stock = await fit();
    installKernelsInNode();
    expect(fast).toEqual(stock);
  });
});
