/**
 * What the classical model blocks (model-svm.ts, model-tree.ts, model-sklearn-mlp.ts) share:
 * their prices in the custom experiments' cost units, the classification-only check, and
 * the metrics they can measure.
 *
 * Prices: Exp 3 fits the same models (core/experiments/exp03-data-size-vs-depth.ts cost)
 * and prices its units per classifier from measured CPU (core/sweep/pack-budget.ts,
 * PACK_TIME.exp3), while a custom experiment's units all take DEFAULT_PACK_TIME's price. So
 * an Exp 3 cost of classifier c is worth price_c / default custom units: the same CPU
 * estimate for the same fit. The default model's fixed part per pack (4 trial-equivalents,
 * meant for network packs) makes a lone classical trial's estimate about 5× its measured
 * CPU; packs of classical trials are therefore cut early rather than late.
 */
import { DEFAULT_PACK_TIME, packTimeModel } from '../sweep/pack-budget';
import type { DataShape } from './types';

/** An Exp 3 cost of this classifier ('svm', 'tree', 'shallow', 'deep') in the custom experiments' units. */
export function inCustomUnits(exp3Units: number, classifier: 'svm' | 'tree' | 'shallow' | 'deep'): number {
  const price = (model: typeof DEFAULT_PACK_TIME, params: Record<string, unknown>) => (typeof model.msPerCostUnit === 'number' ? model.msPerCostUnit : model.msPerCostUnit(params));
  return (exp3Units * price(packTimeModel('exp3'), { classifier })) / price(DEFAULT_PACK_TIME, {});
}

/** Metrics every classical block measures: from its class predictions, and the pack's clock. */
export const PREDICTION_METRICS = ['test_accuracy', 'train_accuracy', 'runtime_s', 'class_counts', 'decision_boundary'] as const;

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
