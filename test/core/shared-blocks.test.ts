/**
 * The shared blocks the built-ins are composed of (core/data/*, core/blocks/recorders.ts,
 * the shared data of core/experiments/common.ts), and scripts/profile-trial.ts's phases:
 * the pieces that no single experiment test pins down on its own.
 */
import { describe, expect, test } from 'vitest';
import { FirstAbove, predictionAccuracy, weightStatistics } from '../../core/blocks/recorders';
import { classCounts, makeTable } from '../../core/data/dataset';
import { mixFeatures, reduceWithPca } from '../../core/data/features';
import { classSizes, oversample, resampledSize } from '../../core/data/imbalance';
import { permuteLabels } from '../../core/data/labels';
import { sampleTarget, targetOptions } from '../../core/data/targets';
import { parameterShapes, type MlpSpec } from '../../core/nn/model';
import { Rng } from '../../core/rng';
import { phaseTimes } from '../../scripts/cpu-phases';
import { SharedData, sharedKey } from '../../core/experiments/common';

function table(rows: number[][], labels: number[]) {
  const t = makeTable(rows.length, rows[0].length);
  rows.forEach((r, i) => t.x.set(r, i * r.length));
  t.labels.set(labels);
  return t;
}

describe('data blocks', () => {
  test('permuteLabels moves labels among rows: same class counts, inputs untouched, one permutation per call', () => {
    const t = table([[0], [1], [2], [3], [4], [5], [6], [7]], [0, 0, 0, 1, 1, 1, 1, 1]);
    const p = permuteLabels(t, new Rng(3));
    expect(p.x).toBe(t.x);
    expect(classCounts(p)).toEqual(classCounts(t));
    expect(Array.from(p.labels)).not.toEqual(Array.from(t.labels));
    // The same generator state gives the same relabelling (it is a repeat-level draw).
    expect(Array.from(permuteLabels(t, new Rng(3)).labels)).toEqual(Array.from(p.labels));
  });

  test('oversample: tile repeats the block floor(ratio) times without draws; replacement draws rows of the block', () => {
    const minority = table([[1, 2], [3, 4]], [0, 0]);
    const rng = new Rng(1);
    const tiled = oversample(minority, 3.7, 'tile', rng);
    expect(Array.from(tiled.x)).toEqual([1, 2, 3, 4, 1, 2, 3, 4, 1, 2, 3, 4]);
    expect(rng.uniform()).toBe(new Rng(1).uniform());
    const drawn = oversample(minority, 5, 'replacement', new Rng(2));
    expect(drawn.n).toBe(10);
    for (let i = 0; i < drawn.n; i++) expect([[1, 2], [3, 4]]).toContainEqual(Array.from(drawn.x.subarray(2 * i, 2 * i + 2)));
    expect(classCounts(drawn)).toEqual([10, 0]);
    expect(oversample(minority, 5, 'none', new Rng(2))).toBe(minority);
  });

  test('class sizes and the resampled training size', () => {
    expect(classSizes(1200, 5)).toEqual({ minority: 200, majority: 1000 });
    expect(resampledSize(1200, 5, 'none')).toBe(1200);
    expect(resampledSize(1200, 5, 'tile')).toBe(1000 + 5 * 200);
    expect(resampledSize(1200, 2.5, 'replacement')).toBe(1200 - 342 + 2 * 342);
  });

  test("'none' mixing and 'none' PCA pass the matrices through unchanged", () => {
    const m = { rows: 2, cols: 2, a: Float64Array.from([1, 2, 3, 4]) };
    expect(mixFeatures([m], 'none', new Rng(0))).toEqual([m]);
    expect(reduceWithPca(m, m, 'none')).toEqual([m, m]);
  });

  test('targets: the notebook defaults are sin(12x), and the polynomial uses ascending coefficients', () => {
    const p = targetOptions.parse({});
    expect(Array.from(sampleTarget(p, [0.5]))).toEqual([Math.fround(Math.sin(6))]);
    expect(Array.from(sampleTarget({ ...p, function: 'polynomial', coefs: [1, 2, 3] }, [2]))).toEqual([1 + 4 + 12]);
  });
});

describe('recorders', () => {
  test('weightStatistics: mean |w| and sparsity over weight matrices only, overall and per layer', () => {
    const spec: MlpSpec = { kind: 'mlp', input: 2, hidden: [1], output: 1, activation: 'relu', initializer: 'xavier' };
    expect(parameterShapes(spec).map((s) => s.isWeight)).toEqual([true, false, true, false]);
    // W0 = [0.5, -0.0001], b0 = [100] (ignored), W1 = [-2], b1 = [100] (ignored).
    const s = weightStatistics(spec, [Float32Array.from([0.5, -0.0001]), Float32Array.from([100]), Float32Array.from([-2]), Float32Array.from([100])], 1e-3);
    expect(s.mean_abs_weight).toBeCloseTo((0.5 + 0.0001 + 2) / 3, 6);
    expect(s.sparsity).toBeCloseTo(1 / 3, 12);
    expect(s.sparsity_layer0).toBe(0.5);
    expect(s.sparsity_layer1).toBe(0);
    expect(s.mean_abs_weight_layer1).toBe(2);
  });

  test('FirstAbove keeps the first update count at which a trial is strictly above the target', () => {
    const f = new FirstAbove(3, 0.8);
    f.see(5, [0.8, 0.81, 0.1]);
    f.see(10, [0.9, 0.95, 0.2]);
    expect(f.steps).toEqual([10, 5, null]);
    // Exp 8 skips its untimed checks once every trial has passed: not while one has not.
    expect(f.reachedByAll).toBe(false);
    f.see(15, [0.1, 0.1, 0.85]);
    expect(f.steps).toEqual([10, 5, 15]);
    expect(f.reachedByAll).toBe(true);
  });

  test('predictionAccuracy counts exact matches', () => {
    expect(predictionAccuracy([1, 0, 1, 1], Float32Array.from([1, 1, 1, 0]))).toBe(0.5);
  });
});

describe('data kept between packs', () => {
  test('SharedData computes a key once and keeps at most its budget, making room from the entries worth least per byte, least recently used first', () => {
    const kept = new SharedData(100);
    let computed = 0;
    const get = (key: string, bytes: number, work = bytes) =>
      kept.get(
        key,
        () => {
          computed++;
          return { key };
        },
        () => ({ bytes, work }),
      );
    const a = get('a', 40);
    expect(get('a', 40)).toBe(a);
    get('b', 40);
    expect(computed).toBe(2);
    get('a', 40); // a is now the most recent
    get('c', 40); // evicts b: equal worth, least recent
    expect(kept.bytes).toBe(80);
    expect([kept.has('a'), kept.has('b'), kept.has('c')]).toEqual([true, false, true]);
    expect(get('a', 40)).toBe(a);
    // Above the budget: computed, returned, never kept.
    get('huge', 101);
    get('huge', 101);
    expect(computed).toBe(5);
    expect(kept.bytes).toBe(80);
    // Work per byte decides who makes room: a cheap entry does not displace dear ones…
    kept.clear();
    get('dear', 60, 6000);
    get('cheap', 40, 40);
    get('cheaper', 30, 10);
    expect([kept.has('dear'), kept.has('cheap'), kept.has('cheaper')]).toEqual([true, true, false]);
    // …and a dear one displaces the cheapest first, even when it was used last.
    get('cheap', 40, 40);
    get('dearer', 40, 8000);
    expect([kept.has('dear'), kept.has('cheap'), kept.has('dearer')]).toEqual([true, false, true]);
    expect(kept.bytes).toBe(100);
    kept.clear();
    expect(kept.bytes).toBe(0);
  });

  test('sharedKey names the purpose, seed, experiment, repeat and parameters, and nothing per config', () => {
    const t = { id: 'x.0.1', sweepId: 'x', experiment: 'exp6', configKey: 'pca_dim=10', repeat: 1, seed: 0, params: {} };
    expect(sharedKey(t, 'mixed', 100, [1])).toBe(sharedKey({ ...t, id: 'x.3.1', configKey: 'pca_dim=5' }, 'mixed', 100, [1]));
    for (const other of [{ ...t, repeat: 2 }, { ...t, seed: 1 }, { ...t, experiment: 'exp3' }]) expect(sharedKey(other, 'mixed', 100, [1])).not.toBe(sharedKey(t, 'mixed', 100, [1]));
    expect(sharedKey(t, 'mixed', 100, [2])).not.toBe(sharedKey(t, 'mixed', 100, [1]));
    expect(sharedKey(t, 'basis', 100, [1])).not.toBe(sharedKey(t, 'mixed', 100, [1]));
  });
});

describe('phase times (scripts/cpu-phases.ts)', () => {
  test("a sample goes to the innermost named function on its stack; other samples to 'other', GC to its own phase, idle to none", () => {
    // root → runPack → trainPack → evaluateAccuracy → wasm; trainPack → wasm; runPack → drawMixture.
    const frame = (functionName: string) => ({ functionName, scriptId: '0', url: '', lineNumber: 0, columnNumber: 0 });
    const nodes = [
      { id: 1, callFrame: frame('(root)'), children: [2, 7, 8] },
      { id: 2, callFrame: frame('runPack'), children: [3, 6] },
      { id: 3, callFrame: frame('trainPack'), children: [4, 5] },
      { id: 4, callFrame: frame('evaluateAccuracy'), children: [9] },
      { id: 5, callFrame: frame('wasm-function[5]'), children: [] },
      { id: 6, callFrame: frame('drawMixture'), children: [] },
      { id: 7, callFrame: frame('(garbage collector)'), children: [] },
      { id: 8, callFrame: frame('(idle)'), children: [] },
      { id: 9, callFrame: frame('wasm-function[5]'), children: [] },
      { id: 10, callFrame: frame('helper'), children: [] },
    ];
    nodes[1].children.push(10);
    const samples = [5, 5, 9, 4, 6, 7, 8, 10, 2];
    const timeDeltas = [1000, 1000, 1000, 1000, 2000, 500, 9000, 300, 200];
    const { ms, total } = phaseTimes({ nodes, startTime: 0, endTime: 0, samples, timeDeltas });
    expect(Object.fromEntries(ms)).toEqual({ training: 2, evaluation: 2, data: 2, 'garbage collection': 0.5, other: 0.5 });
    expect(total).toBe(7);
  });
});
