/**
 * scikit-learn's `DecisionTreeClassifier()`: CART with gini impurity, grown depth-first
 * until every leaf is pure (max_depth=None, min_samples_split=2, min_impurity_decrease=0).
 *
 * Written here rather than taken from ml-cart (which this project used first): ml-cart
 * re-scans a node's rows for every candidate threshold, O(d·n²) per level, so one tree on
 * Exp 3's 8,000 rows took 36–72 s in one synchronous call that blocked the Worker. This
 * tree presorts each feature once and keeps every node's rows sorted per feature by stable
 * partitioning, O(d·n) per level, as sklearn's presorted splitter did: the same tree in
 * about 20 ms (test/experiments/exp03.test.ts checks it against a brute-force search and
 * ml-cart's predictions).
 *
 * sklearn semantics kept:
 * - X in float32 (sklearn casts to float32), thresholds midway between consecutive
 *   distinct values in float64, a row goes left when x ≤ threshold; values closer than
 *   1e-7 count as equal (FEATURE_THRESHOLD).
 * - A node is a leaf when it is pure, has fewer than min_samples_split rows, is at
 *   max_depth, or has no feature with two distinct values; otherwise it splits at the best
 *   gini decrease, even a zero one, unless the weighted decrease is below
 *   min_impurity_decrease.
 * - A leaf predicts the majority class, ties to the lowest class index.
 * Divergence: sklearn visits features in a random order per node (random_state=None), so
 * among splits of exactly equal gini it picks one at random; here the first feature wins.
 */
import type { Table } from '../data/dataset';

export interface TreeOptions {
  /** null = unlimited (sklearn's max_depth=None). */
  maxDepth: number | null;
  /** A node with fewer rows is a leaf (sklearn's min_samples_split, default 2). */
  minSamplesSplit: number;
  /** Split only when the weighted impurity decrease reaches this (sklearn default 0). */
  minImpurityDecrease: number;
}

export const SKLEARN_TREE_DEFAULTS: TreeOptions = { maxDepth: null, minSamplesSplit: 2, minImpurityDecrease: 0 };

export interface TreeFit {
  predictions: Uint8Array[];
  depth: number;
  leaves: number;
}

/** A fitted tree as flat arrays; node 0 is the root, a leaf has feature −1. */
export interface Tree {
  feature: Int32Array;
  threshold: Float64Array;
  left: Int32Array;
  right: Int32Array;
  value: Int32Array;
  depth: number;
  leaves: number;
}

const FEATURE_THRESHOLD = 1e-7;
const EPSILON = 1e-12;

function gini(counts: Float64Array, n: number): number {
  let s = 0;
  for (let c = 0; c < counts.length; c++) s += counts[c] * counts[c];
  return 1 - s / (n * n);
}

function majority(counts: Float64Array): number {
  let best = 0;
  for (let c = 1; c < counts.length; c++) if (counts[c] > counts[best]) best = c;
  return best;
}

/** Grows the gini tree on `train` (labels are class indices 0..C−1). */
export function fitTree(train: Table, o: TreeOptions = SKLEARN_TREE_DEFAULTS): Tree {
  const { n, d, x } = train;
  const y = Int32Array.from(train.labels);
  let C = 1;
  for (let i = 0; i < n; i++) C = Math.max(C, y[i] + 1);
  const maxDepth = o.maxDepth ?? Infinity;

  // sorted[f·n + j]: the rows of every open node, sorted by feature f within the node's segment.
  const sorted = new Int32Array(d * n);
  for (let f = 0; f < d; f++) {
    const idx = Array.from({ length: n }, (_, i) => i).sort((a, b) => x[a * d + f] - x[b * d + f] || a - b);
    sorted.set(idx, f * n);
  }
  const goLeft = new Uint8Array(n);
  const scratch = new Int32Array(n);

  const feature: number[] = [];
  const threshold: number[] = [];
  const left: number[] = [];
  const right: number[] = [];
  const value: number[] = [];
  let treeDepth = 0;
  let leaves = 0;

  const total = new Float64Array(C);
  const countL = new Float64Array(C);
  const countR = new Float64Array(C);
  // Depth-first, left child first (sklearn's DepthFirstTreeBuilder), with an explicit stack.
  const stack: Array<{ start: number; end: number; depth: number; parent: number; isLeft: boolean }> = [{ start: 0, end: n, depth: 0, parent: -1, isLeft: false }];
  while (stack.length) {
    const { start, end, depth, parent, isLeft } = stack.pop()!;
    const m = end - start;
    const id = feature.length;
    if (parent >= 0) (isLeft ? left : right)[parent] = id;
    feature.push(-1);
    threshold.push(0);
    left.push(-1);
    right.push(-1);
    treeDepth = Math.max(treeDepth, depth);

    total.fill(0);
    for (let j = start; j < end; j++) total[y[sorted[j]]] += 1;
    value.push(majority(total));
    const impurity = gini(total, m);

    let bestF = -1;
    let bestPos = -1;
    let bestProxy = -Infinity;
    if (depth < maxDepth && m >= o.minSamplesSplit && m >= 2 && impurity > EPSILON) {
      for (let f = 0; f < d; f++) {
        const base = f * n;
        countL.fill(0);
        for (let j = start; j < end - 1; j++) {
          const row = sorted[base + j];
          countL[y[row]] += 1;
          if (x[sorted[base + j + 1] * d + f] <= x[row * d + f] + FEATURE_THRESHOLD) continue;
          const nl = j - start + 1;
          const nr = m - nl;
          // Maximising Σ cl²/nl + Σ cr²/nr minimises the weighted children's gini.
          let sl = 0;
          let sr = 0;
          for (let c = 0; c < C; c++) {
            const cr = total[c] - countL[c];
            sl += countL[c] * countL[c];
            sr += cr * cr;
          }
          const proxy = sl / nl + sr / nr;
          if (proxy > bestProxy) {
            bestProxy = proxy;
            bestF = f;
            bestPos = j;
          }
        }
      }
    }
    if (bestF >= 0 && o.minImpurityDecrease > 0) {
      const nl = bestPos - start + 1;
      countL.fill(0);
      for (let j = start; j <= bestPos; j++) countL[y[sorted[bestF * n + j]]] += 1;
      for (let c = 0; c < C; c++) countR[c] = total[c] - countL[c];
      const decrease = (m / n) * (impurity - (nl / m) * gini(countL, nl) - ((m - nl) / m) * gini(countR, m - nl));
      if (decrease + EPSILON < o.minImpurityDecrease) bestF = -1;
    }
    if (bestF < 0) {
      leaves++;
      continue;
    }

    const base = bestF * n;
    const lo = x[sorted[base + bestPos] * d + bestF];
    const hi = x[sorted[base + bestPos + 1] * d + bestF];
    let t = lo / 2 + hi / 2;
    if (t === hi || !Number.isFinite(t)) t = lo;
    feature[id] = bestF;
    threshold[id] = t;
    const nl = bestPos - start + 1;
    for (let j = start; j < end; j++) goLeft[sorted[base + j]] = j <= bestPos ? 1 : 0;
    // Stable partition of every feature's segment keeps both children sorted.
    for (let f = 0; f < d; f++) {
      const b = f * n;
      let l = start;
      let r = 0;
      for (let j = start; j < end; j++) {
        const row = sorted[b + j];
        if (goLeft[row]) sorted[b + l++] = row;
        else scratch[r++] = row;
      }
      sorted.set(scratch.subarray(0, r), b + l);
    }
    stack.push({ start: start + nl, end, depth: depth + 1, parent: id, isLeft: false });
    stack.push({ start, end: start + nl, depth: depth + 1, parent: id, isLeft: true });
  }
  return {
    feature: Int32Array.from(feature),
    threshold: Float64Array.from(threshold),
    left: Int32Array.from(left),
    right: Int32Array.from(right),
    value: Int32Array.from(value),
    depth: treeDepth,
    leaves,
  };
}

export function predictTree(tree: Tree, t: Table): Uint8Array {
  const out = new Uint8Array(t.n);
  for (let i = 0; i < t.n; i++) {
    let node = 0;
    while (tree.feature[node] >= 0) node = t.x[i * t.d + tree.feature[node]] <= tree.threshold[node] ? tree.left[node] : tree.right[node];
    out[i] = tree.value[node];
  }
  return out;
}

/** Grows a gini tree on `train` and predicts every eval table. */
export function fitPredictTree(train: Table, evalSets: Table[], o: TreeOptions = SKLEARN_TREE_DEFAULTS): TreeFit {
  const tree = fitTree(train, o);
  return { predictions: evalSets.map((t) => predictTree(tree, t)), depth: tree.depth, leaves: tree.leaves };
}
