/**
 * Model block `decision_tree`: scikit-learn's `DecisionTreeClassifier()`, CART with gini
 * impurity (core/classical/decision-tree.ts), with Exp 3's parameters and defaults
 * (core/experiments/specs/exp03-data-size-vs-depth.ts): grown until every leaf is pure. It fits
 * itself on each trial's training rows (the spec's training block does nothing for it) and
 * draws nothing at random (among splits of exactly equal gini the first feature wins), so
 * the same data gives the same tree.
 *
 * `n_params`: the tree's nodes (a split's feature and threshold, or a leaf's class).
 */
import { z } from 'zod';
import { fitPredictTree } from '../classical/decision-tree';
import { classificationOnly, classScores, inCustomUnits, PREDICTION_METRICS, TREE_UNITS } from './classical';
import type { ClassicalModelBlock, Values } from './types';

export const treeShape = {
  /** null = unlimited depth (sklearn's max_depth=None). */
  tree_max_depth: z.number().int().min(1).max(10_000).nullable(),
  /** sklearn's min_samples_split: a node with fewer rows is a leaf. */
  tree_min_samples_split: z.number().int().min(2).max(20_000),
  /** sklearn's min_impurity_decrease (weighted gini decrease a split must reach). */
  tree_min_impurity_decrease: z.number().min(0).max(1),
};

type TreeValues = { tree_max_depth: number | null; tree_min_samples_split: number; tree_min_impurity_decrease: number };

export const treeBlock: ClassicalModelBlock = {
  family: 'model',
  kind: 'decision_tree',
  classical: true,
  summary: "scikit-learn's DecisionTreeClassifier(): a gini CART tree fitted on the training rows; the training block does nothing for it.",
  shape: treeShape,
  defaults: { tree_max_depth: null, tree_min_samples_split: 2, tree_min_impurity_decrease: 0 },
  metrics: PREDICTION_METRICS,
  incompatible: (_values, data) => classificationOnly('decision_tree', data),
  // A presorted CART does O(m·d) per level, about log2(m) levels (Exp 3's estimate).
  cost: (_values: Values, data) => inCustomUnits(TREE_UNITS * data.trainRows * data.input * Math.log2(data.trainRows + 1), 'tree'),
  // Plain JavaScript: no WebAssembly heap.
  memory: () => 0,
  async fit(input) {
    const p = input.params as TreeValues;
    const out = [];
    for (const { train, test } of input.splits) {
      const fit = fitPredictTree(train, input.extra ? [test, train, input.extra] : [test, train], { maxDepth: p.tree_max_depth, minSamplesSplit: p.tree_min_samples_split, minImpurityDecrease: p.tree_min_impurity_decrease });
      out.push({ test: fit.predictions[0], train: fit.predictions[1], nParams: 2 * fit.leaves - 1, scalars: { tree_depth: fit.depth, tree_leaves: fit.leaves }, ...(input.extra ? { extraScores: classScores(fit.predictions[2]) } : {}) });
      await input.yieldToHost?.();
    }
    return out;
  },
};
