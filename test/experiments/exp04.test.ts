import { describe, expect, test } from 'vitest';
import { classCounts } from '../../core/data/dataset';
import { getExperiment } from '../../core/experiments';
import { specStreams, trialPlan, type SpecExperiment } from '../../core/custom/compile';
import { BUILTIN_SPECS } from '../../core/experiments/specs';
import { mixtureBlock } from '../../core/blocks/data-mixture';
import { GRID_SIDE, decisionGrid, distinctSample } from '../../core/train/decision-boundary';
import type { TrialSpec } from '../../core/experiments/types';
import { parameterCount } from '../../core/nn/model';
import { DEFAULT_LIMITS } from '../../core/sweep/request';
import { exp04Figure } from '../../dashboard/figures/exp04';
import { formattedSvg, renderFigure } from '../helpers/render';
import { runSweep } from '../helpers/sweep';

const exp4 = getExperiment('exp4') as SpecExperiment;
const { streamOf, dataStreams } = specStreams(exp4.spec, BUILTIN_SPECS.find((b) => b.number === 4)!.options);

function trial(over: Record<string, unknown>, repeat = 0, seed = 0): TrialSpec {
  const params = exp4.params.parse(over);
  return { id: `t.${repeat}`, sweepId: 't', experiment: 'exp4', configKey: `resample=${params.resample},class_ratio=${params.class_ratio}`, repeat, seed, params };
}

/** One trial's data as the experiment draws it. */
function exp4Data(t: TrialSpec) {
  return mixtureBlock.generate(t.params as Record<string, unknown>, dataStreams(t));
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
    expect(p).toMatchObject({ n: 1200, test_n: 300, d: 2, class_sep: 1, class_sep_decay: 'inverse', covariance_scale: 1, test_balanced: true, scaling: 'minmax_test_own', width: 100, depth: 2, activation: 'sigmoid', initializer: 'xavier', lr: 0.003, steps: 500, resample: 'tile', loss: 'cross_entropy' });
    expect(exp4.grid).toEqual({ resample: ['none', 'tile'], class_ratio: [1, 2, 5, 10, 20, 50, 100] });
    expect(exp4.repeats).toBe(5);
    expect(exp4.section).toBe('II. Datasets');
    for (const ratio of [1, 100]) {
      const plan = trialPlan(exp4.spec, exp4.params.parse({ class_ratio: ratio }));
      // 2·100+100 + 100·100+100 + 100·2+2
      expect(parameterCount(plan.model!)).toBe(10_602);
      expect(plan.model).toEqual({ kind: 'mlp', input: 2, hidden: [100, 100], output: 2, activation: 'sigmoid', initializer: 'xavier' });
      // Full batch: every step sees the whole (tiled) training set.
      expect(plan.phases).toMatchObject([{ steps: 500, batchRows: plan.data.trainRows }]);
    }
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
      expect(trialPlan(exp4.spec, exp4.params.parse({ class_ratio: r })).data.trainRows).toBe(size);
      // Tiling adds copies only: the distinct minority points are the untiled count.
      expect(classCounts(distinctSample(tiledData.train, 10_000))).toEqual([minority, majority]);
      // The test set is a separate balanced draw of n/4.
      expect(classCounts(tiledData.test)).toEqual([150, 150]);
    }
  });

  test('one task (covariance) per (repeat, ratio), shared by the plain and resampled runs; fresh samples, weights and batches per trial', () => {
    const draw = (t: TrialSpec) => dataStreams(t).task.uniform();
    const plain = trial({ class_ratio: 10, resample: 'none' }, 0);
    const tiled = trial({ class_ratio: 10, resample: 'tile' }, 0);
    expect(draw(tiled)).toBe(draw(plain));
    expect(draw(trial({ class_ratio: 10, resample: 'none' }, 1))).not.toBe(draw(plain));
    expect(draw(trial({ class_ratio: 20, resample: 'none' }, 0))).not.toBe(draw(plain));
    for (const purpose of ['init', 'batch']) expect(streamOf(tiled, purpose).uniform()).not.toBe(streamOf(plain, purpose).uniform());
    expect(dataStreams(tiled).test.uniform()).not.toBe(dataStreams(plain).test.uniform());
    // The same covariance and balanced test size: the test sets differ only by their draws.
    expect(Array.from(exp4Data(tiled).test.x.slice(0, 20))).not.toEqual(Array.from(exp4Data(plain).test.x.slice(0, 20)));
  });

  test("min–max scaling: train by its own range; test by its own range (the code's quirk) or, with scaling 'minmax', the train range", () => {
    const own = exp4Data(trial({ class_ratio: 50, resample: 'tile' }));
    for (const j of [0, 1]) {
      expect(columnExtent(own.train.x, 2, j)).toEqual([0, 1]);
      expect(columnExtent(own.test.x, 2, j)).toEqual([0, 1]);
    }
    const byTrain = exp4Data(trial({ class_ratio: 50, resample: 'tile', scaling: 'minmax' }));
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
    expect(exp4.refusal!(exp4.params.parse({ n: 50, class_ratio: 60 }))).toEqual({ param: 'class_ratio', message: expect.stringMatching(/leave no row of the minority class/) });
    expect(exp4.refusal!(exp4.params.parse({ class_ratio: 100 }))).toBeNull();
    expect(exp4.params.safeParse({ resample: 'smote' }).success).toBe(false);
    expect(exp4.memory(exp4.params.parse({ n: 20_000, width: 1024, depth: 8 }), 1)).toBeGreaterThan(DEFAULT_LIMITS.maxPackBytes);
  });
});

describe('exp4 sweep and figure', () => {
  test('a small real sweep: accuracy per (variant, ratio), class counts, boundary traces of repeat 0, figure', async () => {
    const { figureData } = await runSweep(
      { experiment: 'exp4', repeats: 2, params: { n: 240, test_n: 60, steps: 25 }, grid: { resample: ['none', 'tile'], class_ratio: [1, 10] } },
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
