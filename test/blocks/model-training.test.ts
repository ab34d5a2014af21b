import { describe, expect, test } from 'vitest';
import { z } from 'zod';
import { accuracyOf, checkpointUpdates, lossOf } from '../../core/blocks/recorders';
import { adamBlock, localCheckpoints, phaseSteps } from '../../core/blocks/train-adam';
import { mlpBlock } from '../../core/blocks/model-mlp';
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

describe('adam block', () => {
  test('steps, or ceil(epochs·n/batch) updates', () => {
    expect(phaseSteps({ steps: 50, epochs: null, batch_size: 32 }, 100)).toBe(50);
    expect(phaseSteps({ steps: 50, epochs: 3, batch_size: 32 }, 100)).toBe(Math.ceil(300 / 32));
    // A batch above the rows is the whole set: one update per epoch.
    expect(phaseSteps({ steps: 50, epochs: 3, batch_size: 500 }, 100)).toBe(3);
    const [phase] = adamBlock.plan({ ...adamBlock.defaults, epochs: 2, batch_size: 10 }, shape, mlpBlock.build(mlpBlock.defaults, shape));
    expect(phase).toMatchObject({ steps: 20, batchRows: 10, dataRows: 140, recorded: true });
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
