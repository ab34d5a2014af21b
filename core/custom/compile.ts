/**
 * The interpreter: compileSpec turns a validated spec (core/custom/spec.ts) into an
 * Experiment (core/experiments/types.ts). Its parameters are the blocks' parameters, flat,
 * with the spec's values as defaults; its grid, repeats and claims are the spec's; cost and
 * memory come from the training block's phases in the built-ins' units
 * (core/experiments/memory.ts), so the sweep machinery checks, packs and runs it exactly as
 * a built-in.
 *
 * Model side: a classical model block (core/blocks/types.ts ClassicalModelBlock) fits
 * itself: its trials run its `fit` instead of the training block's `run`, cost and memory
 * come from the block, and the training block's parameters are not parameters of the
 * experiment unless some model of it is a network. A grid axis over model blocks
 * (`grid.model`, core/custom/spec.ts) becomes the parameter `model` (or the spec's
 * `model_axis`), whose values are the cells' labels; a trial's model block and values are
 * its cell's (trialModel).
 *
 * Randomness: every trial draws its data (streams 'data_task', 'data_train', 'data_test'),
 * initial weights ('init') and batches ('batch') from streams of (sweep seed, experiment id,
 * purpose, repeat) when the spec is paired, plus the config when not
 * (core/experiments/common.ts), so a trial's numbers never depend on its pack.
 */
import { z } from 'zod';
import { DATA_BLOCKS, FEATURE_BLOCKS, MODEL_BLOCKS, TRAINING_BLOCKS } from '../blocks';
import { withFeatures } from '../blocks/features-pipeline';
import { boundaryRecords, boundarySettings, classCountScalars, dataSizeScalars, DEFAULT_TARGET_CHECK_EPOCHS, FirstAbove, itemCheckpointCount, itemCheckpointUpdates, MAX_CHECKPOINTS, PackRecorder, predictionAccuracy, predictionRecords, predictionSeries, targetCheckUpdates, weightTailMisfit, weightTails, type CheckpointItem, type Metric, type RecordItem } from '../blocks/recorders';
import { boundaryTraces, decisionGrid, GRID_SIDE } from '../train/decision-boundary';
import type { ClassicalModelBlock, DataBlock, DataShape, DataSplit, DataStreams, ModelBlock, PhasePlan, TrainingBlock, Values } from '../blocks/types';
import { repeatStreamKeys, trialStreamKeys } from '../experiments/common';
import { CUSTOM_MS_PER_COST_UNIT, DEFAULT_PACK_TIME, STEP_PATH_MS_PER_COST_UNIT, type PackTimeModel, type StepPath } from '../sweep/pack-budget';
import { packBytes } from '../experiments/memory';
import type { Experiment, RunContext, TrialResult, TrialSpec } from '../experiments/types';
import type { LossName } from '../nn/losses';
import { parameterCount, type ModelSpec, type NetworkPack } from '../nn/model';
import { streamFor, type Rng } from '../rng';
import { oneHot, stack3d } from '../train/train-pack';
import { canonicalJson, MODEL_AXIS, modelCellLabel, resolveModelCell, type BlockValues, type ExperimentSpec, type FigureHint, type SpecGrid } from './spec';

/** `number` of a custom experiment: it is not one of the notebook's (built-in specs pass their own). */
export const CUSTOM_EXPERIMENT_NUMBER = 0;
export const CUSTOM_SECTION = 'Custom';

/** The sections of a spec that say which blocks act (the grid may hold the model axis). */
export type SpecSections = Pick<ExperimentSpec, 'data' | 'features' | 'model' | 'training'> & { grid?: SpecGrid; model_axis?: string };

/** One model a spec's trials may fit: a cell of grid.model, or the spec's model. */
export interface ModelChoice {
  /** The value of the parameter `model` (the cell's label); the block kind without a model axis. */
  label: string;
  block: ModelBlock;
  /** Every parameter of the block (the cell resolved against the spec's model, core/custom/spec.ts). */
  values: Values;
}

export interface SpecBlocks {
  data: DataBlock;
  /** The spec's `model` section's block. */
  model: ModelBlock;
  training: TrainingBlock;
  /** The models trials fit, by label: grid.model's cells, or the spec's model alone. */
  models: Map<string, ModelChoice>;
}

export function hasModelAxis(spec: SpecSections): boolean {
  return spec.grid?.[MODEL_AXIS] !== undefined;
}

/** The parameter grid.model becomes: the spec's `model_axis`, default 'model'. */
export function modelAxisName(spec: Pick<SpecSections, 'model_axis'>): string {
  return spec.model_axis ?? MODEL_AXIS;
}

/** The models a spec's trials fit, in grid order (labels assumed distinct: core/custom/validate.ts checks). */
export function modelChoices(spec: SpecSections): ModelChoice[] {
  const cells = spec.grid?.[MODEL_AXIS];
  const resolved: BlockValues[] = cells ? cells.map((cell) => resolveModelCell(spec.model, cell)) : [spec.model];
  return resolved.map(({ block, ...values }, i) => ({ label: cells ? modelCellLabel(cells[i]) : block, block: MODEL_BLOCKS[block], values }));
}

/** Whether the training block acts: some model the trials fit is a network. */
export function trainingActs(spec: SpecSections): boolean {
  return modelChoices(spec).some((c) => !c.block.classical);
}

/** The blocks a spec names (the spec must have passed validation or the schema). */
export function specBlocks(spec: SpecSections): SpecBlocks {
  const data = DATA_BLOCKS[spec.data.block];
  // An optional features section folds into the data block: every draw goes through it.
  return {
    data: spec.features ? withFeatures(data, FEATURE_BLOCKS[spec.features.block]) : data,
    model: MODEL_BLOCKS[spec.model.block],
    training: TRAINING_BLOCKS[spec.training.block],
    models: new Map(modelChoices(spec).map((c) => [c.label, c])),
  };
}

export type SpecSection = 'data' | 'features' | 'model' | 'training';

/**
 * Where each parameter of the experiment comes from: parameter name → spec section. Only
 * blocks that act have parameters: the training block's only when some model is a
 * network; the model block's only without a model axis (with one, the parameter `model`
 * names the cell, and the cells hold the model blocks' values).
 */
export function parameterSections(spec: SpecSections): Map<string, SpecSection> {
  const out = new Map<string, SpecSection>();
  const axis = hasModelAxis(spec);
  const sections: Array<[SpecSection, { shape: Record<string, unknown> } | undefined]> = [
    ['data', DATA_BLOCKS[spec.data.block]],
    ['features', spec.features && FEATURE_BLOCKS[spec.features.block]],
    ['model', axis ? { shape: { [modelAxisName(spec)]: null } } : MODEL_BLOCKS[spec.model.block]],
    ['training', trainingActs(spec) ? TRAINING_BLOCKS[spec.training.block] : undefined],
  ];
  for (const [section, block] of sections) for (const key of Object.keys(block?.shape ?? {})) out.set(key, section);
  return out;
}

/**
 * Parameters of the spec's blocks that are not parameters of the experiment, each with why:
 * a grid axis, claim or figure naming one is refused with this reason.
 */
export function inertParameters(spec: SpecSections): Map<string, string> {
  const out = new Map<string, string>();
  const choices = modelChoices(spec);
  if (!trainingActs(spec)) {
    const fitters = [...new Set(choices.map((c) => `'${c.block.kind}'`))].join(', ');
    const who = hasModelAxis(spec) ? `every model of grid.model (${fitters}) fits itself` : `model block ${fitters} fits itself`;
    for (const key of Object.keys(TRAINING_BLOCKS[spec.training.block].shape)) out.set(key, `'${key}' is a parameter of training block '${spec.training.block}', which does nothing here: ${who} (classical models do not use the training block)`);
  }
  if (hasModelAxis(spec)) {
    for (const block of new Set([MODEL_BLOCKS[spec.model.block], ...choices.map((c) => c.block)])) {
      for (const key of Object.keys(block.shape)) out.set(key, `'${key}' is a parameter of model block '${block.kind}': with a grid axis over model blocks it is set inside the cells of grid.model`);
    }
  }
  return out;
}

/**
 * The experiment's parameter schema: every parameter of the blocks that act, the spec's
 * value as default, strict; with a model axis, `model` (one of the cells' labels, default
 * the first).
 */
export function specParams(spec: SpecSections): z.ZodObject {
  const blocks = specBlocks(spec);
  const sections = parameterSections(spec);
  const fields: Record<string, z.ZodType> = {};
  for (const section of ['data', 'model', 'training'] as const) {
    for (const [key, type] of Object.entries(blocks[section].shape)) {
      if (!sections.has(key)) continue; // an inert block's parameter
      // A stored spec parsed before the block gained a parameter lacks it: the block default.
      const value = spec[sections.get(key)!]?.[key] ?? blocks[section].defaults[key];
      fields[key] = (type as z.ZodType<unknown>).default(value as never);
    }
  }
  if (hasModelAxis(spec)) {
    const labels = [...blocks.models.keys()];
    fields[modelAxisName(spec)] = z.enum(labels as [string, ...string[]]).default(labels[0]);
  }
  return z.object(fields).strict();
}

/** The experiment's grid: the spec's, with the model axis as its labels. */
export function experimentGrid(spec: SpecSections & { grid: SpecGrid }): Record<string, unknown[]> {
  const cells = spec.grid[MODEL_AXIS];
  // The axis keeps its place among the grid's axes (configs name axes in grid order).
  return Object.fromEntries(Object.entries(spec.grid).map(([k, v]) => (k === MODEL_AXIS && cells ? [modelAxisName(spec), cells.map(modelCellLabel)] : [k, v])));
}

/** The model block of a trial with these parameter values, and the values with its cell's filled in. */
export function trialModel(spec: SpecSections, values: Values, blocks: SpecBlocks = specBlocks(spec)): { block: ModelBlock; values: Values } {
  if (!hasModelAxis(spec)) return { block: blocks.model, values };
  const axis = modelAxisName(spec);
  const choice = blocks.models.get(values[axis] as string);
  if (!choice) throw new Error(`unknown ${axis} ${JSON.stringify(values[axis])}; the models are ${[...blocks.models.keys()].join(', ')}`);
  return { block: choice.block, values: { ...values, ...choice.values } };
}

function pick(values: Values, block: { shape: Record<string, unknown> }): Values {
  return Object.fromEntries(Object.keys(block.shape).map((k) => [k, values[k]]));
}

export interface TrialPlan {
  data: DataShape;
  /** Work of preparing the data beyond drawing it (DataBlock.preparationCost). */
  preparation: number;
  /** The network the training block trains; null for a classical model. */
  model: ModelSpec | null;
  /** A classical model fits the trial instead (no phases, nothing over time), with its parameter values. */
  classical?: { block: ClassicalModelBlock; values: Values };
  phases: PhasePlan[];
  /** Updates over the recorded phases. */
  recordedSteps: number;
  /** Epochs over the recorded phases when every one is epoch-defined (PhasePlan.epochs), else null. */
  recordedEpochs: number | null;
  /** Trials of a pack train one after another, each alone with its own clock (runtime_s `per: 'trial'`). */
  alone: boolean;
  /** Update counts at which time_to_target checks its accuracy between the checkpoints (empty without one). */
  targetChecks: number[];
  /**
   * Update counts at which series are recorded (empty when nothing is recorded over time,
   * and when there would be more than MAX_CHECKPOINTS per record item: never built then).
   */
  checkpoints: number[];
  /** How many checkpoints the record items ask for, counted before any list is built. */
  checkpointCount: number;
  /** Points of the longest series one record item asks for (each series is stored as one row). */
  longestSeries: number;
  /** Rows of the largest evaluation pass (test set, or training set when a train metric is recorded). */
  evalRows: number;
  /** Weight entries the weight_tail and weight_change records read over the run (checkpoints × entries, summed over tails). */
  traceValues: number;
  /** Rows of the predictions record's pass after training (0 without one). */
  predictionRows: number;
  /** Evaluations time_to_target runs between the checkpoints (targetChecks, or their count when too many to list). */
  targetEvaluations: number;
}

/** Most time_to_target checks a trial may run (validation refuses more). */
export const MAX_TARGET_CHECKS = 100_000;

/** The spec's time_to_target record, if any. */
export function targetItem(spec: Pick<ExperimentSpec, 'record'>): Extract<RecordItem, { at: 'end' }> | undefined {
  return spec.record.find((r): r is Extract<RecordItem, { at: 'end' }> => r.metric === 'time_to_target' && r.at === 'end');
}

/** Whether the trials of a pack train one after another, each alone with its own clock (runtime_s `per: 'trial'`). */
export function trainsAlone(spec: Pick<ExperimentSpec, 'record'>): boolean {
  return spec.record.some((r) => r.metric === 'runtime_s' && r.at === 'end' && r.per === 'trial');
}

/** What one trial of these parameter values trains and records. */
export function trialPlan(spec: SpecSections & Pick<ExperimentSpec, 'record'>, trialValues: Values, blocks: SpecBlocks = specBlocks(spec)): TrialPlan {
  const { block: modelBlock, values } = trialModel(spec, trialValues, blocks);
  const data = blocks.data.describe(pick(values, blocks.data));
  const preparation = blocks.data.preparationCost?.(values) ?? 0;
  if (modelBlock.classical) {
    // Fits once and predicts the test and training rows; validation refuses checkpoints.
    return { data, preparation, model: null, classical: { block: modelBlock, values: pick(values, modelBlock) }, phases: [], recordedSteps: 0, recordedEpochs: null, alone: trainsAlone(spec), targetChecks: [], targetEvaluations: 0, checkpoints: [], checkpointCount: 0, longestSeries: 0, evalRows: data.trainRows + data.testRows, traceValues: 0, predictionRows: 0 };
  }
  const model = modelBlock.build(pick(values, modelBlock), data);
  const phases = blocks.training.plan(pick(values, blocks.training), data, model);
  const recorded = phases.filter((ph) => ph.recorded);
  const recordedSteps = recorded.reduce((s, ph) => s + ph.steps, 0);
  const recordedEpochs = recorded.length && recorded.every((ph) => ph.epochs !== undefined) ? recorded.reduce((s, ph) => s + ph.epochs!, 0) : null;
  const items = spec.record.filter((r): r is CheckpointItem => r.at === 'checkpoints');
  // Counted first: a spec may ask for 10,000 epochs of 20,000 rows at batch 1, every update.
  const counts = items.map((item) => itemCheckpointCount(item, recordedSteps, recordedEpochs));
  const buildable = counts.every((n) => n <= MAX_CHECKPOINTS);
  const checkpoints = items.length && buildable ? [...new Set(items.flatMap((item) => itemCheckpointUpdates(item, recordedSteps, recordedEpochs)))].sort((a, b) => a - b) : [];
  const target = targetItem(spec);
  // At most one check per epoch fraction of 0.01 (the schema's bound): 1e6 for 10,000 epochs, so bounded as the checkpoints are.
  const checkEvery = target?.check_every_epochs ?? DEFAULT_TARGET_CHECK_EPOCHS;
  const targetCount = target && recordedEpochs !== null ? Math.floor(recordedEpochs / checkEvery + 1e-9) : 0;
  const onCheckpoint = new Set(checkpoints);
  const targetChecks = target && recordedEpochs !== null && targetCount <= MAX_TARGET_CHECKS ? targetCheckUpdates(recordedSteps, recordedEpochs, checkEvery).filter((u) => !onCheckpoint.has(u)).sort((a, b) => a - b) : [];
  const predictions = spec.record.find((r) => r.metric === 'predictions');
  const predictionRows = !predictions ? 0 : predictions.at === 'end' && predictions.on === 'train' ? data.trainRows : data.testRows;
  const needsTrain = spec.record.some((r) => r.metric.startsWith('train') || (r.at === 'end' && r.on === 'train') || (r.metric === 'time_to_target' && r.at === 'end' && r.on === undefined));
  // The decision boundary is read on a GRID_SIDE² grid of points.
  const gridRows = spec.record.some((r) => r.metric === 'decision_boundary') ? GRID_SIDE * GRID_SIDE : 0;
  const checkpointTotal = buildable ? checkpoints.length : counts.reduce((a, n) => a + n, 0);
  // A check between checkpoints evaluates too (skipped once the target is reached: counted all the same).
  const targetEvaluations = targetChecks.length || (targetCount > MAX_TARGET_CHECKS ? targetCount : 0);
  // A weight tail is read at every checkpoint of the trial (the series' union).
  const traceValues = weightTails(items, model).reduce((s, t) => s + checkpointTotal * t.entries, 0);
  return { data, preparation, model, phases, recordedSteps, recordedEpochs, alone: trainsAlone(spec), targetChecks, targetEvaluations, checkpoints, checkpointCount: checkpointTotal, longestSeries: Math.max(0, ...counts), evalRows: Math.max(data.testRows, needsTrain ? data.trainRows : 0, gridRows), traceValues, predictionRows };
}

/**
 * Why one trial of these parameter values cannot run, as [parameter, message], or null:
 * blocks that do not fit each other (a feature pipeline, a model or a training block on
 * this data) and more checkpoints than a series may hold. The spec validator
 * (core/custom/validate.ts) asks it of every grid cell and sweep creation
 * (core/sweep/expand.ts, through Experiment.refusal) of every config a request makes, so
 * both refuse by the same rules. A model block's reason is reported on its `block` field.
 */
export function cellMisfit(spec: Pick<ExperimentSpec, 'data' | 'features' | 'model' | 'training' | 'record'>, values: Values, blocks: SpecBlocks = specBlocks(spec)): [string, string] | null {
  const misfit = blockMisfit(spec, values, blocks);
  if (misfit) return misfit;
  const plan = trialPlan(spec, values, blocks);
  const predictions = predictionsMisfit(spec, plan);
  if (predictions) return ['record', predictions];
  const fullBatch = lastUpdateMisfit(spec, plan);
  if (fullBatch) return fullBatch;
  if (plan.longestSeries > MAX_CHECKPOINTS) {
    return ['steps', `a series of ${plan.longestSeries} checkpoints per trial, above the ${MAX_CHECKPOINTS} a recorded series may hold; record less often (every) or train fewer steps`];
  }
  const tail = plan.model && spec.record.map((r) => weightTailMisfit(r, plan.model!, plan.checkpointCount)).find(Boolean);
  if (tail) return ['record', tail[1]];
  return null;
}

/**
 * Predictions on 'last_update' are the outputs of the last update, which are every training
 * row's only when that update's batch is the whole training set: ['batch_size', why] else.
 */
export function lastUpdateMisfit(spec: Pick<ExperimentSpec, 'record'>, plan: TrialPlan): [string, string] | null {
  if (!spec.record.some((r) => r.metric === 'predictions' && r.at === 'end' && r.on === 'last_update') || plan.classical) return null;
  const last = plan.phases.filter((ph) => ph.recorded).at(-1);
  if (last && last.batchRows < plan.data.trainRows) return ['batch_size', `predictions on 'last_update' store the outputs of the last update, which sees every training row only in full-batch training: set batch_size to at least the ${plan.data.trainRows} training rows`];
  return null;
}

/** Why a spec's predictions record cannot score this trial's rows (one score per row), or null. */
export function predictionsMisfit(spec: Pick<ExperimentSpec, 'data' | 'record'>, plan: TrialPlan): string | null {
  if (!spec.record.some((r) => r.metric === 'predictions') || plan.data.output === (plan.data.task === 'classification' ? 2 : 1)) return null;
  return `predictions stores one score per row: logit₁ − logit₀ of two classes or a regression's output (data block '${spec.data.block}' gives ${plan.data.output} classes)`;
}

/** Why the blocks of a spec do not fit each other at these values, as [parameter, message], or null. */
export function blockMisfit(spec: Pick<ExperimentSpec, 'data' | 'features' | 'model' | 'training'>, values: Values, blocks: SpecBlocks = specBlocks(spec)): [string, string] | null {
  const dataIssue = DATA_BLOCKS[spec.data.block].incompatible?.(values);
  if (dataIssue) return dataIssue;
  if (spec.features) {
    const featureIssue = FEATURE_BLOCKS[spec.features.block].incompatible(values, DATA_BLOCKS[spec.data.block].describe(values));
    if (featureIssue) return featureIssue;
  }
  const { block: model, values: modelValues } = trialModel(spec, values, blocks);
  const data = blocks.data.describe(modelValues);
  const modelIssue = model.incompatible(modelValues, data);
  if (modelIssue) return ['block', modelIssue];
  // A classical model fits itself: the training block has nothing to say.
  if (model.classical) return null;
  return blocks.training.incompatible(modelValues, data, model.build(modelValues, data));
}

/**
 * Weights a row meets through the network: its parameter count, except that a weight-shared
 * net (core/nn/model.ts SharedSpec) meets its shared layer `depth` times.
 */
function rowWork(model: ModelSpec): number {
  const n = parameterCount(model);
  return model.kind === 'shared' ? n + (model.depth - 1) * model.width * (model.width + 1) : n;
}

/**
 * Per-step work besides the batch's rows (kernel dispatch, the step's bookkeeping), in rows.
 * Measured for Exp 8 (a 12-100-100-2 net, tfjs WASM, Node) on the direct step
 * (core/nn/mlp-step.ts): trained alone, batch 1 took about 13× batch 400's time for 401× its
 * steps (bench/reports/exp8-runtime-per-network-2026-12-06.md), about 10–13 rows per step;
 * in a pack the share of one network is no larger. So a trial trained alone (runtime_s
 * `per: 'trial'`) is priced as one in a pack: the rate of core/sweep/pack-budget.ts is
 * calibrated on these units, and a pack of trials trained alone has no fixed part there.
 */
export const DISPATCH_ROWS_PER_STEP = 10;

/**
 * A time_to_target check is one forward pass over its rows, without the step's two backward
 * products and update: a third of a training row's work. (Exp 8's packs of batch 400, 150
 * checks over 400 rows each against 187 steps of 400, took what the steps alone predict:
 * bench/reports/exp8-runtime-per-network-2026-12-06.md.)
 */
export const TARGET_CHECK_SHARE = 1 / 3;

/**
 * Work of one trial in the built-ins' units (network-steps × rows × parameters, see
 * core/sweep/expand.ts): each phase's updates over its batch plus DISPATCH_ROWS_PER_STEP,
 * every evaluation pass (time_to_target's checks at TARGET_CHECK_SHARE), and the data preparation.
 */
export function trialCost(plan: TrialPlan): number {
  if (plan.classical) return plan.classical.block.cost(plan.classical.values, plan.data) + plan.preparation;
  const train = plan.phases.reduce((s, ph) => s + ph.steps * (ph.batchRows + DISPATCH_ROWS_PER_STEP) * rowWork(ph.model), 0);
  const evaluation = ((plan.checkpointCount + plan.targetEvaluations * TARGET_CHECK_SHARE + 1) * plan.evalRows + plan.predictionRows) * rowWork(plan.model!);
  return train + evaluation + plan.traceValues + plan.preparation;
}

/** Activations the pack GEMM applies as it writes (core/nn/mlp-step.ts). */
const FUSED_ACTIVATIONS = ['sigmoid', 'relu', 'identity'];

/**
 * How a trial's steps run, which sets the CPU one unit of its work costs
 * (core/sweep/pack-budget.ts STEP_PATH_MS_PER_COST_UNIT), the costliest of its phases:
 * `conv` for a conv net; `elementwise` for batch normalisation, an unfused activation or the
 * weight-shared net; `tape` for a plain MLP that a weight penalty or frozen layers keep on
 * tfjs's tape (PhasePlan.tape); `direct` otherwise (as core/nn/mlp-step.ts
 * directStepApplies accepts). Null for a classical model, whose cost is already priced
 * (core/blocks/classical.ts).
 */
export function stepPath(plan: TrialPlan): StepPath | null {
  if (plan.classical) return null;
  const pathOf = (ph: PhasePlan): StepPath => {
    const m = ph.model;
    if (m.kind === 'conv') return 'conv';
    if (m.kind !== 'mlp' || m.batchNorm === true || !FUSED_ACTIVATIONS.includes(m.activation)) return 'elementwise';
    return ph.tape ? 'tape' : 'direct';
  };
  const order: StepPath[] = ['direct', 'tape', 'elementwise', 'conv'];
  return plan.phases.map(pathOf).reduce<StepPath>((a, b) => (order.indexOf(b) > order.indexOf(a) ? b : a), 'direct');
}

/** CPU ms per unit of trialCost for this trial (pack-budget.ts): by its step path, a classical model at the default price. */
export function trialMsPerCostUnit(plan: TrialPlan): number {
  const path = stepPath(plan);
  return path === null ? CUSTOM_MS_PER_COST_UNIT : STEP_PATH_MS_PER_COST_UNIT[path];
}

/** A spec's pack-time model (Experiment.packTime): each trial at its step path's price, the default fixed part. */
export function specPackTime(planOf: (values: Values) => TrialPlan): PackTimeModel {
  return { msPerCostUnit: (values) => trialMsPerCostUnit(planOf(values)), overheadTrials: DEFAULT_PACK_TIME.overheadTrials };
}

/**
 * Peak WebAssembly heap of a pack (core/experiments/memory.ts): the largest phase. Trials
 * trained alone hold one network at a time, whatever the pack's size.
 */
export function trialMemory(plan: TrialPlan, pack?: number): number {
  const held = plan.alone ? 1 : pack;
  if (plan.classical) return plan.classical.block.memory(plan.classical.values, plan.data, held);
  return Math.max(...plan.phases.map((ph) => packBytes({ model: ph.model, trainRows: ph.batchRows, evalRows: plan.evalRows, dataRows: ph.dataRows }, held)));
}

export interface CompileOptions {
  /** The notebook-style number (built-in specs); custom experiments get 0. */
  number?: number;
  section?: string;
  /** What the notebook concluded (built-ins of the notebook); otherwise the spec's note. */
  conclusion?: string;
  /**
   * Names of the random streams, where a built-in keeps those its code drew from before it
   * was a spec ('data_task' → 'covariance', …), so its numbers stay what they were. Every
   * stream's seed also derives from the experiment id, so a name changes nothing else.
   */
  streamNames?: Partial<Record<string, string>>;
  /**
   * Parameters whose values key a shared data stream (by purpose) instead of
   * task_shared_by, where a built-in's code keyed its streams so (its numbers stay what
   * they were).
   */
  streamKeys?: Partial<Record<string, string[]>>;
  /**
   * Names its code gave parameters that are now blocks' parameters (`width` → 'n_hidden'):
   * an unpaired trial's streams are keyed by its config key (`function=sin,n_hidden=2`), so
   * the key is spelt with the code's names when seeding them, and its numbers stay what they
   * were. Like streamNames, it changes nothing else.
   */
  configKeyNames?: Partial<Record<string, string>>;
}

/** A config key with parameter names replaced (`width=2` → `n_hidden=2`), as CompileOptions.configKeyNames asks. */
export function renameConfigKey(key: string, names: Partial<Record<string, string>>): string {
  return key.replace(/(^|,)([A-Za-z0-9_]+)=/g, (_whole, lead: string, name: string) => `${lead}${names[name] ?? name}=`);
}

/** A parameter value as a stream key: numbers and strings as they are, anything else as canonical JSON. */
function streamKey(v: unknown): string | number {
  return typeof v === 'number' || typeof v === 'string' ? v : canonicalJson(v);
}

/** A compiled spec: an Experiment plus the spec's figure hint for the generic figure. */
export interface SpecExperiment extends Experiment {
  spec: ExperimentSpec;
  figure?: FigureHint;
}

/**
 * A trial's random streams: `streamOf(t, purpose)` for the weights ('init'), batches
 * ('batch') and whatever a training block draws, per repeat when the spec is paired and per
 * trial when not; `dataStreams(t)` for the data block, whose task stream is per repeat and
 * value of `task_shared_by` when the spec names those parameters; with `features_shared_by`
 * also the feature pipeline's own ('features_dummy', 'features_mixing'), per repeat and
 * value of those parameters.
 */
export function specStreams(spec: Pick<ExperimentSpec, 'paired' | 'task_shared_by' | 'features_shared_by'> & { data?: { block: string } }, options: Pick<CompileOptions, 'streamNames' | 'streamKeys' | 'configKeyNames'> = {}) {
  const named = (purpose: string) => options.streamNames?.[purpose] ?? purpose;
  const keyNames = options.configKeyNames;
  const keyed = (t: TrialSpec) => (keyNames ? { ...t, configKey: renameConfigKey(t.configKey, keyNames) } : t);
  // The keys of a stream (core/experiments/common.ts): its seed is derived from them, and the
  // task's are also its identity where a pool drawn from it is kept.
  const ownKeys = (t: TrialSpec, purpose: string) => (spec.paired ? repeatStreamKeys(t, named(purpose)) : trialStreamKeys(keyed(t), named(purpose)));
  const sharedKeys = (t: TrialSpec, purpose: string, keys: string[]) => repeatStreamKeys(t, named(purpose), ...keys.map((k) => streamKey((t.params as Values)[k])));
  const streamOf = (t: TrialSpec, purpose: string) => streamFor(...ownKeys(t, purpose));
  const sharedBy = (t: TrialSpec, purpose: string, keys: string[]) => streamFor(...sharedKeys(t, purpose, keys));
  const share = spec.task_shared_by;
  const taskKeys = (t: TrialSpec) => (share ? sharedKeys(t, 'data_task', share) : ownKeys(t, 'data_task'));
  // The feature pipeline's own streams, per repeat and value of features_shared_by.
  const features = spec.features_shared_by;
  // A pool (DataBlock.pooled) is one draw for the configs that share it: its training and
  // test streams (a features section's draws over it) are shared as the task is, per repeat
  // and value of task_shared_by (or of the built-in's streamKeys).
  const dataBlock = spec.data && DATA_BLOCKS[spec.data.block];
  const poolStream = (t: TrialSpec, purpose: string) => {
    const keys = options.streamKeys?.[purpose] ?? share;
    return keys ? sharedBy(t, purpose, keys) : streamOf(t, purpose);
  };
  const dataStreams = (t: TrialSpec): DataStreams => {
    const pooled = dataBlock?.pooled?.(t.params as Values) ? poolStream : streamOf;
    return {
      task: streamFor(...taskKeys(t)),
      train: pooled(t, 'data_train'),
      test: pooled(t, 'data_test'),
      taskKey: JSON.stringify(taskKeys(t)),
      ...(features ? { features: { dummy: sharedBy(t, 'features_dummy', features), mixing: sharedBy(t, 'features_mixing', features) } } : {}),
    };
  };
  return { streamOf, dataStreams };
}

export function compileSpec(id: string, spec: ExperimentSpec, options: CompileOptions = {}): SpecExperiment {
  const blocks = specBlocks(spec);
  const params = specParams(spec);
  const contentParams = new Set(blocks.data.contentParams);
  // cost and memory run per trial and per candidate pack when packs are cut: the blocks are looked up once.
  const plan = (values: Values) => trialPlan(spec, values, blocks);
  const { streamOf, dataStreams } = specStreams(spec, options);
  const wantsLoss = spec.record.some((r) => r.metric === 'loss');
  const wantsInputDim = spec.record.some((r) => r.metric === 'input_dim');
  const boundaryItem = spec.record.find((r) => r.metric === 'decision_boundary');
  const predictionItem = spec.record.find((r) => r.metric === 'predictions');
  const wantsSteps = spec.record.some((r) => r.metric === 'num_steps');
  const target = targetItem(spec);
  // Metrics stored under another name (a record item's `name`).
  const storedAs = new Map(spec.record.flatMap((r) => (r.name !== undefined ? [[r.metric, r.name] as const] : [])));
  // A name stored by a checkpoint item and an end item (Exp 1's mse): the series is the
  // checkpoint item's, the scalar the end item's.
  const scalarOf = new Map<string, string>();
  for (const r of [...spec.record].sort((a, b) => (a.at === b.at ? 0 : a.at === 'end' ? 1 : -1))) if (r.name !== undefined) scalarOf.set(r.name, r.metric);
  const renamed = <V>(byMetric: Record<string, V>, scalars = false): Record<string, V> =>
    storedAs.size
      ? Object.fromEntries(
          Object.entries(byMetric).flatMap(([m, v]) => {
            const name = storedAs.get(m as Metric) ?? m;
            return scalars && scalarOf.has(name) && scalarOf.get(name) !== m ? [] : [[name, v] as const];
          }),
        )
      : byMetric;

  return {
    id,
    number: options.number ?? CUSTOM_EXPERIMENT_NUMBER,
    section: options.section ?? CUSTOM_SECTION,
    title: spec.title,
    question: spec.question,
    hypothesis: spec.hypothesis,
    conclusion: options.conclusion ?? spec.note ?? '',
    claims: spec.claims,
    params,
    grid: experimentGrid(spec),
    repeats: spec.repeats,
    spec,
    figure: spec.figure,
    refusal: (values) => {
      const misfit = cellMisfit(spec, values, blocks);
      return misfit && { param: misfit[0], message: misfit[1] };
    },
    cost: (values) => trialCost(plan(values)),
    packTime: specPackTime(plan),
    memory: (values, pack) => trialMemory(plan(values), pack),
    // Trials that differ only in what the data block draws (not its shape) train together
    // (the model axis's label is a value: different model cells never share a pack).
    packKey: (values) => canonicalJson(Object.fromEntries(Object.entries(values).filter(([k]) => !contentParams.has(k)))),
    async runPack(trials, ctx) {
      const planned = plan(trials[0].params as Values);
      if (!planned.alone) return trainTogether(trials, ctx, planned);
      // One network at a time, each its own pack of one with its own clock.
      const out: TrialResult[] = [];
      for (const t of trials) out.push(...(await trainTogether([t], ctx, planned, trials.length)));
      return out;
    },
  };

  /** Trains the trials as one pack (`packSize`: the pack they came in, when trained alone). */
  async function trainTogether(trials: TrialSpec[], ctx: RunContext, planned: TrialPlan, packSize = trials.length): Promise<TrialResult[]> {
    const values = trials[0].params as Values;
    const { data, checkpoints, targetChecks } = planned;
    const classes = data.task === 'classification' ? data.output : 1;
    const targets = (labels: Float32Array) => (data.task === 'classification' ? oneHot(labels, classes) : Float32Array.from(labels));
    const splits = trials.map((t) =>
      blocks.data.generate(pick(t.params as Values, blocks.data), dataStreams(t)),
    );
    // A classical model fits itself from the same data: no network, no training block.
    if (planned.classical) return fitClassical(trials, splits, planned, spec, ctx, (k, purpose) => streamOf(trials[k], purpose), packSize);
    const model = planned.model!;
    const trainX = splits.map((s) => s.train.x);
    const trainY = splits.map((s) => targets(s.train.labels));
    const testY = splits.map((s) => targets(s.test.labels));
    const test = { x: stack3d(splits.map((s) => s.test.x), data.testRows, data.input), y: testY };
    const train = { x: stack3d(trainX, data.trainRows, data.input), y: trainY };
    const loss = values.loss as LossName;
    const recorder = new PackRecorder(spec.record, trials.length, { test, train }, loss, classes, model);
    const now = ctx.now ?? (() => Date.now());
    let lastBatchLoss: number[] | undefined;
    let lastBatchOutputs: Float32Array[] | undefined;
    const reached = target && new FirstAbove(trials.length, target.target ?? 0);
    const recordedAt = new Set(checkpoints);
    const checkedAt = new Set(targetChecks);
    // Checks between checkpoints are not the protocol's work: their time is not counted.
    let excluded = 0;
    const checkTarget = async (updates: number, net: NetworkPack) => {
      if (!reached || !target) return;
      const isRecord = recordedAt.has(updates);
      if (!isRecord && (!checkedAt.has(updates) || reached.reachedByAll)) return;
      const measure = () => recorder.accuracy(target.on === 'test' ? 'test' : 'train', net, target.float32 === true, isRecord ? updates : undefined);
      let acc: number[];
      if (isRecord) acc = await measure();
      else {
        const t0 = now();
        acc = await measure();
        excluded += now() - t0;
      }
      reached.see(updates, acc);
    };
    const trainingCheckpoints = targetChecks.length ? [...new Set([...checkpoints, ...targetChecks])].sort((a, b) => a - b) : checkpoints;
    try {
      const started = now();
      const net = await blocks.training.run({
        params: pick(values, blocks.training),
        data,
        dataBlock: blocks.data,
        model,
        splits,
        dataValues: (k) => pick(trials[k].params as Values, blocks.data),
        trainX,
        trainY,
        stream: (k, purpose) => streamOf(trials[k], purpose),
        targets,
        checkpoints: trainingCheckpoints,
        onCheckpoint: async (updates, pack) => {
          if (recordedAt.has(updates)) await recorder.record(updates, pack);
          await checkTarget(updates, pack);
        },
        onLastBatchLoss: (losses, outputs) => {
          lastBatchLoss = losses;
          lastBatchOutputs = outputs;
        },
        yieldToHost: ctx.yieldToHost,
        engine: ctx.engine,
      });
      const finals = await recorder.final(net, planned.recordedSteps);
      const elapsed = now() - started;
      const boundaries = boundaryItem ? await boundaryRecords(boundaryItem, net, trials.map((t) => t.repeat), splits) : undefined;
      const on = predictionItem?.at === 'end' ? (predictionItem.on ?? 'test') : 'test';
      const predicted =
        !predictionItem || on === 'last_update'
          ? undefined
          : await predictionRecords(net, on === 'train' ? train.x : test.x, splits.map((s) => (on === 'train' ? s.train : s.test)), data.output);
      net.dispose();
      const nParams = parameterCount(model);
      return trials.map((t, k): TrialResult => {
        const scalars: Record<string, number> = { ...finals[k], n_params: nParams, ...dataScalars(spec, splits[k], classes) };
        if (wantsLoss && lastBatchLoss) scalars.loss = lastBatchLoss[k];
        if (wantsInputDim) scalars.input_dim = data.input;
        const series = Object.fromEntries([...recorder.series].map(([m, v]: [Metric, number[][]]) => [m, { steps: recorder.steps.slice(), values: v[k] }]));
        const fit = predictionItem && on === 'last_update' && lastBatchOutputs ? predictionSeries(splits[k].train, trainY[k], lastBatchOutputs[k]) : undefined;
        if (wantsSteps) scalars.num_steps = planned.recordedSteps;
        const { runtime, info } = recordClock(spec, scalars, elapsed, excluded, trials.length, planned.alone ? packSize : undefined);
        if (reached) Object.assign(scalars, targetScalars(reached.steps[k], runtime, planned.recordedSteps));
        const result: TrialResult = { trialId: t.id, scalars: renamed(scalars, true), series: { ...renamed(series), ...recorder.changeSeries(k), ...predicted?.[k], ...fit } };
        if (info) result.info = info;
        const traces = { ...recorder.traces(k), ...boundaries?.[k] };
        if (Object.keys(traces).length) result.traces = traces;
        return result;
      });
    } finally {
      test.x.dispose();
      train.x.dispose();
    }
  }
}

/** time_to_target's scalars: whether the target was reached, after how many updates, and the seconds that took (when the clock ran). */
function targetScalars(steps: number | null, runtime: number | null, numSteps: number): Record<string, number> {
  if (steps === null) return { reached_target: 0 };
  const out: Record<string, number> = { reached_target: 1, steps_to_target: steps };
  if (runtime !== null) out.seconds_to_target = (runtime * steps) / numSteps;
  return out;
}

/** Scalars of a trial's data that records ask for, whatever model fits it: class counts, row counts. */
function dataScalars(spec: Pick<ExperimentSpec, 'record'>, split: DataSplit, classes: number): Record<string, number> {
  const out: Record<string, number> = {};
  if (spec.record.some((r) => r.metric === 'class_counts')) Object.assign(out, classCountScalars(split.train, classes));
  if (spec.record.some((r) => r.metric === 'data_sizes')) Object.assign(out, dataSizeScalars(split));
  return out;
}

/**
 * The trial's run time in seconds: the pack's time, minus `excludedMs` (time_to_target's
 * checks), over its trials; null when the host's clock did not move (production Workers
 * freeze it during pure CPU work). Where runtime_s is recorded it goes into `scalars`, and
 * the info says how it was measured (undefined when runtime_s is not recorded). `alonePack`:
 * the size of the pack whose trials trained one after another, each alone (per: 'trial').
 */
function recordClock(spec: Pick<ExperimentSpec, 'record'>, scalars: Record<string, number>, elapsedMs: number, excludedMs: number, trials: number, alonePack?: number): { runtime: number | null; info?: Record<string, unknown> } {
  const runtime = elapsedMs > 0 ? Math.max(0, elapsedMs - excludedMs) / trials / 1000 : null;
  if (!spec.record.some((r) => r.metric === 'runtime_s')) return { runtime };
  if (runtime !== null) scalars.runtime_s = runtime;
  const info: Record<string, unknown> = { runtime_clock: runtime !== null ? 'wall' : 'frozen' };
  if (alonePack !== undefined) {
    info.runtime_note =
      runtime !== null
        ? `this network's own time, trained alone (its pack of ${alonePack} trains one network after another), from its training to its final evaluation${excludedMs > 0 ? ', minus its time-to-target checks between records' : ''}; production Workers only advance clocks across I/O, so there it can under-count`
        : 'the clock did not advance while this network trained (frozen Worker clock): no runtime stored';
  }
  return { runtime, info };
}

/**
 * A pack of a classical model: its `fit` on each trial's data instead of the training
 * block; the record items' metrics from its predictions (and losses), at the end only.
 */
async function fitClassical(
  trials: TrialSpec[],
  splits: DataSplit[],
  plan: TrialPlan,
  spec: ExperimentSpec,
  ctx: RunContext,
  stream: (k: number, purpose: string) => Rng,
  packSize = trials.length,
): Promise<TrialResult[]> {
  const { block, values } = plan.classical!;
  const rounded = new Set(spec.record.filter((r) => r.float32).map((r) => r.metric as string));
  const boundary = spec.record.find((r) => r.metric === 'decision_boundary');
  // The boundary is scored on the decision grid (validation asks for 2-D, two-class data).
  const grid = boundary ? { n: GRID_SIDE * GRID_SIDE, d: 2, x: decisionGrid(), labels: new Float32Array(GRID_SIDE * GRID_SIDE) } : undefined;
  const now = ctx.now ?? (() => Date.now());
  const started = now();
  const fits = await block.fit({ params: values, data: plan.data, splits, stream, yieldToHost: ctx.yieldToHost, engine: ctx.engine, libsvm: ctx.libsvm, extra: grid });
  const elapsed = now() - started;
  const { keep: keepBoundary, points } = boundary ? boundarySettings(boundary) : { keep: 0, points: 0 };
  return trials.map((t, k): TrialResult => {
    const f = fits[k];
    const measured: Record<string, number | undefined> = {
      test_accuracy: predictionAccuracy(f.test, splits[k].test.labels),
      train_accuracy: predictionAccuracy(f.train, splits[k].train.labels),
      test_loss: f.testLoss,
      train_loss: f.trainLoss,
    };
    const scalars: Record<string, number> = { ...f.scalars, n_params: f.nParams };
    for (const r of spec.record) {
      const v = measured[r.metric];
      if (v !== undefined) scalars[r.name ?? r.metric] = rounded.has(r.metric) ? Math.fround(v) : v;
    }
    Object.assign(scalars, dataScalars(spec, splits[k], plan.data.output));
    const { info } = recordClock(spec, scalars, elapsed, 0, trials.length, plan.alone ? packSize : undefined);
    const result: TrialResult = { trialId: t.id, scalars, series: {} };
    if (info) result.info = info;
    if (f.traces) result.traces = f.traces;
    const scores = f.extraScores;
    if (scores && t.repeat < keepBoundary) {
      // Logits as the network records them: class 0's taken as 0, class 1's the score.
      const logits = new Float32Array(2 * scores.length);
      scores.forEach((v, i) => (logits[2 * i + 1] = v));
      result.traces = { ...result.traces, ...boundaryTraces(logits, splits[k].train, splits[k].test, points) };
    }
    return result;
  });
}
