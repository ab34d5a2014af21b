/**
 * Node hosts: the kernels of kernels/atomsweep-kernels.wasm (see core/nn/wasm-kernels.ts),
 * read from the repository and installed on the active tfjs-wasm backend.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { installWasmKernels } from '../core/nn/wasm-kernels';

let compiled: WebAssembly.Module | undefined;

// Node compiles WebAssembly from bytes synchronously; the Workers types (which also check
// this file, through the tests) declare the constructor abstract, as workerd forbids it.
const CompileModule = WebAssembly.Module as unknown as new (bytes: Uint8Array) => WebAssembly.Module;

/**
 * A WebAssembly module of the repository (`path` from its root, e.g. kernels/atomsweep-kernels.wasm),
 * compiled: looked up from this file's directory upwards, because esbuild bundles of the Node
 * scripts and threads run from node_modules/.cache.
 */
export function repositoryModule(path: string): WebAssembly.Module {
  for (let dir = dirname(fileURLToPath(import.meta.url)); ; dir = dirname(dir)) {
    const file = join(dir, path);
    if (existsSync(file)) return new CompileModule(readFileSync(file));
    if (dirname(dir) === dir) throw new Error(`${path} not found above ${fileURLToPath(import.meta.url)}`);
  }
}

function kernelsModule(): WebAssembly.Module {
  return (compiled ??= repositoryModule('kernels/atomsweep-kernels.wasm'));
}

/** Installs atomsweep's kernels on the current backend if it is tfjs-wasm (a no-op elsewhere). */
export function installKernelsInNode(): void {
  if (tf.getBackend() === 'wasm') installWasmKernels(tf.backend(), kernelsModule());
}

/**
 * For Node scripts (bench/*.ts, scripts/spec-sweep.ts, bundled by scripts/run-ts.mjs):
 * tfjs-wasm (SIMD, one thread) from the installed package, whose glue would otherwise
 * look for its .wasm next to the bundle, and atomsweep's kernels unless `kernels` is false.
 */
export async function useWasmBackend(options: { kernels?: boolean } = {}): Promise<void> {
  setWasmPaths(dirname(createRequire(import.meta.url).resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm')) + '/');
  if (!(await tf.setBackend('wasm'))) throw new Error('tfjs: the wasm backend failed to initialise');
  await tf.ready();
  if (options.kernels ?? true) installKernelsInNode();
}
