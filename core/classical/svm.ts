/**
 * scikit-learn's `SVC()` (RBF kernel, C-SVC) on libsvm-js, the libsvm C library compiled by
 * emscripten. sklearn 0.19 defaults: C = 1, gamma 'auto' = 1/n_features, tol 1e-3,
 * shrinking on, no class weights, no probability estimates; cache_size only affects speed.
 *
 * The library is reached through a loader the host passes in the run context, so core stays
 * host-agnostic: Node hosts node/libsvm-node.ts (the package's WASM build read from disk),
 * the Worker workers/libsvm-loader.ts (workerd cannot compile WASM from bytes, so it hands
 * emscripten a precompiled module).
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

/**
 * How a host loads libsvm-js: passed as a value in the run context (RunContext.libsvm,
 * core/experiments/types.ts), never set on this module. Node: node/libsvm-node.ts; workerd:
 * workers/libsvm-loader.ts. `oncePerLoader` makes a loader load once and retry after a failure.
 */
export type LibsvmLoader = () => Promise<LibsvmClass>;

export function oncePerLoader(load: LibsvmLoader): LibsvmLoader {
  let loaded: Promise<LibsvmClass> | null = null;
  return () => {
    loaded ??= load().catch((err) => {
      loaded = null; // let a later call retry
      throw err;
    });
    return loaded;
  };
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
export async function fitPredictSvc(train: Table, evalSets: Table[], o: SvcOptions, libsvm: LibsvmLoader): Promise<SvcFit> {
  const SVM = await libsvm();
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
