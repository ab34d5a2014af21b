/**
 * The pack GEMM kernel (kernels/pack-gemm.c) must give the same bits as the per-network
 * XNNPACK products it replaces (core/nn/matmul.ts), forward and both gradients, on
 * shapes with every kind of tail (rows mod 4, columns mod 8 and mod 4), and leave a
 * shadow twin's slots zero.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { useBackend } from '../tf-node';
import { installKernelsInNode } from '../../node/kernels';
import { packGemmFor, uninstallPackGemm } from '../../core/nn/pack-gemm';
import { packMatMul } from '../../core/nn/matmul';
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
  [1, 1, 1], [3, 5, 7], [4, 8, 8], [5, 13, 9], [17, 33, 31], [64, 6, 200], [64, 200, 2], [64, 200, 200], [100, 2, 16], [2000, 100, 2], [6, 3, 12],
];

describe('pack GEMM kernel', () => {
  it('is installed by the Node hosts', () => {
    installKernelsInNode();
    expect(packGemmFor(tf.backend())).toBeDefined();
  });

  for (const [rows, inner, cols] of SHAPES) {
    it(`matches the XNNPACK path bit for bit: ${rows}×${inner} · ${inner}×${cols}, 3 slots, 2 live`, () => {
      const rng = new Rng(rows * 1000 + inner * 10 + cols);
      const x = randomTensor(rng, [3, rows, inner]);
      const w = randomTensor(rng, [3, inner, cols]);
      const r = randomTensor(rng, [3, rows, cols]);
      installKernelsInNode();
      const withKernel = productAndGradients(x, w, r, 2);
      uninstallPackGemm(tf.backend());
      expect(packGemmFor(tf.backend())).toBeUndefined();
      const xnnpack = productAndGradients(x, w, r, 2);
      installKernelsInNode();
      expect(withKernel).toEqual(xnnpack);
      // The shadow twin's slot (the third network) is zero on both paths.
      const out = tf.tidy(() => packMatMul(x, w, 'per-network', 2).dataSync() as Float32Array);
      expect(Array.from(out.subarray(2 * rows * cols)).every((v) => v === 0)).toBe(true);
      expect(Array.from(out.subarray(0, rows * cols)).some((v) => v !== 0)).toBe(true);
      tf.dispose([x, w, r]);
    });
  }
});
