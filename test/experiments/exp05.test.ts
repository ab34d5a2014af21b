import { describe, expect, test } from 'vitest';
import { classCounts } from '../../core/data/dataset';
import { drawMixture } from '../../core/data/gaussian-mixture';
import { permuteLabels } from '../../core/data/labels';
import { getExperiment } from '../../core/experiments';
import { specBlocks, specStreams, trialPlan, type SpecExperiment } from '../../core/custom/compile';
import { BUILTIN_SPECS } from '../../core/experiments/specs';
import { repeatStream } from '../../core/experiments/common';
import type { TrialSpec } from '../../core/experiments/types';
import { parameterCount } from '../../core/nn/model';
import { exp05Figure } from '../../dashboard/figures/exp05';
import { formattedSvg, renderFigure } from '../helpers/render';
import { runSweep } from '../helpers/sweep';
import { useBackend } from '../tf-node';

const exp5 = getExperiment('exp5') as SpecExperiment;
const { dataStreams } = specStreams(exp5.spec, BUILTIN_SPECS.find((b) => b.number === 5)!.options);
const dataBlock = specBlocks(exp5.spec).data;

function trial(over: Record<string, unknown>, repeat = 0): TrialSpec {
  const params = exp5.params.parse(over);
  return { id: `t.${repeat}`, sweepId: 't', experiment: 'exp5', configKey: `labels=${params.labels},n=${params.n}`, repeat, seed: 0, params };
}

/** One trial's training rows as the experiment draws them (the pool's first n, labels permuted when random). */
function trainingSet(t: TrialSpec) {
  return dataBlock.generate(t.params as Record<string, unknown>, dataStreams(t));
}

describe('exp5 protocol', () => {
  test('defaults: d = 6, sep 1, a 300-row pool, no test rows, [200, 200, 200] sigmoid, 2,500 steps of batch 64; notebook grid', () => {
    const p = exp5.params.parse({});
    expect(p).toMatchObject({ d: 6, class_sep: 1, covariance_scale: 1, pool_n: 300, n: 300, test_n: 0, labels: 'true', width: 200, depth: 3, activation: 'sigmoid', initializer: 'xavier', loss: 'cross_entropy', lr: 0.003, steps: 2500, batch_size: 64 });
    expect(exp5.grid).toEqual({ labels: ['true', 'random'], n: [50, 100, 150, 200, 250, 300] });
    expect(exp5.repeats).toBe(5);
    expect(exp5.section).toBe('II. Datasets');
    expect(exp5.spec.paired).toBe(false);
    for (const n of [50, 300]) {
      const plan = trialPlan(exp5.spec, exp5.params.parse({ n }));
      // 6·200+200 + 2·(200·200+200) + 200·2+2
      expect(parameterCount(plan.model!)).toBe(82_202);
      expect(plan.model).toEqual({ kind: 'mlp', input: 6, hidden: [200, 200, 200], output: 2, activation: 'sigmoid', initializer: 'xavier' });
      expect(plan.data).toMatchObject({ trainRows: n, testRows: 0 });
      // Batches of 64 (the whole set when n ≤ 64); checkpoints after updates 1, 251, …, 2251.
      expect(plan.phases).toMatchObject([{ steps: 2500, batchRows: Math.min(64, n) }]);
      expect(plan.checkpoints).toEqual([1, 251, 501, 751, 1001, 1251, 1501, 1751, 2001, 2251]);
      // Checkpoints evaluate all n training rows.
      expect(plan.evalRows).toBe(n);
    }
    // n is a prefix of the pool: never more rows than it holds.
    expect(exp5.refusal!(exp5.params.parse({ n: 301 }))).toMatchObject({ param: 'n' });
    expect(exp5.refusal!(exp5.params.parse({ n: 301, pool_n: 400 }))).toBeNull();
  });

  test('one pool of 300 rows per repeat, shared by every n and by true/random labels', () => {
    const full = trainingSet(trial({ labels: 'true', n: 300 })).train;
    expect(full.n).toBe(300);
    expect(full.d).toBe(6);
    expect(classCounts(full)).toEqual([150, 150]);
    for (const n of [50, 150]) {
      const part = trainingSet(trial({ labels: 'true', n }));
      expect(part.test.n).toBe(0);
      expect(Array.from(part.train.x)).toEqual(Array.from(full.x.slice(0, n * 6)));
      expect(Array.from(part.train.labels)).toEqual(Array.from(full.labels.slice(0, n)));
    }
    const otherRepeat = trainingSet(trial({ labels: 'true', n: 300 }, 1)).train;
    expect(Array.from(otherRepeat.x.slice(0, 12))).not.toEqual(Array.from(full.x.slice(0, 12)));
  });

  test('random labels: the same points, the one-hot rows of all 300 points permuted once per repeat', () => {
    const truth = trainingSet(trial({ labels: 'true', n: 300 })).train;
    const random = trainingSet(trial({ labels: 'random', n: 300 })).train;
    expect(Array.from(random.x)).toEqual(Array.from(truth.x));
    expect(classCounts(random)).toEqual(classCounts(truth));
    const agree = truth.labels.reduce((s, l, i) => s + (l === random.labels[i] ? 1 : 0), 0);
    expect(agree).toBeGreaterThan(100);
    expect(agree).toBeLessThan(200);
    // The same relabelling for every n: a smaller n sees a prefix of it (not a permutation of its own rows).
    expect(Array.from(trainingSet(trial({ labels: 'random', n: 100 })).train.labels)).toEqual(Array.from(random.labels.slice(0, 100)));
    expect(Array.from(trainingSet(trial({ labels: 'random', n: 300 }, 1)).train.labels)).not.toEqual(Array.from(random.labels));
  });

  test('the streams of the code the spec replaced: the pool from (data, repeat, 300, 6), the permutation from (label-permutation, repeat, 300)', () => {
    for (const repeat of [0, 3]) {
      const t = trial({ labels: 'random', n: 150 }, repeat);
      const pool = drawMixture(repeatStream(t, 'data', 300, 6), { n: 300, d: 6, class_seps: 1, covariance_scale: 1, test_size: 0 }).train;
      const permuted = permuteLabels(pool, repeatStream(t, 'label-permutation', 300));
      const drawn = trainingSet(t).train;
      expect(Array.from(drawn.x)).toEqual(Array.from(pool.x.slice(0, 150 * 6)));
      expect(Array.from(drawn.labels)).toEqual(Array.from(permuted.labels.slice(0, 150)));
    }
  });

  test('checkpoints after updates 1, 1 + k, … measure full-subset training accuracy; a trial does not depend on its pack', async () => {
    await useBackend('wasm');
    const small = { width: 16, depth: 1, n: 40, pool_n: 60, batch_size: 16 };
    const [long] = await exp5.runPack([trial({ ...small, steps: 20 })], {});
    expect(long.series.train_accuracy.steps).toEqual([1, 3, 5, 7, 9, 11, 13, 15, 17, 19]);
    for (const v of long.series.train_accuracy.values) expect(v * 40).toBeCloseTo(Math.round(v * 40), 4);
    expect(Object.keys(long.scalars).sort()).toEqual(['n_params', 'train_accuracy']);
    // The first checkpoint comes after one update: it equals the final accuracy of a 1-step run.
    const [one] = await exp5.runPack([trial({ ...small, steps: 1 })], {});
    expect(one.series.train_accuracy.steps).toEqual([1]);
    expect(long.series.train_accuracy.values[0]).toBe(one.scalars.train_accuracy);
    // A trial's numbers do not depend on its pack (true and random labels pack together).
    const [packed] = await exp5.runPack([trial({ ...small, steps: 20 }), trial({ ...small, labels: 'random', steps: 20 }, 1)], {});
    expect(packed.series.train_accuracy.values).toEqual(long.series.train_accuracy.values);
    expect(packed.scalars.train_accuracy).toBe(long.scalars.train_accuracy);
  });
});

describe('exp5 sweep and figure', () => {
  test('a small real sweep: accuracy curves per (labels, n), last-checkpoint panel and n=150 curve with bands', async () => {
    const { figureData } = await runSweep({
      experiment: 'exp5',
      repeats: 2,
      params: { steps: 40, width: 16, depth: 2, pool_n: 150, batch_size: 32 },
      grid: { labels: ['true', 'random'], n: [50, 150] },
    });
    const curve = figureData.aggregate.filter((r) => r.metric === 'train_accuracy' && r.step !== null);
    expect([...new Set(curve.map((r) => r.step))]).toEqual([1, 5, 9, 13, 17, 21, 25, 29, 33, 37]);
    expect(curve).toHaveLength(4 * 10);
    for (const r of curve) expect(r.n).toBe(2);
    expect(figureData.aggregate.filter((r) => r.metric === 'train_accuracy' && r.step === null)).toHaveLength(4);
    // It learns the true labels (chance 0.5): training accuracy ≥ 0.57 at both n after 40
    // steps, ≥ 0.05 above the first checkpoint's, after the first update.
    const accuracyAt = (config: string, step: number | null) => figureData.aggregate.find((r) => r.metric === 'train_accuracy' && r.config === config && r.step === step)!.mean;
    for (const config of ['labels=true,n=50', 'labels=true,n=150']) {
      expect(accuracyAt(config, null), config).toBeGreaterThanOrEqual(0.57);
      expect(accuracyAt(config, null) - accuracyAt(config, 1), config).toBeGreaterThanOrEqual(0.05);
    }

    const { html, element } = renderFigure(exp05Figure, figureData);
    // Two panels, each with a band per label setting.
    expect(element.querySelectorAll('g[aria-label="area"]')).toHaveLength(2);
    expect(element.querySelectorAll('g[aria-label="area"] path')).toHaveLength(4);
    expect(element.textContent).toContain('Neural Network Memorization');
    expect(element.textContent).toContain('Training Accuracy (n=150)');
    expect(element.textContent).toContain('The notebook labels these points 4, 8, 12, 16, 20, 24, 28, 32, 36, 40');
    const headline = exp05Figure.headline(figureData);
    expect(headline).toHaveLength(2);
    expect(headline[0]).toMatch(/^True labels, n=150: training accuracy after 37 updates /);
    await expect(formattedSvg(html)).toMatchFileSnapshot('../__snapshots__/exp05.figure.html');
  }, 120_000);
});
