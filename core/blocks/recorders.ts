/**
 * Recorders: what a custom experiment measures. A spec lists `record` items, each a metric
 * measured either at the end of training (`at: 'end'`, a scalar) or at checkpoints
 * (`at: 'checkpoints'`, a series, plus the final value as the scalar): every `every`
 * updates and after the last (`align: 'end'`, the default), or after the first update and
 * every `every` (or steps/`per_run`) updates after it (`align: 'start'`, the notebook's
 * `step % period == 0` evaluated after that step's update).
 *
 * `step`, wherever a series over training is stored, read, aggregated, exported or drawn,
 * is the number of updates applied when the value was measured (1 after the first update).
 *
 * With `align: 'threshold'` and `every_epochs` E (epoch-defined training only: the training
 * block's `epochs`), the schedule is the notebook's Exp 8 code: with period T = steps/epochs·E
 * (a float), after the update of step index s it records when s > threshold (starting at T),
 * then advances the threshold by T, keeping at most trunc(epochs/E) − 1 records (the
 * notebook's array held that many); thresholdUpdates below, verbatim.
 *
 * Metrics:
 *
 *   test_accuracy, train_accuracy   share of rows whose largest logit is the true class
 *                                   (ties to the lower class, as TF's argmax); classes only
 *   test_loss, train_loss           the training loss (without the penalty) on those rows
 *   weight_norm                     √Σ w² over every weight matrix (biases excluded)
 *   runtime_s                       wall time of the pack's training divided by its size
 *                                   (at the end only; absent when the host clock is frozen).
 *                                   With `per: 'trial'` every trial of a pack trains alone,
 *                                   one network after another, each with its own clock from
 *                                   its model build to its final evaluation (minus any
 *                                   time_to_target checks): a pack's trials no longer share
 *                                   each step's dispatch, and each has its own time; its
 *                                   numbers are those it would have in a pack
 *   num_steps                       the updates the trial trained (recorded phases); at the end
 *   time_to_target                  when the accuracy on the training rows (`on: 'train'`,
 *                                   default) or test rows (`on: 'test'`) first exceeds
 *                                   `target` (in [0, 1]): checked after the update ending
 *                                   every `check_every_epochs` epochs (default 1; epoch-defined
 *                                   training only; targetCheckUpdates) and at every checkpoint
 *                                   of the spec's records, compared as float32 with
 *                                   `float32: true` (TF's mean). The checks between records
 *                                   are not timed (the clock excludes them) and are skipped
 *                                   once the target is reached. Stores reached_target (0/1),
 *                                   steps_to_target (updates applied at the first check above
 *                                   the target) and seconds_to_target = runtime ×
 *                                   steps_to_target / num_steps (when the clock ran); the last
 *                                   two are absent when the target is never reached. At the end
 *   class_counts                    the training rows: n_train, and for two classes
 *                                   n_minority (class 0, the mixture's minority) and
 *                                   n_majority (class 1); at the end only
 *   loss                            the loss the last update minimised, on its batch,
 *                                   as that step computed it before updating (what TF's
 *                                   sess.run returns; float32, penalty included); at the end
 *   data_sizes                      the trial's rows: train_size and test_size; at the
 *                                   end only (networks and classical models alike)
 *   weight_tail                     a trace `weights_layer{layer}` of the last `entries`
 *                                   (default 50; the whole matrix when smaller) entries of
 *                                   weight matrix `layer` (default 0; biases excluded),
 *                                   flattened row-major, at every checkpoint: snapshot-major
 *                                   values (7 significant digits, float32 carries ~7.2, so
 *                                   one D1 row stays small) with each snapshot's update count
 *                                   repeated `entries` times in steps; checkpoints only, at
 *                                   most MAX_TRACE_VALUES snapshots × entries
 *   weight_change                   how far the same tail of weight matrix `layer` moved
 *                                   between consecutive checkpoints: the series
 *                                   `weight_change_layer{layer}` of ‖tail_i − tail_{i−1}‖₂
 *                                   (float32 weights, float64 norm) at every checkpoint but
 *                                   the first, and two scalars: `steps_to_converge_layer{layer}`,
 *                                   the update count of the first checkpoint from which that
 *                                   change, smoothed by a centred moving average of
 *                                   `converge_window` checkpoints (default 11), stays below
 *                                   `converge_fraction` (default 0.5) of its own maximum (the
 *                                   run's updates + 1 when it never settles), and
 *                                   `final_change_layer{layer}`, the mean change over the last
 *                                   `final_fraction` (default 0.1) of the series
 *                                   (stepsToConverge, tailMean below);
 *                                   checkpoints only
 *   weight_stats                    mean_abs_weight and sparsity (share of |w| < `threshold`,
 *                                   default 1e-3) over every weight matrix, and per matrix j
 *                                   mean_abs_weight_layer{j}, sparsity_layer{j}
 *                                   (weightStatistics below); at the end
 *   decision_boundary               traces of the first `repeats` repeats (default 1) on
 *                                   2-D two-class data: both logits on the 51×51 grid of
 *                                   [0, 1]² (grid_logit0, grid_logit1), `points` distinct
 *                                   training points per class (default 300) and every test
 *                                   point (core/train/decision-boundary.ts); at the end only
 *   input_dim                       the columns the network reads (after any feature
 *                                   pipeline: dummy columns, PCA); at the end only
 *   predictions                     series over the row index of the test rows (or, with
 *                                   `on: 'train'`, the training rows) after training:
 *                                   `score` (logit₁ − logit₀ of two classes, or a
 *                                   regression's output), `label` (the true class or target)
 *                                   and, for one input column, `x`; at the end only. With
 *                                   `on: 'last_update'` (1-D regression, full-batch training):
 *                                   the fit as the last update computed it, before applying
 *                                   it, over the training row index: `x` (the data block's
 *                                   float64 inputs where it keeps them, Table.x64), `y_true`
 *                                   and `y_pred`
 *
 * `name` on a record item of one scalar stores it (and its series) under that name instead
 * of the metric's (a built-in keeps the names its code stored, e.g. Exp 2's `accuracy`).
 *
 * `float32: true` on an accuracy or loss stores it rounded to float32, the value TF's mean
 * over rows gives (the notebook's experiments measured accuracy so); the value is the same
 * hits / rows, rounded once more (test/blocks/recorders.test.ts proves the two agree bit
 * for bit).
 *
 * Every trial also stores the scalar `n_params`. Losses and accuracies are computed here in
 * float64 from the pack's logits (core/train/train-pack.ts predict), so they do not depend
 * on the pack's other networks. A loss here is the one training minimises (core/nn/losses.ts
 * packLoss), evaluated without its float32 roundings: test/blocks/recorders.test.ts checks
 * every loss against packLoss within those roundings. `loss` (the record) is packLoss's own
 * float32 value as the last step computed it.
 */
import * as tf from '@tensorflow/tfjs-core';
import { z } from 'zod';
import type { LossName } from '../nn/losses';
import { parameterShapes, type ModelSpec, type NetworkPack } from '../nn/model';
import { predict } from '../train/train-pack';
import { classCounts, type Table } from '../data/dataset';
import { boundaryTraces, gridLogits } from '../train/decision-boundary';
import type { Series } from '../experiments/types';

export const METRICS = ['test_accuracy', 'train_accuracy', 'test_loss', 'train_loss', 'weight_norm', 'runtime_s', 'class_counts', 'decision_boundary', 'loss', 'data_sizes', 'input_dim', 'weight_tail', 'weight_change', 'weight_stats', 'predictions', 'num_steps', 'time_to_target'] as const;
export type Metric = (typeof METRICS)[number];
export const ACCURACY_METRICS: Metric[] = ['test_accuracy', 'train_accuracy'];
/** Metrics measured on the network's logits (the ones `float32` may round). */
export const LOGIT_METRICS: Metric[] = ['test_accuracy', 'train_accuracy', 'test_loss', 'train_loss'];
/** Metrics of the whole trial, recorded once at the end (not a value over training). */
export const END_ONLY: Metric[] = ['runtime_s', 'class_counts', 'decision_boundary', 'loss', 'data_sizes', 'input_dim', 'weight_stats', 'predictions', 'num_steps', 'time_to_target'];
/** Metrics of the weights' path over training: measured at checkpoints only, read off weight tails. */
export const WEIGHT_PATH_METRICS: Metric[] = ['weight_tail', 'weight_change'];
/** Scalars every trial stores whatever the spec records. */
export const ALWAYS_RECORDED = ['n_params'];
/** The scalars a record item stores (class_counts stores three, decision_boundary only traces). */
export function scalarsOf(metric: Metric): string[] {
  if (metric === 'class_counts') return ['n_train', 'n_minority', 'n_majority'];
  if (metric === 'decision_boundary' || metric === 'weight_tail' || metric === 'predictions') return [];
  if (metric === 'data_sizes') return ['train_size', 'test_size'];
  if (metric === 'time_to_target') return TARGET_SCALARS;
  // Per layer: storedScalars names them.
  if (metric === 'weight_change') return [];
  // And per weight matrix j: mean_abs_weight_layer{j}, sparsity_layer{j}.
  if (metric === 'weight_stats') return ['mean_abs_weight', 'sparsity'];
  return [metric];
}
/** The scalars a time_to_target record stores (the last two only when the target is reached). */
export const TARGET_SCALARS = ['reached_target', 'steps_to_target', 'seconds_to_target'];
/** The series a predictions record stores (over the row index). */
export const PREDICTION_SERIES = ['score', 'label', 'x', 'y_true', 'y_pred'];
/** The scalars a record item stores, under its `name` where it has one. */
export function storedScalars(item: Pick<RecordItem, 'metric' | 'name'> & { layer?: number }): string[] {
  if (item.metric === 'weight_change') {
    const layer = item.layer ?? DEFAULT_TAIL_LAYER;
    return [`steps_to_converge_layer${layer}`, `final_change_layer${layer}`];
  }
  return item.name !== undefined ? [item.name] : scalarsOf(item.metric);
}
/** The series a checkpoint item stores: its scalar's, or weight_change's own per layer. */
export function storedSeries(item: RecordItem): string[] {
  if (item.at !== 'checkpoints') return [];
  if (item.metric === 'weight_change') return [`weight_change_layer${item.layer ?? DEFAULT_TAIL_LAYER}`];
  return storedScalars(item);
}

export const DEFAULT_BOUNDARY_REPEATS = 1;
/** Most checkpoints `per_run` may ask for (the notebook's schedules ask for 10). */
export const MAX_PER_RUN = 1000;
export const DEFAULT_BOUNDARY_POINTS = 300;
export const DEFAULT_TAIL_LAYER = 0;
export const DEFAULT_TAIL_ENTRIES = 50;
export const DEFAULT_SPARSITY_THRESHOLD = 1e-3;
export const DEFAULT_CONVERGE_FRACTION = 0.5;
export const DEFAULT_CONVERGE_WINDOW = 11;
export const DEFAULT_FINAL_FRACTION = 0.1;
export const DEFAULT_TARGET_CHECK_EPOCHS = 1;

const storedName = z
  .string()
  .min(1)
  .max(100)
  .regex(/^[A-Za-z0-9_]+$/, 'a metric name (letters, digits, _)');

/**
 * One weight trace is one D1 row (JSON, ~15 bytes a value with its step): snapshots ×
 * entries stays ≤ 40,000 values (~0.6 MB; Exp 11's and 12's are 375 × 50 = 18,750).
 */
export const MAX_TRACE_VALUES = 40_000;

/** Most checkpoints a trial may record (core/custom/validate.ts refuses more). */
export const MAX_CHECKPOINTS = 1000;

export const recordSchema = z.discriminatedUnion('at', [
  z
    .object({
      metric: z.enum(METRICS),
      at: z.literal('end'),
      /** Stored rounded to float32 (accuracies and losses). */
      float32: z.boolean().optional(),
      /** decision_boundary: repeats 0 … repeats−1 store the traces. */
      repeats: z.number().int().min(0).max(100).optional(),
      /** decision_boundary: distinct training points kept per class. */
      points: z.number().int().min(0).max(2000).optional(),
      /** weight_stats: |w| below this counts as zero in sparsity. */
      threshold: z.number().min(0).max(10).optional(),
      /** predictions: of the test rows (default) or the training rows after training, or the outputs of the last update (full batch); time_to_target: the accuracy of the training rows (default) or the test rows. */
      on: z.enum(['test', 'train', 'last_update']).optional(),
      /** runtime_s: 'pack' (default) the pack's time over its size; 'trial': every trial trained and timed alone. */
      per: z.enum(['pack', 'trial']).optional(),
      /** time_to_target: the accuracy to exceed. */
      target: z.number().min(0).max(1).optional(),
      /** time_to_target: epochs between checks. */
      check_every_epochs: z.number().min(0.01).max(10_000).optional(),
      /** Stored under this name instead of the metric's (metrics of one scalar). */
      name: storedName.optional(),
    })
    .strict(),
  z
    .object({
      metric: z.enum(METRICS),
      at: z.literal('checkpoints'),
      /** Updates between checkpoints. */
      every: z.number().int().min(1).max(1_000_000).optional(),
      /** Checkpoints over the run: every steps/per_run updates (a fraction when it does not divide; align 'start' only). */
      per_run: z.number().int().min(1).max(MAX_PER_RUN).optional(),
      /** Epochs between checkpoints (align 'threshold' only; epoch-defined training). */
      every_epochs: z.number().min(0.01).max(10_000).optional(),
      /** 'end' (default): after every `every` updates and after the last; 'start': after the first update and every period after it (the notebook's `step % period == 0`); 'threshold': the notebook's Exp 8 schedule over `every_epochs` (thresholdUpdates). */
      align: z.enum(['end', 'start', 'threshold']).optional(),
      float32: z.boolean().optional(),
      name: storedName.optional(),
      /** weight_tail, weight_change: which weight matrix (0 = the input layer's), biases not counted. */
      layer: z.number().int().min(0).max(64).optional(),
      /** weight_tail, weight_change: how many trailing entries of the flattened matrix. */
      entries: z.number().int().min(1).max(MAX_TRACE_VALUES).optional(),
      /** weight_change: settled once the smoothed change stays below this fraction of its maximum… */
      converge_fraction: z.number().positive().max(1).optional(),
      /** …smoothed by a centred moving average over this many checkpoints. */
      converge_window: z.number().int().min(1).max(MAX_CHECKPOINTS).optional(),
      /** weight_change: final_change is the mean change over this last fraction of the series. */
      final_fraction: z.number().positive().max(1).optional(),
    })
    .strict(),
]);
export type CheckpointItem = Extract<RecordItem, { at: 'checkpoints' }>;
export type RecordItem = z.infer<typeof recordSchema>;


/** How many entries checkpointUpdates(totalSteps, every) returns, without building them. */
export function checkpointCount(totalSteps: number, every: number): number {
  return totalSteps <= 0 ? 1 : Math.floor((totalSteps - 1) / every) + 1;
}

/**
 * Update counts of the notebook's schedule: after step s's update (s + 1 updates) for every
 * step index s < totalSteps with s % period == 0 in floating point (Python's `step %
 * (num_steps / 10) == 0`: with 75 steps and 10 records, the period 7.5 keeps 0, 15, 30, 45,
 * 60). Built from the multiples of the period, so a count costs what the list does.
 */
export function startAlignedUpdates(totalSteps: number, period: number): number[] {
  const out = new Set<number>();
  for (let m = 0; m * period < totalSteps; m++) {
    // An index with s % period == 0 is m·period exactly, an integer: round gives it back.
    const s = Math.round(m * period);
    if (s < totalSteps && s % period === 0) out.add(s + 1);
  }
  return [...out];
}

/**
 * Update counts of the notebook's Exp 8 record schedule, its code verbatim: with
 * `store_acc_threshold = num_steps/num_epochs*store_every` (a float), after step index s it
 * records if s > threshold, then advances the threshold by the same amount; its array holds
 * int(num_epochs/store_every) − 1 records. Step index s is update s + 1.
 */
export function thresholdUpdates(totalSteps: number, epochs: number, everyEpochs: number): number[] {
  const period = (totalSteps / epochs) * everyEpochs;
  const capacity = Math.trunc(epochs / everyEpochs) - 1;
  const out: number[] = [];
  let threshold = period;
  for (let step = 0; step < totalSteps && out.length < capacity; step++) {
    if (step > threshold) {
      out.push(step + 1);
      threshold += period;
    }
  }
  return out;
}

/**
 * Update counts after which time_to_target checks the accuracy: the update that completes
 * the k-th period of `everyEpochs` epochs, k = 1 … floor(epochs/everyEpochs) (float noise must
 * neither add nor drop one), within 1 … totalSteps.
 */
export function targetCheckUpdates(totalSteps: number, epochs: number, everyEpochs: number): number[] {
  const period = (totalSteps / epochs) * everyEpochs;
  const count = Math.floor(epochs / everyEpochs + 1e-9);
  const out = new Set<number>();
  for (let k = 1; k <= count; k++) out.add(Math.min(totalSteps, Math.max(1, Math.ceil(k * period - 1e-9))));
  return [...out];
}

/**
 * How many checkpoints a record item asks for over `totalSteps` updates (of `epochs` epochs
 * when the training is epoch-defined, else null), without building a long list.
 */
export function itemCheckpointCount(item: CheckpointItem, totalSteps: number, epochs: number | null = null): number {
  if (item.align === 'threshold') return item.every_epochs === undefined || epochs === null ? 0 : Math.max(0, Math.min(Math.trunc(epochs / item.every_epochs) - 1, totalSteps));
  if (item.align !== 'start') return checkpointCount(totalSteps, item.every ?? 1);
  if (item.every !== undefined) return totalSteps <= 0 ? 0 : Math.floor((totalSteps - 1) / item.every) + 1;
  return startAlignedUpdates(totalSteps, totalSteps / item.per_run!).length;
}

/** The update counts (1-based) a record item records at over `totalSteps` updates (of `epochs` epochs, or null). */
export function itemCheckpointUpdates(item: CheckpointItem, totalSteps: number, epochs: number | null = null): number[] {
  if (item.align === 'threshold') return item.every_epochs === undefined || epochs === null ? [] : thresholdUpdates(totalSteps, epochs, item.every_epochs);
  if (item.align !== 'start') return checkpointUpdates(totalSteps, item.every ?? 1);
  return startAlignedUpdates(totalSteps, item.every ?? totalSteps / item.per_run!);
}

/** Update counts (1-based) at which series are recorded: every `every` updates, and the last one. */
export function checkpointUpdates(totalSteps: number, every: number): number[] {
  const out: number[] = [];
  for (let u = every; u < totalSteps; u += every) out.push(u);
  out.push(totalSteps);
  return out;
}

/** Mean loss of one network's logits against its targets, as core/nn/losses.ts packLoss defines it. */
export function lossOf(name: LossName, logits: Float32Array, targets: Float32Array, classes: number): number {
  const rows = targets.length / classes;
  let sum = 0;
  if (name === 'cross_entropy') {
    for (let i = 0; i < rows; i++) {
      let max = -Infinity;
      for (let c = 0; c < classes; c++) max = Math.max(max, logits[i * classes + c]);
      let z = 0;
      for (let c = 0; c < classes; c++) z += Math.exp(logits[i * classes + c] - max);
      const logZ = max + Math.log(z);
      for (let c = 0; c < classes; c++) sum -= targets[i * classes + c] * (logits[i * classes + c] - logZ);
    }
    return sum / rows;
  }
  for (let j = 0; j < targets.length; j++) {
    const e = logits[j] - targets[j];
    switch (name) {
      case 'mean_squared_error':
        sum += e * e;
        break;
      case 'mean_abs_error':
        sum += Math.abs(e);
        break;
      case 'mean_fourth_pow_error':
        sum += e ** 4;
        break;
      case 'hinge_loss':
        sum += Math.max(0, 1 - (2 * targets[j] - 1) * logits[j]);
        break;
      case 'constant':
        break;
    }
  }
  return sum / targets.length;
}

/** Share of rows whose largest logit (first on ties) is the target's class. */
export function accuracyOf(logits: Float32Array, targets: Float32Array, classes: number): number {
  const rows = targets.length / classes;
  let hits = 0;
  for (let i = 0; i < rows; i++) {
    let best = 0;
    let truth = 0;
    for (let c = 1; c < classes; c++) {
      if (logits[i * classes + c] > logits[i * classes + best]) best = c;
      if (targets[i * classes + c] > targets[i * classes + truth]) truth = c;
    }
    if (best === truth) hits++;
  }
  return hits / rows;
}

/** √Σ w² over the weight matrices of each real trial of the pack. */
export async function weightNorms(net: NetworkPack): Promise<number[]> {
  const values = await net.read();
  return values.map((params) => {
    let s = 0;
    params.forEach((v, i) => {
      if (!net.shapes[i].isWeight) return;
      for (const w of v) s += w * w;
    });
    return Math.sqrt(s);
  });
}

export interface EvalSet {
  /** Inputs of every trial stacked [K, rows, d] (caller disposes). */
  x: tf.Tensor3D;
  /** Targets per trial (one-hot or raw). */
  y: Float32Array[];
}

/** The weight matrices of a model (their indices among its parameters), in order. */
function weightIndices(model: ModelSpec): number[] {
  return parameterShapes(model).flatMap((s, i) => (s.isWeight ? [i] : []));
}

/** Entries a weight_tail item keeps per snapshot of this model: `entries`, or the whole matrix when smaller. */
export function tailEntries(item: CheckpointItem, model: ModelSpec): number {
  const shape = parameterShapes(model)[weightIndices(model)[item.layer ?? DEFAULT_TAIL_LAYER]]?.shape ?? [];
  return Math.min(item.entries ?? DEFAULT_TAIL_ENTRIES, shape.reduce((a, b) => a * b, 1));
}

/**
 * The weight tails a spec's records read at every checkpoint: one per layer and size,
 * however many weight_tail and weight_change items follow it (PackRecorder reads each once;
 * core/custom/compile.ts trialPlan counts each once).
 */
export function weightTails(items: RecordItem[], model: ModelSpec): Array<{ layer: number; entries: number }> {
  const out: Array<{ layer: number; entries: number }> = [];
  for (const i of items) {
    if (!WEIGHT_PATH_METRICS.includes(i.metric) || i.at !== 'checkpoints') continue;
    const tail = { layer: i.layer ?? DEFAULT_TAIL_LAYER, entries: tailEntries(i, model) };
    if (!out.some((t) => t.layer === tail.layer && t.entries === tail.entries)) out.push(tail);
  }
  return out;
}

/** Which of `tails` (weightTails) an item follows. */
function tailIndex(tails: Array<{ layer: number; entries: number }>, item: CheckpointItem, model: ModelSpec): number {
  const layer = item.layer ?? DEFAULT_TAIL_LAYER;
  const entries = tailEntries(item, model);
  return tails.findIndex((t) => t.layer === layer && t.entries === entries);
}

/**
 * Why a weight_tail or weight_change item cannot follow this model over `snapshots`
 * checkpoints, or null: a layer the model lacks, or a trace above MAX_TRACE_VALUES values
 * (one D1 row).
 */
export function weightTailMisfit(item: RecordItem, model: ModelSpec, snapshots: number): ['layer' | 'entries', string] | null {
  if (!WEIGHT_PATH_METRICS.includes(item.metric) || item.at !== 'checkpoints') return null;
  const layers = weightIndices(model).length;
  const layer = item.layer ?? DEFAULT_TAIL_LAYER;
  if (layer >= layers) return ['layer', `${item.metric} layer ${layer}: the model has ${layers} weight matrices (layers 0–${layers - 1})`];
  // weight_change keeps its norms (a series, bounded by MAX_CHECKPOINTS), not the entries.
  if (item.metric !== 'weight_tail') return null;
  const values = snapshots * tailEntries(item, model);
  if (values > MAX_TRACE_VALUES) return ['entries', `weight_tail of ${snapshots} checkpoints × ${tailEntries(item, model)} entries = ${values} values, above the ${MAX_TRACE_VALUES} a trace may hold; record less often (every) or fewer entries`];
  return null;
}

/** Records the spec's metrics for a pack: series at checkpoints, scalars at the end, weight traces. */
export class PackRecorder {
  readonly steps: number[] = [];
  readonly series = new Map<Metric, number[][]>();
  private readonly atCheckpoints: Metric[];
  private readonly atEnd: Metric[];

  private readonly rounded: Set<Metric>;
  /**
   * The weight tails read at checkpoints, one per (layer, entries) that a weight_tail or
   * weight_change item asks for: per trial the snapshots' values (snapshot-major).
   */
  private readonly tails: Array<{ layer: number; entries: number; values: number[][] }>;
  /** weight_tail items, each with its tail. */
  private readonly traced: Array<{ tail: number }>;
  /** weight_change items, each with its tail and settings. */
  private readonly changes: Array<{ tail: number; layer: number; fraction: number; window: number; finalFraction: number }>;
  /** Per trial, its weight_change series once the run is over (changeSeries). */
  private readonly changeCache: Array<Series[] | undefined> = [];
  private readonly statsThreshold?: number;

  constructor(
    items: RecordItem[],
    private readonly trials: number,
    private readonly sets: { test: EvalSet; train: EvalSet },
    private readonly loss: LossName,
    private readonly classes: number,
    model?: ModelSpec,
  ) {
    const measured = (m: Metric) => !END_ONLY.includes(m) && !WEIGHT_PATH_METRICS.includes(m);
    this.atCheckpoints = [...new Set(items.filter((i) => i.at === 'checkpoints').map((i) => i.metric))].filter(measured);
    this.atEnd = [...new Set(items.map((i) => i.metric))].filter(measured);
    this.rounded = new Set(items.filter((i) => i.float32).map((i) => i.metric));
    for (const m of this.atCheckpoints) this.series.set(m, Array.from({ length: trials }, () => []));
    const pathItems = items.filter((i): i is CheckpointItem => WEIGHT_PATH_METRICS.includes(i.metric) && i.at === 'checkpoints');
    if (pathItems.length && !model) throw new Error(`${pathItems[0].metric} needs the model`);
    const tails = pathItems.length ? weightTails(pathItems, model!) : [];
    this.tails = tails.map((t) => ({ ...t, values: Array.from({ length: trials }, () => []) }));
    const tailOf = (i: CheckpointItem) => tailIndex(tails, i, model!);
    this.traced = pathItems.filter((i) => i.metric === 'weight_tail').map((i) => ({ tail: tailOf(i) }));
    this.changes = pathItems
      .filter((i) => i.metric === 'weight_change')
      .map((i) => ({ tail: tailOf(i), layer: i.layer ?? DEFAULT_TAIL_LAYER, fraction: i.converge_fraction ?? DEFAULT_CONVERGE_FRACTION, window: i.converge_window ?? DEFAULT_CONVERGE_WINDOW, finalFraction: i.final_fraction ?? DEFAULT_FINAL_FRACTION }));
    const stats = items.find((i) => i.metric === 'weight_stats');
    if (stats) this.statsThreshold = (stats.at === 'end' ? stats.threshold : undefined) ?? DEFAULT_SPARSITY_THRESHOLD;
  }

  private async measure(metrics: Metric[], net: NetworkPack): Promise<Map<Metric, number[]>> {
    const out = new Map<Metric, number[]>();
    const logits: Partial<Record<'test' | 'train', Float32Array[]>> = {};
    for (const m of metrics) {
      if (m === 'weight_norm') {
        out.set(m, await weightNorms(net));
        continue;
      }
      const which = m.startsWith('test') ? 'test' : 'train';
      logits[which] ??= await predict(net, this.sets[which].x);
      const ys = this.sets[which].y;
      const lg = logits[which]!;
      const round = this.rounded.has(m) ? Math.fround : (v: number) => v;
      out.set(
        m,
        lg.map((l, k) => round(m.endsWith('accuracy') ? accuracyOf(l, ys[k], this.classes) : lossOf(this.loss, l, ys[k], this.classes))),
      );
    }
    return out;
  }

  /** The last `entries` values of weight matrix `layer` of every real trial, read in one sync. */
  private async readTail(net: NetworkPack, layer: number, entries: number): Promise<Float32Array[]> {
    const w = net.params[weightIndices(net.spec)[layer]];
    const S = net.size;
    const size = w.size / S;
    const tail = tf.tidy(() => tf.slice(tf.reshape(w, [S, size]), [0, size - entries], [S, entries]));
    const data = (await tail.data()) as Float32Array;
    tail.dispose();
    return Array.from({ length: this.trials }, (_, k) => data.subarray(k * entries, (k + 1) * entries));
  }

  /**
   * Accuracy of every trial on the test or training rows (rounded to float32 when asked):
   * the value a checkpoint just recorded for that metric with that rounding, else measured.
   */
  async accuracy(on: 'test' | 'train', net: NetworkPack, float32: boolean, updates?: number): Promise<number[]> {
    const metric: Metric = on === 'test' ? 'test_accuracy' : 'train_accuracy';
    const recorded = this.series.get(metric);
    if (updates !== undefined && recorded && this.steps.at(-1) === updates && this.rounded.has(metric) === float32) return recorded.map((v) => v[v.length - 1]);
    const logits = await predict(net, this.sets[on].x);
    const ys = this.sets[on].y;
    return logits.map((l, k) => (float32 ? Math.fround : (v: number) => v)(accuracyOf(l, ys[k], this.classes)));
  }

  async record(updates: number, net: NetworkPack): Promise<void> {
    this.steps.push(updates);
    const values = await this.measure(this.atCheckpoints, net);
    for (const [m, v] of values) v.forEach((x, k) => this.series.get(m)![k].push(x));
    for (const t of this.tails) (await this.readTail(net, t.layer, t.entries)).forEach((v, k) => t.values[k].push(...v));
  }

  /**
   * Final scalars per trial; `totalUpdates` is the run's length (a weight change that never
   * settles reports one past it).
   */
  async final(net: NetworkPack, totalUpdates = 0): Promise<Array<Record<string, number>>> {
    const values = await this.measure(this.atEnd, net);
    const params = this.statsThreshold === undefined ? [] : await net.read();
    return Array.from({ length: this.trials }, (_, k) => ({
      ...Object.fromEntries([...values].map(([m, v]) => [m, v[k]])),
      ...(this.statsThreshold === undefined ? {} : weightStatistics(net.spec, params[k], this.statsThreshold)),
      ...Object.fromEntries(
        this.changes.flatMap((c) => {
          const change = this.changeSeries(k)[`weight_change_layer${c.layer}`];
          return [
            [`steps_to_converge_layer${c.layer}`, stepsToConverge(change, c.fraction, c.window, totalUpdates + 1)],
            [`final_change_layer${c.layer}`, tailMean(change.values, c.finalFraction)],
          ];
        }),
      ),
    }));
  }

  /** ‖tail_i − tail_{i−1}‖₂ of trial k's tail `t` for i = 1 … checkpoints − 1, at the later checkpoint. */
  private changeNorms(k: number, t: number): Series {
    const m = this.tails[t].entries;
    const w = this.tails[t].values[k];
    const values: number[] = [];
    for (let i = 1; i < this.steps.length; i++) {
      let s = 0;
      for (let e = 0; e < m; e++) s += (w[i * m + e] - w[(i - 1) * m + e]) ** 2;
      values.push(Math.sqrt(s));
    }
    return { steps: this.steps.slice(1), values };
  }

  /** Trial k's weight_change series, `weight_change_layer{layer}`, in the order of the items (computed once, after the last checkpoint). */
  changeSeries(k: number): Record<string, Series> {
    this.changeCache[k] ??= this.changes.map((c) => this.changeNorms(k, c.tail));
    return Object.fromEntries(this.changes.map((c, j) => [`weight_change_layer${c.layer}`, this.changeCache[k]![j]]));
  }

  /** Trial k's weight traces, `weights_layer{layer}`: steps repeat each checkpoint's update count `entries` times. */
  traces(k: number): Record<string, Series> {
    return Object.fromEntries(
      this.traced.map(({ tail }) => {
        const t = this.tails[tail];
        return [`weights_layer${t.layer}`, { steps: this.steps.flatMap((s) => Array<number>(t.entries).fill(s)), values: t.values[k].map((v) => Number(v.toPrecision(7))) }];
      }),
    );
  }
}

/** class_counts of one trial's training rows (class 0 is the mixture's minority). */
export function classCountScalars(train: Table, classes: number): Record<string, number> {
  if (classes !== 2) return { n_train: train.n };
  const [minority, majority] = classCounts(train);
  return { n_minority: minority, n_majority: majority, n_train: train.n };
}

/** data_sizes of one trial: its training and test rows. */
export function dataSizeScalars(split: { train: Table; test: Table }): Record<string, number> {
  return { train_size: split.train.n, test_size: split.test.n };
}

/** A decision_boundary item's repeats kept (0 … keep−1) and distinct training points per class. */
export function boundarySettings(item: RecordItem): { keep: number; points: number } {
  return item.at === 'end' ? { keep: item.repeats ?? DEFAULT_BOUNDARY_REPEATS, points: item.points ?? DEFAULT_BOUNDARY_POINTS } : { keep: 0, points: 0 };
}

/**
 * decision_boundary of a pack: per trial its traces (core/train/decision-boundary.ts) when
 * its repeat is below the item's `repeats`, else none. The logits on the grid are read from
 * the trained pack once, only when some trial keeps them.
 */
export async function boundaryRecords(item: RecordItem, net: NetworkPack, repeats: number[], splits: Array<{ train: Table; test: Table }>): Promise<Array<Record<string, Series>>> {
  const { keep, points } = boundarySettings(item);
  const traced = repeats.map((r) => r < keep);
  const logits = traced.some(Boolean) ? await gridLogits(net, repeats.length) : [];
  return traced.map((t, k) => (t ? boundaryTraces(logits[k], splits[k].train, splits[k].test, points) : {}));
}

/**
 * predictions of a pack: per trial the series `score`, `label` and (one input column) `x`
 * over the row index of `rows` (the trial's test or training table), read from the
 * trained pack's logits on `x` (its rows stacked [K, rows, d]); `outputs` is the network's
 * output width (2 classes: logit₁ − logit₀; 1: the output itself).
 */
export async function predictionRecords(net: NetworkPack, x: tf.Tensor3D, rows: Table[], outputs: number): Promise<Array<Record<string, { steps: number[]; values: number[] }>>> {
  const logits = await predict(net, x);
  return rows.map((t, k) => {
    const index = Array.from({ length: t.n }, (_, i) => i);
    const l = logits[k];
    const out: Record<string, { steps: number[]; values: number[] }> = {
      score: { steps: index, values: index.map((i) => (outputs === 2 ? l[2 * i + 1] - l[2 * i] : l[i])) },
      label: { steps: index.slice(), values: Array.from(t.labels) },
    };
    if (t.d === 1) out.x = { steps: index.slice(), values: Array.from(t.x) };
    return out;
  });
}

/** predictions on 'last_update': the training rows' x (float64 where kept), targets and the last update's outputs. */
export function predictionSeries(train: Table, targets: Float32Array, outputs: Float32Array): Record<string, Series> {
  const index = Array.from({ length: train.n }, (_, i) => i);
  const x = train.x64 ?? train.x;
  return {
    x: { steps: index, values: Array.from(x) },
    y_true: { steps: index.slice(), values: Array.from(targets) },
    y_pred: { steps: index.slice(), values: Array.from(outputs) },
  };
}

// Measures over a trial's values, shared by the records above and the classical models.

/** The first update count at which each trial's value exceeds a target. */
export class FirstAbove {
  readonly steps: Array<number | null>;

  constructor(
    K: number,
    readonly target: number,
  ) {
    this.steps = Array.from({ length: K }, () => null);
  }

  /** The values measured after `updates` updates. */
  see(updates: number, perTrial: number[]): void {
    perTrial.forEach((a, k) => {
      if (this.steps[k] === null && a > this.target) this.steps[k] = updates;
    });
  }

  /** Every trial has passed the target: later checks cannot change what is recorded. */
  get reachedByAll(): boolean {
    return this.steps.every((s) => s !== null);
  }
}

/** Fraction of predictions equal to the labels (classical models' class outputs). */
export function predictionAccuracy(pred: ArrayLike<number>, labels: Float32Array): number {
  let hit = 0;
  for (let i = 0; i < labels.length; i++) if (pred[i] === labels[i]) hit++;
  return hit / labels.length;
}

/**
 * Mean |w| and the share of |w| below `threshold`, over all weight matrices (biases
 * excluded) and per matrix j: mean_abs_weight, sparsity, mean_abs_weight_layer{j},
 * sparsity_layer{j}. `values` is one trial's parameters as NetworkPack.read() returns them.
 */
export function weightStatistics(spec: ModelSpec, values: Float32Array[], threshold: number): Record<string, number> {
  const weights = parameterShapes(spec)
    .map((s, i) => (s.isWeight ? values[i] : null))
    .filter((w): w is Float32Array => w !== null);
  const stats = weights.map((w) => {
    let abs = 0;
    let small = 0;
    for (const v of w) {
      abs += Math.abs(v);
      if (Math.abs(v) < threshold) small++;
    }
    return { abs, small, size: w.length };
  });
  const total = stats.reduce((s, x) => s + x.size, 0);
  return {
    mean_abs_weight: stats.reduce((s, x) => s + x.abs, 0) / total,
    sparsity: stats.reduce((s, x) => s + x.small, 0) / total,
    ...Object.fromEntries(stats.map((x, j) => [`mean_abs_weight_layer${j}`, x.abs / x.size])),
    ...Object.fromEntries(stats.map((x, j) => [`sparsity_layer${j}`, x.small / x.size])),
  };
}

/**
 * First step from which the change norm, smoothed by a centred moving average of `window`
 * snapshots (mini-batch noise makes single changes spiky), stays below `fraction` × its own
 * maximum for the rest of the run; `end` when even the last smoothed change is at or above
 * that level (not settled within the run).
 */
export function stepsToConverge(change: { steps: number[]; values: number[] }, fraction: number, window: number, end: number): number {
  const v = change.values;
  if (!v.length) return end;
  const h = Math.floor(window / 2);
  const smooth = v.map((_, i) => {
    const lo = Math.max(0, i - h);
    const hi = Math.min(v.length, i + h + 1);
    let s = 0;
    for (let q = lo; q < hi; q++) s += v[q];
    return s / (hi - lo);
  });
  const threshold = fraction * Math.max(...smooth);
  let last = -1;
  smooth.forEach((x, i) => {
    if (x >= threshold) last = i;
  });
  return last + 1 < change.steps.length ? change.steps[last + 1] : end;
}

/** Mean of the last `fraction` of the values (at least one): the change norm's late level. */
export function tailMean(values: number[], fraction: number): number {
  if (!values.length) return 0;
  const n = Math.max(1, Math.round(values.length * fraction));
  return values.slice(-n).reduce((a, b) => a + b, 0) / n;
}
