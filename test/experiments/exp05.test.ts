import { describe, expect, test } from 'vitest';
import { classCounts } from '../../core/data/dataset';
import { exp5, modelFor, repeatDataset, trainingSet } from '../../core/experiments/exp05-memorisation';
import type { TrialSpec } from '../../core/experiments/types';
import { parameterCount } from '../../core/nn/model';
import { exp05Figure } from '../../dashboard/figures/exp05';
import { formattedSvg, renderFigure } from '../helpers/render';
import { runSweep } from '../helpers/sweep';
import { useBackend } from '../tf-node';

type P = ReturnType<typeof exp5.params.parse>;

function trial(over: Record<string, unknown>, repeat = 0): TrialSpec<P> {
  const params = exp5.params.parse(over);
  return { id: `t.${repeat}`, sweepId: 't', experiment: 'exp5', configKey: `labels=${params.labels},n=${params.n}`, repeat, seed: 0, params };
}

describe('exp5 protocol', () => {
  test('defaults: d = 6, seps 1, [200, 200, 200] sigmoid, 2,500 steps of batch 64, checkpoints every 250; notebook grid', () => {
    const p = exp5.params.parse({});
    expect(p).toMatchObject({ d: 6, class_seps: 1, covariance_scale: 1, n_max: 300, hidden: [200, 200, 200], activation: 'sigmoid', lr: 0.003, steps: 2500, batch_size: 64, record_every: 250 });
    expect(exp5.grid).toEqual({ labels: ['true', 'random'], n: [50, 100, 150, 200, 250, 300] });
    expect(exp5.repeats).toBeGreaterThanOrEqual(5);
    // 6·200+200 + 2·(200·200+200) + 200·2+2
    expect(parameterCount(modelFor(p))).toBe(82_202);
    expect(exp5.params.safeParse({ n: 301 }).success).toBe(false);
  });

  test('one dataset of n_max rows per repeat, shared by every n and by true/random labels', () => {
    const full = repeatDataset(trial({ labels: 'true', n: 300 }));
    expect(full.n).toBe(300);
    expect(full.d).toBe(6);
    for (const n of [50, 150]) {
      const part = trainingSet(trial({ labels: 'true', n }));
      expect(Array.from(part.x)).toEqual(Array.from(full.x.slice(0, n * 6)));
      expect(Array.from(part.labels)).toEqual(Array.from(full.labels.slice(0, n)));
    }
    const otherRepeat = repeatDataset(trial({ labels: 'true', n: 300 }, 1));
    expect(Array.from(otherRepeat.x.slice(0, 12))).not.toEqual(Array.from(full.x.slice(0, 12)));
  });

  test('random labels: the same points, the one-hot rows of all 300 points permuted once per repeat', () => {
    const truth = repeatDataset(trial({ labels: 'true', n: 300 }));
    const random = repeatDataset(trial({ labels: 'random', n: 300 }));
    expect(Array.from(random.x)).toEqual(Array.from(truth.x));
    expect(classCounts(random)).toEqual(classCounts(truth));
    const agree = truth.labels.reduce((s, l, i) => s + (l === random.labels[i] ? 1 : 0), 0);
    expect(agree).toBeGreaterThan(100);
    expect(agree).toBeLessThan(200);
    // The same relabelling for every n: a smaller n sees a prefix of it.
    expect(Array.from(trainingSet(trial({ labels: 'random', n: 100 })).labels)).toEqual(Array.from(random.labels.slice(0, 100)));
    expect(Array.from(repeatDataset(trial({ labels: 'random', n: 300 }, 1)).labels)).not.toEqual(Array.from(random.labels));
  });

  test('checkpoints at steps 0, k, 2k, … measure full-subset training accuracy after that step’s update', async () => {
    await useBackend('wasm');
    const small = { hidden: [16], n: 40, n_max: 60, batch_size: 16, record_every: 5 };
    const [long] = await exp5.runPack([trial({ ...small, steps: 20 })], {});
    expect(long.series.train_accuracy.steps).toEqual([0, 5, 10, 15]);
    for (const v of long.series.train_accuracy.values) expect(v * 40).toBeCloseTo(Math.round(v * 40), 4);
    // Checkpoint 0 comes after one update: it equals the final accuracy of a 1-step run.
    const [one] = await exp5.runPack([trial({ ...small, steps: 1 })], {});
    expect(one.series.train_accuracy.steps).toEqual([0]);
    expect(long.series.train_accuracy.values[0]).toBe(one.scalars.train_accuracy);
    // A trial's numbers do not depend on its pack.
    const [packed] = await exp5.runPack([trial({ ...small, steps: 20 }), trial({ ...small, steps: 20 }, 1)], {});
    expect(packed.series.train_accuracy.values).toEqual(long.series.train_accuracy.values);
    expect(packed.scalars.train_accuracy).toBe(long.scalars.train_accuracy);
  });
});

describe('exp5 sweep and figure', () => {
  test('a small real sweep: accuracy curves per (labels, n), last-checkpoint panel and n=150 curve with bands', async () => {
    const { figureData } = await runSweep({
      experiment: 'exp5',
      repeats: 2,
      params: { steps: 40, record_every: 10, hidden: [16, 16], n_max: 150, batch_size: 32 },
      grid: { labels: ['true', 'random'], n: [50, 150] },
    });
    const curve = figureData.aggregate.filter((r) => r.metric === 'train_accuracy' && r.step !== null);
    expect([...new Set(curve.map((r) => r.step))]).toEqual([0, 10, 20, 30]);
    expect(curve).toHaveLength(4 * 4);
    for (const r of curve) expect(r.n).toBe(2);
    expect(figureData.aggregate.filter((r) => r.metric === 'train_accuracy' && r.step === null)).toHaveLength(4);
    // It learns the true labels (chance 0.5): training accuracy ≥ 0.57 at both n after 40 steps
    // (0.65 and 0.61), ≥ 0.05 above step 0's, after the first update (+0.14 and +0.11).
    const accuracyAt = (config: string, step: number | null) => figureData.aggregate.find((r) => r.metric === 'train_accuracy' && r.config === config && r.step === step)!.mean;
    for (const config of ['labels=true,n=50', 'labels=true,n=150']) {
      expect(accuracyAt(config, null), config).toBeGreaterThanOrEqual(0.57);
      expect(accuracyAt(config, null) - accuracyAt(config, 0), config).toBeGreaterThanOrEqual(0.05);
    }

    const { html, element } = renderFigure(exp05Figure, figureData);
    // Two panels, each with a band per label setting.
    expect(element.querySelectorAll('g[aria-label="area"]')).toHaveLength(2);
    expect(element.querySelectorAll('g[aria-label="area"] path')).toHaveLength(4);
    expect(element.textContent).toContain('Neural Network Memorization');
    expect(element.textContent).toContain('Training Accuracy (n=150)');
    expect(element.textContent).toContain('The notebook labels these points 10, 20, 30, 40');
    const headline = exp05Figure.headline(figureData);
    expect(headline).toHaveLength(2);
    expect(headline[0]).toMatch(/^True labels, n=150: training accuracy at step 30 /);
    await expect(formattedSvg(html)).toMatchFileSnapshot('../__snapshots__/exp05.figure.html');
  }, 120_000);
});
