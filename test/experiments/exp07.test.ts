import { describe, expect, test } from 'vitest';
import { EXP7_ACTIVATIONS, exp7, modelFor, moonsFor } from '../../core/experiments/exp07-activations';
import { notebookCheckpoints, trainTrackingTestAccuracy } from '../../core/experiments/test-accuracy-curve';
import type { TrialSpec } from '../../core/experiments/types';
import { classCounts } from '../../core/data/dataset';
import { initialValues, parameterCount } from '../../core/nn/model';
import { trialStream } from '../../core/experiments/common';
import { exp07Figure } from '../../dashboard/figures/exp07';
import { formattedSvg, renderFigure } from '../helpers/render';
import { runSweep } from '../helpers/sweep';
import { useBackend } from '../tf-node';

type P = ReturnType<typeof exp7.params.parse>;
function trial(overrides: Partial<P>, repeat = 0, configKey = `activation=${overrides.activation ?? 'relu'}`): TrialSpec<P> {
  return { id: `t.${configKey}.${repeat}`, sweepId: 't', experiment: 'exp7', configKey, repeat, seed: 7, params: exp7.params.parse(overrides) };
}

describe('exp7 protocol', () => {
  test('defaults: moons n=500 noise 0.1, (30,30), Xavier, 800 steps of 64, lr 0.003; grid = the six notebook activations', () => {
    expect(exp7.params.parse({})).toMatchObject({ n: 500, noise: 0.1, test_size: 0.2, hidden: [30, 30], initializer: 'xavier', steps: 800, batch_size: 64, lr: 0.003, records: 10 });
    expect(exp7.grid).toEqual({ activation: ['relu', 'tanh', 'square', 'sin', 'sign', 'identity'] });
    expect(exp7.repeats).toBeGreaterThanOrEqual(5);
    // 2·30+30 + 30·30+30 + 30·2+2
    expect(parameterCount(modelFor(exp7.params.parse({})))).toBe(1082);
  });

  test('checkpoints follow step % (num_steps/10) == 0: 0, 80, …, 720 for 800 steps', () => {
    expect(notebookCheckpoints(800, 10)).toEqual([0, 80, 160, 240, 320, 400, 480, 560, 640, 720]);
    // Float period 7.5: only whole multiples of it qualify, as in Python.
    expect(notebookCheckpoints(75, 10)).toEqual([0, 15, 30, 45, 60]);
  });

  test('one moons draw per repeat, shared by every activation: 400/100 rows, 250 per class overall', () => {
    const a = moonsFor(trial({ activation: 'relu' }, 0));
    const b = moonsFor(trial({ activation: 'sign' }, 0));
    const c = moonsFor(trial({ activation: 'relu' }, 1));
    expect(b.train.x).toEqual(a.train.x);
    expect(b.test.labels).toEqual(a.test.labels);
    expect(c.train.x).not.toEqual(a.train.x);
    expect([a.train.n, a.test.n, a.train.d]).toEqual([400, 100, 2]);
    const counts = classCounts(a.train).map((n, i) => n + classCounts(a.test)[i]);
    expect(counts).toEqual([250, 250]);
  });

  test('sign: the hidden layers get a zero gradient and never move, while the output layer trains', async () => {
    await useBackend('wasm');
    const trials = [trial({ activation: 'sign', steps: 30 }, 0), trial({ activation: 'sign', steps: 30 }, 1)];
    const model = modelFor(trials[0].params);
    const r = await trainTrackingTestAccuracy(trials, {}, { model, loss: 'cross_entropy', lr: 0.003, steps: 30, batchSize: 64, records: 10, splits: trials.map(moonsFor) });
    const after = await r.pack.read();
    r.pack.dispose();
    trials.forEach((t, k) => {
      const before = initialValues(model, trialStream(t, 'init'));
      // W0, b0, W1, b1 are bit-identical; W_out and b_out have moved.
      for (const i of [0, 1, 2, 3]) expect(after[k][i]).toEqual(before[i]);
      for (const i of [4, 5]) expect(after[k][i]).not.toEqual(before[i]);
    });
    expect(r.checkpoints).toEqual([0, 3, 6, 9, 12, 15, 18, 21, 24, 27]);
    expect(r.curves.every((c) => c.length === 10)).toBe(true);
  });
});

describe('exp7 sweep and figure', () => {
  test('a small real sweep over the six activations aggregates 10 checkpoints and renders shapes + bands', async () => {
    const { figureData } = await runSweep({ experiment: 'exp7', repeats: 2, params: { steps: 40, n: 100 } });
    const curve = figureData.aggregate.filter((r) => r.metric === 'test_accuracy' && r.step !== null);
    expect(curve).toHaveLength(6 * 10);
    expect([...new Set(curve.map((r) => r.step))]).toEqual([0, 4, 8, 12, 16, 20, 24, 28, 32, 36]);
    expect(curve.every((r) => r.n === 2 && r.mean >= 0 && r.mean <= 1)).toBe(true);
    const final = figureData.aggregate.filter((r) => r.metric === 'test_accuracy' && r.step === null);
    expect(final).toHaveLength(6);
    // It learns (chance 0.5): every activation but sign (whose zero gradient stops the hidden
    // layers) ends at test accuracy ≥ 0.75 (0.85–0.93), ≥ 0.15 above step 0's, after the first update (+0.25 to +0.40).
    for (const r of final.filter((x) => x.config !== 'activation=sign')) {
      expect(r.mean, r.config).toBeGreaterThanOrEqual(0.75);
      expect(r.mean - curve.find((c) => c.config === r.config && c.step === 0)!.mean, r.config).toBeGreaterThanOrEqual(0.15);
    }
    const { html, element } = renderFigure(exp07Figure, figureData);
    // Six activation shape plots titled by name, then one accuracy plot with six bands.
    const titles = [...element.querySelectorAll('figure h2')].map((h) => h.textContent);
    expect(titles).toEqual([...EXP7_ACTIVATIONS, 'Test Accuracy with Various Activations']);
    expect(element.querySelectorAll('g[aria-label="area"] path')).toHaveLength(6);
    expect(element.querySelectorAll('g[aria-label="line"] path').length - element.querySelectorAll('g.repeats path').length).toBe(6 + 6);
    expect(element.querySelectorAll('g.repeats path')).toHaveLength(6 * 2);
    const headline = exp07Figure.headline(figureData);
    expect(headline).toHaveLength(6);
    expect(headline[0]).toMatch(/^relu: test accuracy at step 36 .* \(n=2\); after training .* \(n=2\)$/);
    await expect(formattedSvg(html)).toMatchFileSnapshot('../__snapshots__/exp07.figure.html');
  }, 120_000);
});
