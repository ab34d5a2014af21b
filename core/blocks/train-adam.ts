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
import { inputWidth, type ModelSpec } from '../nn/model';

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

export interface PhaseOptions {
  /** Default: the input's model. */
  model?: ModelSpec;
  steps: number;
  /** Updates done before this phase (recorded checkpoints count from there). */
  offset: number;
  record: boolean;
  /** Stream purposes of the initial weights and the batches (default 'init', 'batch'). */
  initPurpose?: string;
  batchPurpose?: string;
  /** Training rows other than the input's (a pretraining task). */
  trainX?: Float32Array[];
  trainY?: Float32Array[];
  /** Start from these values (per trial, per parameter) instead of drawing them. */
  initialValues?: Float32Array[][];
  initialRunningStats?: Float32Array[][];
  /** Per parameter: false freezes it. */
  trainable?: boolean[];
}

/** One trainPack phase, recording at the input's checkpoints in (offset, offset + steps]. */
export async function trainPhase(input: TrainingInput, p: AdamValues, o: PhaseOptions) {
  const trainX = o.trainX ?? input.trainX;
  const trainY = o.trainY ?? input.trainY;
  const local = o.record ? localCheckpoints(input.checkpoints, o.offset, o.steps) : [];
  const { pack, finalLoss } = await trainPack({
    model: o.model ?? input.model,
    initRngs: trainX.map((_, k) => input.stream(k, o.initPurpose ?? 'init')),
    batchRngs: trainX.map((_, k) => input.stream(k, o.batchPurpose ?? 'batch')),
    trainX,
    trainY,
    n: trainX[0].length / inputWidth(o.model ?? input.model),
    loss: p.loss,
    lr: p.lr,
    steps: o.steps,
    batchSize: p.batch_size,
    regularization: p.regularization === 'none' ? undefined : { type: p.regularization, strength: p.strength },
    checkpoints: local,
    onCheckpoint: (step, net) => input.onCheckpoint(o.offset + step + 1, net),
    yieldToHost: input.yieldToHost,
    engine: input.engine,
    ...(o.initialValues ? { initialValues: o.initialValues } : {}),
    ...(o.initialRunningStats ? { initialRunningStats: o.initialRunningStats } : {}),
    ...(o.trainable ? { trainable: o.trainable } : {}),
  });
  if (o.record) input.onLastBatchLoss?.(finalLoss);
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
