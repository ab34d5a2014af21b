/**
 * scikit-learn's `DecisionTreeClassifier()` (CART, gini, unlimited depth) on ml-cart.
 *
 * sklearn grows the tree until every leaf is pure (min_samples_split = 2, no impurity
 * threshold). ml-cart's own defaults stop earlier (a node of ≤ 3 rows is a leaf; a split
 * needs a gini gain > 0.01), so the defaults here undo that: minNumSamples 1 (a node of ≥ 2
 * rows may split) and gainThreshold 0. Remaining differences: ml-cart only tries thresholds
 * between neighbours with different labels (where the best gini split lies anyway), breaks
 * ties by the first feature instead of sklearn's random feature order, and also stops when a
 * node's best gain equals its parent's exactly.
 *
 * Cost: ml-cart evaluates every candidate threshold with a full pass over the node's rows,
 * O(d·n²) per tree level, which makes it the slowest classifier at 8,000 rows.
 */
import { DecisionTreeClassifier } from 'ml-cart';
import type { Table } from '../data/dataset';
import { rowsOf } from './svm';

export interface TreeOptions {
  /** ml-cart minNumSamples: a node with at most this many rows becomes a leaf (sklearn-like: 1). */
  minNumSamples: number;
  /** ml-cart gainThreshold: split only when the gini gain exceeds it (sklearn-like: 0). */
  gainThreshold: number;
  /** null = unlimited (sklearn's max_depth=None). */
  maxDepth: number | null;
}

export const SKLEARN_TREE_DEFAULTS: TreeOptions = { minNumSamples: 1, gainThreshold: 0, maxDepth: null };

interface Node {
  left?: Node;
  right?: Node;
}

export interface TreeFit {
  predictions: Uint8Array[];
  depth: number;
  leaves: number;
}

function shape(node: Node): { depth: number; leaves: number } {
  if (!node.left || !node.right) return { depth: 0, leaves: 1 };
  const l = shape(node.left);
  const r = shape(node.right);
  return { depth: 1 + Math.max(l.depth, r.depth), leaves: l.leaves + r.leaves };
}

/** Grows a gini tree on `train` and predicts every eval table. */
export function fitPredictTree(train: Table, evalSets: Table[], o: TreeOptions): TreeFit {
  const tree = new DecisionTreeClassifier({
    gainFunction: 'gini',
    splitFunction: 'mean',
    minNumSamples: o.minNumSamples,
    gainThreshold: o.gainThreshold,
    maxDepth: o.maxDepth ?? Infinity,
  });
  tree.train(rowsOf(train), Array.from(train.labels));
  const predictions = evalSets.map((t) => Uint8Array.from(tree.predict(rowsOf(t)) as number[]));
  return { predictions, ...shape((tree as unknown as { root: Node }).root) };
}
