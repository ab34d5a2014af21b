/**
 * TensorFlow.js 'wasm' backend (SIMD binary, single-threaded) for workerd.
 *
 * Why this exists: the stock backend obtains its .wasm bytes (fetch / fs) and
 * calls WebAssembly.instantiate(bytes), which workerd refuses ("Wasm code
 * generation disallowed by embedder"). Workers may only instantiate modules
 * that were compiled at upload time, i.e. `.wasm` imports, which wrangler's
 * default CompiledWasm rule turns into a `WebAssembly.Module`. So we keep the
 * package's kernels and BackendWasm class but swap in a backend factory that
 * hands emscripten that precompiled module.
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-core/dist/register_all_gradients';
// Side effect: registers every wasm kernel under backendName 'wasm' (and the
// stock 'wasm' factory, which we replace below). BackendWasm is the real
// KernelBackend; only its module bootstrap is unusable here.
import { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
// Non-threaded glue on purpose: it serves both the plain and SIMD binaries
// (the package itself pairs it with the SIMD .wasm). The "-simd.js" glue has a
// broken post.js (throws "Could not find wasm module"), and the threaded glue
// needs Workers/SharedArrayBuffer pthreads, which workerd doesn't offer.
import wasmFactory from '@tensorflow/tfjs-backend-wasm/wasm-out/tfjs-backend-wasm.js';
// @ts-ignore -- wrangler bundles `.wasm` imports as a precompiled WebAssembly.Module.
import simdModule from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm';
// @ts-ignore -- the same rule: atomsweep's own kernels (kernels/*.c, core/nn/wasm-kernels.ts).
import kernelsModule from '../kernels/atomsweep-kernels.wasm';
import { installWasmKernels } from '../core/nn/wasm-kernels';

// The wasm package lacks some kernels that tfjs-core's gradients call, most
// notably UnsortedSegmentSum (the gradient of tf.gather) and the conv
// backprop-filter kernels. Importing the cpu package registers its kernels so
// we can run those few on a private CPU backend (see bridgeMissingKernels).
import { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';

type WasmModule = Awaited<ReturnType<typeof wasmFactory>>;

/**
 * Runs the emscripten factory with `process` hidden. With nodejs_compat,
 * workerd has a `process` whose `versions.node` is set, so the glue takes its
 * Node branch: `__dirname` (ReferenceError in workerd), require('fs'), and
 * process.on('unhandledRejection', r => { throw r }) hooks that would outlive
 * the call. Every `process` access in the glue happens synchronously inside
 * the factory call, so hiding it for just that call is sufficient.
 */
function withoutNodeProcess<T>(fn: () => T): T {
  const g = globalThis as { process?: unknown };
  const saved = Object.getOwnPropertyDescriptor(g, 'process');
  if (saved === undefined) return fn();
  Object.defineProperty(g, 'process', { value: undefined, configurable: true, writable: true });
  try {
    return fn();
  } finally {
    Object.defineProperty(g, 'process', saved);
  }
}

async function createBackend(): Promise<tf.KernelBackend> {
  const module: WasmModule = await withoutNodeProcess(() => wasmFactory({
    // Never derive a URL/path for the binary: nothing is read at runtime.
    locateFile: (path: string) => path,
    // Emscripten's escape hatch for custom instantiation: instantiating an
    // already-compiled Module is allowed where compiling bytes is not.
    instantiateWasm: (
      imports: WebAssembly.Imports,
      receive: (instance: WebAssembly.Instance, module: WebAssembly.Module) => void,
    ) => {
      WebAssembly.instantiate(simdModule as WebAssembly.Module, imports).then(
        (instance) => receive(instance, simdModule as WebAssembly.Module),
      );
      return {}; // async instantiation: emscripten waits for receive()
    },
  }));
  // Same bridge the package's init() builds; BackendWasm's constructor calls
  // initWithThreadsCount/getThreadsCount, the rest is used per tensor.
  // (cwrap is typed locally: @types/emscripten's globals may not be loaded.)
  type CWrap = (name: string, ret: 'number' | null, args: 'number'[]) => (...a: number[]) => any;
  const cwrap = (module as unknown as { cwrap: CWrap }).cwrap;
  module.tfjs = {
    init: cwrap('init', null, []),
    initWithThreadsCount: cwrap('init_with_threads_count', null, ['number']),
    getThreadsCount: cwrap('get_threads_count', 'number', []),
    registerTensor: cwrap('register_tensor', null, ['number', 'number', 'number']),
    disposeData: cwrap('dispose_data', null, ['number']),
    dispose: cwrap('dispose', null, []),
  };
  return new BackendWasm(module);
}

// complex64 has no wasm storage and Draw needs a canvas: not bridgeable.
const UNBRIDGEABLE = new Set(['Complex', 'ComplexAbs', 'FFT', 'IFFT', 'Imag', 'Real', 'Draw']);

/**
 * For every kernel the cpu backend has and wasm lacks, register a 'wasm'
 * kernel that copies inputs to a private CPU backend, runs the CPU kernel and
 * copies results back. Slower than native, but these are rare ops (gather's
 * gradient, conv filter grads) and the alternative is a hard
 * "Kernel ... not registered for backend 'wasm'" mid-training.
 */
function bridgeMissingKernels(): void {
  const have = new Set(tf.getKernelsForBackend('wasm').map((k) => k.kernelName));
  let cpu: MathBackendCPU | null = null; // created lazily: most runs never need it
  for (const k of tf.getKernelsForBackend('cpu')) {
    if (have.has(k.kernelName) || UNBRIDGEABLE.has(k.kernelName)) continue;
    tf.registerKernel({
      kernelName: k.kernelName,
      backendName: 'wasm',
      kernelFunc: ({ inputs, attrs, backend }) => {
        const wasm = backend as BackendWasm;
        if (cpu === null) {
          cpu = new MathBackendCPU();
          // nodejs_compat makes tfjs think it's in Node, so the first write()
          // would log a "install tfjs-node" banner that is irrelevant here.
          (cpu as unknown as { firstUse: boolean }).firstUse = false;
        }
        const cpuInputs: tf.NamedTensorInfoMap = {};
        const cpuIds: tf.DataId[] = [];
        for (const [name, t] of Object.entries(inputs)) {
          if (t == null) continue;
          const dataId = cpu.write(wasm.readSync(t.dataId), t.shape, t.dtype);
          cpuIds.push(dataId);
          cpuInputs[name] = { dataId, shape: t.shape, dtype: t.dtype };
        }
        try {
          const out = k.kernelFunc({ inputs: cpuInputs, attrs, backend: cpu });
          const outs = (Array.isArray(out) ? out : [out]).map((o) => {
            const values = cpu!.readSync(o.dataId) as tf.backend_util.BackendValues;
            cpu!.disposeData(o.dataId, true);
            return wasm.makeOutput(o.shape, o.dtype, undefined, values);
          });
          return Array.isArray(out) ? outs : outs[0];
        } finally {
          for (const id of cpuIds) cpu.disposeData(id, true);
        }
      },
    });
  }
}

/**
 * Points 'wasm' at our factory. Runs at import too, so that tf.ready() or the
 * first op (which auto-pick the highest-priority backend) never try the
 * package's stock factory, which would fail and fall back to cpu.
 */
let bridged = false;
function ensureRegistered(): void {
  const factory = tf.findBackendFactory('wasm');
  if (factory !== createBackend) {
    // registerBackend() refuses duplicate names, so drop the stock one first.
    if (factory !== null) tf.removeBackend('wasm');
    tf.registerBackend('wasm', createBackend, 2 /* the package's priority */);
  }
  if (!bridged) {
    bridgeMissingKernels();
    bridged = true;
  }
}
ensureRegistered();

// Single-flight: tfjs-core treats an overlapping second setBackend() as
// superseding the first (the first resolves false) and would run the factory
// twice, so concurrent requests in one isolate must share one activation.
let activating: Promise<void> | null = null;

/** Registers and activates the 'wasm' backend (SIMD binary, single-threaded) inside workerd; idempotent, safe to call on every request/queue batch. */
/** `kernels`: install atomsweep's kernels on a new instance (the engine's choice, core/engine.ts; default yes). */
export async function initWasmBackend(options: { kernels?: boolean } = {}): Promise<void> {
  ensureRegistered();
  // getBackend() names the backend as soon as a switch *starts*; findBackend()
  // is only non-null once the instance exists.
  if (activating === null && tf.getBackend() === 'wasm' && tf.findBackend('wasm') != null) return;
  activating ??= (async () => {
    try {
      // Resolves false (doesn't throw) when the factory fails; the cause is
      // logged by tfjs-core as "Initialization of backend wasm failed".
      if (!(await tf.setBackend('wasm'))) {
        throw new Error("tfjs: failed to initialise the 'wasm' backend in workerd");
      }
      // On every new backend instance (also after resetWasmBackend): it lives on that heap.
      if (options.kernels ?? true) installWasmKernels(tf.backend(), kernelsModule as WebAssembly.Module);
    } finally {
      activating = null; // allow a retry after failure, or after a switch away
    }
  })();
  await activating;
}

/**
 * Replaces the 'wasm' backend by a fresh instance after a WebAssembly fault ("memory access
 * out of bounds", "unreachable", an emscripten abort): the old instance's heap is broken,
 * and every later kernel on it would fail the same way. tf.engine().reset() disposes every
 * backend instance and the tensor bookkeeping (the failed pack's tensors are garbage
 * anyway) but keeps the registered factories and kernels, so the next activation
 * instantiates the precompiled module again, with a new heap.
 */
export async function resetWasmBackend(options: { kernels?: boolean } = {}): Promise<void> {
  try {
    tf.engine().reset();
  } catch (err) {
    // Disposing through a broken heap can throw; dropping the instance is what matters.
    console.error(`tfjs reset: ${String(err)}`);
    if (tf.findBackend('wasm') != null) tf.removeBackend('wasm');
  }
  activating = null;
  ensureRegistered();
  await initWasmBackend(options);
}
