/**
 * atomsweep's own WebAssembly kernels (kernels/atomsweep-kernels.c), run on the tfjs-wasm
 * heap beside the backend's kernels. Each keeps the float32 roundings of what it replaces,
 * so results are bit-identical with or without them (test/core/wasm-kernels.test.ts); they
 * only save time:
 * - the pack GEMM (kernels/gemm.c): all K networks' products of a layer in one call,
 *   with XNNPACK's summation order, without the per-call weight packing and explicit
 *   transposes of the per-network XNNPACK path (core/nn/matmul.ts);
 *   With a layer's bias it also adds the bias (the one float32 addition tfjs's broadcast
 *   Add makes) and sums the bias gradient per column in tfjs's order, so a dense layer is
 *   one kernel forward and three backward (core/nn/matmul.ts packDense);
 * - TF1 Adam in one pass instead of twelve kernels (kernels/elementwise.c, core/nn/adam.ts);
 * - the sigmoid's gradient dy·(y·(1−y)) in one pass instead of three kernels (sigmoid()
 *   below; the forward pass stays tfjs-wasm's own Sigmoid kernel);
 * - a non-copying Identity: tfjs-core clones every tensor it saves for the backward pass
 *   through the Identity kernel, which tfjs-wasm implements as a full copy. Tensors are
 *   immutable, so sharing the data (as tfjs's cpu backend does, and as tfjs-wasm's own
 *   Reshape does) gives the same values without the copy.
 *
 * The compiled module is handed in by the host (the Worker imports the .wasm, which
 * wrangler precompiles; Node reads the file: node/kernels.ts), because a Worker may not
 * compile WebAssembly from bytes. It is instantiated on the backend's own memory, once per
 * backend instance. A backend without it (a host that did not install it, or one replaced
 * after a fault and not yet re-installed) runs the tfjs kernels: same numbers, slower.
 */
import * as tf from '@tensorflow/tfjs-core';
import { LIBM_TABLES_BYTES, writeLibmTables } from './libm-tables';

interface EmscriptenModule {
  asm: { memory: WebAssembly.Memory };
  _malloc(bytes: number): number;
  _free(ptr: number): void;
}

interface WasmBackendInternals {
  wasm: EmscriptenModule;
  makeOutput(shape: number[], dtype: tf.DataType, memoryOffset?: number): tf.TensorInfo;
  typedArrayFromHeap(info: tf.TensorInfo): Float32Array;
  incRef(dataId: tf.DataId): void;
  dataIdMap: { get(dataId: tf.DataId): { memoryOffset: number; refCount: number } };
}

export interface WasmKernels {
  /**
   * For networks 0..live−1: out_k [m × n] = op(a_k) · op(b_k) (+ bias_k [n] on every row,
   * when `bias` is not 0); slots live..K−1 of out are zeroed (or set to their bias). a_k
   * is [m × k] or, with transA, [k × m] read transposed; b_k is [k × n] or, with transB,
   * [n × k]. Offsets are byte offsets of dense stacked tensors on the heap.
   */
  gemm(a: number, b: number, bias: number, out: number, K: number, live: number, m: number, n: number, k: number, transA: boolean, transB: boolean, order: SumOrder, post?: GemmPost): void;
  /** out = tfjs-wasm's sigmoid of x over n elements (kernels/elementwise.c). */
  sigmoid(x: number, out: number, n: number): void;
  /** out = tfjs-wasm's ReLU of x, and its gradient dy·step(x) from its input x, over n elements. */
  relu(x: number, out: number, n: number): void;
  reluGrad(dy: number, x: number, out: number, n: number): void;
  /**
   * g = d(Σ_k loss_k)/dz for logits z and targets t [K, B, C] (kernels/losses.c), as tf.grad
   * of core/nn/losses.ts packLoss computes it, for the losses in FUSED_LOSS_GRADIENTS.
   */
  lossGrad(loss: FusedLoss, z: number, t: number, g: number, K: number, B: number, C: number): void;
  /** out = tfjs-wasm's expf / logf of x over n elements (kernels/libm.c). */
  exp(x: number, out: number, n: number): void;
  log(x: number, out: number, n: number): void;
  /** out_k [n] = column sums of dy_k [m × n], in row order from 0 (tfjs's Sum order). */
  columnSums(dy: number, out: number, K: number, m: number, n: number): void;
  /** out = dy · (y · (1 − y)) over n elements: the sigmoid's gradient from its output y. */
  sigmoidGrad(dy: number, y: number, out: number, n: number): void;
  /** TF1 Adam over n parameters (kernels/elementwise.c); scalars as float32. */
  adam(p: number, m: number, v: number, g: number, pOut: number, mOut: number, vOut: number, n: number, scalars: AdamScalars): void;
  /**
   * One network's whole step, a block of rows at a time (kernels/mlp-step.c): the logits of
   * x's rows and the weights' and biases' gradients. `layers` holds, per layer, the byte
   * offsets of W, b, dW and db.
   */
  mlpStep(step: MlpStepShape, layers: Int32Array, x: number, y: number, logits: number): void;
}

/** What kernels/mlp-step.c needs to know of a step besides its tensors. */
export interface MlpStepShape {
  /** Layer widths, input to output. */
  sizes: number[];
  rows: number;
  /** Rows per block. */
  block: number;
  loss: FusedLoss;
  activation: 'identity' | 'sigmoid' | 'relu';
}

const ACTIVATION_CODE = { identity: 0, sigmoid: 1, relu: 2 } as const;

/**
 * What the GEMM applies to its output as it writes it (kernels/gemm.c): nothing, a forward
 * layer's activation (sigmoid, ReLU), or its gradient with y, laid out as the output, the
 * activation's output (sigmoid) or input (ReLU) at the layer's input (a backward product
 * dA = G·Wᵀ): dy·(y·(1−y)), or dy·step(x). A forward ReLU can `save` its input there.
 * The same float32 operations as the separate kernels, so the same bits.
 */
export type GemmPost =
  | { kind: 'none' }
  | { kind: 'sigmoid' }
  | { kind: 'sigmoid-grad'; y: number }
  | { kind: 'relu'; save?: number }
  | { kind: 'relu-grad'; y: number };

const POST_CODE = { none: 0, sigmoid: 1, 'sigmoid-grad': 2, relu: 3, 'relu-grad': 4 } as const;

/** The losses whose gradient kernels/losses.c computes in one pass. */
export const FUSED_LOSS_GRADIENTS = { cross_entropy: 1, mean_squared_error: 2 } as const;
export type FusedLoss = keyof typeof FUSED_LOSS_GRADIENTS;

/**
 * Which engine's summation order a product reproduces: XNNPACK's (one running sum per
 * output) or tfjs-wasm's own loop (partial sums over blocks of 48, each added to the
 * output), which tfjs uses for every stacked or transposed product.
 */
export type SumOrder = 'xnnpack' | 'tfjs-loop';

/** Adam's scalars, each as the float32 tfjs would make of the JS number. */
export interface AdamScalars {
  beta1: number;
  oneMinusBeta1: number;
  beta2: number;
  oneMinusBeta2: number;
  lrT: number;
  epsilon: number;
}

interface Exports {
  pack_gemm(a: number, b: number, bias: number, out: number, scratch: number, panels: number, K: number, live: number, m: number, n: number, k: number, transA: number, transB: number, blocked: number, post: number, y: number): void;
  gemm_work(k: number, n: number): number;
  mlp_step(desc: number, x: number, y: number, logits: number, scratch: number, tables: number): void;
  mlp_step_scratch(desc: number): number;
  sigmoid(x: number, out: number, n: number): void;
  relu(x: number, out: number, n: number): void;
  relu_grad(dy: number, y: number, out: number, n: number): void;
  loss_grad(loss: number, z: number, t: number, g: number, K: number, B: number, C: number, tables: number): void;
  expf_n(x: number, out: number, n: number, tables: number): void;
  logf_n(x: number, out: number, n: number, tables: number): void;
  column_sums(dy: number, out: number, K: number, m: number, n: number): void;
  sigmoid_grad(dy: number, y: number, out: number, n: number): void;
  adam_tf1(p: number, m: number, v: number, g: number, pOut: number, mOut: number, vOut: number, n: number, b1: number, c1: number, b2: number, c2: number, lr: number, eps: number): void;
}

const installed = new WeakMap<object, WasmKernels & { dispose(): void }>();

/** A heap buffer that grows to the largest size asked of it (its contents are not kept). */
function heapBuffer(wasm: EmscriptenModule, what: string): { atLeast(bytes: number): number; free(): void } {
  let at = 0;
  let size = 0;
  return {
    atLeast(bytes) {
      if (bytes > size) {
        if (at) wasm._free(at);
        at = wasm._malloc(bytes);
        // A failed allocation leaves no buffer, so the next call tries again.
        size = at ? bytes : 0;
        if (!at) throw new Error(`${what}: could not allocate ${bytes} bytes`);
      }
      return at;
    },
    free() {
      if (at) wasm._free(at);
      at = size = 0;
    },
  };
}

/** Instantiates the kernels on a tfjs-wasm backend's heap (idempotent per backend instance). */
export function installWasmKernels(backend: tf.KernelBackend, module: WebAssembly.Module): void {
  const wasm = (backend as unknown as { wasm?: EmscriptenModule }).wasm;
  if (!wasm?.asm?.memory) throw new Error('installWasmKernels: not a tfjs-wasm backend');
  if (installed.has(wasm)) return;
  const exports = new WebAssembly.Instance(module, { env: { memory: wasm.asm.memory } }).exports as unknown as Exports;
  // Heap buffers grown on demand and kept for the backend's life: the pack GEMM's scratch (a
  // transposed operand, its work space), the whole-step kernel's descriptor and its scratch.
  const scratch = heapBuffer(wasm, 'pack GEMM scratch');
  const desc = heapBuffer(wasm, 'mlpStep descriptor');
  const stepScratch = heapBuffer(wasm, 'mlpStep scratch');
  // The libm tables (kernels/libm.c), written once.
  const tables = wasm._malloc(LIBM_TABLES_BYTES);
  if (!tables) throw new Error('installWasmKernels: could not allocate the libm tables');
  writeLibmTables(wasm.asm.memory.buffer, tables);
  installed.set(wasm, {
    gemm(a, b, bias, out, K, live, m, n, k, transA, transB, order, post = { kind: 'none' }) {
      const transposed = transB ? k * n * 4 : 0;
      // The kernel says what work space it needs (kernels/gemm.c GEMM_WORK), after the transposed operand.
      const at = scratch.atLeast(transposed + exports.gemm_work(k, n) * 4);
      exports.pack_gemm(a, b, bias, out, at, at + transposed, K, live, m, n, k, transA ? 1 : 0, transB ? 1 : 0, order === 'tfjs-loop' ? 1 : 0, POST_CODE[post.kind], 'y' in post ? post.y : post.kind === 'relu' ? (post.save ?? 0) : 0);
    },
    sigmoid(x, out, n) {
      exports.sigmoid(x, out, n);
    },
    relu(x, out, n) {
      exports.relu(x, out, n);
    },
    reluGrad(dy, y, out, n) {
      exports.relu_grad(dy, y, out, n);
    },
    lossGrad(loss, z, t, g, K, B, C) {
      exports.loss_grad(FUSED_LOSS_GRADIENTS[loss], z, t, g, K, B, C, tables);
    },
    exp(x, out, n) {
      exports.expf_n(x, out, n, tables);
    },
    log(x, out, n) {
      exports.logf_n(x, out, n, tables);
    },
    columnSums(dy, out, K, m, n) {
      exports.column_sums(dy, out, K, m, n);
    },
    sigmoidGrad(dy, y, out, n) {
      exports.sigmoid_grad(dy, y, out, n);
    },
    adam(p, m, v, g, pOut, mOut, vOut, n, s) {
      exports.adam_tf1(p, m, v, g, pOut, mOut, vOut, n, s.beta1, s.oneMinusBeta1, s.beta2, s.oneMinusBeta2, s.lrT, s.epsilon);
    },
    mlpStep(step, layers, x, y, logits) {
      // The descriptor kernels/mlp-step.c reads: layers, rows, block, loss, activation, widths, then per layer 4 offsets.
      const L = step.sizes.length - 1;
      const ints = 5 + L + 1 + 4 * L;
      if (layers.length !== 4 * L) throw new Error(`mlpStep: ${layers.length} layer offsets for ${L} layers`);
      const at = desc.atLeast(ints * 4);
      const d = new Int32Array(wasm.asm.memory.buffer, at, ints);
      d.set([L, step.rows, step.block, FUSED_LOSS_GRADIENTS[step.loss], ACTIVATION_CODE[step.activation], ...step.sizes]);
      d.set(layers, 5 + L + 1);
      exports.mlp_step(at, x, y, logits, stepScratch.atLeast(exports.mlp_step_scratch(at) * 4), tables);
    },
    dispose() {
      wasm._free(tables);
      for (const buffer of [scratch, desc, stepScratch]) buffer.free();
    },
  });
  shareIdentity();
}

/**
 * The kernels installed on this backend instance, if any. A host installs them when its
 * engine uses them (core/engine.ts: the 'baseline' engine runs tfjs's own kernels only).
 */
export function wasmKernelsFor(backend: unknown): WasmKernels | undefined {
  const wasm = (backend as { wasm?: object } | undefined)?.wasm;
  return wasm ? installed.get(wasm) : undefined;
}

/**
 * Removes the kernels from a backend instance, so it runs the tfjs kernels again: the
 * bench measures both in one run, and the tests compare their bits. (The Identity
 * kernel stays non-copying: it changes no value, only memory traffic.)
 */
export function uninstallWasmKernels(backend: tf.KernelBackend): void {
  const wasm = (backend as unknown as { wasm?: object }).wasm;
  if (!wasm) return;
  installed.get(wasm)?.dispose();
  installed.delete(wasm);
}

/**
 * A new float32 tensor on the wasm backend's heap, its values not yet written: for a kernel
 * called directly (core/nn/mlp-step.ts) to write into. Tracked by the engine like any tensor.
 */
export function heapTensor(backend: unknown, shape: number[]): tf.Tensor {
  const info = (backend as WasmBackendInternals).makeOutput(shape, 'float32');
  return tf.engine().makeTensorFromTensorInfo(info, backend as tf.KernelBackend);
}

/** A float32 tensor's data on the wasm heap, as a view (writes go to the tensor). */
export function heapView(backend: unknown, t: tf.TensorInfo): Float32Array {
  return (backend as WasmBackendInternals).typedArrayFromHeap(t);
}

/**
 * Whether a tensor is the only holder of its data on the wasm backend, so that writing it in
 * place changes no other tensor (reshapes and atomsweep's non-copying Identity share data).
 */
export function soleHolder(backend: unknown, t: tf.TensorInfo): boolean {
  return (backend as WasmBackendInternals).dataIdMap.get(t.dataId).refCount === 1;
}

/**
 * The heap byte offset of network k's slice of a tensor stacked on a leading axis of
 * networks ([K, …], dense): for calls that compute one network of a pack.
 */
export function networkOffset(backend: unknown, t: tf.Tensor, k: number): number {
  return heapOffset(backend, t) + (k * t.size * Float32Array.BYTES_PER_ELEMENT) / t.shape[0];
}

/** The heap byte offset of a tensor's data on the wasm backend. */
export function heapOffset(backend: unknown, t: tf.TensorInfo): number {
  return (backend as WasmBackendInternals).dataIdMap.get(t.dataId).memoryOffset;
}

// ---------------------------------------------------------------------------------------
// Kernels registered with tfjs (process-wide registries, so registered once).

const ADAM = 'AtomsweepAdamTF1';

/** TF1 Adam's new (parameter, m, v) for one parameter tensor, in one pass; needs installed kernels. */
export function adamStep(p: tf.Tensor, m: tf.Tensor, v: tf.Tensor, g: tf.Tensor, scalars: AdamScalars): [tf.Tensor, tf.Tensor, tf.Tensor] {
  return tf.engine().runKernel(ADAM, { p, m, v, g }, scalars as unknown as tf.NamedAttrMap) as unknown as [tf.Tensor, tf.Tensor, tf.Tensor];
}

function adamKernel({ inputs, backend: b, attrs }: { inputs: tf.NamedTensorInfoMap; backend: unknown; attrs?: tf.NamedAttrMap }): tf.TensorInfo[] {
  const backend = b as WasmBackendInternals;
  const kernels = wasmKernelsFor(backend);
  if (!kernels) throw new Error(`${ADAM}: the atomsweep kernels are not installed on this backend`);
  const { p, m, v, g } = inputs as Record<'p' | 'm' | 'v' | 'g', tf.TensorInfo>;
  const outs = [p, m, v].map((t) => backend.makeOutput(t.shape, 'float32'));
  const at = (t: tf.TensorInfo) => heapOffset(backend, t);
  kernels.adam(at(p), at(m), at(v), at(g), at(outs[0]), at(outs[1]), at(outs[2]), tf.util.sizeFromShape(p.shape), attrs as unknown as AdamScalars);
  return outs;
}

if (!tf.getKernel(ADAM, 'wasm')) tf.registerKernel({ kernelName: ADAM, backendName: 'wasm', kernelFunc: adamKernel as unknown as tf.KernelFunc });

const SIGMOID = 'AtomsweepSigmoid';
const SIGMOID_GRAD = 'AtomsweepSigmoidGrad';

/**
 * tf.sigmoid, with the fused gradient when atomsweep's kernels are installed. The forward
 * pass is tfjs-wasm's Sigmoid kernel itself, so its values are tf.sigmoid's.
 */
export function sigmoid(x: tf.Tensor): tf.Tensor {
  if (!wasmKernelsFor(tf.backend())) return tf.sigmoid(x);
  return tf.engine().runKernel(SIGMOID, { x }) as tf.Tensor;
}

function sigmoidKernel({ inputs, backend }: { inputs: tf.NamedTensorInfoMap; backend: unknown }): tf.TensorInfo {
  const stock = tf.getKernel(tf.Sigmoid, 'wasm')!.kernelFunc as unknown as (args: { inputs: tf.NamedTensorInfoMap; backend: unknown; attrs: tf.NamedAttrMap }) => tf.TensorInfo;
  return stock({ inputs, backend, attrs: {} });
}

function sigmoidGradKernel({ inputs, backend: b }: { inputs: tf.NamedTensorInfoMap; backend: unknown }): tf.TensorInfo {
  const backend = b as WasmBackendInternals;
  const kernels = wasmKernelsFor(backend);
  if (!kernels) throw new Error(`${SIGMOID_GRAD}: the atomsweep kernels are not installed on this backend`);
  const { dy, y } = inputs as Record<'dy' | 'y', tf.TensorInfo>;
  const out = backend.makeOutput(y.shape, 'float32');
  kernels.sigmoidGrad(heapOffset(backend, dy), heapOffset(backend, y), heapOffset(backend, out), tf.util.sizeFromShape(y.shape));
  return out;
}

if (!tf.getKernel(SIGMOID, 'wasm')) tf.registerKernel({ kernelName: SIGMOID, backendName: 'wasm', kernelFunc: sigmoidKernel as unknown as tf.KernelFunc });
if (!tf.getKernel(SIGMOID_GRAD, 'wasm')) tf.registerKernel({ kernelName: SIGMOID_GRAD, backendName: 'wasm', kernelFunc: sigmoidGradKernel as unknown as tf.KernelFunc });
if (!tf.getGradient(SIGMOID))
  tf.registerGradient({
    kernelName: SIGMOID,
    outputsToSave: [true],
    gradFunc: (dy, saved) => ({ x: () => tf.engine().runKernel(SIGMOID_GRAD, { dy: dy as tf.Tensor, y: saved[0] }) as tf.Tensor }),
  });

let identityShared = false;

/**
 * Replaces tfjs-wasm's copying Identity by one that shares the (immutable) data, on backend
 * instances with atomsweep's kernels installed (others, as the 'baseline' engine's, keep the copy).
 */
function shareIdentity(): void {
  if (identityShared) return;
  identityShared = true;
  const copying = tf.getKernel(tf.Identity, 'wasm')!.kernelFunc;
  tf.unregisterKernel(tf.Identity, 'wasm');
  tf.registerKernel({
    kernelName: tf.Identity,
    backendName: 'wasm',
    kernelFunc: ((args: { inputs: tf.NamedTensorInfoMap; backend: WasmBackendInternals; attrs: tf.NamedAttrMap }) => {
      if (!installed.has((args.backend as unknown as { wasm?: object }).wasm as object)) return (copying as unknown as (a: typeof args) => tf.TensorInfo)(args);
      const x = args.inputs.x as tf.TensorInfo;
      args.backend.incRef(x.dataId);
      return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
    }) as unknown as tf.KernelFunc,
  });
}
