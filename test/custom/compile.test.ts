import { describe, expect, test } from 'vitest';
import { compileSpec, specStreams } from '../../core/custom/compile';
import { mixtureBlock } from '../../core/blocks/data-mixture';
import { oneHot, trainPack } from '../../core/train/train-pack';
import { specId, type ExperimentSpec } from '../../core/custom/spec';
import { validateSpec } from '../../core/custom/validate';
import type { TrialSpec } from '../../core/experiments/types';
import { expandSweep, packTrials } from '../../core/sweep/expand';
import { useBackend } from '../tf-node';
import { tinySpec } from './fixtures';

function parsed(input: unknown = tinySpec()): ExperimentSpec {
  const v = validateSpec(input);
  if (!v.ok) throw new Error(JSON.stringify(v.issues));
  return v.spec;
}

describe('compileSpec', () => {
  test('the experiment carries the spec: parameters with the spec values as defaults, grid, repeats, claims', () => {
    const e = compileSpec('xabc', parsed());
    expect(e.id).toBe('xabc');
    expect(e.number).toBe(0);
    const defaults = e.params.parse({});
    expect(defaults).toMatchObject({ n: 64, test_n: 50, d: 4, class_sep: 1, width: 8, depth: 1, activation: 'relu', lr: 0.003, batch_size: 16, steps: 40 });
    // Left-out block parameters take the block defaults and remain sweepable parameters.
    expect(defaults).toMatchObject({ covariance_scale: 1, initializer: 'xavier', loss: 'cross_entropy', epochs: null });
    expect(e.params.safeParse({ nope: 1 }).success).toBe(false);
    expect(e.params.safeParse({ width: 0 }).success).toBe(false);
    expect(e.grid).toEqual({ lr: [0.001, 0.01] });
    expect(e.repeats).toBe(2);
    expect(e.claims?.[0]).toMatchObject({ by: 'lr' });
    expect(e.figure).toEqual({ x: 'step', y: 'test_accuracy', color: 'lr' });
  });

  test('a tiny sweep runs through expandSweep and runPack; a trial gives the same numbers alone and in a pack', async () => {
    await useBackend('wasm');
    const e = compileSpec('xtiny', parsed());
    const sweep = expandSweep({ experiment: 'xtiny', seed: 3 }, 's', undefined, (id) => (id === e.id ? e : undefined));
    expect(sweep.trials).toHaveLength(4);
    const packs = packTrials(e, sweep.trials, 16);
    // lr is a training parameter, not a data content one: one pack per learning rate.
    expect(packs).toHaveLength(2);
    const together = (await Promise.all(packs.map((p) => e.runPack(p, {})))).flat();
    expect(together).toHaveLength(4);
    for (const r of together) {
      expect(r.series.test_accuracy.steps).toEqual([10, 20, 30, 40]);
      expect(r.series.test_accuracy.values).toHaveLength(4);
      expect(r.scalars.test_accuracy).toBe(r.series.test_accuracy.values[3]);
      expect(r.scalars.test_accuracy).toBeGreaterThanOrEqual(0);
      expect(r.scalars.test_accuracy).toBeLessThanOrEqual(1);
      expect(r.scalars.test_loss).toBeGreaterThan(0);
      expect(r.scalars.weight_norm).toBeGreaterThan(0);
      expect(r.scalars.n_params).toBe(4 * 8 + 8 + 8 * 2 + 2);
    }
    // Trial 1 of the first pack, alone.
    const alone = await e.runPack([packs[0][1]], {});
    const inPack = together.find((r) => r.trialId === packs[0][1].id)!;
    expect(alone[0].scalars).toEqual(inPack.scalars);
    expect(alone[0].series).toEqual(inPack.series);
    // Paired: repeat r's data is shared across learning rates, but the two rates differ.
    const byRepeat0 = together.filter((r) => r.trialId.endsWith('.0'));
    expect(byRepeat0[0].scalars.test_loss).not.toBe(byRepeat0[1].scalars.test_loss);
  });

  test('different repeats and different seeds draw different numbers; the same seed the same ones', async () => {
    await useBackend('wasm');
    const e = compileSpec('xtiny', parsed());
    const trial = (repeat: number, seed: number): TrialSpec => ({ id: `t${repeat}.${seed}`, sweepId: 't', experiment: 'xtiny', configKey: 'lr=0.01', repeat, seed, params: e.params.parse({ lr: 0.01 }) });
    const [a, b, c] = await e.runPack([trial(0, 1), trial(1, 1), trial(0, 1)], {});
    expect(a.scalars.test_loss).toBe(c.scalars.test_loss);
    expect(a.scalars.test_loss).not.toBe(b.scalars.test_loss);
    const [d] = await e.runPack([trial(0, 2)], {});
    expect(d.scalars.test_loss).not.toBe(a.scalars.test_loss);
  });

  test('cost and memory grow with the work and the widths, in the built-ins units', () => {
    const e = compileSpec('x', parsed());
    const base = e.params.parse({});
    expect(e.cost({ ...base, steps: 80 })).toBeGreaterThan(1.5 * e.cost(base));
    expect(e.memory({ ...base, width: 512 }, 1)).toBeGreaterThan(e.memory(base, 1));
    // epochs replaces steps: 10 epochs of 64 rows at batch 16 = 40 updates.
    expect(e.cost({ ...base, epochs: 10 })).toBe(e.cost(base));
  });
});

describe('a spec with a features section', () => {
  test('dummy columns and PCA set the network input; the trial is pack-independent', async () => {
    await useBackend('wasm');
    const input = { ...tinySpec(), features: { block: 'pipeline', dummy_dim: 6, mixing: 'orthogonal', pca_dim: 3 }, grid: { lr: [0.01] }, claims: [], figure: undefined };
    const e = compileSpec('xfeat', parsed(input));
    expect(e.params.parse({})).toMatchObject({ dummy_dim: 6, mixing: 'orthogonal', pca_dim: 3, labels: 'true' });
    const sweep = expandSweep({ experiment: 'xfeat', repeats: 3 }, 'f', undefined, (id) => (id === 'xfeat' ? e : undefined));
    const together = await e.runPack(sweep.trials, {});
    // 3 inputs → 8 hidden → 2 outputs.
    expect(together[0].scalars.n_params).toBe(3 * 8 + 8 + 8 * 2 + 2);
    const alone = await e.runPack([sweep.trials[2]], {});
    expect(alone[0]).toEqual(together[2]);
  });
});

describe('a regression spec (target_1d)', () => {
  test('trains on raw targets and records the mean squared error, which falls with training', async () => {
    await useBackend('wasm');
    const input = {
      ...tinySpec(),
      data: { block: 'target_1d', function: 'abs', n: 40, test_n: 21 },
      model: { block: 'mlp', width: 16, depth: 1, activation: 'tanh' },
      training: { block: 'adam', loss: 'mean_squared_error', lr: 0.01, batch_size: 40, steps: 200 },
      record: [{ metric: 'test_loss', at: 'checkpoints', every: 100 }],
      grid: {},
      claims: [],
      figure: { x: 'step', y: 'test_loss' },
    };
    const e = compileSpec('xreg', parsed(input));
    const t = { id: 'r', sweepId: 'r', experiment: 'xreg', configKey: 'default', repeat: 0, seed: 1, params: e.params.parse({}) };
    const [r] = await e.runPack([t], {});
    expect(r.series.test_loss.steps).toEqual([100, 200]);
    // Predicting 0 on the test grid scores mean(x²) = 0.367; the fit does far better and keeps improving.
    expect(r.scalars.test_loss).toBeLessThan(0.2);
    expect(r.series.test_loss.values[1]).toBeLessThan(r.series.test_loss.values[0]);
    expect(r.scalars.n_params).toBe(1 * 16 + 16 + 16 + 1);
  });
});

describe('specId', () => {
  test('stable under key order and defaults spelled out; different when a value changes', async () => {
    const a = parsed();
    const reordered = Object.fromEntries(Object.entries(tinySpec()).reverse());
    const b = parsed({ ...reordered, data: { d: 4, class_sep: 1, test_n: 50, n: 64, block: 'mixture', covariance_scale: 1 } });
    const id = await specId(a);
    expect(id).toMatch(/^x[0-9a-f]{12}$/);
    expect(await specId(b)).toBe(id);
    expect(await specId(parsed({ ...tinySpec(), repeats: 3 }))).not.toBe(id);
    // Block parameters at their defaults do not count, so parameters the library adds later
    // (with a no-op default) leave existing ids alone.
    expect(await specId(parsed({ ...tinySpec(), data: { ...tinySpec().data, class_ratio: 1, resample: 'none' } }))).toBe(id);
    const other = tinySpec();
    other.training = { ...other.training, lr: 0.004 };
    expect(await specId(parsed(other))).not.toBe(id);
  });
});

describe('records of the last batch loss, predictions and names', () => {
  test("the loss record is the loss trainPack's last step returned (before its update, float32); a named record is stored under its name", async () => {
    await useBackend('wasm');
    const spec = parsed({
      ...tinySpec(),
      record: [
        { metric: 'loss', at: 'end' },
        { metric: 'train_loss', at: 'end' },
        { metric: 'test_accuracy', at: 'checkpoints', every: 20, name: 'acc' },
      ],
      claims: [],
      figure: { x: 'step', y: 'acc', color: 'lr' },
    });
    const e = compileSpec('xlast', spec);
    const sweep = expandSweep({ experiment: 'xlast', repeats: 1, grid: { lr: [0.01] } }, 's', undefined, (id) => (id === e.id ? e : undefined));
    const [r] = await e.runPack(sweep.trials, {});
    expect(Object.keys(r.scalars).sort()).toEqual(['acc', 'loss', 'n_params', 'train_loss']);
    expect(Object.keys(r.series)).toEqual(['acc']);
    expect(r.series.acc.steps).toEqual([20, 40]);
    // The same training by hand: the blocks' data, the trial's streams, trainPack.
    const t = sweep.trials[0];
    const { streamOf, dataStreams } = specStreams(spec);
    const { train } = mixtureBlock.generate(t.params as Record<string, unknown>, dataStreams(t));
    const { finalLoss, pack } = await trainPack({
      model: { kind: 'mlp', input: 4, hidden: [8], output: 2, activation: 'relu', initializer: 'xavier' },
      initRngs: [streamOf(t, 'init')],
      batchRngs: [streamOf(t, 'batch')],
      trainX: [train.x],
      trainY: [oneHot(train.labels, 2)],
      n: train.n,
      loss: 'cross_entropy',
      lr: 0.01,
      steps: 40,
      batchSize: 16,
    });
    pack.dispose();
    expect(Object.is(r.scalars.loss, finalLoss[0])).toBe(true);
    expect(Object.is(Math.fround(r.scalars.loss), r.scalars.loss)).toBe(true);
    // The loss after the last update, on every training row, is another number.
    expect(r.scalars.train_loss).not.toBe(r.scalars.loss);
  });

  test('predictions: score, label and x per row of the test rows, or of the training rows; a regression scores its output', async () => {
    await useBackend('wasm');
    const base = { title: 't', question: 'q', hypothesis: 'h', model: { block: 'mlp', width: 4, depth: 1 }, training: { block: 'adam', steps: 5, batch_size: 8 }, repeats: 1 };
    const run = async (spec: unknown) => {
      const e = compileSpec('xpred', parsed(spec));
      const sweep = expandSweep({ experiment: 'xpred', repeats: 1 }, 's', undefined, (id) => (id === e.id ? e : undefined));
      return (await e.runPack(sweep.trials, {}))[0];
    };
    const moons = await run({ ...base, data: { block: 'moons', n: 30, test_n: 20 }, record: [{ metric: 'test_accuracy', at: 'end' }, { metric: 'predictions', at: 'end' }] });
    expect(Object.keys(moons.series).sort()).toEqual(['label', 'score']); // two input columns: no x
    expect(moons.series.score.steps).toEqual(Array.from({ length: 20 }, (_, i) => i));
    const hits = moons.series.score.values.filter((z, i) => (z > 0 ? 1 : 0) === moons.series.label.values[i]).length;
    expect(moons.scalars.test_accuracy).toBe(hits / 20);
    const onTrain = await run({ ...base, data: { block: 'alternating', n: 12 }, model: { block: 'shared', width: 3, depth: 2 }, record: [{ metric: 'predictions', at: 'end', on: 'train' }] });
    expect(onTrain.series.x.values).toEqual(Array.from({ length: 12 }, (_, i) => Math.fround(i / 12)));
    expect(onTrain.series.label.values).toEqual(Array.from({ length: 12 }, (_, i) => (i % 2 === 0 ? 1 : 0)));
    expect(onTrain.scalars.n_params).toBe(3 + 3 + 9 + 3 + 3 * 2 + 2);
    const regression = await run({ ...base, data: { block: 'target_1d', n: 30, test_n: 25 }, training: { ...base.training, loss: 'mean_squared_error' }, record: [{ metric: 'predictions', at: 'end' }] });
    expect(Object.keys(regression.series).sort()).toEqual(['label', 'score', 'x']);
    expect(regression.series.score.values).toHaveLength(25);
  });
});

test('a sweep request that gives predictions more than two classes is refused, naming the parameter', () => {
  const e = compileSpec('xcls', parsed({ title: 't', question: 'q', hypothesis: 'h', data: { block: 'images', classes: 2 }, model: { block: 'mlp' }, training: { block: 'adam', steps: 5 }, record: [{ metric: 'predictions', at: 'end' }], grid: { lr: [0.01] }, repeats: 1 }));
  const lookup = (id: string) => (id === e.id ? e : undefined);
  expect(() => expandSweep({ experiment: 'xcls', grid: { classes: [2, 4] } }, 's', undefined, lookup)).toThrow(/grid\.classes: config lr=0.01,classes=4: predictions stores one score per row/);
  expect(expandSweep({ experiment: 'xcls' }, 's', undefined, lookup).trials).toHaveLength(1);
});
