/**
 * Recorders: what a custom experiment measures. A spec lists `record` items, each a metric
 * measured either at the end of training (`at: 'end'`, a scalar) or every `every` updates
 * (`at: 'checkpoints'`, a series whose steps are the number of updates done, plus the final
 * value as the scalar). Metrics:
 *
 *   test_accuracy, train_accuracy   share of rows whose largest logit is the true class
 *                                   (ties to the lower class, as TF's argmax); classes only
 *   test_loss, train_loss           the training loss (without the penalty) on those rows
 *   weight_norm                     √Σ w² over every weight matrix (biases excluded)
 *   runtime_s                       wall time of the pack's training divided by its size
 *                                   (at the end only; absent when the host clock is frozen)
 *   class_counts                    the training rows: n_train, and for two classes
 *                                   n_minority (class 0, the mixture's minority) and
 *                                   n_majority (class 1); at the end only
 *   decision_boundary               traces of the first `repeats` repeats (default 1) on
 *                                   2-D two-class data: both logits on the 51×51 grid of
 *                                   [0, 1]² (grid_logit0, grid_logit1), `points` distinct
 *                                   training points per class (default 300) and every test
 *                                   point (core/train/decision-boundary.ts); at the end only
 *   last_batch_loss                 the training objective (loss plus any penalty) on the
 *                                   last update's batch, as that update computed it: before
 *                                   the update, in float32 (what the notebook's
 *                                   sess.run([loss, train_op]) returned at its last step;
 *                                   core/train/train-pack.ts finalLoss); at the end only
 *   predictions                     series over the row index of the test rows (or, with
 *                                   `on: 'train'`, the training rows) after training:
 *                                   `score` (logit₁ − logit₀ of two classes, or a
 *                                   regression's output), `label` (the true class or target)
 *                                   and, for one input column, `x`; at the end only
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
 * on the pack's other networks.
 */
import * as tf from '@tensorflow/tfjs-core';
import { z } from 'zod';
import type { LossName } from '../nn/losses';
import type { NetworkPack } from '../nn/model';
import { predict } from '../train/train-pack';
import { classCounts, type Table } from '../data/dataset';
import { boundaryTraces, gridLogits } from '../train/decision-boundary';
import type { Curve } from '../train/recorders';

export const METRICS = ['test_accuracy', 'train_accuracy', 'test_loss', 'train_loss', 'weight_norm', 'runtime_s', 'class_counts', 'decision_boundary', 'last_batch_loss', 'predictions'] as const;
export type Metric = (typeof METRICS)[number];
export const ACCURACY_METRICS: Metric[] = ['test_accuracy', 'train_accuracy'];
/** Metrics measured on the network's logits (the ones `float32` may round). */
export const LOGIT_METRICS: Metric[] = ['test_accuracy', 'train_accuracy', 'test_loss', 'train_loss'];
/** Metrics of the whole trial, recorded once at the end (not a value over training). */
export const END_ONLY: Metric[] = ['runtime_s', 'class_counts', 'decision_boundary', 'last_batch_loss', 'predictions'];
/** Scalars every trial stores whatever the spec records. */
export const ALWAYS_RECORDED = ['n_params'];
/** The scalars a record item stores (class_counts stores three, decision_boundary only traces). */
export function scalarsOf(metric: Metric): string[] {
  if (metric === 'class_counts') return ['n_train', 'n_minority', 'n_majority'];
  if (metric === 'decision_boundary' || metric === 'predictions') return [];
  return [metric];
}
/** The series a predictions record stores (over the row index). */
export const PREDICTION_SERIES = ['score', 'label', 'x'];
/** The scalars a record item stores, under its `name` where it has one. */
export function storedScalars(item: Pick<RecordItem, 'metric' | 'name'>): string[] {
  return item.name !== undefined ? [item.name] : scalarsOf(item.metric);
}

export const DEFAULT_BOUNDARY_REPEATS = 1;
export const DEFAULT_BOUNDARY_POINTS = 300;

const storedName = z
  .string()
  .min(1)
  .max(100)
  .regex(/^[A-Za-z0-9_]+$/, 'a metric name (letters, digits, _)');

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
      /** predictions: of the test rows (default) or the training rows. */
      on: z.enum(['test', 'train']).optional(),
      /** Stored under this name instead of the metric's (metrics of one scalar). */
      name: storedName.optional(),
    })
    .strict(),
  z.object({ metric: z.enum(METRICS), at: z.literal('checkpoints'), every: z.number().int().min(1).max(1_000_000), float32: z.boolean().optional(), name: storedName.optional() }).strict(),
]);
export type RecordItem = z.infer<typeof recordSchema>;

/** Most checkpoints a trial may record (core/custom/validate.ts refuses more). */
export const MAX_CHECKPOINTS = 1000;

/** How many entries checkpointUpdates(totalSteps, every) returns, without building them. */
export function checkpointCount(totalSteps: number, every: number): number {
  return totalSteps <= 0 ? 1 : Math.floor((totalSteps - 1) / every) + 1;
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

/** Records the spec's metrics for a pack: series at checkpoints, scalars at the end. */
export class PackRecorder {
  readonly steps: number[] = [];
  readonly series = new Map<Metric, number[][]>();
  private readonly atCheckpoints: Metric[];
  private readonly atEnd: Metric[];

  private readonly rounded: Set<Metric>;

  constructor(
    items: RecordItem[],
    private readonly trials: number,
    private readonly sets: { test: EvalSet; train: EvalSet },
    private readonly loss: LossName,
    private readonly classes: number,
  ) {
    const measured = (m: Metric) => !END_ONLY.includes(m);
    this.atCheckpoints = [...new Set(items.filter((i) => i.at === 'checkpoints').map((i) => i.metric))].filter(measured);
    this.atEnd = [...new Set(items.map((i) => i.metric))].filter(measured);
    this.rounded = new Set(items.filter((i) => i.float32).map((i) => i.metric));
    for (const m of this.atCheckpoints) this.series.set(m, Array.from({ length: trials }, () => []));
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

  async record(updates: number, net: NetworkPack): Promise<void> {
    this.steps.push(updates);
    const values = await this.measure(this.atCheckpoints, net);
    for (const [m, v] of values) v.forEach((x, k) => this.series.get(m)![k].push(x));
  }

  /** Final scalars per trial. */
  async final(net: NetworkPack): Promise<Array<Record<string, number>>> {
    const values = await this.measure(this.atEnd, net);
    return Array.from({ length: this.trials }, (_, k) => Object.fromEntries([...values].map(([m, v]) => [m, v[k]])));
  }
}

/** class_counts of one trial's training rows (class 0 is the mixture's minority). */
export function classCountScalars(train: Table, classes: number): Record<string, number> {
  if (classes !== 2) return { n_train: train.n };
  const [minority, majority] = classCounts(train);
  return { n_minority: minority, n_majority: majority, n_train: train.n };
}

/**
 * decision_boundary of a pack: per trial its traces (core/train/decision-boundary.ts) when
 * its repeat is below the item's `repeats`, else none. The logits on the grid are read from
 * the trained pack once, only when some trial keeps them.
 */
export async function boundaryRecords(item: RecordItem, net: NetworkPack, repeats: number[], splits: Array<{ train: Table; test: Table }>): Promise<Array<Record<string, Curve>>> {
  const keep = item.at === 'end' ? (item.repeats ?? DEFAULT_BOUNDARY_REPEATS) : 0;
  const points = item.at === 'end' ? (item.points ?? DEFAULT_BOUNDARY_POINTS) : 0;
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
