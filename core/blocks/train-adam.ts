/**
 * Training block `adam`: one phase of TF1 Adam on mini-batches (core/train/train-pack.ts):
 * `loss` on raw logits, learning rate `lr`, a fresh random batch of `batch_size` rows each
 * step (the whole set when the batch is at least the training rows), and an optional L1/L2
 * penalty `strength` × Σ mean(R(W)) over the weight matrices.
 *
 * Length: `steps` updates, or, when `epochs` is set, ceil(epochs × rows / batch_size) updates
 * (the same number of passes over the data whatever the batch size), where rows are the
 * training rows (`epoch_rows: 'train'`, the default) or every row of the data set, training
 * and test (`'all'`: the notebook's Exp 8 code counted an epoch as n = 500 rows although it
 * trained on 400), and `epoch_rounding: 'floor'` truncates the quotient as Python's int()
 * does instead of rounding it up (at least one update either way). The batch counts at most
 * the training rows (a larger batch is the whole training set).
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
  /** When set, replaces `steps` by ceil(epochs · rows / batch_size). */
  epochs: z.number().positive().max(10_000).nullable(),
  /** The rows an epoch counts: the training rows, or all rows of the data set (training and test). */
  epoch_rows: z.enum(['train', 'all']),
  /** How epochs · rows / batch_size becomes a count of updates: rounded up, or truncated (Python's int()). */
  epoch_rounding: z.enum(['ceil', 'floor']),
  regularization: z.enum(REGULARIZATIONS),
  strength: z.number().min(0).max(1000),
};

export const adamDefaults = { loss: 'cross_entropy', lr: 0.003, batch_size: 32, steps: 1000, epochs: null, epoch_rows: 'train', epoch_rounding: 'ceil', regularization: 'none', strength: 0 };

export interface AdamValues {
  loss: (typeof LOSSES)[number];
  lr: number;
  batch_size: number;
  steps: number;
  epochs: number | null;
  epoch_rows: 'train' | 'all';
  epoch_rounding: 'ceil' | 'floor';
  regularization: (typeof REGULARIZATIONS)[number];
  strength: number;
}

/**
 * Updates of one phase over `trainRows` training rows (and `testRows` test rows, which an
 * epoch counts with epoch_rows 'all'). Values stored before epoch_rows and epoch_rounding
 * existed lack them: the defaults ('train', 'ceil').
 */
export function phaseSteps(p: Pick<AdamValues, 'steps' | 'epochs' | 'batch_size'> & Partial<Pick<AdamValues, 'epoch_rows' | 'epoch_rounding'>>, trainRows: number, testRows = 0): number {
  if (p.epochs === null) return p.steps;
  const rows = p.epoch_rows === 'all' ? trainRows + testRows : trainRows;
  const round = p.epoch_rounding === 'floor' ? Math.trunc : Math.ceil;
  return Math.max(1, round((p.epochs * rows) / Math.min(p.batch_size, trainRows)));
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
  const { pack, finalLoss, finalOutputs } = await trainPack({
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
  if (o.record) input.onLastBatchLoss?.(finalLoss, finalOutputs);
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
    return [{ model, steps: phaseSteps(p, data.trainRows, data.testRows), epochs: p.epochs ?? undefined, batchRows: Math.min(p.batch_size, data.trainRows), dataRows: data.trainRows + data.testRows, recorded: true, tape: p.regularization !== 'none' }];
  },
  async run(input) {
    const p = input.params as unknown as AdamValues;
    return trainPhase(input, p, { steps: phaseSteps(p, input.splits[0].train.n, input.splits[0].test.n), offset: 0, record: true });
  },
  incompatible: (p, data) => lossIncompatible(p.loss as string, data),
};
