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

export const METRICS = ['test_accuracy', 'train_accuracy', 'test_loss', 'train_loss', 'weight_norm', 'runtime_s'] as const;
export type Metric = (typeof METRICS)[number];
export const ACCURACY_METRICS: Metric[] = ['test_accuracy', 'train_accuracy'];
/** Scalars every trial stores whatever the spec records. */
export const ALWAYS_RECORDED = ['n_params'];

export const recordSchema = z.discriminatedUnion('at', [
  z.object({ metric: z.enum(METRICS), at: z.literal('end') }).strict(),
  z.object({ metric: z.enum(METRICS), at: z.literal('checkpoints'), every: z.number().int().min(1).max(1_000_000) }).strict(),
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

  constructor(
    items: RecordItem[],
    private readonly trials: number,
    private readonly sets: { test: EvalSet; train: EvalSet },
    private readonly loss: LossName,
    private readonly classes: number,
  ) {
    this.atCheckpoints = [...new Set(items.filter((i) => i.at === 'checkpoints').map((i) => i.metric))].filter((m) => m !== 'runtime_s');
    this.atEnd = [...new Set(items.map((i) => i.metric))].filter((m) => m !== 'runtime_s');
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
      out.set(
        m,
        lg.map((l, k) => (m.endsWith('accuracy') ? accuracyOf(l, ys[k], this.classes) : lossOf(this.loss, l, ys[k], this.classes))),
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
