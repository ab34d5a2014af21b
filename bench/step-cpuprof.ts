import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { SHAPES, packSpec } from './cases';
import { trainPack } from '../core/train/train-pack';
import { installKernelsInNode } from '../node/kernels';
async function main() {
  setWasmPaths(dirname(createRequire(__filename).resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm')) + '/');
  await tf.setBackend('wasm');
  await tf.ready();
  if (process.env.KERNEL !== '0') installKernelsInNode();
  const K = Number(process.argv[3] ?? 16);
  const shape = SHAPES.find((s) => s.id === (process.argv[2] ?? 'C'))!;
  const steps = Number(process.argv[4] ?? 100);
  (await trainPack(packSpec(shape, K, 3))).pack.dispose();
  const t0 = process.cpuUsage();
  (await trainPack(packSpec(shape, K, steps))).pack.dispose();
  const u = process.cpuUsage(t0);
  console.log(`${shape.id} K=${K}: ${((u.user + u.system) / 1000 / steps / K).toFixed(3)} ms/trial-step`);
}
main();
