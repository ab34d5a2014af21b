/**
 * Blocks: the pieces a custom experiment spec (core/custom/spec.ts) is assembled from.
 * Each block is a pure module: a kind name, its parameters as zod types with defaults,
 * and functions of those parameters. A spec names one data, one model and one training
 * block and gives values for their parameters; the interpreter (core/custom/compile.ts)
 * turns them into an Experiment. Parameter names are flat and unique across the library
 * (test/blocks/library.test.ts checks), so grid axes and claims name them directly.
 */
import type { Engine } from '../engine';
import type { LibsvmLoader } from '../classical/svm';
import { z } from 'zod';
import type { Table } from '../data/dataset';
import type { ModelSpec, NetworkPack } from '../nn/model';
import type { Rng } from '../rng';

/**
 * `test_size` of a data block, scikit-learn's train_test_split in one draw: null (the
 * default) draws n training and test_n test rows separately; a share s in [0.01, 0.9]
 * draws n rows at once from the task stream and takes ceil(s·n) of them, shuffled, as the
 * test rows (the notebook's data). The rows are then part of the task: trials that share
 * it (a paired spec's repeat, or `task_shared_by`) share them and their split.
 */
export const testSizeShape = z.number().min(0.01).max(0.9).nullable();

/** Training and test rows of a block with n, test_n and test_size. */
export function splitRows(p: { n: number; test_n: number; test_size: number | null }): { trainRows: number; testRows: number } {
  if (p.test_size === null) return { trainRows: p.n, testRows: p.test_n };
  const testRows = Math.ceil(p.test_size * p.n);
  return { trainRows: p.n - testRows, testRows };
}

/** Parameter values of one block (or, merged, of a whole spec). */
export type Values = Record<string, unknown>;

export interface BlockBase {
  kind: string;
  /** One line for the schema and the docs. */
  summary: string;
  /** Every parameter: zod type with bounds, no default. */
  shape: Record<string, z.ZodType>;
  /** Every parameter's default. */
  defaults: Values;
}

/** Generators for one trial's data: what defines the task, the training rows, the test rows. */
export interface DataStreams {
  task: Rng;
  train: Rng;
  test: Rng;
  /**
   * What the task stream is (its seed's keys), where the caller knows: equal keys, equal
   * draws, so a block may keep what it draws from the task stream (a mixture's pool) and
   * read it again instead of drawing it again.
   */
  taskKey?: string;
  /**
   * A features block's own generators (a spec's `features_shared_by`,
   * core/custom/spec.ts): its dummy columns and its mixing matrix come from these instead
   * of from the data streams above.
   */
  features?: { dummy: Rng; mixing: Rng };
}

export interface DataShape {
  /** Features per row (side² for images). */
  input: number;
  /** Network outputs: classes, or 1 for regression. */
  output: number;
  task: 'classification' | 'regression';
  trainRows: number;
  testRows: number;
  /** Image side when rows are side×side images (a conv model needs it). */
  side?: number;
}

export interface DataSplit {
  train: Table;
  test: Table;
}

export interface DataBlock extends BlockBase {
  family: 'data';
  /**
   * Parameters that change the values of the data but not its shape: trials that differ
   * only in these can train as one pack.
   */
  contentParams: string[];
  describe(p: Values): DataShape;
  /**
   * Draws one trial's data. `relatedShift` in [0, 1] asks for a related task instead (the
   * pretraining task of a transfer block): 0 is the same task, 1 the most different one;
   * blocks without a notion of a related task leave `related` false.
   */
  generate(p: Values, streams: DataStreams, relatedShift?: number): DataSplit;
  related: boolean;
  /** Work of preparing one trial's data beyond drawing it (a feature pipeline's PCA), in the cost units. */
  preparationCost?(p: Values): number;
  /** Why these values draw no usable data (an empty class), as [parameter, message], or null. */
  incompatible?(p: Values): [string, string] | null;
  /**
   * A pool: the values that draw the whole training pool, and how many of its rows the
   * trial keeps (the first), or null. A features section transforms the whole pool before
   * the prefix is taken, and the compiler shares the pool's training and test streams like
   * the task (core/custom/compile.ts specStreams).
   */
  pooled?(p: Values): { whole: Values; first: number } | null;
}

interface ModelBlockBase extends BlockBase {
  family: 'model';
  /** Why this block cannot model this data (e.g. a conv net on non-image rows), or null. */
  incompatible(p: Values, data: DataShape): string | null;
}

/** A network: the spec's training block trains what `build` describes. */
export interface NetworkModelBlock extends ModelBlockBase {
  classical?: undefined;
  build(p: Values, data: DataShape): ModelSpec;
}

/**
 * A classical model (an SVM, a decision tree, scikit-learn's MLPClassifier): it fits itself
 * on each trial's training rows, so the spec's training block does nothing for it
 * (core/custom/compile.ts runs `fit` instead of the training block's `run`). It records at
 * the end only, and classifies only.
 */
export interface ClassicalModelBlock extends ModelBlockBase {
  classical: true;
  /** The recorder's metrics (core/blocks/recorders.ts) its trials can measure. */
  metrics: readonly string[];
  /** Work of fitting and scoring one trial, in the custom experiments' cost units (core/custom/compile.ts trialCost). */
  cost(p: Values, data: DataShape): number;
  /** Peak WebAssembly heap of fitting `pack` trials as one pack (core/experiments/memory.ts), default a full pack. */
  memory(p: Values, data: DataShape, pack?: number): number;
  /** Fits every trial of the pack on its own training rows and predicts its test and training rows. */
  fit(input: FitInput): Promise<ClassicalFit[]>;
}

export type ModelBlock = NetworkModelBlock | ClassicalModelBlock;

export interface FitInput {
  params: Values;
  data: DataShape;
  /** One per trial, in pack order. */
  splits: DataSplit[];
  /** A generator for trial k and a purpose ('init', 'shuffle', ...). */
  stream(k: number, purpose: string): Rng;
  yieldToHost?: () => Promise<void>;
  /** The trial engine (core/engine.ts); default 'packed'. */
  engine?: Readonly<Engine>;
  /** How the host loads libsvm-js (RunContext.libsvm, core/experiments/types.ts). */
  libsvm?: LibsvmLoader;
  /** More rows to score after fitting (the decision_boundary record's grid), the same for every trial. */
  extra?: Table;
}

/** One trial's fitted model, scored. */
export interface ClassicalFit {
  /** Predicted class of every test row and of every training row. */
  test: Uint8Array;
  train: Uint8Array;
  /** Mean loss on the test and training rows, where the model has one. */
  testLoss?: number;
  trainLoss?: number;
  /** Numbers the fitted model stores (the trial's `n_params`). */
  nParams: number;
  /**
   * Per row of FitInput.extra, a score whose sign is the predicted class of two: the class-1
   * logit where the model has one (its class-0 logit taken as 0), else +1 or −1.
   */
  extraScores?: Float32Array;
  /** The block's own scalars (support vectors, tree depth, epochs run, …). */
  scalars: Record<string, number>;
  /** The block's own curves, stored as traces (sklearn_mlp's loss per epoch). */
  traces?: Record<string, { steps: number[]; values: number[] }>;
}

/** One training phase as the budgets see it (cost, memory). */
export interface PhasePlan {
  model: ModelSpec;
  steps: number;
  /** The epochs those updates make when the phase's length is given in epochs (an epoch-based record schedule needs them). */
  epochs?: number;
  /** Rows through the network per step. */
  batchRows: number;
  /** Rows of data held for the phase (train + test). */
  dataRows: number;
  /** Whether checkpoints count this phase's updates (a pretraining phase is not recorded). */
  recorded: boolean;
  /**
   * The phase's updates go through tfjs's gradient tape (a weight penalty, frozen
   * parameters) even for a plain MLP, instead of the direct step of core/nn/mlp-step.ts:
   * a unit of its work costs several times more CPU (core/sweep/pack-budget.ts).
   */
  tape?: boolean;
}

export interface TrainingInput {
  params: Values;
  data: DataShape;
  dataBlock: DataBlock;
  /** The model to train (the evaluated one, after every phase). */
  model: ModelSpec;
  /** One per trial, in pack order. */
  splits: DataSplit[];
  /** Trial k's data block parameter values (to draw more data, e.g. a pretraining task). */
  dataValues(k: number): Values;
  /** Inputs and targets of each trial's training rows (targets one-hot for classes). */
  trainX: Float32Array[];
  trainY: Float32Array[];
  /** A generator for trial k and a purpose ('init', 'batch', 'pretrain_data', ...). */
  stream(k: number, purpose: string): Rng;
  /** Targets of a table as the network sees them (one-hot for classes, raw for regression). */
  targets(labels: Float32Array): Float32Array;
  /** Recorded updates (1-based counts over the recorded phases) and what to do there. */
  checkpoints: number[];
  onCheckpoint(updates: number, net: NetworkPack): Promise<void>;
  /**
   * Per trial, the loss of the last update on its batch (the `loss` record) and the
   * network's outputs on that batch before the update (the `predictions` record), from the
   * last recorded phase.
   */
  onLastBatchLoss?(losses: number[], outputs: Float32Array[]): void;
  yieldToHost?: () => Promise<void>;
  /** The trial engine (core/engine.ts); default 'packed'. */
  engine?: Readonly<Engine>;
}

export interface TrainingBlock extends BlockBase {
  family: 'training';
  plan(p: Values, data: DataShape, model: ModelSpec): PhasePlan[];
  /** Trains every trial of the pack through all phases; returns the final pack (caller disposes). */
  run(input: TrainingInput): Promise<NetworkPack>;
  /** Whether it draws a related task from the data block (DataBlock.related must be true). */
  needsRelatedTask?: boolean;
  /** Why this block cannot train this data/model combination, as [parameter, message], or null. */
  incompatible(p: Values, data: DataShape, model: ModelSpec): [string, string] | null;
}
