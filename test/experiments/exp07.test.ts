import { describe, expect, test } from 'vitest';
import { getExperiment } from '../../core/experiments';
import { trialPlan, type SpecExperiment } from '../../core/custom/compile';
import { itemCheckpointCount, itemCheckpointUpdates, startAlignedUpdates, type CheckpointItem } from '../../core/blocks/recorders';
import type { TrialSpec } from '../../core/experiments/types';
import { classCounts } from '../../core/data/dataset';
import { generateMoons } from '../../core/data/moons';
import { initialValues, parameterCount } from '../../core/nn/model';
import { exp07Figure } from '../../dashboard/figures/exp07';
import { formattedSvg, renderFigure } from '../helpers/render';
import { runSweep } from '../helpers/sweep';
import { builtinStreams, dataOf, trainAsSpec } from '../helpers/spec-training';
import { useBackend } from '../tf-node';

const exp7 = getExperiment('exp7') as SpecExperiment;
const { streamOf, dataStreams } = builtinStreams(exp7);
const ACTIVATIONS = ['relu', 'tanh', 'square', 'sin', 'sign', 'identity'];

function trial(over: Record<string, unknown>, repeat = 0): TrialSpec {
  const params = exp7.params.parse(over);
  const configKey = `activation=${params.activation}`;
  return { id: `t.${configKey}.${repeat}`, sweepId: 't', experiment: 'exp7', configKey, repeat, seed: 7, params };
}

/** One trial's moons as the experiment draws them. */
const moonsOf = (t: TrialSpec) => dataOf(exp7, t);

/** Trains a pack as the spec does, returning the weights too (test/helpers/spec-training.ts). */
const trainDirect = (trials: TrialSpec[]) => trainAsSpec(exp7, trials);

describe('exp7 protocol', () => {
  test('defaults: moons 400 + 100 shuffled, noise 0.1, (30,30), Xavier, 800 steps of 64, lr 0.003; grid = the six notebook activations', () => {
    const p = exp7.params.parse({});
    expect(p).toMatchObject({ n: 500, test_size: 0.2, noise: 0.1, width: 30, depth: 2, activation: 'relu', initializer: 'xavier', loss: 'cross_entropy', steps: 800, batch_size: 64, lr: 0.003, epochs: null, regularization: 'none' });
    // The checkpoint count is the record item's, not a parameter.
    expect(exp7.params.safeParse({ records: 10 }).success).toBe(false);
    expect(exp7.spec.record).toContainEqual({ metric: 'test_accuracy', at: 'checkpoints', per_run: 10, align: 'start', float32: true });
    expect(exp7.grid).toEqual({ activation: ACTIVATIONS });
    expect(exp7.repeats).toBeGreaterThanOrEqual(5);
    expect(exp7.section).toBe('III. Parameters and Hyperparameters');
    // Weights and batches per trial; the data per repeat (below).
    expect(exp7.spec).toMatchObject({ paired: false, task_shared_by: [] });
    for (const activation of ACTIVATIONS) {
      const plan = trialPlan(exp7.spec, exp7.params.parse({ activation }));
      expect(plan.model).toEqual({ kind: 'mlp', input: 2, hidden: [30, 30], output: 2, activation, initializer: 'xavier' });
      // 2·30+30 + 30·30+30 + 30·2+2
      expect(parameterCount(plan.model!)).toBe(1082);
      expect(plan.data).toMatchObject({ input: 2, output: 2, task: 'classification', trainRows: 400, testRows: 100 });
      expect(plan.phases).toMatchObject([{ steps: 800, batchRows: 64, recorded: true }]);
    }
  });

  test('checkpoints follow step % (num_steps/10) == 0 after that step’s update: updates 1, 81, …, 721 for 800 steps', () => {
    const notebook = [1, 81, 161, 241, 321, 401, 481, 561, 641, 721];
    expect(startAlignedUpdates(800, 80)).toEqual(notebook);
    const item = exp7.spec.record.find((r) => r.at === 'checkpoints') as CheckpointItem;
    expect(itemCheckpointUpdates(item, 800)).toEqual(notebook);
    expect(itemCheckpointCount(item, 800)).toBe(10);
    expect(trialPlan(exp7.spec, exp7.params.parse({})).checkpoints).toEqual(notebook);
    // Float period 7.5: only whole multiples of it qualify (steps 0, 15, …, 60), as in Python.
    expect(startAlignedUpdates(75, 7.5)).toEqual([1, 16, 31, 46, 61]);
    expect(itemCheckpointUpdates(item, 75)).toEqual([1, 16, 31, 46, 61]);
    expect(itemCheckpointCount(item, 75)).toBe(5);
    expect(trialPlan(exp7.spec, exp7.params.parse({ steps: 75 })).checkpoints).toEqual([1, 16, 31, 46, 61]);
  });

  test('one moons draw per repeat, shared by every activation: 500 points split 400/100, 250 per class overall', () => {
    const a = moonsOf(trial({ activation: 'relu' }, 0));
    const b = moonsOf(trial({ activation: 'sign' }, 0));
    const c = moonsOf(trial({ activation: 'relu' }, 1));
    expect(b.train.x).toEqual(a.train.x);
    expect(b.train.labels).toEqual(a.train.labels);
    expect(b.test.x).toEqual(a.test.x);
    expect(b.test.labels).toEqual(a.test.labels);
    expect(c.train.x).not.toEqual(a.train.x);
    expect([a.train.n, a.test.n, a.train.d]).toEqual([400, 100, 2]);
    const counts = classCounts(a.train).map((n, i) => n + classCounts(a.test)[i]);
    expect(counts).toEqual([250, 250]);
    // The notebook's draw: make_moons(500, 0.1) then an 80/20 train_test_split, from the repeat's stream.
    const notebook = generateMoons(dataStreams(trial({ activation: 'tanh' }, 0)).task, 500, 0.1);
    expect(notebook.train.x).toEqual(a.train.x);
    expect(notebook.test.labels).toEqual(a.test.labels);
    // Initial weights and batches are the trial's own.
    for (const purpose of ['init', 'batch']) expect(streamOf(trial({ activation: 'sign' }, 0), purpose).uniform()).not.toBe(streamOf(trial({ activation: 'relu' }, 0), purpose).uniform());
  });

  test('sign: the hidden layers get a zero gradient and never move, while the output layer trains', async () => {
    await useBackend('wasm');
    const trials = [trial({ activation: 'sign', steps: 30 }, 0), trial({ activation: 'sign', steps: 30 }, 1)];
    const r = await trainDirect(trials);
    expect(r.plan.model).toMatchObject({ activation: 'sign', hidden: [30, 30] });
    // This is the experiment's training: runPack records the same curves, final accuracy and loss.
    const viaPack = await exp7.runPack(trials, {});
    trials.forEach((_, k) => {
      expect(viaPack[k].series.test_accuracy).toEqual({ steps: [1, 4, 7, 10, 13, 16, 19, 22, 25, 28], values: r.curves[k] });
      expect(viaPack[k].scalars.test_accuracy).toBe(r.final[k]);
      expect(viaPack[k].scalars.loss).toBe(r.finalLoss[k]);
    });
    trials.forEach((t, k) => {
      const before = initialValues(r.plan.model!, streamOf(t, 'init'));
      // W0, b0, W1, b1 are bit-identical; W_out and b_out have moved.
      for (const i of [0, 1, 2, 3]) expect(r.weights[k][i]).toEqual(before[i]);
      for (const i of [4, 5]) expect(r.weights[k][i]).not.toEqual(before[i]);
    });
    expect(r.plan.checkpoints).toEqual([1, 4, 7, 10, 13, 16, 19, 22, 25, 28]);
    expect(r.curves.every((c) => c.length === 10)).toBe(true);
  });
});

describe('exp7 sweep and figure', () => {
  test('a small real sweep over the six activations aggregates 10 checkpoints and renders shapes + bands', async () => {
    const { figureData } = await runSweep({ experiment: 'exp7', repeats: 2, params: { steps: 40, n: 100 } });
    const curve = figureData.aggregate.filter((r) => r.metric === 'test_accuracy' && r.step !== null);
    expect(curve).toHaveLength(6 * 10);
    expect([...new Set(curve.map((r) => r.step))]).toEqual([1, 5, 9, 13, 17, 21, 25, 29, 33, 37]);
    expect(curve.every((r) => r.n === 2 && r.mean >= 0 && r.mean <= 1)).toBe(true);
    const final = figureData.aggregate.filter((r) => r.metric === 'test_accuracy' && r.step === null);
    expect(final).toHaveLength(6);
    // It learns (chance 0.5): every activation but sign (whose zero gradient stops the hidden
    // layers) ends at test accuracy ≥ 0.75 (0.85–0.93), ≥ 0.15 above the first checkpoint's,
    // after the first update (+0.25 to +0.40).
    for (const r of final.filter((x) => x.config !== 'activation=sign')) {
      expect(r.mean, r.config).toBeGreaterThanOrEqual(0.75);
      expect(r.mean - curve.find((c) => c.config === r.config && c.step === 1)!.mean, r.config).toBeGreaterThanOrEqual(0.15);
    }
    const { html, element } = renderFigure(exp07Figure, figureData);
    // Six activation shape plots titled by name, then one accuracy plot with six bands.
    const titles = [...element.querySelectorAll('figure h2')].map((h) => h.textContent);
    expect(titles).toEqual([...ACTIVATIONS, 'Test Accuracy with Various Activations']);
    expect(element.querySelectorAll('g[aria-label="area"] path')).toHaveLength(6);
    expect(element.querySelectorAll('g[aria-label="line"] path').length - element.querySelectorAll('g.repeats path').length).toBe(6 + 6);
    expect(element.querySelectorAll('g.repeats path')).toHaveLength(6 * 2);
    const headline = exp07Figure.headline(figureData);
    expect(headline).toHaveLength(6);
    expect(headline[0]).toMatch(/^relu: test accuracy at step 37 .* \(n=2\); after training .* \(n=2\)$/);
    await expect(formattedSvg(html)).toMatchFileSnapshot('../__snapshots__/exp07.figure.html');
  }, 120_000);
});
