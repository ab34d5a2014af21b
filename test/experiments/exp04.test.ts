import { describe, expect, test } from 'vitest';
import { classCounts } from '../../core/data/dataset';
import { resolveSeps } from '../../core/experiments/common';
import { exp4, exp4Data, modelFor, trainSize } from '../../core/experiments/exp04-class-imbalance';
import { GRID_SIDE, decisionGrid, distinctSample } from '../../core/train/decision-boundary';
import type { TrialSpec } from '../../core/experiments/types';
import { parameterCount } from '../../core/nn/model';
import { exp04Figure } from '../../dashboard/figures/exp04';
import { formattedSvg, renderFigure } from '../helpers/render';
import { runSweep } from '../helpers/sweep';

type P = ReturnType<typeof exp4.params.parse>;

function trial(over: Record<string, unknown>, repeat = 0, seed = 0): TrialSpec<P> {
  const params = exp4.params.parse(over);
  return { id: `t.${repeat}`, sweepId: 't', experiment: 'exp4', configKey: `resample=${params.resample},class_ratio=${params.class_ratio}`, repeat, seed, params };
}

function columnExtent(x: Float32Array, d: number, j: number): [number, number] {
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = j; i < x.length; i += d) {
    lo = Math.min(lo, x[i]);
    hi = Math.max(hi, x[i]);
  }
  return [lo, hi];
}

describe('exp4 protocol', () => {
  test('defaults: d = 2, seps (1, 0.5), n = 1200, (100, 100) sigmoid, 500 full-batch steps, tiling, grid of the notebook', () => {
    const p = exp4.params.parse({});
    expect(p).toMatchObject({ n: 1200, d: 2, covariance_scale: 1, test_fraction: 0.25, test_normalization: 'own', hidden: [100, 100], activation: 'sigmoid', lr: 0.003, steps: 500, resample: 'tile' });
    expect(resolveSeps(p.class_seps, p.d)).toEqual([1, 0.5]);
    expect(exp4.grid).toEqual({ resample: ['none', 'tile'], class_ratio: [1, 2, 5, 10, 20, 50, 100] });
    expect(exp4.repeats).toBe(5);
    // 2·100+100 + 100·100+100 + 100·2+2
    expect(parameterCount(modelFor(p))).toBe(10_602);
    expect(exp4.packKey).toBeUndefined();
  });

  test('class counts per ratio: the protocol table (minority, majority, after tiling, train size)', () => {
    const table: Array<[number, number, number, number, number]> = [
      [1, 600, 600, 600, 1200],
      [2, 400, 800, 800, 1600],
      [5, 200, 1000, 1000, 2000],
      [10, 109, 1091, 1090, 2181],
      [20, 57, 1143, 1140, 2283],
      [50, 23, 1177, 1150, 2327],
      [100, 11, 1189, 1100, 2289],
    ];
    for (const [r, minority, majority, tiled, size] of table) {
      const plain = exp4Data(trial({ class_ratio: r, resample: 'none' }));
      expect(classCounts(plain.train)).toEqual([minority, majority]);
      expect(plain.train.n).toBe(1200);
      const tiledData = exp4Data(trial({ class_ratio: r, resample: 'tile' }));
      expect(classCounts(tiledData.train)).toEqual([tiled, majority]);
      expect(tiledData.train.n).toBe(size);
      expect(trainSize(exp4.params.parse({ class_ratio: r }))).toBe(size);
      // Tiling adds copies only: the distinct minority points are the untiled count.
      expect(classCounts(distinctSample(tiledData.train, 10_000))).toEqual([minority, majority]);
      // The test set is a separate balanced draw of n/4.
      expect(classCounts(tiledData.test)).toEqual([150, 150]);
    }
  });

  test('one covariance per (repeat, ratio), shared by the plain and resampled runs; fresh samples per trial', () => {
    const plain = exp4Data(trial({ class_ratio: 10, resample: 'none' }, 0));
    const tiled = exp4Data(trial({ class_ratio: 10, resample: 'tile' }, 0));
    expect(Array.from(tiled.covFactor)).toEqual(Array.from(plain.covFactor));
    expect(Array.from(tiled.test.x.slice(0, 20))).not.toEqual(Array.from(plain.test.x.slice(0, 20)));
    const otherRepeat = exp4Data(trial({ class_ratio: 10, resample: 'none' }, 1));
    const otherRatio = exp4Data(trial({ class_ratio: 20, resample: 'none' }, 0));
    expect(Array.from(otherRepeat.covFactor)).not.toEqual(Array.from(plain.covFactor));
    expect(Array.from(otherRatio.covFactor)).not.toEqual(Array.from(plain.covFactor));
    // Entries of C are U[0,1)·scale (non-negative): the covariance CᵀC is positively correlated.
    for (const v of plain.covFactor) expect(v).toBeGreaterThanOrEqual(0);
  });

  test('min–max scaling: train by its own range; test by its own range (quirk) or, optionally, the train range', () => {
    const own = exp4Data(trial({ class_ratio: 50, resample: 'tile' }));
    for (const j of [0, 1]) {
      expect(columnExtent(own.train.x, 2, j)).toEqual([0, 1]);
      expect(columnExtent(own.test.x, 2, j)).toEqual([0, 1]);
    }
    const byTrain = exp4Data(trial({ class_ratio: 50, resample: 'tile', test_normalization: 'train' }));
    expect(Array.from(byTrain.train.x)).toEqual(Array.from(own.train.x));
    const extents = [0, 1].map((j) => columnExtent(byTrain.test.x, 2, j));
    expect(extents.some(([lo, hi]) => lo !== 0 || hi !== 1)).toBe(true);
  });

  test("resample 'replacement' draws minority rows with replacement up to the tiled size", () => {
    const t = trial({ class_ratio: 20, resample: 'replacement' });
    const data = exp4Data(t);
    expect(classCounts(data.train)).toEqual([1140, 1143]);
    const distinct = classCounts(distinctSample(data.train, 10_000));
    expect(distinct[0]).toBeLessThanOrEqual(57);
    expect(distinct[0]).toBeGreaterThan(40);
  });

  test('the decision grid is arange(0, 1.02, 0.02)² with x varying fastest', () => {
    const g = decisionGrid();
    expect(g.length).toBe(2 * 51 * 51);
    expect(GRID_SIDE).toBe(51);
    expect([g[0], g[1]]).toEqual([0, 0]);
    expect([g[2], g[3]]).toEqual([Math.fround(0.02), 0]);
    expect([g[2 * 51], g[2 * 51 + 1]]).toEqual([0, Math.fround(0.02)]);
    expect([g[2 * 2600], g[2 * 2600 + 1]]).toEqual([1, 1]);
  });

  test('refused: a ratio that leaves no minority row, unknown resampling, a trial too big for a 128 MB Worker', () => {
    expect(exp4.params.safeParse({ n: 50, class_ratio: 60 }).success).toBe(false);
    expect(exp4.params.safeParse({ resample: 'smote' }).success).toBe(false);
    const big = exp4.params.safeParse({ n: 4000, hidden: [1024, 1024, 1024] });
    expect(big.success).toBe(false);
    expect(big.error?.issues[0].message).toMatch(/MB of tensors/);
    expect(exp4.params.safeParse({ class_ratio: 100 }).success).toBe(true);
  });
});

describe('exp4 sweep and figure', () => {
  test('a small real sweep: accuracy per (variant, ratio), class counts, boundary traces of repeat 0, figure', async () => {
    const { figureData } = await runSweep(
      { experiment: 'exp4', repeats: 2, params: { n: 240, steps: 25, boundary_points: 40 }, grid: { resample: ['none', 'tile'], class_ratio: [1, 10] } },
      { trialMetrics: exp04Figure.trialMetrics },
    );
    const acc = figureData.aggregate.filter((r) => r.metric === 'test_accuracy' && r.step === null);
    expect(acc).toHaveLength(4);
    for (const r of acc) {
      expect(r.n).toBe(2);
      expect(r.mean).toBeGreaterThanOrEqual(0);
      expect(r.mean).toBeLessThanOrEqual(1);
    }
    // Learning has barely begun after 25 full-batch steps: an untrained net predicts one class
    // everywhere (training accuracy 0.5 at ratio 1), and so do most of these; but at ratio 1 at
    // least one net already separates the classes (0.67 on its training rows; 0.70 on its test set).
    const ratio1 = figureData.repeats!.filter((t) => t.config.endsWith(',class_ratio=1'));
    expect(ratio1).toHaveLength(4);
    expect(Math.max(...ratio1.map((t) => t.scalars.train_accuracy))).toBeGreaterThanOrEqual(0.6);
    // floor(240/11) = 21 minority rows, tiled 10× = 210, plus 219 majority.
    const nTrain = new Map(figureData.aggregate.filter((r) => r.metric === 'n_train').map((r) => [r.config, r.mean]));
    expect(nTrain.get('resample=none,class_ratio=10')).toBe(240);
    expect(nTrain.get('resample=tile,class_ratio=10')).toBe(429);
    expect(figureData.aggregate.find((r) => r.metric === 'n_minority' && r.config === 'resample=tile,class_ratio=10')?.mean).toBe(210);
    // Traces only for repeat 0, and never averaged into the aggregate.
    const traced = figureData.trials.filter((t) => t.traces.grid_logit1);
    expect(traced.map((t) => t.repeat)).toEqual([0, 0, 0, 0]);
    for (const t of traced) {
      expect(t.traces.grid_logit1.values).toHaveLength(2601);
      expect(t.traces.test_x1.values).toHaveLength(60);
    }
    expect(figureData.aggregate.some((r) => r.metric.startsWith('grid_'))).toBe(false);

    const { html, element } = renderFigure(exp04Figure, figureData);
    // One accuracy plot with two std bands; two variants × (train, test) boundary panels.
    expect(element.querySelectorAll('g[aria-label="area"]')).toHaveLength(1);
    expect(element.querySelectorAll('g[aria-label="area"] path')).toHaveLength(2);
    expect(element.querySelectorAll('g[aria-label="contour"]')).toHaveLength(8);
    expect(element.textContent).toContain('Accuracy on Imbalanced Datasets');
    expect(element.textContent).toContain('Without resampling: test data, accuracy');
    expect(element.textContent).toContain('With resampling: training data');
    expect(exp04Figure.headline(figureData)).toHaveLength(4);
    await expect(formattedSvg(html)).toMatchFileSnapshot('../__snapshots__/exp04.figure.html');
  }, 120_000);
});
