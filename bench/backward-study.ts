/**
 * `npx node scripts/run-ts.mjs bench/backward-study.ts [--shapes B,C,D] [--k 16] [--steps 40]`
 *
 * What do explicit transposes in the backward products buy, and do they keep the numbers?
 * tfjs-wasm runs a matMul with a transpose flag (the stock gradient's dA = dZ·Wᵀ and
 * dW = Aᵀ·dZ) and any stacked (K ≥ 2) product in its scalar loop; a plain batch-1 product
 * goes to XNNPACK. Measured here, on one thread, without changing any default:
 *
 * 1. Layer products alone (forward + both backward products through the tape, summed over
 *    the shape's layers, per network), at pack size K:
 *    - 'stock': tf.matMul on the stacked operands and its stock gradient (transpose flags);
 *    - 'explicit-batched': the same forward, and a tf.customGrad whose backward transposes
 *      explicitly (tf.transpose) then multiplies without flags, still stacked;
 *    - 'per-network': the engine's kernel (core/nn/matmul.ts): every product, forward and
 *      backward, a plain batch-1 XNNPACK product per network on explicit transposes.
 * 2. Whole training steps (trainPack, bench/cases.ts data) with matMulPath 'batched'
 *    (stock products everywhere) and 'auto' (the default: per-network on these shapes),
 *    and whether the weights after the run are bit-identical between the two.
 *
 * CPU time is process.cpuUsage (user + system); the machine is shared, so repeat it.
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import { parseArgs } from 'node:util';
import { SHAPES, packSpec } from './cases';
import { useWasmBackend } from '../node/kernels';
import { packMatMul } from '../core/nn/matmul';
import { trainPack } from '../core/train/train-pack';
import type { MatMulPathOption } from '../core/nn/matmul';

const { values } = parseArgs({ options: { shapes: { type: 'string', default: 'B,C,D' }, k: { type: 'string', default: '16' }, steps: { type: 'string', default: '40' }, 'layer-reps': { type: 'string', default: '20' } } });
const K = Number(values.k);
const steps = Number(values.steps);
const reps = Number(values['layer-reps']);

const cpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

/** Forward with stock tf.matMul; backward with explicit transposes and unflagged (stacked) products. */
const explicitBatched = tf.customGrad(((a: tf.Tensor, w: tf.Tensor, save: tf.GradSaveFunc) => {
  save([a, w]);
  return {
    value: tf.matMul(a as tf.Tensor3D, w as tf.Tensor3D),
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
      const [sa, sw] = saved as tf.Tensor3D[];
      return [tf.matMul(dy as tf.Tensor3D, tf.transpose(sw, [0, 2, 1])), tf.matMul(tf.transpose(sa, [0, 2, 1]), dy as tf.Tensor3D)];
    },
  };
}) as unknown as Parameters<typeof tf.customGrad>[0]);

type Variant = 'stock' | 'explicit-batched' | 'per-network';
function product(variant: Variant, a: tf.Tensor3D, w: tf.Tensor3D): tf.Tensor3D {
  if (variant === 'stock') return tf.matMul(a, w);
  if (variant === 'explicit-batched') return explicitBatched(a, w) as tf.Tensor3D;
  return packMatMul(a, w, 'per-network');
}

/** CPU ms per network of one layer's forward + dA + dW (the first layer's dA included). */
function timeLayer(variant: Variant, rows: number, inner: number, cols: number): { ms: number; out: Float32Array } {
  const a = tf.randomNormal([K, rows, inner], 0, 1, 'float32', 1) as tf.Tensor3D;
  const w = tf.randomNormal([K, inner, cols], 0, 1, 'float32', 2) as tf.Tensor3D;
  const g = tf.grads((x: tf.Tensor, y: tf.Tensor) => tf.sum(product(variant, x as tf.Tensor3D, y as tf.Tensor3D)));
  const run = () => tf.tidy(() => g([a, w]).map((t) => t.dataSync() as Float32Array));
  run();
  const t0 = cpuMs();
  let out: Float32Array[] = [];
  for (let r = 0; r < reps; r++) out = run();
  const ms = (cpuMs() - t0) / reps / K;
  tf.dispose([a, w]);
  const joined = new Float32Array(out[0].length + out[1].length);
  joined.set(out[0]);
  joined.set(out[1], out[0].length);
  return { ms, out: joined };
}

async function timeTraining(shapeId: string, path: MatMulPathOption): Promise<{ ms: number; weights: Float32Array[] }> {
  const shape = SHAPES.find((s) => s.id === shapeId)!;
  const warm = await trainPack({ ...packSpec(shape, K, 3), matMulPath: path });
  warm.pack.dispose();
  const t0 = cpuMs();
  const { pack } = await trainPack({ ...packSpec(shape, K, steps), matMulPath: path });
  const ms = (cpuMs() - t0) / steps / K;
  const weights = (await pack.read()).flat();
  pack.dispose();
  return { ms, weights };
}

const sameBits = (a: Float32Array[], b: Float32Array[]) => a.length === b.length && a.every((x, i) => Buffer.from(x.buffer, x.byteOffset, x.byteLength).equals(Buffer.from(b[i].buffer, b[i].byteOffset, b[i].byteLength)));

async function main(): Promise<void> {
  // Without atomsweep's kernels: this studies tfjs's own products.
  await useWasmBackend({ kernels: false });
  console.log(`K = ${K}; CPU ms per network (trial), one thread\n`);
  console.log('| shape | layer products: stock | explicit transposes, stacked | per-network XNNPACK | identical to stock: explicit / per-network | training step: batched (stock) | auto (per-network) | speed-up | weights identical after ' + steps + ' steps |');
  console.log('|:--|--:|--:|--:|:--|--:|--:|--:|:--|');
  for (const id of values.shapes!.split(',')) {
    const shape = SHAPES.find((s) => s.id === id)!;
    const rows = Math.min(shape.n, shape.batchSize);
    const sum: Record<Variant, number> = { stock: 0, 'explicit-batched': 0, 'per-network': 0 };
    let layersIdentical = true;
    let perNetIdentical = true;
    for (let l = 0; l + 1 < shape.sizes.length; l++) {
      const stock = timeLayer('stock', rows, shape.sizes[l], shape.sizes[l + 1]);
      const explicit = timeLayer('explicit-batched', rows, shape.sizes[l], shape.sizes[l + 1]);
      const perNet = timeLayer('per-network', rows, shape.sizes[l], shape.sizes[l + 1]);
      sum.stock += stock.ms;
      sum['explicit-batched'] += explicit.ms;
      sum['per-network'] += perNet.ms;
      if (!sameBits([stock.out], [explicit.out])) layersIdentical = false;
      if (!sameBits([stock.out], [perNet.out])) perNetIdentical = false;
    }
    const batched = await timeTraining(id, 'batched');
    const auto = await timeTraining(id, 'auto');
    console.log(
      `| ${id} ${shape.sizes.join('-')} ×${rows} | ${sum.stock.toFixed(3)} | ${sum['explicit-batched'].toFixed(3)} | ${sum['per-network'].toFixed(3)} | ${layersIdentical ? 'yes' : 'no'} / ${perNetIdentical ? 'yes' : 'no'} | ${batched.ms.toFixed(3)} | ${auto.ms.toFixed(3)} | ${(batched.ms / auto.ms).toFixed(2)}× | ${sameBits(batched.weights, auto.weights) ? 'yes' : 'no'} |`,
    );
  }
}
void main();
