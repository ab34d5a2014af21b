/**
 * `node scripts/run-ts.mjs bench/step-cpuprof.ts <shapes> [K] [steps] [repeats]`: CPU ms per
 * trial-step of trainPack, with atomsweep's wasm kernels and without (the tfjs kernels),
 * interleaved so both see the same machine; prints the minimum over the repeats. A quick
 * check while working on kernels; `npm run bench` is the full measurement.
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import { SHAPES, packSpec } from './cases';
import { trainPack } from '../core/train/train-pack';
import { installKernelsInNode, useWasmBackend } from '../node/kernels';
import { uninstallWasmKernels } from '../core/nn/wasm-kernels';

async function cpuPerTrialStep(id: string, K: number, steps: number): Promise<number> {
  // 'B1' is shape B at batch 1 (Exp 8's slowest pack).
  const base = SHAPES.find((s) => s.id === id[0])!;
  // LOSS=mean_squared_error swaps the shape's loss (what the loss's kernels cost).
  const shape = { ...(id.length > 1 ? { ...base, batchSize: Number(id.slice(1)) } : base), ...(process.env.LOSS ? { loss: process.env.LOSS as never } : {}) };
  (await trainPack(packSpec(shape, K, 3))).pack.dispose();
  const t0 = process.cpuUsage();
  (await trainPack(packSpec(shape, K, steps))).pack.dispose();
  const u = process.cpuUsage(t0);
  return (u.user + u.system) / 1000 / steps / K;
}

async function main() {
  await useWasmBackend();
  const [shapes = 'B,C,D', k = '16', s = '60', r = '3'] = process.argv.slice(2);
  for (const id of shapes.split(',')) {
    const best = { kernels: Infinity, tfjs: Infinity };
    for (let rep = 0; rep < Number(r); rep++) {
      installKernelsInNode();
      best.kernels = Math.min(best.kernels, await cpuPerTrialStep(id, Number(k), Number(s)));
      uninstallWasmKernels(tf.backend());
      best.tfjs = Math.min(best.tfjs, await cpuPerTrialStep(id, Number(k), Number(s)));
    }
    console.log(`${id} K=${k}: kernels ${best.kernels.toFixed(3)} ms/trial-step, tfjs kernels ${best.tfjs.toFixed(3)} (${(best.tfjs / best.kernels).toFixed(2)}× faster)`);
  }
}
main();
