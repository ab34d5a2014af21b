/**
 * Training block `adam`: one phase of TF1 Adam on mini-batches (core/train/train-pack.ts):
 * `loss` on raw logits, learning rate `lr`, a fresh random batch of `batch_size` rows each
 * step (the whole set when the batch is at least the training rows), and an optional L1/L2
 * penalty `strength` × Σ mean(R(W)) over the weight matrices.
 *
 * Length: `steps` updates, or, when `epochs` is set, ceil(epochs × n / batch_size) updates
 * (the same number of passes over the data whatever the batch size).
 */
import { z } from 'zod';
import { LOSSES } from '../nn/losses';
import { trainPack } from '../train/train-pack';
import type { DataShape, PhasePlan, TrainingBlock, TrainingInput, Values } from './types';
import type { ModelSpec } from '../nn/model';

export const REGULARIZATIONS = ['none', 'l1', 'l2'] as const;
/** Losses that compare logits with one-hot classes; the others also fit regression targets. */
export const CLASSIFICATION_LOSSES = ['cross_entropy', 'hinge_loss'];

export const adamShape = {
  loss: z.enum(LOSSES),
  lr: z.number().positive().max(10),
  batch_size: z.number().int().min(1).max(20_000),
  steps: z.number().int().min(1).max(1_000_000),
  /** When set, replaces `steps` by ceil(epochs · n / batch_size). */
  epochs: z.number().positive().max(10_000).nullable(),
  regularization: z.enum(REGULARIZATIONS),
  strength: z.number().min(0).max(1000),
};

export const adamDefaults = { loss: 'cross_entropy', lr: 0.003, batch_size: 32, steps: 1000, epochs: null, regularization: 'none', strength: 0 };

export interface AdamValues {
  loss: (typeof LOSSES)[number];
  lr: number;
  batch_size: number;
  steps: number;
  epochs: number | null;
  regularization: (typeof REGULARIZATIONS)[number];
  strength: number;
}

/** Updates of one phase over `rows` training rows. */
export function phaseSteps(p: Pick<AdamValues, 'steps' | 'epochs' | 'batch_size'>, rows: number): number {
  return p.epochs === null ? p.steps : Math.max(1, Math.ceil((p.epochs * rows) / Math.min(p.batch_size, rows)));
}

/** Checkpoints of a phase covering updates (offset, offset + steps], as trainPack's 0-based step indices. */
export function localCheckpoints(checkpoints: number[], offset: number, steps: number): number[] {
  return checkpoints.filter((u) => u > offset && u <= offset + steps).map((u) => u - offset - 1);
}

/** The regression-vs-classification check shared by the training blocks. */
export function lossIncompatible(loss: string, data: DataShape): [string, string] | null {
  if (data.task === 'regression' && CLASSIFICATION_LOSSES.includes(loss)) return ['loss', `'${loss}' needs class labels; this data block is a regression (use mean_squared_error, mean_abs_error or mean_fourth_pow_error)`];
  return null;
}

/** One trainPack phase over the input's training rows, recording at the checkpoints in (offset, offset + steps]. */
export async function trainPhase(input: TrainingInput, p: AdamValues, opts: { model?: ModelSpec; steps: number; offset: number; record: boolean; initPurpose?: string; batchPurpose?: string }) {
  const n = input.splits[0].train.n;
  const local = opts.record ? localCheckpoints(input.checkpoints, opts.offset, opts.steps) : [];
  const { pack } = await trainPack({
    model: opts.model ?? input.model,
    initRngs: input.splits.map((_, k) => input.stream(k, opts.initPurpose ?? 'init')),
    batchRngs: input.splits.map((_, k) => input.stream(k, opts.batchPurpose ?? 'batch')),
    trainX: input.trainX,
    trainY: input.trainY,
    n,
    loss: p.loss,
    lr: p.lr,
    steps: opts.steps,
    batchSize: p.batch_size,
    regularization: p.regularization === 'none' ? undefined : { type: p.regularization, strength: p.strength },
    checkpoints: local,
    onCheckpoint: (step, net) => input.onCheckpoint(opts.offset + step + 1, net),
    yieldToHost: input.yieldToHost,
  });
  return pack;
}

export const adamBlock: TrainingBlock = {
  family: 'training',
  kind: 'adam',
  summary: 'TF1 Adam on random mini-batches for steps (or epochs) updates, with an optional L1/L2 weight penalty.',
  shape: adamShape,
  defaults: adamDefaults,
  plan(values: Values, data, model): PhasePlan[] {
    const p = values as unknown as AdamValues;
    return [{ model, steps: phaseSteps(p, data.trainRows), batchRows: Math.min(p.batch_size, data.trainRows), dataRows: data.trainRows + data.testRows, recorded: true }];
  },
  async run(input) {
    const p = input.params as unknown as AdamValues;
    return trainPhase(input, p, { steps: phaseSteps(p, input.splits[0].train.n), offset: 0, record: true });
  },
  incompatible: (p, data) => lossIncompatible(p.loss as string, data),
};
