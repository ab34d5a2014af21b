import { DecisionTreeClassifier } from 'ml-cart';
import { describe, expect, test } from 'vitest';
import { fitPredictTree, fitTree, predictTree, SKLEARN_TREE_DEFAULTS } from '../../core/classical/decision-tree';
import { rowsOf } from '../../core/classical/svm';
import { makeTable, type Table } from '../../core/data/dataset';
import { getExperiment } from '../../core/experiments';
import { mixtureBlock } from '../../core/blocks/data-mixture';
import { specStreams, type SpecExperiment } from '../../core/custom/compile';
import { BUILTIN_SPECS } from '../../core/experiments/specs';
import { Rng } from '../../core/rng';

function randomTable(n: number, d: number, classes: number, seed: number): Table {
  const r = new Rng(seed);
  const t = makeTable(n, d);
  for (let i = 0; i < n * d; i++) t.x[i] = r.normal();
  for (let i = 0; i < n; i++) t.labels[i] = r.int(classes);
  return t;
}

/** The best gini split by exhaustive search: every feature, every midpoint, first best wins. */
function bruteForceRoot(t: Table): { feature: number; threshold: number } {
  let best = { feature: -1, threshold: 0, score: Infinity };
  for (let f = 0; f < t.d; f++) {
    const values = [...new Set(Array.from({ length: t.n }, (_, i) => t.x[i * t.d + f]))].sort((a, b) => a - b);
    for (let v = 0; v + 1 < values.length; v++) {
      const thr = values[v] / 2 + values[v + 1] / 2;
      const counts = [new Map<number, number>(), new Map<number, number>()];
      for (let i = 0; i < t.n; i++) {
        const side = t.x[i * t.d + f] <= thr ? 0 : 1;
        counts[side].set(t.labels[i], (counts[side].get(t.labels[i]) ?? 0) + 1);
      }
      // Weighted children's gini, times n.
      const score = counts.reduce((s, c) => {
        const m = [...c.values()].reduce((a, b) => a + b, 0);
        return s + m - [...c.values()].reduce((a, b) => a + b * b, 0) / m;
      }, 0);
      if (score < best.score - 1e-12) best = { feature: f, threshold: thr, score };
    }
  }
  return best;
}

describe('decision tree (sklearn DecisionTreeClassifier semantics)', () => {
  test('the root split is the exhaustive search’s best gini split, for 2 and 3 classes', () => {
    for (const [classes, seed] of [[2, 1], [2, 2], [3, 3], [3, 4]]) {
      const t = randomTable(60, 4, classes, seed);
      const tree = fitTree(t);
      const want = bruteForceRoot(t);
      expect(tree.feature[0]).toBe(want.feature);
      expect(tree.threshold[0]).toBeCloseTo(want.threshold, 12);
    }
  });

  test('grown until pure: it fits distinct training rows exactly; leaves predict the majority, ties to the lower class', () => {
    const t = randomTable(300, 3, 3, 9);
    const tree = fitTree(t);
    expect(Array.from(predictTree(tree, t))).toEqual(Array.from(t.labels));
    expect(tree.leaves).toBe((tree.feature.length + 1) / 2);
    // Identical rows with different labels cannot be split: one leaf, the majority (tie → 0).
    const same = makeTable(4, 2);
    same.labels.set([1, 0, 1, 0]);
    const leaf = fitTree(same);
    expect(leaf.feature.length).toBe(1);
    expect(Array.from(predictTree(leaf, same))).toEqual([0, 0, 0, 0]);
    same.labels.set([1, 0, 1, 1]);
    expect(Array.from(predictTree(fitTree(same), same))).toEqual([1, 1, 1, 1]);
  });

  test('max_depth, min_samples_split and min_impurity_decrease stop growth', () => {
    const t = randomTable(400, 2, 2, 5);
    const full = fitTree(t);
    expect(fitTree(t, { ...SKLEARN_TREE_DEFAULTS, maxDepth: 3 }).depth).toBe(3);
    expect(fitTree(t, { ...SKLEARN_TREE_DEFAULTS, maxDepth: 1 }).leaves).toBe(2);
    expect(fitTree(t, { ...SKLEARN_TREE_DEFAULTS, minSamplesSplit: 50 }).leaves).toBeLessThan(full.leaves);
    expect(fitTree(t, { ...SKLEARN_TREE_DEFAULTS, minImpurityDecrease: 0.01 }).leaves).toBeLessThan(full.leaves);
    expect(fitTree(t, { ...SKLEARN_TREE_DEFAULTS, minImpurityDecrease: 1 }).leaves).toBe(1);
  });

  test('same predictions as ml-cart (O(d·n²), used before) on the protocol’s data at 800 training rows', () => {
    const exp3 = getExperiment('exp3') as SpecExperiment;
    const p = exp3.params.parse({ classifier: 'tree', n: 1000 });
    const { dataStreams } = specStreams(exp3.spec, BUILTIN_SPECS.find((b) => b.number === 3)!.options);
    const data = mixtureBlock.generate(p, dataStreams({ id: 'x', sweepId: 's', experiment: 'exp3', configKey: 'classifier=tree,n=1000', repeat: 0, seed: 7, params: p }));
    const reference = new DecisionTreeClassifier({ gainFunction: 'gini', splitFunction: 'mean', minNumSamples: 1, gainThreshold: 0, maxDepth: Infinity });
    reference.train(rowsOf(data.train), Array.from(data.train.labels));
    const mine = fitPredictTree(data.train, [data.test]);
    expect(Array.from(mine.predictions[0])).toEqual(reference.predict(rowsOf(data.test)));
  });
});
