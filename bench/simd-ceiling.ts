/**
 * `node scripts/run-ts.mjs bench/simd-ceiling.ts [rounds]`: how close the pack GEMM's register
 * blocks come to what V8's 128-bit SIMD can do on this machine, and what that bounds a step at.
 *
 * Per round, in turn: the ceiling (bench/simd-ceiling.c: the 4×8 register block's 32
 * multiply-adds a step with a's values already in registers, so a step loads only b), and the
 * pack GEMM (kernels/gemm.c through core/nn/wasm-kernels.ts) on a product that stays in cache,
 * a 128-row block of Exp 4's hidden layer (128×100 · 100×96, all in 4×8 blocks), and on D's
 * whole hidden-layer product (2,000×100 · 100×100). Each timing is the best of 5 of about
 * 0.05 s; the report is the median over the rounds with its range, and the GEMM's share of
 * the ceiling within each round (this shared machine's speed drifts between rounds).
 *
 * Then, for each bench shape (bench/cases.ts), the time of its step's matrix products at the
 * ceiling: no kernel that keeps the bits of tfjs's products (a multiply, then an add, in
 * XNNPACK's order) can do a step faster on this machine. Compare it with the PyTorch column
 * of `npm run bench`.
 */
import * as tf from '@tensorflow/tfjs-core';
import { repositoryModule, useWasmBackend } from '../node/kernels';
import { heapOffset, wasmKernelsFor } from '../core/nn/wasm-kernels';
import { BENCH_SHAPES, macsPerStep } from './cases';
import { median } from './engines';

/** 32 multiply-adds a step: 4 rows × 8 columns. */
const CEILING_MACS_PER_STEP = 32;

export interface CeilingModule {
  memory: WebAssembly.Memory;
  /** The ceiling loop over `steps` steps (bench/simd-ceiling.c), a at byte offset a, b (16 vectors) at b. */
  ceiling(a: number, b: number, steps: number): number;
}

export function loadCeiling(): CeilingModule {
  const memory = new WebAssembly.Memory({ initial: 2 });
  const instance = new WebAssembly.Instance(repositoryModule('bench/simd-ceiling.wasm'), { env: { memory } });
  return { memory, ceiling: instance.exports.ceiling as CeilingModule['ceiling'] };
}

function best(run: () => void, calls: number, repeats = 5): number {
  let ms = Infinity;
  for (let r = 0; r < repeats; r++) {
    const t0 = performance.now();
    for (let i = 0; i < calls; i++) run();
    ms = Math.min(ms, (performance.now() - t0) / calls);
  }
  return ms;
}

const range = (xs: number[], digits: number) => `${Math.min(...xs).toFixed(digits)}–${Math.max(...xs).toFixed(digits)}`;

async function main() {
  const rounds = Number(process.argv[2] ?? 5);
  const ceil = loadCeiling();
  const heap = new Float32Array(ceil.memory.buffer);
  for (let i = 0; i < 4 + 64; i++) heap[i] = ((i * 37) % 11) / 64 - 0.08;
  const steps = 2_000_000;

  await useWasmBackend({ kernels: true });
  const kernels = wasmKernelsFor(tf.backend())!;
  const at = (t: tf.Tensor) => heapOffset(tf.backend(), t);
  const products: { label: string; m: number; k: number; n: number }[] = [
    { label: 'Exp 4 block x·W 128×100·100×96', m: 128, k: 100, n: 96 },
    { label: 'D x·W 2000×100·100×100', m: 2000, k: 100, n: 100 },
  ];
  const tensors = products.map(({ m, k, n }) => [tf.randomNormal([1, m, k]), tf.randomNormal([1, k, n]), tf.zeros([1, m, n])]);

  /** One round: the ceiling's GMAC/s, then each product's. */
  const round = () => {
    const ceilingMs = best(() => ceil.ceiling(0, 16, steps), 1);
    const gemm = products.map(({ m, k, n }, i) => {
      const [a, b, out] = tensors[i];
      const calls = Math.max(3, Math.round(5e6 / (m * n * k)));
      return (m * n * k) / best(() => kernels.gemm(at(a), at(b), 0, at(out), 1, 1, m, n, k, false, false, 'xnnpack'), calls) / 1e6;
    });
    return { ceiling: (steps * CEILING_MACS_PER_STEP) / ceilingMs / 1e6, gemm };
  };
  // Rounds not counted until every function is past V8's baseline compiler (its first calls).
  for (let r = 0; r < 3; r++) round();
  const ceilingRate: number[] = [];
  const rates = products.map(() => [] as number[]);
  const shares = products.map(() => [] as number[]);
  for (let r = 0; r < rounds; r++) {
    const { ceiling, gemm } = round();
    ceilingRate.push(ceiling);
    gemm.forEach((rate, i) => (rates[i].push(rate), shares[i].push(rate / ceiling)));
    console.error(`round ${r + 1}/${rounds}`);
  }
  tf.dispose(tensors.flat());

  const top = median(ceilingRate);
  const lines = [
    `# The register block's ceiling (${rounds} rounds, medians and ranges)`,
    '',
    '| what | GMAC/s | ÷ ceiling |',
    '|:--|--:|--:|',
    `| ceiling: 4×8 block, a in registers (bench/simd-ceiling.c) | ${top.toFixed(1)} (${range(ceilingRate, 1)}) | 1 |`,
    ...products.map((p, i) => `| pack GEMM, ${p.label} | ${median(rates[i]).toFixed(1)} (${range(rates[i], 1)}) | ${median(shares[i]).toFixed(2)} (${range(shares[i], 2)}) |`),
    '',
    `A step's matrix products at the ceiling (${top.toFixed(1)} GMAC/s), per network:`,
    '',
    '| shape | M MACs a step | ms at the ceiling |',
    '|:--|--:|--:|',
    ...BENCH_SHAPES.map((s) => `| ${s.id} ${s.sizes.join('-')}, ${Math.min(s.n, s.batchSize)} rows | ${(macsPerStep(s) / 1e6).toFixed(2)} | ${(macsPerStep(s) / top / 1e6).toFixed(3)} |`),
  ];
  console.log(lines.join('\n'));
}

if (require.main === module) main();
