/**
 * The shared blocks the built-ins are composed of (core/data/*, core/train/recorders.ts):
 * the pieces that no single experiment test pins down on its own.
 */
import { describe, expect, test } from 'vitest';
import { classCounts, makeTable } from '../../core/data/dataset';
import { mixFeatures, reduceWithPca } from '../../core/data/features';
import { classSizes, oversample, resampledSize } from '../../core/data/imbalance';
import { permuteLabels } from '../../core/data/labels';
import { sampleTarget, targetOptions } from '../../core/data/targets';
import { parameterShapes, type MlpSpec } from '../../core/nn/model';
import { Rng } from '../../core/rng';
import { FirstAbove, predictionAccuracy, weightStatistics } from '../../core/train/recorders';

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

  test('FirstAbove keeps the first step (as updates, step + 1) strictly above the target per trial', () => {
    const f = new FirstAbove(3, 0.8);
    f.see(4, [0.8, 0.81, 0.1]);
    f.see(9, [0.9, 0.95, 0.2]);
    expect(f.steps).toEqual([10, 5, null]);
    // Exp 8 skips its untimed checks once every trial has passed: not while one has not.
    expect(f.reachedByAll).toBe(false);
    f.see(14, [0.1, 0.1, 0.85]);
    expect(f.steps).toEqual([10, 5, 15]);
    expect(f.reachedByAll).toBe(true);
  });

  test('predictionAccuracy counts exact matches', () => {
    expect(predictionAccuracy([1, 0, 1, 1], Float32Array.from([1, 1, 1, 0]))).toBe(0.5);
  });
});
