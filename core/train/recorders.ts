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
import { packAccuracy } from '../nn/losses';
import { parameterShapes, type ModelSpec, type MlpSpec, type NetworkPack } from '../nn/model';
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

const range = (n: number) => Array.from({ length: n }, (_, i) => i);

/** How many trailing entries are tracked per weight matrix: `tracked`, or the whole matrix if smaller. */
export function tailSizes(spec: MlpSpec, tracked: number): number[] {
  return parameterShapes(spec)
    .filter((s) => s.isWeight)
    .map((s) => Math.min(tracked, s.shape[0] * s.shape[1]));
}

/**
 * One weight trace is one D1 row (JSON, ~15 bytes a value with its step): snapshots ×
 * tracked stays ≤ 40,000 values (~0.6 MB; the default is 375 × 50 = 18,750).
 */
export const MAX_TRACE_VALUES = 40_000;
export function withinTraceBudget(p: { steps: number; store_every: number; tracked: number }): boolean {
  return Math.ceil(p.steps / p.store_every) * p.tracked <= MAX_TRACE_VALUES;
}
export const traceBudgetIssue = {
  message: `snapshots (steps / store_every) × tracked must be at most ${MAX_TRACE_VALUES}: raise store_every or lower tracked`,
  path: ['store_every'],
};

/**
 * Snapshots of the last entries of every weight matrix (`tails[j]` entries of W_j; 0 skips
 * that matrix) plus the test accuracy, for all K networks. Each snapshot is one tidy and
 * ONE `data()` of a [K, Σm + 1] tensor, so reading every second step costs a single device
 * sync rather than one per layer and network.
 */
export class TailRecorder implements Recorder {
  readonly steps: number[] = [];
  /** weights[k][j]: snapshot-major [snapshots × m_j] for network k, layer j. */
  readonly weights: Float32Array[][];
  readonly accuracy: number[][];
  private readonly width: number;

  constructor(
    readonly K: number,
    readonly tails: number[],
    readonly snapshots: number,
    private readonly xTest: tf.Tensor3D,
    private readonly yTest: tf.Tensor3D,
  ) {
    this.weights = range(K).map(() => tails.map((m) => new Float32Array(snapshots * m)));
    this.accuracy = range(K).map(() => []);
    this.width = tails.reduce((a, b) => a + b, 0) + 1;
  }

  async record(step: number, net: NetworkPack): Promise<void> {
    const i = this.steps.length;
    if (i >= this.snapshots) throw new Error(`more than ${this.snapshots} snapshots`);
    // A lone trial trains beside a shadow twin (see trainPack): the pack may hold more
    // networks (S) than trials (K); the extra rows are computed and dropped.
    const S = net.size;
    const row = tf.tidy(() => {
      const parts = net
        .weightVariables()
        .map((w, j) => {
          const size = w.shape[1]! * w.shape[2]!;
          return this.tails[j] ? tf.slice(tf.reshape(w, [S, size]), [0, size - this.tails[j]], [S, this.tails[j]]) : null;
        })
        .filter((t): t is tf.Tensor2D => t !== null);
      const tile = (t: tf.Tensor3D) => (S === this.K ? t : (tf.concat(Array<tf.Tensor3D>(S / this.K).fill(t), 0) as tf.Tensor3D));
      const acc = tf.reshape(packAccuracy(net.forward(tile(this.xTest)), tile(this.yTest)), [S, 1]);
      return tf.concat([...parts, acc], 1);
    });
    const data = (await row.data()) as Float32Array;
    row.dispose();
    for (let k = 0; k < this.K; k++) {
      let offset = k * this.width;
      this.tails.forEach((m, j) => {
        this.weights[k][j].set(data.subarray(offset, offset + m), i * m);
        offset += m;
      });
      this.accuracy[k].push(data[offset]);
    }
    this.steps.push(step);
  }

  /** ‖s_i − s_{i−1}‖₂ for i = 1…snapshots−1, at the later snapshot's step. */
  changeNorms(k: number, j: number): { steps: number[]; values: number[] } {
    const m = this.tails[j];
    const w = this.weights[k][j];
    const values: number[] = [];
    for (let i = 1; i < this.steps.length; i++) {
      let s = 0;
      for (let e = 0; e < m; e++) s += (w[i * m + e] - w[(i - 1) * m + e]) ** 2;
      values.push(Math.sqrt(s));
    }
    return { steps: this.steps.slice(1), values };
  }

  /** The trajectory as a trace: steps repeat each snapshot step m times; values snapshot-major. */
  trace(k: number, j: number): { steps: number[]; values: number[] } {
    const m = this.tails[j];
    const n = this.steps.length;
    return {
      steps: this.steps.flatMap((s) => Array<number>(m).fill(s)),
      values: Array.from(this.weights[k][j].subarray(0, n * m), round7),
    };
  }
}

function round7(v: number): number {
  return Number(v.toPrecision(7));
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
