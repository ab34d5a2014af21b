/**
 * The matMul of one layer for a pack of K networks: x [K, rows, in] · w [K, in, out].
 *
 * tfjs-backend-wasm 4.22 has two matMul engines. A batch-1, untransposed product goes
 * through XNNPACK (SIMD, 10–18 GMAC/s of CPU on this machine); anything else — a stacked
 * batch (K ≥ 2) or a transposeA/transposeB flag — runs a scalar blocked loop at 0.9–1.5
 * GMAC/s. tfjs's built-in matMul gradient uses the transpose flags, so even 2-D products
 * fall on the slow loop in the backward pass.
 *
 * Two paths, therefore:
 * - 'batched': one tf.matMul for all K networks (slow loop). Best for tiny layers, where
 *   the time is dispatch and set-up, not arithmetic.
 * - 'per-network': one kernel for the pack (AtomsweepPerNetworkMatMul, registered below
 *   for wasm) that runs each network's product as its own batch-1 XNNPACK matMul, on
 *   zero-copy views of the stacked operands, writing straight into that network's slot
 *   of one stacked output. Its gradient is the same kernel on explicit transposes:
 *   dX_k = dY_k · transpose(W_k), dW_k = transpose(X_k) · dY_k, every product plain and
 *   so on XNNPACK. (tf.unstack/tf.slice/tf.stack were tried first: wasm's Slice copies
 *   the WHOLE input to a JS array per slice, which made K separate 2-D matMuls slower
 *   than the batched loop at K = 16.) The kernel count per layer is the batched path's
 *   (1 forward, 2 backward), and the first layer's dX is never computed (the tape prunes
 *   the data input). Memory: no restacking; beyond the batched path it holds one
 *   network's transposed operand at a time (and XNNPACK's packed copy of one network's
 *   weight operand), never K of them; the wasm heap high-water after training C
 *   (6-200-200-200-2, batch 64) and D (2-100-100-2, 2,000 rows) at K = 16 is the same as
 *   the batched path's (87.1 and 200.3 MB).
 *
 * With atomsweep's wasm kernels installed (core/nn/wasm-kernels.ts), both paths run on
 * the pack GEMM instead, one call for all K networks, each in the summation order of the
 * engine it replaces (XNNPACK for the per-network path and for a plain product of one
 * matrix; tfjs-wasm's own loop for stacked or transposed products on the batched path), so
 * the numbers below hold unchanged; packDense also adds the bias in the same call.
 *
 * The path is a function of ONE network's shape (rows, in, out), never of K, so a
 * trial's numbers are the same alone or in any pack: on the per-network path each
 * network's products are separate XNNPACK calls on its own operands; on the batched path
 * the slow loop treats every batch slice independently (for K ≥ 2; trainPack's shadow
 * twin covers K = 1).
 */
import * as tf from '@tensorflow/tfjs-core';
import { DEFAULT_ENGINE } from '../engine';
import { heapOffset, wasmKernelsFor, type SumOrder } from './wasm-kernels';

export type MatMulPath = 'batched' | 'per-network';
export type MatMulPathOption = MatMulPath | 'auto';

/**
 * The per-network path from this many multiply-adds per network and product
 * (rows · in · out) on.
 *
 * Speed-up of the per-network path (batched CPU time / per-network CPU time) for one
 * layer's forward + dX + dW through the tape, per network, at K = 5 and K = 16, measured
 * on this machine (2-core AMD EPYC, node 22, one wasm thread, two runs):
 *   rows·in·out   rows×in×out      speed-up
 *   1,280         64×10×2          0.3–0.5×   (batched wins)
 *   1,600         100×1×16         0.4–1.1×
 *   3,200         100×2×16         0.7–1.6×   (break-even)
 *   6,400         64×10×10         1.1–1.3×
 *   7,680         64×12×10         1.1–1.3×
 *   12,800        64×100×2         1.7–2.1×
 *   76,800        64×12×100        2.0–2.3×
 *   640,000       64×100×100       4.5–5.5×
 *   2,560,000     64×200×200       5.7–7.3×
 *   20,000,000    2000×100×100     5–9×
 * The per-network kernel pays a fixed cost per network and product (views, an XNNPACK
 * operator created with its weights packed), so it wins from a few thousand MACs on. The
 * switch sits at 8,192, where it wins clearly in every run; tiny nets such as 1-16-1 on
 * 100 rows (1,600) stay batched.
 */
export const PER_NETWORK_MIN_MACS = 8_192;

/** The path a layer takes, from one network's product shape [rows, inner] · [inner, cols]. */
export function matMulPath(rows: number, inner: number, cols: number, option: MatMulPathOption = 'auto', perNetwork = DEFAULT_ENGINE.perNetworkMatMul): MatMulPath {
  const path = option !== 'auto' ? option : rows * inner * cols >= PER_NETWORK_MIN_MACS ? 'per-network' : 'batched';
  return path === 'per-network' && perNetworkAvailable() && perNetwork ? path : 'batched';
}

/**
 * The summation order of a layer's products on atomsweep's pack GEMM: XNNPACK's on the
 * per-network path, tfjs-wasm's own loop's on the batched path, whatever K is (so a lone
 * network computes what it does in any pack, and needs no shadow twin:
 * core/train/train-pack.ts).
 */
export function sumOrder(path: MatMulPath): SumOrder {
  return path === 'batched' ? 'tfjs-loop' : 'xnnpack';
}

const KERNEL = 'AtomsweepPerNetworkMatMul';

interface PerNetworkAttrs {
  transposeA: boolean;
  transposeB: boolean;
  /** Networks 0..live−1 are computed; slots from live on (a shadow twin) are zeros. */
  live: number;
  /** A third input `bias` [K, 1, out] is added (packDense). */
  bias: boolean;
  /**
   * The batched path (tiny layers), computed by atomsweep's kernel with the numbers
   * tf.matMul gives there: tfjs-wasm sends a plain product of ONE matrix to XNNPACK and
   * every other (stacked or transposed) to its own loop, so the kernel takes XNNPACK's
   * order for the first and the loop's for the rest; every network is computed.
   */
  blocked: boolean;
}

/**
 * x [K, rows, in] · w [K, in, out] → [K, rows, out].
 *
 * @param live networks actually computed; the rest of the K slots (trainPack's shadow twin)
 *   come out as zeros, and get zero gradients. The twin's numbers are dropped anyway, and
 *   skipping it here means a lone trial pays for one network on these layers, not two.
 */
export function packMatMul(x: tf.Tensor3D, w: tf.Tensor3D, path: MatMulPath, live = x.shape[0]): tf.Tensor3D {
  if (!perNetworkAvailable()) return tf.matMul(x, w);
  if (path === 'batched') return wasmKernelsFor(tf.backend()) ? packKernel(x, w, undefined, false, false, { live: x.shape[0], blocked: true }) : tf.matMul(x, w);
  return packKernel(x, w, undefined, false, false, { live, blocked: false });
}

/**
 * A dense layer's pre-activation x · w + bias (bias [K, 1, out]). With atomsweep's wasm
 * kernels on the per-network path it is one kernel that adds the bias after each sum
 * (the same single float32 addition as tf.add), and whose bias gradient sums columns in
 * tfjs's order; otherwise tf.add after packMatMul. Same bits either way.
 */
export function packDense(x: tf.Tensor3D, w: tf.Tensor3D, bias: tf.Tensor3D, path: MatMulPath, live = x.shape[0]): tf.Tensor3D {
  if (perNetworkAvailable() && wasmKernelsFor(tf.backend())) {
    const blocked = path === 'batched';
    return packKernel(x, w, bias, false, false, { live: blocked ? x.shape[0] : live, blocked });
  }
  return tf.add(packMatMul(x, w, path, live), bias) as tf.Tensor3D;
}

function packKernel(a: tf.Tensor3D, b: tf.Tensor3D, bias: tf.Tensor3D | undefined, transposeA: boolean, transposeB: boolean, o: { live: number; blocked: boolean }): tf.Tensor3D {
  const attrs: PerNetworkAttrs = { transposeA, transposeB, live: o.live, bias: bias !== undefined, blocked: o.blocked };
  return tf.engine().runKernel(KERNEL, bias ? { a, b, bias } : { a, b }, attrs as unknown as tf.NamedAttrMap) as tf.Tensor3D;
}

const COLUMN_SUMS = 'AtomsweepColumnSums';

/** dy [K, rows, n] → [K, 1, n], column sums in tfjs's order (needs atomsweep's wasm kernels). */
function columnSums(dy: tf.Tensor3D): tf.Tensor3D {
  return tf.engine().runKernel(COLUMN_SUMS, { dy }) as tf.Tensor3D;
}

/** The per-network kernel exists for the wasm backend only; elsewhere the batched path serves. */
export function perNetworkAvailable(): boolean {
  return tf.getBackend() === 'wasm';
}

// ---------------------------------------------------------------------------------------
// The wasm kernel. It relies on tfjs-backend-wasm 4.22 internals (pinned exactly in
// package.json): makeOutput(shape, dtype, memoryOffset) registers a tensor on existing
// heap memory, which gives zero-copy views of one network's slice of a stacked tensor.

interface WasmTensorData {
  id: number;
  memoryOffset: number;
  refCount: number;
}

interface WasmBackendInternals {
  makeOutput(shape: number[], dtype: tf.DataType, memoryOffset?: number): tf.TensorInfo;
  typedArrayFromHeap(info: tf.TensorInfo): Float32Array;
  disposeData(dataId: tf.DataId): boolean;
  dataIdMap: { get(dataId: tf.DataId): WasmTensorData; delete(dataId: tf.DataId): boolean };
  wasm: WasmModule;
}

interface WasmModule {
  tfjs: { disposeData(id: number): void };
  cwrap(name: string, ret: null, args: string[]): (...args: unknown[]) => void;
}

/**
 * The C++ BatchMatMul entry point, as the package's own kernel wraps it: (a id, a shape,
 * rank, b id, b shape, rank, transposeA, transposeB, out id). Called directly so each
 * network's product lands in its slot of the stacked output, with no temporary.
 */
const rawMatMuls = new WeakMap<WasmModule, (...args: unknown[]) => void>();
function matMulInto(backend: WasmBackendInternals, a: tf.TensorInfo, b: tf.TensorInfo, out: tf.TensorInfo): void {
  let f = rawMatMuls.get(backend.wasm);
  if (!f) {
    f = backend.wasm.cwrap('BatchMatMul', null, ['number', 'array', 'number', 'number', 'array', 'number', 'number', 'number', 'number']);
    rawMatMuls.set(backend.wasm, f);
  }
  const id = (t: tf.TensorInfo) => backend.dataIdMap.get(t.dataId).id;
  const shape = (t: tf.TensorInfo) => new Uint8Array(new Int32Array(t.shape).buffer);
  f(id(a), shape(a), 3, id(b), shape(b), 3, 0, 0, id(out));
}

type KernelFn = (args: { inputs: tf.NamedTensorInfoMap; backend: unknown; attrs?: tf.NamedAttrMap }) => tf.TensorInfo;

/** Network k's [rows, cols] slice of a stacked [K, rows, cols] tensor, as a [1, rows, cols] view. */
function view(backend: WasmBackendInternals, t: tf.TensorInfo, k: number, rows = t.shape[1], cols = t.shape[2]): tf.TensorInfo {
  const base = backend.dataIdMap.get(t.dataId).memoryOffset;
  return backend.makeOutput([1, rows, cols], 'float32', base + k * rows * cols * Float32Array.BYTES_PER_ELEMENT);
}

/**
 * Unregisters a view WITHOUT freeing its memory (it belongs to the stacked tensor). The C++
 * side's disposeData also drops the XNNPACK operator cached on this id (weights packed
 * from it), which would otherwise leak.
 */
function releaseView(backend: WasmBackendInternals, v: tf.TensorInfo): void {
  const data = backend.dataIdMap.get(v.dataId);
  backend.wasm.tfjs.disposeData(data.id);
  backend.dataIdMap.delete(v.dataId);
}

function perNetworkWasm({ inputs, backend: b, attrs }: { inputs: tf.NamedTensorInfoMap; backend: unknown; attrs?: tf.NamedAttrMap }): tf.TensorInfo {
  const backend = b as WasmBackendInternals;
  const { transposeA, transposeB, live, blocked } = attrs as unknown as PerNetworkAttrs;
  const a = inputs.a as tf.TensorInfo;
  const w = inputs.b as tf.TensorInfo;
  const K = a.shape[0];
  const M = transposeA ? a.shape[2] : a.shape[1];
  const P = transposeB ? w.shape[1] : w.shape[2];
  const kernels = wasmKernelsFor(backend);
  const bias = inputs.bias as tf.TensorInfo | undefined;
  if (!kernels && bias) throw new Error(`${KERNEL}: a bias needs atomsweep's wasm kernels (packDense checks)`);
  if (!kernels && blocked) {
    // The kernels were removed after the forward pass (tests do): tfjs's own product.
    const stock = tf.getKernel('BatchMatMul', 'wasm')!.kernelFunc as unknown as KernelFn;
    return stock({ inputs: { a, b: w }, backend, attrs: { transposeA, transposeB } as unknown as tf.NamedAttrMap });
  }
  const out = backend.makeOutput([K, M, P], 'float32');
  if (kernels) {
    // The pack GEMM (core/nn/wasm-kernels.ts): every network in one call, same bits as below.
    const at = (t: tf.TensorInfo) => heapOffset(backend, t);
    const inner = transposeA ? a.shape[1] : a.shape[2];
    // Even for one network, where tf.matMul would have gone to XNNPACK (see sumOrder).
    const order = sumOrder(blocked ? 'batched' : 'per-network');
    kernels.gemm(at(a), at(w), bias ? at(bias) : 0, at(out), K, Math.min(live, K), M, P, inner, transposeA, transposeB, order);
    return out;
  }
  const transpose = tf.getKernel('Transpose', 'wasm').kernelFunc as unknown as KernelFn;
  for (let k = 0; k < Math.min(live, K); k++) {
    const views = [view(backend, a, k), view(backend, w, k), view(backend, out, k, M, P)];
    const temps: tf.TensorInfo[] = [];
    // An explicit transpose, then a plain product: the flags would send it to the slow loop.
    const operand = (v: tf.TensorInfo, flip: boolean): tf.TensorInfo => {
      if (!flip) return v;
      const t = transpose({ inputs: { x: v }, backend, attrs: { perm: [0, 2, 1] } });
      temps.push(t);
      return t;
    };
    matMulInto(backend, operand(views[0], transposeA), operand(views[1], transposeB), views[2]);
    temps.forEach((t) => backend.disposeData(t.dataId));
    views.forEach((v) => releaseView(backend, v));
  }
  if (live < K) backend.typedArrayFromHeap(out).fill(0, live * M * P);
  return out;
}

/** The BatchMatMul gradient, per network, with the same kernel (so every product is plain). */
function perNetworkGradient(dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[], attrs: tf.NamedAttrMap): Record<string, () => tf.Tensor> {
  const [a, b] = saved as tf.Tensor3D[];
  const g = dy as tf.Tensor3D;
  const { transposeA, transposeB, live, bias, blocked } = attrs as unknown as PerNetworkAttrs;
  const mm = (x: tf.Tensor3D, y: tf.Tensor3D, tx: boolean, ty: boolean) => packKernel(x, y, undefined, tx, ty, { live, blocked });
  if (bias) return { a: () => mm(g, b, false, true), b: () => mm(a, g, true, false), bias: () => columnSums(g) };
  if (!transposeA && !transposeB) return { a: () => mm(g, b, false, true), b: () => mm(a, g, true, false) };
  if (!transposeA && transposeB) return { a: () => mm(g, b, false, false), b: () => mm(g, a, true, false) };
  if (transposeA && !transposeB) return { a: () => mm(b, g, false, true), b: () => mm(a, g, false, false) };
  return { a: () => mm(b, g, true, true), b: () => mm(g, a, true, true) };
}

function columnSumsWasm({ inputs, backend: b }: { inputs: tf.NamedTensorInfoMap; backend: unknown }): tf.TensorInfo {
  const backend = b as WasmBackendInternals;
  const dy = inputs.dy as tf.TensorInfo;
  const [K, m, n] = dy.shape;
  const kernels = wasmKernelsFor(backend);
  if (!kernels) throw new Error(`${COLUMN_SUMS}: atomsweep's wasm kernels are not installed`);
  const out = backend.makeOutput([K, 1, n], 'float32');
  kernels.columnSums(heapOffset(backend, dy), heapOffset(backend, out), K, m, n);
  return out;
}

// tfjs's registries are global: register once even if this module is evaluated again.
if (!tf.getKernel(COLUMN_SUMS, 'wasm')) tf.registerKernel({ kernelName: COLUMN_SUMS, backendName: 'wasm', kernelFunc: columnSumsWasm as unknown as tf.KernelFunc });
if (!tf.getKernel(KERNEL, 'wasm')) tf.registerKernel({ kernelName: KERNEL, backendName: 'wasm', kernelFunc: perNetworkWasm as unknown as tf.KernelFunc });
if (!tf.getGradient(KERNEL)) tf.registerGradient({ kernelName: KERNEL, inputsToSave: ['a', 'b'], gradFunc: perNetworkGradient });
