import { describe, expect, test } from 'vitest';
import { z } from 'zod';
import { accuracyOf, checkpointUpdates, lossOf } from '../../core/blocks/recorders';
import { adamBlock, localCheckpoints, phaseSteps } from '../../core/blocks/train-adam';
import { mlpBlock } from '../../core/blocks/model-mlp';
import { convBlock } from '../../core/blocks/model-conv';
import { sharedBlock } from '../../core/blocks/model-shared';
import { transferBlock } from '../../core/blocks/train-transfer';
import { layerwiseBlock } from '../../core/blocks/train-layerwise';
import { parameterCount } from '../../core/nn/model';

const shape = { input: 5, output: 3, task: 'classification' as const, trainRows: 100, testRows: 40 };

describe('mlp block', () => {
  test('depth hidden layers of width units, input and output from the data', () => {
    const m = mlpBlock.build({ ...mlpBlock.defaults, width: 7, depth: 3 }, shape);
    expect(m).toMatchObject({ kind: 'mlp', input: 5, hidden: [7, 7, 7], output: 3 });
    expect(parameterCount(m)).toBe(5 * 7 + 7 + 2 * (7 * 7 + 7) + 7 * 3 + 3);
  });
  test('the schema rejects bad parameters', () => {
    const schema = z.object(mlpBlock.shape).strict();
    expect(schema.safeParse(mlpBlock.defaults).success).toBe(true);
    expect(schema.safeParse({ ...mlpBlock.defaults, depth: 0 }).success).toBe(false);
    expect(schema.safeParse({ ...mlpBlock.defaults, width: 4096 }).success).toBe(false);
    expect(schema.safeParse({ ...mlpBlock.defaults, activation: 'gelu' }).success).toBe(false);
  });
});

describe('shared block', () => {
  test('one width×width matrix applied depth times: the parameter count does not grow with depth', () => {
    const m = sharedBlock.build({ ...sharedBlock.defaults, width: 7, depth: 3 }, shape);
    expect(m).toEqual({ kind: 'shared', input: 5, width: 7, depth: 3, output: 3, activation: 'relu' });
    const count = 5 * 7 + 7 + 7 * 7 + 7 + 7 * 3 + 3;
    expect(parameterCount(m)).toBe(count);
    expect(parameterCount(sharedBlock.build({ ...sharedBlock.defaults, width: 7, depth: 40 }, shape))).toBe(count);
    // The notebook's Exp 2 net: one input, width 10, two classes.
    expect(parameterCount(sharedBlock.build(sharedBlock.defaults, { ...shape, input: 1, output: 2 }))).toBe(152);
  });
  test('the schema rejects bad parameters', () => {
    const schema = z.object(sharedBlock.shape).strict();
    expect(schema.safeParse(sharedBlock.defaults).success).toBe(true);
    for (const bad of [{ depth: 0 }, { depth: 65 }, { width: 513 }, { width: 2.5 }, { activation: 'gelu' }, { initializer: 'xavier' }]) expect(schema.safeParse({ ...sharedBlock.defaults, ...bad }).success, JSON.stringify(bad)).toBe(false);
  });
});

describe('adam block', () => {
  test('steps, or ceil(epochs·n/batch) updates', () => {
    expect(phaseSteps({ steps: 50, epochs: null, batch_size: 32 }, 100)).toBe(50);
    expect(phaseSteps({ steps: 50, epochs: 3, batch_size: 32 }, 100)).toBe(Math.ceil(300 / 32));
    // A batch above the rows is the whole set: one update per epoch.
    expect(phaseSteps({ steps: 50, epochs: 3, batch_size: 500 }, 100)).toBe(3);
    const [phase] = adamBlock.plan({ ...adamBlock.defaults, epochs: 2, batch_size: 10 }, shape, mlpBlock.build(mlpBlock.defaults, shape));
    expect(phase).toMatchObject({ steps: 20, batchRows: 10, dataRows: 140, recorded: true });
  });
  test("epoch_rows 'all' counts the test rows in an epoch, epoch_rounding 'floor' truncates (Exp 8's int(num_epochs·n/batch)); the defaults change nothing", () => {
    const p = { steps: 50, epochs: 150, batch_size: 16 };
    // 400 training and 100 test rows: 150·400/16 = 3750; 150·500/16 = 4687.5.
    expect(phaseSteps(p, 400, 100)).toBe(3750);
    expect(phaseSteps({ ...p, epoch_rows: 'train', epoch_rounding: 'ceil' }, 400, 100)).toBe(3750);
    expect(phaseSteps({ ...p, epoch_rows: 'all' }, 400, 100)).toBe(4688);
    expect(phaseSteps({ ...p, epoch_rows: 'all', epoch_rounding: 'floor' }, 400, 100)).toBe(4687);
    expect(phaseSteps({ ...p, batch_size: 64, epoch_rounding: 'floor' }, 400, 100)).toBe(937);
    expect(phaseSteps({ ...p, batch_size: 64 }, 400, 100)).toBe(938);
    // At least one update, and `steps` when no epochs are given.
    expect(phaseSteps({ steps: 50, epochs: 0.001, batch_size: 400, epoch_rounding: 'floor' }, 400, 100)).toBe(1);
    expect(phaseSteps({ steps: 50, epochs: null, batch_size: 16, epoch_rows: 'all', epoch_rounding: 'floor' }, 400, 100)).toBe(50);
    // The plan: the same steps, and the epochs an epoch-based schedule reads (none for a steps-defined phase).
    const model = mlpBlock.build(mlpBlock.defaults, shape);
    const [phase] = adamBlock.plan({ ...adamBlock.defaults, epochs: 3, batch_size: 10, epoch_rows: 'all', epoch_rounding: 'floor' }, shape, model);
    expect(phase).toMatchObject({ steps: Math.trunc((3 * (shape.trainRows + shape.testRows)) / 10), epochs: 3 });
    expect(adamBlock.plan({ ...adamBlock.defaults }, shape, model)[0].epochs).toBeUndefined();
    expect(z.object(adamBlock.shape).strict().safeParse({ ...adamBlock.defaults, epoch_rows: 'n' }).success).toBe(false);
  });
  test('a classification loss on a regression is refused, naming the loss', () => {
    expect(adamBlock.incompatible({ ...adamBlock.defaults }, { ...shape, task: 'regression', output: 1 }, mlpBlock.build(mlpBlock.defaults, shape))?.[0]).toBe('loss');
    expect(adamBlock.incompatible({ ...adamBlock.defaults, loss: 'mean_squared_error' }, { ...shape, task: 'regression', output: 1 }, mlpBlock.build(mlpBlock.defaults, shape))).toBeNull();
  });
  test('the schema rejects bad parameters', () => {
    const schema = z.object(adamBlock.shape).strict();
    expect(schema.safeParse(adamBlock.defaults).success).toBe(true);
    expect(schema.safeParse({ ...adamBlock.defaults, lr: 0 }).success).toBe(false);
    expect(schema.safeParse({ ...adamBlock.defaults, loss: 'focal' }).success).toBe(false);
    expect(schema.safeParse({ ...adamBlock.defaults, batch_size: 1.5 }).success).toBe(false);
  });
});

describe('recorders', () => {
  test('checkpoints every k updates and the last; phase-local indices', () => {
    expect(checkpointUpdates(25, 10)).toEqual([10, 20, 25]);
    expect(checkpointUpdates(20, 10)).toEqual([10, 20]);
    // Updates 10 and 20 of a phase covering updates 6..15 are its 0-based steps 4 (update 10).
    expect(localCheckpoints([10, 20], 5, 10)).toEqual([4]);
  });
  test('losses and accuracy as TF computes them on raw logits', () => {
    const logits = Float32Array.from([2, 0, 0, 1]);
    const targets = Float32Array.from([1, 0, 1, 0]);
    expect(accuracyOf(logits, targets, 2)).toBe(0.5);
    // Ties go to class 0.
    expect(accuracyOf(Float32Array.from([1, 1]), Float32Array.from([1, 0]), 2)).toBe(1);
    const ce = (Math.log(1 + Math.exp(-2)) + Math.log(1 + Math.exp(1))) / 2;
    expect(lossOf('cross_entropy', logits, targets, 2)).toBeCloseTo(ce, 10);
    expect(lossOf('mean_squared_error', logits, targets, 2)).toBeCloseTo((1 + 0 + 1 + 1) / 4, 10);
    expect(lossOf('hinge_loss', logits, targets, 2)).toBeCloseTo((0 + 1 + 1 + 2) / 4, 10);
  });
});

describe('mlp batch_norm', () => {
  test('batch_norm true asks the model for BN; false leaves the plain MLP spec untouched', () => {
    expect(mlpBlock.build({ ...mlpBlock.defaults, batch_norm: true }, shape)).toMatchObject({ batchNorm: true });
    expect('batchNorm' in mlpBlock.build({ ...mlpBlock.defaults, batch_norm: false }, shape)).toBe(false);
  });
});

describe('conv block', () => {
  const images = { input: 64, output: 4, task: 'classification' as const, trainRows: 100, testRows: 40, side: 8 };
  test("'conv' builds the conv net; 'mlp' the MLP whose parameter count is closest to it", () => {
    const conv = convBlock.build({ ...convBlock.defaults, filters: 4, kernel: 3, width: 16, depth: 1 }, images);
    expect(conv).toMatchObject({ kind: 'conv', side: 8, filters: 4, kernel: 3, hidden: [16], output: 4 });
    const convCount = parameterCount(conv);
    expect(convCount).toBe(9 * 4 + 4 + 36 * 4 * 16 + 16 + 16 * 4 + 4);
    const mlp = convBlock.build({ ...convBlock.defaults, architecture: 'mlp', filters: 4, kernel: 3, width: 16, depth: 1 }, images);
    expect(mlp).toMatchObject({ kind: 'mlp', input: 64, output: 4 });
    // One unit more or less would be further from the conv net's count.
    const h = (mlp as { hidden: number[] }).hidden[0];
    const count = (w: number) => 64 * w + w + w * 4 + 4;
    expect(Math.abs(count(h) - convCount)).toBeLessThanOrEqual(Math.min(Math.abs(count(h - 1) - convCount), Math.abs(count(h + 1) - convCount)));
  });
  test('refuses data that are not images, and kernels larger than the image', () => {
    expect(convBlock.incompatible(convBlock.defaults, shape)).toMatch(/image/);
    expect(convBlock.incompatible({ ...convBlock.defaults, kernel: 9 }, images)).toMatch(/larger/);
    expect(convBlock.incompatible(convBlock.defaults, images)).toBeNull();
  });
  test('the schema rejects bad parameters', () => {
    const schema = z.object(convBlock.shape).strict();
    expect(schema.safeParse(convBlock.defaults).success).toBe(true);
    expect(schema.safeParse({ ...convBlock.defaults, architecture: 'resnet' }).success).toBe(false);
    expect(schema.safeParse({ ...convBlock.defaults, filters: 0 }).success).toBe(false);
  });
});

describe('transfer and layerwise plans', () => {
  const model = mlpBlock.build(mlpBlock.defaults, shape);
  test('pretraining adds an unrecorded phase over the related rows; pretrain: false is the plain fine-tuning phase', () => {
    const withPre = transferBlock.plan({ ...transferBlock.defaults, pretrain_n: 500, pretrain_steps: 70, steps: 30, batch_size: 1000 }, shape, model);
    expect(withPre.map((p) => [p.steps, p.batchRows, p.recorded])).toEqual([[70, 500, false], [30, 100, true]]);
    expect(transferBlock.plan({ ...transferBlock.defaults, pretrain: false, steps: 30 }, shape, model)).toHaveLength(1);
    expect(transferBlock.incompatible({ ...transferBlock.defaults, freeze_layers: 3 }, shape, model)?.[0]).toBe('freeze_layers');
  });
  test('layer-wise training needs an MLP', () => {
    const conv = convBlock.build(convBlock.defaults, { ...shape, input: 64, side: 8 });
    expect(layerwiseBlock.incompatible({ ...layerwiseBlock.defaults, schedule: 'layerwise' }, shape, conv)?.[0]).toBe('schedule');
    expect(layerwiseBlock.incompatible({ ...layerwiseBlock.defaults, schedule: 'layerwise' }, shape, model)).toBeNull();
  });
});
