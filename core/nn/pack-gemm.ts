/**
 * The pack GEMM kernel (kernels/pack-gemm.c): all K networks' products of one layer in
 * one call on the tfjs-wasm heap, with XNNPACK's summation order, so its results are
 * bit-identical to the per-network XNNPACK products of core/nn/matmul.ts while skipping
 * their per-call weight packing and explicit transposes.
 *
 * The compiled module is handed in by the host (the Worker imports the .wasm, which
 * wrangler precompiles; Node reads the file: node/kernels.ts), because a Worker may not
 * compile WebAssembly from bytes. It is instantiated on the backend's own memory, once
 * per backend instance; a backend without it (a host that did not install it, or a
 * backend replaced after a fault and not yet re-installed) keeps the XNNPACK path, which
 * gives the same numbers more slowly.
 */
import type * as tf from '@tensorflow/tfjs-core';

interface EmscriptenModule {
  asm: { memory: WebAssembly.Memory };
  _malloc(bytes: number): number;
  _free(ptr: number): void;
}

export interface PackGemm {
  /**
   * For networks 0..live−1: out_k [m × n] = op(a_k) · op(b_k); slots live..K−1 of out are
   * zeroed. a_k is [m × k] or, with transA, [k × m] read transposed; b_k is [k × n] or,
   * with transB, [n × k]. Offsets are byte offsets of dense stacked tensors on the heap.
   */
  run(a: number, b: number, out: number, K: number, live: number, m: number, n: number, k: number, transA: boolean, transB: boolean): void;
}

type RawGemm = (a: number, b: number, out: number, scratch: number, K: number, live: number, m: number, n: number, k: number, transA: number, transB: number) => void;

const installed = new WeakMap<object, PackGemm & { dispose(): void }>();

/** Instantiates the kernel on a tfjs-wasm backend's heap (idempotent per backend instance). */
export function installPackGemm(backend: tf.KernelBackend, module: WebAssembly.Module): void {
  const wasm = (backend as unknown as { wasm?: EmscriptenModule }).wasm;
  if (!wasm?.asm?.memory) throw new Error('installPackGemm: not a tfjs-wasm backend');
  if (installed.has(wasm)) return;
  const instance = new WebAssembly.Instance(module, { env: { memory: wasm.asm.memory } });
  const raw = instance.exports.pack_gemm as RawGemm;
  // One scratch buffer for a transposed operand, grown on demand and kept for the backend's life.
  let scratch = 0;
  let scratchBytes = 0;
  installed.set(wasm, {
    run(a, b, out, K, live, m, n, k, transA, transB) {
      if (transB && k * n * 4 > scratchBytes) {
        if (scratch) wasm._free(scratch);
        scratchBytes = k * n * 4;
        scratch = wasm._malloc(scratchBytes);
        if (!scratch) throw new Error(`pack GEMM: could not allocate ${scratchBytes} bytes of scratch`);
      }
      raw(a, b, out, scratch, K, live, m, n, k, transA ? 1 : 0, transB ? 1 : 0);
    },
    dispose() {
      if (scratch) wasm._free(scratch);
      scratch = scratchBytes = 0;
    },
  });
}

/** The kernel installed on this backend instance, if any. */
export function packGemmFor(backend: unknown): PackGemm | undefined {
  const wasm = (backend as { wasm?: object }).wasm;
  return wasm ? installed.get(wasm) : undefined;
}

/**
 * Removes the kernel from a backend instance, so its products go back to the XNNPACK
 * path: the bench measures both in one run, and the tests compare their bits.
 */
export function uninstallPackGemm(backend: tf.KernelBackend): void {
  const wasm = (backend as unknown as { wasm?: object }).wasm;
  if (!wasm) return;
  installed.get(wasm)?.dispose();
  installed.delete(wasm);
}
