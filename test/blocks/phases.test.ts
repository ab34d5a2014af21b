/**
 * The multi-phase training blocks on real tfjs: what is frozen stays bit-identical, what is
 * trained moves, and checkpoints count updates across phases.
 */
import { describe, expect, test } from 'vitest';
import { mixtureBlock } from '../../core/blocks/data-mixture';
import { mlpBlock } from '../../core/blocks/model-mlp';
import { layerwiseBlock, stageSteps } from '../../core/blocks/train-layerwise';
import { frozenFlags, transferBlock } from '../../core/blocks/train-transfer';
import type { TrainingBlock, TrainingInput, Values } from '../../core/blocks/types';
import type { NetworkPack } from '../../core/nn/model';
import { streamFor } from '../../core/rng';
import { oneHot } from '../../core/train/train-pack';
import { useBackend } from '../tf-node';

const dataValues = { ...mixtureBlock.defaults, n: 60, test_n: 20, d: 4 };
const data = mixtureBlock.describe(dataValues);

/** Trains `trials` networks with the block and returns each checkpoint's parameter values. */
async function run(block: TrainingBlock, params: Values, model: Values, checkpoints: number[], trials = 2) {
  const spec = mlpBlock.build({ ...mlpBlock.defaults, ...model }, data);
  const splits = Array.from({ length: trials }, (_, k) => mixtureBlock.generate(dataValues, { task: streamFor(k, 'task'), train: streamFor(k, 'train'), test: streamFor(k, 'test') }));
  const seen = new Map<number, Float32Array[][]>();
  const input: TrainingInput = {
    params: { ...block.defaults, ...params },
    data,
    dataBlock: mixtureBlock,
    model: spec,
    splits,
    dataValues: () => dataValues,
    trainX: splits.map((s) => s.train.x),
    trainY: splits.map((s) => oneHot(s.train.labels)),
    stream: (k, purpose) => streamFor(k, purpose),
    targets: (labels) => oneHot(labels),
    checkpoints,
    onCheckpoint: async (u: number, net: NetworkPack) => void seen.set(u, await net.read()),
  };
  const net = await block.run(input);
  const final = await net.read();
  net.dispose();
  return { seen, final };
}

describe('transfer', () => {
  test('frozenFlags freezes the first layers (weights, biases, BN parameters) only', () => {
    const spec = mlpBlock.build({ ...mlpBlock.defaults, depth: 2, batch_norm: true }, data);
    // W0 b0 gamma0 beta0 | W1 b1 gamma1 beta1 | W2 b2
    expect(frozenFlags(spec, 1)).toEqual([false, false, false, false, true, true, true, true, true, true]);
    expect(frozenFlags(spec, 0).every(Boolean)).toBe(true);
  });

  test('fine-tuning with freeze_layers 1 leaves the pretrained first layer bit-identical and moves the rest', async () => {
    await useBackend('wasm');
    const frozen = await run(transferBlock, { pretrain_n: 50, pretrain_steps: 20, steps: 15, freeze_layers: 1 }, { width: 6, depth: 2 }, [1, 15]);
    const first = frozen.seen.get(1)!;
    const last = frozen.seen.get(15)!;
    for (let k = 0; k < 2; k++) {
      expect(last[k][0]).toEqual(first[k][0]);
      expect(last[k][1]).toEqual(first[k][1]);
      expect(last[k][2]).not.toEqual(first[k][2]);
    }
    const free = await run(transferBlock, { pretrain_n: 50, pretrain_steps: 20, steps: 15, freeze_layers: 0 }, { width: 6, depth: 2 }, [1, 15]);
    expect(free.seen.get(15)![0][0]).not.toEqual(free.seen.get(1)![0][0]);
    // The fine-tuning starts from the pretrained weights: the first update is small, not a fresh draw.
    const fromScratch = await run(transferBlock, { pretrain: false, steps: 15 }, { width: 6, depth: 2 }, [1, 15]);
    expect(free.seen.get(1)![0][0]).not.toEqual(fromScratch.seen.get(1)![0][0]);
  });
});

describe('layerwise', () => {
  test('stages split the updates evenly, the remainder to the last', () => {
    expect(stageSteps(10, 3)).toEqual([3, 3, 4]);
    expect(stageSteps(600, 2)).toEqual([300, 300]);
    const phases = layerwiseBlock.plan({ ...layerwiseBlock.defaults, schedule: 'layerwise', steps: 10, finetune_steps: 5 }, data, mlpBlock.build({ ...mlpBlock.defaults, depth: 3 }, data));
    expect(phases.map((p) => [p.steps, (p.model as { hidden: number[] }).hidden.length])).toEqual([[3, 1], [3, 2], [4, 3], [5, 3]]);
  });

  test('greedy stages: a layer trained in stage 1 stays frozen in stage 2; end-to-end moves it', async () => {
    await useBackend('wasm');
    const greedy = await run(layerwiseBlock, { schedule: 'layerwise', steps: 20 }, { width: 5, depth: 2 }, [10, 11, 20]);
    const stage1 = greedy.seen.get(10)!;
    // After stage 1 the net has one hidden layer (W0 b0 W1 b1), after stage 2 two (W0 b0 W1 b1 W2 b2).
    expect(stage1[0]).toHaveLength(4);
    expect(greedy.final[0]).toHaveLength(6);
    for (let k = 0; k < 2; k++) expect(greedy.final[k][0]).toEqual(stage1[k][0]);
    expect(greedy.final[0][2]).not.toEqual(greedy.seen.get(11)![0][2]);
    const joint = await run(layerwiseBlock, { schedule: 'end_to_end', steps: 20 }, { width: 5, depth: 2 }, [10, 20]);
    expect(joint.final[0][0]).not.toEqual(joint.seen.get(10)![0][0]);
  });
});
