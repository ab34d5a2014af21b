/**
 * `node scripts/run-ts.mjs bench/gemm-shapes.ts [K]`: the pack GEMM alone (kernels/gemm.c
 * through core/nn/wasm-kernels.ts) on the products of a training step of shapes C and D
 * (bench/cases.ts): forward x·W, the weight gradient Aᵀ·G and the input gradient G·Wᵀ, in
 * GMAC/s, the best of 12 timings of about 0.1 s each (the best is what the code can do; the
 * rest of a shared machine's noise only slows it down). For comparing builds of the kernels.
 */
import * as tf from '@tensorflow/tfjs-core';
import { useWasmBackend } from '../node/kernels';
import { heapOffset, wasmKernelsFor } from '../core/nn/wasm-kernels';

async function main() {
  await useWasmBackend({ kernels: true });
  const kernels = wasmKernelsFor(tf.backend())!;
  const at = (t: tf.Tensor) => heapOffset(tf.backend(), t);
  const K = Number(process.argv[2] ?? 4);
  const cases: [string, number, number, number, boolean, boolean][] = [
    ['D x·W', 2000, 100, 100, false, false],
    ['D Aᵀ·G', 100, 100, 2000, true, false],
    ['D G·Wᵀ', 2000, 100, 100, false, true],
    ['C x·W', 64, 200, 200, false, false],
    ['C Aᵀ·G', 200, 200, 64, true, false],
    ['C G·Wᵀ', 64, 200, 200, false, true],
    // The narrow layers: C's first (6 inputs) and last (2 classes), D's last.
    ['C1 x·W', 64, 200, 6, false, false],
    ['C1 Aᵀ·G', 6, 200, 64, true, false],
    ['C4 x·W', 64, 2, 200, false, false],
    ['C4 Aᵀ·G', 200, 2, 64, true, false],
    ['C4 G·Wᵀ', 64, 200, 2, false, true],
    ['D3 x·W', 2000, 2, 100, false, false],
    ['D3 Aᵀ·G', 100, 2, 2000, true, false],
    ['D3 G·Wᵀ', 2000, 100, 2, false, true],
  ];
  for (const [label, m, n, k, transA, transB] of cases) {
    const a = tf.randomNormal(transA ? [K, k, m] : [K, m, k]);
    const b = tf.randomNormal(transB ? [K, n, k] : [K, k, n]);
    const out = tf.zeros([K, m, n]);
    const calls = Math.max(3, Math.round(1e8 / (K * m * n * k)));
    let best = Infinity;
    for (let rep = 0; rep < 12; rep++) {
      const t0 = performance.now();
      for (let i = 0; i < calls; i++) kernels.gemm(at(a), at(b), 0, at(out), K, K, m, n, k, transA, transB, 'xnnpack');
      best = Math.min(best, (performance.now() - t0) / calls);
    }
    console.log(`${label.padEnd(8)} ${m}×${k}·${k}×${n}, K=${K}: ${((K * m * n * k) / best / 1e6).toFixed(1)} GMAC/s`);
    tf.dispose([a, b, out]);
  }
}
main();
