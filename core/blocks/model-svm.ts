/**
 * Model block `svm`: scikit-learn's `SVC()`, an RBF C-SVC on libsvm-js
 * (core/classical/svm.ts), with Exp 3's parameters and defaults
 * (core/experiments/specs/exp03-data-size-vs-depth.ts): C = 1, gamma 'auto' = 1/d, tol 1e-3, a
 * 32 MB kernel cache, shrinking on. It fits itself on each trial's training rows (the spec's
 * training block does nothing for it); libsvm is deterministic, so the same data gives the
 * same numbers. More than two classes: libsvm's one-vs-one, as sklearn.
 *
 * `n_params`: the numbers the fitted model stores: every support vector (d each), its
 * classes − 1 dual coefficients, and the k(k − 1)/2 intercepts.
 */
import { z } from 'zod';
import { fitPredictSvc } from '../classical/svm';
import { MB, MEMORY_SAFETY, WASM_BASE_BYTES } from '../experiments/memory';
import { classificationOnly, classScores, inCustomUnits, PREDICTION_METRICS, SVM_UNITS } from './classical';
import type { ClassicalModelBlock, DataShape, Values } from './types';

export const svmShape = {
  svm_c: z.number().positive().max(1e6),
  /** RBF width; 'auto' = 1/d (sklearn 0.19's gamma='auto'). */
  svm_gamma: z.union([z.literal('auto'), z.number().positive().max(1e6)]),
  /** Stopping tolerance of the SMO solver. */
  svm_tol: z.number().positive().max(1),
  /** libsvm's kernel cache in MB: speed only (sklearn's 200 MB would not fit a 128 MB Worker). */
  svm_cache_mb: z.number().int().min(1).max(64),
  svm_shrinking: z.boolean(),
};

type SvmValues = { svm_c: number; svm_gamma: 'auto' | number; svm_tol: number; svm_cache_mb: number; svm_shrinking: boolean };

/** Exp 3's SVM cost (libsvm's SMO ≈ m²·d, predicting the test and training rows) in the custom units. */
function cost(values: Values, data: DataShape): number {
  const m = data.trainRows;
  return inCustomUnits(SVM_UNITS * (m * m * data.input + (data.testRows + m) * m * data.input), 'svm');
}

export const svmBlock: ClassicalModelBlock = {
  family: 'model',
  kind: 'svm',
  classical: true,
  summary: "scikit-learn's SVC(): an RBF-kernel C-SVC (libsvm), fitted on the training rows; the training block does nothing for it.",
  shape: svmShape,
  defaults: { svm_c: 1, svm_gamma: 'auto', svm_tol: 1e-3, svm_cache_mb: 32, svm_shrinking: true },
  metrics: PREDICTION_METRICS,
  incompatible: (_values, data) => classificationOnly('svm', data),
  cost,
  // libsvm's own emscripten heap, one trial at a time: its kernel cache and the rows in float64 (as Exp 3).
  memory: (values, data) => WASM_BASE_BYTES + MEMORY_SAFETY * ((values.svm_cache_mb as number) * MB + 8 * 3 * (data.trainRows + data.testRows) * (data.input + 1)),
  async fit(input) {
    const p = input.params as SvmValues;
    // An SVM trial fails loudly on a host that passes no loader; it is never skipped.
    if (!input.libsvm) throw new Error('libsvm-js: this host passed no loader in the run context (Node: node/libsvm-node.ts, workerd: workers/libsvm-loader.ts)');
    const classes = input.data.output;
    const out = [];
    for (const { train, test } of input.splits) {
      const gamma = p.svm_gamma === 'auto' ? 1 / input.data.input : p.svm_gamma;
      const fit = await fitPredictSvc(train, input.extra ? [test, train, input.extra] : [test, train], { C: p.svm_c, gamma, tol: p.svm_tol, cacheMb: p.svm_cache_mb, shrinking: p.svm_shrinking }, input.libsvm);
      const nParams = fit.nSupport * (input.data.input + classes - 1) + (classes * (classes - 1)) / 2;
      out.push({ test: fit.predictions[0], train: fit.predictions[1], nParams, scalars: { n_support: fit.nSupport }, ...(input.extra ? { extraScores: classScores(fit.predictions[2]) } : {}) });
      // Each fit is one synchronous library call; let the host breathe between trials.
      await input.yieldToHost?.();
    }
    return out;
  },
};
