/**
 * Node hosts: the pack GEMM kernel (kernels/pack-gemm.wasm, see core/nn/pack-gemm.ts),
 * read from the repository and installed on the active tfjs-wasm backend.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import { installPackGemm } from '../core/nn/pack-gemm';

let compiled: WebAssembly.Module | undefined;

/**
 * The repository's kernels/pack-gemm.wasm: looked up from this file's directory upwards,
 * because esbuild bundles of the Node scripts and threads run from node_modules/.cache.
 */
function packGemmModule(): WebAssembly.Module {
  if (compiled) return compiled;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const file = join(dir, 'kernels', 'pack-gemm.wasm');
    if (existsSync(file)) return (compiled = new WebAssembly.Module(readFileSync(file)));
    const up = dirname(dir);
    if (up === dir) throw new Error(`kernels/pack-gemm.wasm not found above ${fileURLToPath(import.meta.url)}`);
    dir = up;
  }
}

/** Installs the pack GEMM kernel on the current backend if it is tfjs-wasm (a no-op elsewhere). */
export function installKernelsInNode(): void {
  if (tf.getBackend() === 'wasm') installPackGemm(tf.backend(), packGemmModule());
}
