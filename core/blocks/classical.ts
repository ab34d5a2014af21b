/**
 * What the classical model blocks (model-svm.ts, model-tree.ts, model-sklearn-mlp.ts) share:
 * their prices in the custom experiments' cost units, the classification-only check, and
 * the metrics they can measure.
 *
 * Prices: each block estimates its work in Exp 3's units (the notebook's experiment that
 * fits these models, core/experiments/specs/exp03-data-size-vs-depth.ts), whose CPU per unit
 * was measured per classifier (CLASSICAL_MS_PER_UNIT), while a custom experiment's units all
 * take DEFAULT_PACK_TIME's price (core/sweep/pack-budget.ts). So a block's cost is its Exp 3
 * units × price_c / the default price: the same CPU estimate for the same fit. The default
 * model's fixed part per pack (4 trial-equivalents, meant for network packs) makes a lone
 * classical trial's estimate about 5× its measured CPU; packs of classical trials are
 * therefore cut early rather than late (Exp 3 itself keeps its measured 0.2).
 */
import { DEFAULT_PACK_TIME } from '../sweep/pack-budget';
import type { DataShape } from './types';

/**
 * Exp 3's work units (≈ MLP steps × batch × parameters), converted for the other
 * classifiers at the speeds measured on the project machine (Node, tfjs wasm, ≈ 1.6e8
 * units/s on a loaded 2-core box):
 * - MLP: at most max_iter epochs of m rows (early stopping only shortens it), plus a fixed
 *   STEP_UNITS per Adam step for the ~100 kernel dispatches of a step, which is what the
 *   shallow net and small n spend their time on; plus scoring the test and training rows.
 * - SVM: libsvm's SMO and predicting the scored rows, ≈ SVM_UNITS per m²·d + scored·m·d
 *   (half or more of these overlapping rows end up support vectors).
 * - Tree: a presorted CART does O(m·d) work per level, ≈ TREE_UNITS per m·d·log2(m) (a tree
 *   of 8,000 rows is about 20 levels deep; 0.12 s).
 * At n = 10,000 (m = 8,000; one trial, Node, load ≈ 10 on 2 cores): deep 2.4e10 (83 s, 174
 * epochs), shallow 7.5e9 (39 s), svm 2.6e9 (12 s), tree 2e7 (0.12 s). (MLP times are from
 * before they took the per-network matMul path, so they overestimate.)
 */
export const STEP_UNITS = 6.6e5;
export const SVM_UNITS = 1.5;
export const TREE_UNITS = 16;

/**
 * CPU ms per Exp 3 unit, by classifier, measured with bench/pack-timing.ts at n = 10,000:
 * SVM (2.6e9 units) K=1 4.9 s, K=3 15.6 s; deep MLP (2.38e10) K=1 2.2 s, K=5 7.1 s; shallow
 * MLP (7.5e9) K=1 3.3 s, K=5 10.0 s.
 */
export const CLASSICAL_MS_PER_UNIT = { svm: 1.87e-6, tree: 1.87e-6, deep: 5.73e-8, shallow: 2.55e-7 } as const;

/** An Exp 3 cost of this classifier ('svm', 'tree', 'shallow', 'deep') in the custom experiments' units. */
export function inCustomUnits(exp3Units: number, classifier: keyof typeof CLASSICAL_MS_PER_UNIT): number {
  return (exp3Units * CLASSICAL_MS_PER_UNIT[classifier]) / (DEFAULT_PACK_TIME.msPerCostUnit as number);
}

/** Metrics every classical block measures: from its class predictions, the pack's clock, and its data. */
export const PREDICTION_METRICS = ['test_accuracy', 'train_accuracy', 'runtime_s', 'data_sizes', 'class_counts', 'decision_boundary'] as const;

/** A predicted class of two as a score whose sign is the class (for models without logits). */
export function classScores(classes: Uint8Array): Float32Array {
  return Float32Array.from(classes, (c) => (c === 1 ? 1 : -1));
}

/** Why a classical block cannot model this data: they classify only. */
export function classificationOnly(kind: string, data: DataShape): string | null {
  return data.task === 'regression' ? `model block '${kind}' is a classifier; this data block is a regression (use a network: mlp)` : null;
}

/** Mean binary log-loss of logits z against labels y ∈ {0, 1}: mean softplus(z) − y·z, in float64. */
export function binaryLogLoss(logits: Float32Array, labels: Float32Array): number {
  let sum = 0;
  for (let i = 0; i < logits.length; i++) {
    const z = logits[i];
    sum += Math.max(z, 0) + Math.log1p(Math.exp(-Math.abs(z))) - labels[i] * z;
  }
  return sum / logits.length;
}
