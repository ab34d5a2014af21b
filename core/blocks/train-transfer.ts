/**
 * Training block `transfer`: pretrain on a related task, then fine-tune on the experiment's
 * (small) training set, or, with `pretrain: false`, train the same network from scratch for
 * the same fine-tuning updates (the control).
 *
 * Pretraining: `pretrain_n` rows of the data block's related task at `task_shift` (its
 * `generate(…, shift)`: for a mixture, the class mean with a share of its coordinates
 * flipped, from the same covariance; for moons, rotated), `pretrain_steps` Adam updates at
 * the same lr and batch size. Fine-tuning starts from the pretrained weights (and batch
 * statistics), with the first `freeze_layers` hidden layers frozen, for `steps` (or
 * `epochs`) updates. Series record the fine-tuning updates only. The from-scratch network
 * starts from the same initial weights the pretraining started from, every layer trainable
 * (freeze_layers applies to fine-tuning only).
 */
import { z } from 'zod';
import { parameterLayers, type ModelSpec } from '../nn/model';
import { adamDefaults, adamShape, lossIncompatible, phaseSteps, trainPhase, type AdamValues } from './train-adam';
import type { PhasePlan, TrainingBlock, Values } from './types';

export const transferShape = {
  ...adamShape,
  pretrain: z.boolean(),
  pretrain_n: z.number().int().min(2).max(20_000),
  pretrain_steps: z.number().int().min(1).max(1_000_000),
  /** 0: the same task; 1: the most different related task the data block defines. */
  task_shift: z.number().min(0).max(1),
  /** Hidden layers (from the input) whose parameters stay fixed while fine-tuning. */
  freeze_layers: z.number().int().min(0).max(8),
};

type TransferValues = AdamValues & { pretrain: boolean; pretrain_n: number; pretrain_steps: number; task_shift: number; freeze_layers: number };

/** Parameter flags for fine-tuning: the first `frozen` dense layers' parameters (a conv net's convolution counts as one) are false. */
export function frozenFlags(model: ModelSpec, frozen: number): boolean[] {
  return parameterLayers(model).map((layer) => layer >= frozen);
}

/** Hidden layers of a model (the convolution counts as one). */
function hiddenLayers(model: ModelSpec): number {
  if (model.kind === 'shared') return model.depth + 1;
  return model.hidden.length + (model.kind === 'conv' ? 1 : 0);
}

export const transferBlock: TrainingBlock = {
  family: 'training',
  kind: 'transfer',
  summary: 'Pretrain on a related task, then fine-tune on the training set (optionally with the first layers frozen); pretrain: false trains from scratch.',
  shape: transferShape,
  needsRelatedTask: true,
  defaults: { ...adamDefaults, pretrain: true, pretrain_n: 2000, pretrain_steps: 1000, task_shift: 0.25, freeze_layers: 0 },
  plan(values: Values, data, model): PhasePlan[] {
    const p = values as unknown as TransferValues;
    const penalty = p.regularization !== 'none';
    const finetune: PhasePlan = { model, steps: phaseSteps(p, data.trainRows, data.testRows), epochs: p.epochs ?? undefined, batchRows: Math.min(p.batch_size, data.trainRows), dataRows: data.trainRows + data.testRows, recorded: true, tape: penalty || p.freeze_layers > 0 };
    if (!p.pretrain) return [finetune];
    return [{ model, steps: p.pretrain_steps, batchRows: Math.min(p.batch_size, p.pretrain_n), dataRows: p.pretrain_n + data.testRows, recorded: false, tape: penalty }, finetune];
  },
  async run(input) {
    const p = input.params as unknown as TransferValues;
    const steps = phaseSteps(p, input.splits[0].train.n, input.splits[0].test.n);
    if (!p.pretrain) return trainPhase(input, p, { steps, offset: 0, record: true });
    const dataValues = input.splits.map((_, k) => ({ ...input.dataValues(k), n: p.pretrain_n, test_n: 2 }));
    const related = dataValues.map((v, k) =>
      input.dataBlock.generate(v, { task: input.stream(k, 'data_task'), train: input.stream(k, 'pretrain_train'), test: input.stream(k, 'pretrain_test') }, p.task_shift),
    );
    const pretrained = await trainPhase(input, p, {
      steps: p.pretrain_steps,
      offset: 0,
      record: false,
      batchPurpose: 'pretrain_batch',
      trainX: related.map((s) => s.train.x),
      trainY: related.map((s) => input.targets(s.train.labels)),
    });
    const values = await pretrained.read();
    const stats = await pretrained.readRunningStats();
    pretrained.dispose();
    return trainPhase(input, p, {
      steps,
      offset: 0,
      record: true,
      initialValues: values,
      ...(stats[0]?.length ? { initialRunningStats: stats } : {}),
      ...(p.freeze_layers > 0 ? { trainable: frozenFlags(input.model, p.freeze_layers) } : {}),
    });
  },
  incompatible(values, data, model) {
    const p = values as unknown as TransferValues;
    if (p.freeze_layers >= hiddenLayers(model) + 1) return ['freeze_layers', `the model has ${hiddenLayers(model)} hidden layers; at least the output layer must stay trainable`];
    return lossIncompatible(p.loss, data);
  },
};
