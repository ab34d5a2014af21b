/**
 * scikit-learn's `SVC()` (RBF kernel, C-SVC) on libsvm-js, the libsvm C library compiled by
 * emscripten. sklearn 0.19 defaults: C = 1, gamma 'auto' = 1/n_features, tol 1e-3,
 * shrinking on, no class weights, no probability estimates; cache_size only affects speed.
 *
 * The library is reached through a factory so core stays host-agnostic: the default loads
 * the package's WASM build in Node; workerd cannot compile WASM from bytes, so a Worker
 * injects its own loader (workers/libsvm-loader.ts) with `setLibsvmFactory` at startup.
 * (Inside workerd with nodejs_compat `process.versions.node` is set too, so the Node loader
 * would be attempted and fail there: the Worker must inject.)
 * Every build runs the same C code in float64, so builds give identical models.
 */
import type { Table } from '../data/dataset';

/** The subset of libsvm-js's `SVM` instance API used here. */
export interface LibsvmModel {
  train(samples: number[][], labels: number[]): void;
  predict(samples: number[][]): number[];
  getSVIndices(): number[];
  free(): void;
}

/** libsvm-js's `SVM` class (what `require('libsvm-js/asm')` / `await require('libsvm-js/wasm')` return). */
export interface LibsvmClass {
  new (options: Record<string, unknown>): LibsvmModel;
  KERNEL_TYPES: Record<string, string>;
  SVM_TYPES: Record<string, string>;
}

export type LibsvmFactory = () => Promise<LibsvmClass>;

/**
 * Node: `libsvm-js/wasm` exports a Promise of the class, resolved once its .wasm is read from
 * disk. It is loaded with a synchronous `require`: through ESM interop the thenable exports
 * (the Promise, and the emscripten Module's own `then`) confuse `await import()`. The glue
 * also registers process-wide hooks in Node (rethrow every uncaught exception;
 * process.exit(1) on any unhandled rejection), which would change how the host fails; the
 * require is synchronous, so exactly the listeners it added are removed again. `fetch` is
 * hidden during it too: Node 22 has one, so the glue would first try to fetch the .wasm by
 * file path, fail, log "wasm streaming compile failed" and then read the file anyway.
 */
async function loadNodeWasm(): Promise<LibsvmClass> {
  const proc = (globalThis as { process?: NodeLikeProcess }).process;
  if (!proc?.versions?.node) {
    throw new Error('libsvm-js: no loader for this host; call setLibsvmFactory() first (workerd: workers/libsvm-loader.ts)');
  }
  const { createRequire } = await import('node:module');
  const require = createRequire(import.meta.url);
  const events = ['uncaughtException', 'unhandledRejection'] as const;
  const before = events.map((e) => proc.listeners(e));
  const g = globalThis as Record<string, unknown>;
  const fetchDescriptor = Object.getOwnPropertyDescriptor(g, 'fetch');
  let pending: Promise<LibsvmClass>;
  try {
    if (fetchDescriptor) Object.defineProperty(g, 'fetch', { value: undefined, configurable: true, writable: true });
    pending = require('libsvm-js/wasm') as Promise<LibsvmClass>;
  } finally {
    if (fetchDescriptor) Object.defineProperty(g, 'fetch', fetchDescriptor);
    events.forEach((e, i) => {
      for (const l of proc.listeners(e)) if (!before[i].includes(l)) proc.removeListener(e, l);
    });
  }
  return pending;
}

interface NodeLikeProcess {
  versions?: { node?: string };
  listeners(event: string): unknown[];
  removeListener(event: string, listener: unknown): void;
}

let factory: LibsvmFactory = loadNodeWasm;
let loaded: Promise<LibsvmClass> | null = null;

/** Replaces how libsvm-js is loaded (call once at host startup, before any SVM trial). */
export function setLibsvmFactory(f: LibsvmFactory): void {
  factory = f;
  loaded = null;
}

/** The libsvm-js class, loaded once per isolate/process. */
export function loadLibsvm(): Promise<LibsvmClass> {
  loaded ??= factory().catch((err) => {
    loaded = null; // let a later call retry
    throw err;
  });
  return loaded;
}

export interface SvcOptions {
  C: number;
  /** RBF width; sklearn 0.19's 'auto' is 1/d. */
  gamma: number;
  /** Stopping tolerance of the SMO solver (libsvm -e; sklearn tol). */
  tol: number;
  /** Kernel cache in MB (speed only; sklearn's default is 200, kept small for 128 MB Workers). */
  cacheMb: number;
  shrinking: boolean;
}

export const SKLEARN_SVC_DEFAULTS: Omit<SvcOptions, 'gamma'> = { C: 1, tol: 1e-3, cacheMb: 200, shrinking: true };

export function rowsOf(t: Table): number[][] {
  return Array.from({ length: t.n }, (_, i) => Array.from(t.x.subarray(i * t.d, (i + 1) * t.d)));
}

export interface SvcFit {
  /** Predicted class of each row of each eval table. */
  predictions: Uint8Array[];
  nSupport: number;
}

/** Trains an RBF C-SVC on `train` and predicts every eval table; frees the WASM heap before returning. */
export async function fitPredictSvc(train: Table, evalSets: Table[], o: SvcOptions): Promise<SvcFit> {
  const SVM = await loadLibsvm();
  const svm = new SVM({
    type: SVM.SVM_TYPES.C_SVC,
    kernel: SVM.KERNEL_TYPES.RBF,
    cost: o.C,
    gamma: o.gamma,
    tolerance: o.tol,
    cacheSize: o.cacheMb,
    shrinking: o.shrinking,
    quiet: true,
  });
  try {
    svm.train(rowsOf(train), Array.from(train.labels));
    const predictions = evalSets.map((t) => Uint8Array.from(svm.predict(rowsOf(t))));
    return { predictions, nSupport: svm.getSVIndices().length };
  } finally {
    svm.free();
  }
}
