import { describe, expect, test } from 'vitest';
import { z } from 'zod';
import { mixtureBlock } from '../../core/blocks/data-mixture';
import { imagesBlock } from '../../core/blocks/data-images';
import { svmBlock } from '../../core/blocks/model-svm';
import { treeBlock } from '../../core/blocks/model-tree';
import { sklearnMlpBlock } from '../../core/blocks/model-sklearn-mlp';
import { binaryLogLoss, CLASSICAL_MS_PER_UNIT, inCustomUnits, SVM_UNITS } from '../../core/blocks/classical';
import type { ClassicalModelBlock, DataShape, Values } from '../../core/blocks/types';
import { MODEL_BLOCKS } from '../../core/blocks';
import { DEFAULT_PACK_TIME } from '../../core/sweep/pack-budget';
import { streamFor } from '../../core/rng';
import { nodeLibsvm } from '../../node/libsvm-node';
import { useBackend } from '../tf-node';

const mixture = { ...mixtureBlock.defaults, n: 120, test_n: 60, d: 4, class_sep: 1 };
const shape: DataShape = mixtureBlock.describe(mixture);

/** Two trials' data drawn from their own streams. */
function splits(seed: number) {
  return [0, 1].map((k) => mixtureBlock.generate(mixture, { task: streamFor(seed, k, 'task'), train: streamFor(seed, k, 'train'), test: streamFor(seed, k, 'test') }));
}

async function fit(block: ClassicalModelBlock, values: Values, seed = 1) {
  const data = splits(seed);
  return block.fit({ params: values, data: shape, splits: data, stream: (k, purpose) => streamFor(seed, k, purpose), libsvm: nodeLibsvm });
}

const blocks: Array<[ClassicalModelBlock, Values]> = [
  [svmBlock, svmBlock.defaults],
  [treeBlock, treeBlock.defaults],
  // A small sklearn MLP: a short run keeps the test fast.
  [sklearnMlpBlock, { ...sklearnMlpBlock.defaults, sklearn_hidden: [8], sklearn_max_iter: 20 }],
];

describe.each(blocks)('classical block %s', (block, values) => {
  test('is a model block of the library with Exp 3’s defaults, bounded', () => {
    expect(MODEL_BLOCKS[block.kind]).toBe(block);
    expect(block.classical).toBe(true);
    const schema = z.object(block.shape).strict();
    expect(schema.safeParse(block.defaults).success).toBe(true);
    expect(schema.safeParse({ ...block.defaults, nope: 1 }).success).toBe(false);
  });

  test('predicts every test and training row; same streams, same numbers; n_params counts the fitted model', async () => {
    await useBackend('wasm');
    const a = await fit(block, values);
    const b = await fit(block, values);
    expect(a).toHaveLength(2);
    for (const f of a) {
      expect(f.test).toHaveLength(shape.testRows);
      expect(f.train).toHaveLength(shape.trainRows);
      expect(f.nParams).toBeGreaterThan(0);
      for (const p of f.test) expect([0, 1]).toContain(p);
    }
    expect(b).toEqual(a);
    // Another draw gives another fit.
    const c = await fit(block, values, 2);
    expect(c[0].test).not.toEqual(a[0].test);
  });

  test('classifies only; cost and memory are finite and grow with the rows', () => {
    expect(block.incompatible(block.defaults, { ...shape, task: 'regression', output: 1 })).toMatch(/classifier/);
    expect(block.incompatible(block.defaults, shape)).toBeNull();
    const more = { ...shape, trainRows: 4 * shape.trainRows };
    expect(block.cost(values, more)).toBeGreaterThan(block.cost(values, shape));
    expect(block.cost(values, shape)).toBeGreaterThan(0);
    expect(block.memory(values, more, 1)).toBeGreaterThanOrEqual(block.memory(values, shape, 1));
    expect(block.metrics).toEqual(expect.arrayContaining(['test_accuracy', 'train_accuracy', 'runtime_s']));
  });
});

describe('classical blocks', () => {
  test('svm: its parameters reach libsvm (a narrow RBF keeps every row a support vector); n_params = SVs·(d + 1) + 1 for two classes', async () => {
    const [wide] = await fit(svmBlock, svmBlock.defaults);
    const [narrow] = await fit(svmBlock, { ...svmBlock.defaults, svm_gamma: 1e4 });
    expect(narrow.scalars.n_support).toBe(shape.trainRows);
    expect(wide.scalars.n_support).toBeLessThan(shape.trainRows);
    expect(wide.nParams).toBe(wide.scalars.n_support * (shape.input + 1) + 1);
    // A host without a loader fails loudly.
    await expect(svmBlock.fit({ params: svmBlock.defaults, data: shape, splits: splits(1), stream: (k, p) => streamFor(k, p) })).rejects.toThrow(/no loader/);
  });

  test('decision_tree: grown until pure by default (every training row right), shallower with tree_max_depth', async () => {
    const [full] = await fit(treeBlock, treeBlock.defaults);
    expect(full.train.every((p, i) => p === splits(1)[0].train.labels[i])).toBe(true);
    const [stump] = await fit(treeBlock, { ...treeBlock.defaults, tree_max_depth: 1 });
    expect(stump.scalars.tree_depth).toBe(1);
    expect(stump.nParams).toBe(3);
    expect(full.nParams).toBe(2 * full.scalars.tree_leaves - 1);
  });

  test('sklearn_mlp: two classes only; losses are the binary log-loss; the pack does not change a network’s numbers', async () => {
    await useBackend('wasm');
    expect(sklearnMlpBlock.incompatible(sklearnMlpBlock.defaults, imagesBlock.describe(imagesBlock.defaults))).toMatch(/two classes/);
    const values = { ...sklearnMlpBlock.defaults, sklearn_hidden: [8], sklearn_max_iter: 20 };
    const data = splits(1);
    const both = await sklearnMlpBlock.fit({ params: values, data: shape, splits: data, stream: (k, p) => streamFor(1, k, p) });
    const second = await sklearnMlpBlock.fit({ params: values, data: shape, splits: [data[1]], stream: (_k, p) => streamFor(1, 1, p) });
    expect(second[0]).toEqual(both[1]);
    expect(both[0].testLoss).toBeGreaterThan(0);
    expect(both[0].scalars.n_iter).toBeGreaterThan(0);
    // The batch it used (min(200, rows)) and its loss per epoch, as a trace (steps 1 … n_iter).
    expect(both[0].scalars.batch_size).toBe(Math.min(200, shape.trainRows));
    const curve = both[0].traces!.loss_curve;
    expect(curve.steps).toEqual(Array.from({ length: both[0].scalars.n_iter }, (_, i) => i + 1));
    expect(curve.values.at(-1)).toBe(both[0].scalars.final_loss);
    expect(both[0].nParams).toBe(4 * 8 + 8 + 8 + 1);
    expect(binaryLogLoss(Float32Array.of(0, 0), Float32Array.of(0, 1))).toBeCloseTo(Math.log(2), 12);
  });

  test('costs are Exp 3’s, converted by the pack-time prices to the custom experiments’ units', () => {
    expect(inCustomUnits(1e9, 'svm') * (DEFAULT_PACK_TIME.msPerCostUnit as number)).toBeCloseTo(1e9 * CLASSICAL_MS_PER_UNIT.svm, 3);
    expect(inCustomUnits(1e9, 'deep') * (DEFAULT_PACK_TIME.msPerCostUnit as number)).toBeCloseTo(1e9 * CLASSICAL_MS_PER_UNIT.deep, 3);
    const m = shape.trainRows;
    expect(svmBlock.cost(svmBlock.defaults, shape)).toBeCloseTo(inCustomUnits(SVM_UNITS * (m * m * 4 + (60 + m) * m * 4), 'svm'), 3);
    // A bigger cache is more memory; the tree uses no WebAssembly heap.
    expect(svmBlock.memory({ ...svmBlock.defaults, svm_cache_mb: 64 }, shape)).toBeGreaterThan(svmBlock.memory(svmBlock.defaults, shape));
    expect(treeBlock.memory(treeBlock.defaults, shape)).toBe(0);
  });
});
