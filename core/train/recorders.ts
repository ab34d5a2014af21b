/**
 * What a trial records while it trains and after: recorders run at checkpoints (after the
 * update of a checkpoint step, core/train/train-pack.ts) and keep per-trial curves:
 * accuracy on a stacked set (train or test rows), MSE of a regression fit, the tails of
 * every weight matrix with their change norms; plus end-of-run measures: weight magnitude
 * and sparsity, the first step reaching a target, and the
 * accuracy of class predictions. Recorders only read the networks, so adding one never
 * changes another's numbers.
 */
import * as tf from '@tensorflow/tfjs-core';
import { parameterShapes, type ModelSpec, type NetworkPack } from '../nn/model';
import { evaluateAccuracy, predict } from './train-pack';

/** A curve recorded by a trial: `values[i]` at `steps[i]` (the shape TrialResult stores). */
export interface Curve {
  steps: number[];
  values: number[];
}

/** Something that reads the pack at a checkpoint (after that step's update). */
export interface Recorder {
  record(step: number, net: NetworkPack): Promise<void>;
}

/** trainPack's onCheckpoint running the recorders one after another, in order. */
export function atCheckpoints(recorders: Recorder[]): (step: number, net: NetworkPack) => Promise<void> {
  return async (step, net) => {
    for (const r of recorders) await r.record(step, net);
  };
}

/** Per-trial values recorded at shared steps: values[k][i] at steps[i]. */
export class Curves {
  readonly steps: number[] = [];
  readonly values: number[][];

  constructor(readonly K: number) {
    this.values = Array.from({ length: K }, () => []);
  }

  push(step: number, perTrial: number[]): void {
    this.steps.push(step);
    perTrial.forEach((v, k) => this.values[k].push(v));
  }

  curve(k: number): Curve {
    return { steps: this.steps.slice(), values: this.values[k] };
  }
}

/** Accuracy of every trial on its rows of (x, y) at each checkpoint. */
export function accuracyRecorder(set: { x: tf.Tensor3D; y: tf.Tensor3D }, curves: Curves): Recorder {
  return { record: async (step, net) => curves.push(step, await evaluateAccuracy(net, set.x, set.y)) };
}

/** Mean squared error of every trial's predictions on x against its own targets at each checkpoint. */
export function mseRecorder(x: tf.Tensor3D, targets: Float32Array[], curves: Curves): Recorder {
  return {
    record: async (step, net) => {
      const preds = await predict(net, x);
      curves.push(
        step,
        preds.map((pr, k) => pr.reduce((s, v, i) => s + (v - targets[k][i]) ** 2, 0) / pr.length),
      );
    },
  };
}

/** The first step (counted in updates: step index + 1) at which each trial's value exceeds a target. */
export class FirstAbove {
  readonly steps: Array<number | null>;

  constructor(
    K: number,
    readonly target: number,
  ) {
    this.steps = Array.from({ length: K }, () => null);
  }

  see(step: number, perTrial: number[]): void {
    perTrial.forEach((a, k) => {
      if (this.steps[k] === null && a > this.target) this.steps[k] = step + 1;
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
 * One weight trace is one D1 row (JSON, ~15 bytes a value with its step): snapshots ×
 * entries stays ≤ 40,000 values (~0.6 MB; Exp 11's and 12's are 375 × 50 = 18,750).
 */
export const MAX_TRACE_VALUES = 40_000;

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
