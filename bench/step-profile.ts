/**
 * `npx node scripts/run-ts.mjs bench/step-profile.ts <shapes> [K] [steps]`: the kernels of a
 * training step, from tf.profile: per kernel and input shapes, ms per trial-step and calls per
 * step, and the kernel count per step. Shapes are bench/cases.ts ids, optionally with a
 * batch size ('B1' is shape B at batch 1). KERNEL=0 profiles without atomsweep's wasm
 * kernels; TOP=N lists N kernels (default 30). The profiler's own overhead inflates the
 * times, so read the shares and counts, and time with bench/step-cpuprof.ts.
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import { SHAPES, packSpec } from './cases';
import { trainPack } from '../core/train/train-pack';
import { useWasmBackend } from '../node/kernels';

async function main() {
  await useWasmBackend({ kernels: process.env.KERNEL !== '0' });
  const K = Number(process.argv[3] ?? 16);
  for (const id of (process.argv[2] ?? 'C').split(',')) {
    const base = SHAPES.find((s) => s.id === id[0])!;
    const shape = id.length > 1 ? { ...base, batchSize: Number(id.slice(1)) } : base;
    const steps = Number(process.argv[4] ?? 20);
    (await trainPack(packSpec(shape, K, 3))).pack.dispose();
    const t0 = process.cpuUsage();
    const info = await tf.profile(async () => { (await trainPack(packSpec(shape, K, steps))).pack.dispose(); });
    const u = process.cpuUsage(t0);
    const total = (u.user + u.system) / 1000;
    const by = new Map<string, { ms: number; n: number }>();
    let kt = 0;
    for (const k of info.kernels) {
      const ms = (await k.kernelTimeMs) as number;
      const key = k.name + ' ' + JSON.stringify(k.inputShapes);
      const e = by.get(key) ?? { ms: 0, n: 0 };
      e.ms += ms; e.n += 1; by.set(key, e);
      kt += ms;
    }
    console.log(`${id} K=${K} steps=${steps}: kernels/step ${(info.kernels.length / steps).toFixed(1)}; cpu ${(total / steps / K).toFixed(3)} ms/trial-step; kernels ${(kt / steps / K).toFixed(3)}`);
    [...by.entries()].sort((a, b) => b[1].ms - a[1].ms).slice(0, Number(process.env.TOP ?? 30)).forEach(([k, e]) => console.log(`  ${(e.ms / steps / K).toFixed(4)} ms  n/step=${(e.n / steps).toFixed(1)}  ${k}`));
  }
}
main();
