/**
 * scikit-learn's `MLPClassifier` (solver 'adam', binary target) reimplemented on tfjs, so the
 * notebook's "Shallow Network" and "Deep Network" baselines train the way sklearn trains them:
 *
 * - Output: for two classes sklearn keeps ONE logistic unit and the binary log-loss
 *   (LabelBinarizer gives an n×1 target); predict() thresholds the probability at 0.5
 *   (strictly greater → class 1), i.e. logit > 0.
 * - Init (`_init_coef`): weights AND biases ~ U(±sqrt(f/(fan_in+fan_out))) per layer, the
 *   bias using its layer's bound; f = 6 for relu/tanh/identity hidden units, 2 for logistic.
 *   The output layer uses the same f (it is chosen by the hidden activation).
 * - Loss per mini-batch: mean log-loss + alpha/(2·batch)·Σ‖W‖² (weights only, no biases);
 *   the epoch's `loss_` is the batch losses weighted by batch length, over n.
 * - Epochs: shuffle every epoch (`shuffle=True`), batches of min(200, n) in order
 *   (`gen_batches`, the last one may be shorter), one Adam update per batch.
 * - Adam (`_stochastic_optimizers.AdamOptimizer`): m, v as usual, then
 *   lr_t = lr·sqrt(1−β2^t)/(1−β1^t) and θ ← θ − lr_t·m/(sqrt(v)+ε): the "ε-hat" form, the same
 *   as TF1's; lr_t is computed in float64 as numpy does.
 * - Stopping (`_update_no_improvement_count`, training loss): after each epoch, if
 *   loss > best − tol the count grows, else it resets; best = min(best, loss); training
 *   stops once count > n_iter_no_change, or after max_iter epochs.
 *
 * Divergences: float32 (sklearn uses float64); the reported loss is computed stably from the
 * logit instead of sklearn's clip of p to [1e-10, 1 − 1e-10] (same gradient, differs only
 * when |logit| > 23).
 *
 * K networks of one shape train together (stacked weights, one matMul kernel per layer:
 * core/nn/matmul.ts) on their own data
 * with their own generators; a network that stops is evaluated at once and dropped from the
 * pack (weights, Adam moments and data are gathered down), and a network left alone trains
 * as in a pack (with atomsweep's kernels; without them beside a twin, see `withTwin`), so
 * its numbers do not depend on which or how many networks shared its pack, bit for bit.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Rng } from '../rng';
import { DEFAULT_ENGINE, type Engine } from '../engine';
import { matMulPath, packDense } from '../nn/matmul';
import { adamUpdate } from '../nn/adam';
import { wasmKernelsFor } from '../nn/wasm-kernels';

export type SklearnActivation = 'relu' | 'tanh' | 'logistic' | 'identity';

export interface SklearnMlpOptions {
  hidden: number[];
  activation: SklearnActivation;
  /** L2 penalty, added as alpha/(2·batch)·Σ‖W‖². */
  alpha: number;
  /** 'auto' = min(200, n). */
  batchSize: number | 'auto';
  learningRate: number;
  beta1: number;
  beta2: number;
  epsilon: number;
  /** Epochs. */
  maxIter: number;
  tol: number;
  /** Stop once this many epochs in a row have not improved the best loss by tol (sklearn ≥ 0.20; 0.19 hard-coded 2). */
  nIterNoChange: number;
  shuffle: boolean;
}

/** `MLPClassifier()` defaults (sklearn ≥ 0.20; 0.19 differs only by stopping after 2 epochs without improvement). */
export const SKLEARN_MLP_DEFAULTS: SklearnMlpOptions = {
  hidden: [100],
  activation: 'relu',
  alpha: 1e-4,
  batchSize: 'auto',
  learningRate: 0.001,
  beta1: 0.9,
  beta2: 0.999,
  epsilon: 1e-8,
  maxIter: 200,
  tol: 1e-4,
  nIterNoChange: 10,
  shuffle: true,
};

export function resolveBatchSize(batchSize: number | 'auto', n: number): number {
  return batchSize === 'auto' ? Math.min(200, n) : Math.max(1, Math.min(batchSize, n));
}

/** Layer sizes [d, ...hidden, 1]: one logistic output for a binary target. */
export function layerSizes(d: number, hidden: number[]): number[] {
  return [d, ...hidden, 1];
}

export function mlpParameterCount(d: number, hidden: number[]): number {
  const s = layerSizes(d, hidden);
  let total = 0;
  for (let l = 0; l + 1 < s.length; l++) total += s[l] * s[l + 1] + s[l + 1];
  return total;
}

/** sklearn's `_init_coef` bound for one layer. */
export function initBound(fanIn: number, fanOut: number, activation: SklearnActivation): number {
  return Math.sqrt((activation === 'logistic' ? 2 : 6) / (fanIn + fanOut));
}

/** Initial [W0, b0, W1, b1, …] of one network, drawn layer by layer (coef, then intercept) as sklearn does. */
export function sklearnInitialValues(d: number, o: Pick<SklearnMlpOptions, 'hidden' | 'activation'>, rng: Rng): Float32Array[] {
  const s = layerSizes(d, o.hidden);
  const out: Float32Array[] = [];
  for (let l = 0; l + 1 < s.length; l++) {
    const bound = initBound(s[l], s[l + 1], o.activation);
    const w = new Float32Array(s[l] * s[l + 1]);
    for (let i = 0; i < w.length; i++) w[i] = (2 * rng.uniform() - 1) * bound;
    const b = new Float32Array(s[l + 1]);
    for (let i = 0; i < b.length; i++) b[i] = (2 * rng.uniform() - 1) * bound;
    out.push(w, b);
  }
  return out;
}

function activate(a: SklearnActivation, z: tf.Tensor): tf.Tensor {
  switch (a) {
    case 'relu':
      return tf.relu(z);
    case 'tanh':
      return tf.tanh(z);
    case 'logistic':
      return tf.sigmoid(z);
    case 'identity':
      return z;
  }
}

/** One network's training data, the sets to score it on after training, and its generators. */
export interface MlpTask {
  /** n×d row-major. */
  x: Float32Array;
  /** n labels in {0, 1}. */
  y: Float32Array;
  /** Row-major m×d sets whose logits are returned (e.g. [test, train]); every task has the same sizes. */
  evalSets: Float32Array[];
  initRng: Rng;
  shuffleRng: Rng;
}

export interface MlpFit {
  /** `loss_curve_`: the training loss after each epoch. */
  lossCurve: number[];
  /** `n_iter_`: epochs run. */
  nIter: number;
  /** True when stopped by the tol rule, false when max_iter ran out. */
  converged: boolean;
  /** Adam updates made (`t`). */
  updates: number;
  /** Logits of each eval set, one per row. */
  evalLogits: Float32Array[];
}

export interface FitHooks {
  yieldToHost?: () => Promise<void>;
  /** The trial engine (core/engine.ts): whether a lone network gets its shadow twin; default 'packed'. */
  engine?: Readonly<Engine>;
  yieldMs?: number;
  /** Initial values per task instead of sklearn's init (tests). */
  initialValues?: Float32Array[][];
}

/** Class predictions of logits: sklearn's p > 0.5, i.e. logit > 0. */
export function predictClasses(logits: Float32Array): Uint8Array {
  return Uint8Array.from(logits, (z) => (z > 0 ? 1 : 0));
}

/**
 * Fits one `MLPClassifier` per task, all with the same n and d, and returns per task its loss
 * curve and the logits of its eval sets under the final weights.
 */
export async function fitSklearnMlps(tasks: MlpTask[], n: number, d: number, o: SklearnMlpOptions, hooks: FitHooks = {}): Promise<MlpFit[]> {
  const K0 = tasks.length;
  const sizes = layerSizes(d, o.hidden);
  const layers = sizes.length - 1;
  const B = resolveBatchSize(o.batchSize, n);
  const evalRows = tasks[0].evalSets.map((s) => s.length / d);
  const stack = (parts: Float32Array[], rows: number, cols: number) => {
    const buf = new Float32Array(parts.length * rows * cols);
    parts.forEach((p, k) => buf.set(p, k * rows * cols));
    return tf.tensor3d(buf, [parts.length, rows, cols]);
  };

  // Pack slot k trains tasks[slots[k]]. Without atomsweep's kernels a lone network gets a
  // twin (same task, same draws), because tfjs-wasm multiplies a batch of ONE matrix with
  // XNNPACK and larger batches with its own loop, whose float32 sums round differently:
  // with ≥ 2 slots a network's numbers are the same whatever else shares its pack. With
  // the kernels a lone network already computes in the pack's order (core/nn/matmul.ts).
  const twinned = (hooks.engine ?? DEFAULT_ENGINE).shadowTwin && !wasmKernelsFor(tf.backend());
  const withTwin = (list: number[]) => (list.length === 1 && twinned ? [list[0], list[0]] : list);
  let slots = withTwin(tasks.map((_, k) => k));
  const init = hooks.initialValues ?? tasks.map((t) => sklearnInitialValues(d, o, t.initRng));
  // A variable takes a reference to its initial tensor's data, so the tensor itself can go.
  const toVar = (x: tf.Tensor, trainable = true): tf.Variable => {
    const v = tf.variable(x, trainable);
    x.dispose();
    return v;
  };
  let params: tf.Variable[] = [];
  for (let l = 0; l < layers; l++) {
    params.push(toVar(stack(slots.map((s) => init[s][2 * l]), sizes[l], sizes[l + 1])));
    params.push(toVar(stack(slots.map((s) => init[s][2 * l + 1]), 1, sizes[l + 1])));
  }
  let ms = params.map((p) => toVar(tf.zerosLike(p), false));
  let vs = params.map((p) => toVar(tf.zerosLike(p), false));
  let xAll = stack(slots.map((s) => tasks[s].x), n, d);
  let yAll = stack(slots.map((s) => tasks[s].y), n, 1);
  let evalAll = evalRows.map((rows, j) => stack(slots.map((s) => tasks[s].evalSets[j]), rows, d));

  // Each layer's product takes the path its per-network shape selects (core/nn/matmul.ts);
  // on per-network layers only the real networks are computed (a twin comes out as zeros).
  const forward = (x: tf.Tensor3D): tf.Tensor3D => {
    const live = slots.length === 2 && slots[0] === slots[1] ? 1 : slots.length;
    let a: tf.Tensor = x;
    for (let l = 0; l < layers; l++) {
      const path = matMulPath(x.shape[1], sizes[l], sizes[l + 1], 'auto', (hooks.engine ?? DEFAULT_ENGINE).perNetworkMatMul);
      const z = packDense(a as tf.Tensor3D, params[2 * l] as tf.Tensor3D, params[2 * l + 1] as tf.Tensor3D, path, live);
      a = l + 1 < layers ? activate(o.activation, z) : z;
    }
    return a as tf.Tensor3D;
  };

  const fits: MlpFit[] = tasks.map(() => ({ lossCurve: [], nIter: 0, converged: false, updates: 0, evalLogits: [] }));
  const best = new Array<number>(K0).fill(Infinity);
  const noImprovement = new Array<number>(K0).fill(0);
  let t = 0;
  const yieldMs = hooks.yieldMs ?? 50;
  let lastYield = Date.now();

  try {
    for (let epoch = 0; epoch < o.maxIter && slots.length > 0; epoch++) {
      const K = slots.length;
      // The first slot of each task (a twin reads nothing of its own).
      const first = slots.map((s, k) => slots.indexOf(s) === k);
      let xEpoch = xAll;
      let yEpoch = yAll;
      if (o.shuffle) {
        const idx = new Int32Array(K * n);
        const perms = new Map<number, Int32Array>();
        slots.forEach((task, k) => {
          if (!perms.has(task)) perms.set(task, tasks[task].shuffleRng.permutation(n));
          const perm = perms.get(task)!;
          for (let i = 0; i < n; i++) idx[k * n + i] = k * n + perm[i];
        });
        [xEpoch, yEpoch] = tf.tidy(() => {
          const rows = tf.tensor1d(idx, 'int32');
          return [
            tf.reshape(tf.gather(tf.reshape(xAll, [K * n, d]), rows), [K, n, d]) as tf.Tensor3D,
            tf.reshape(tf.gather(tf.reshape(yAll, [K * n, 1]), rows), [K, n, 1]) as tf.Tensor3D,
          ];
        });
      }
      let lossSum: tf.Tensor = tf.zeros([K]);
      for (let start = 0; start < n; start += B) {
        const len = Math.min(B, n - start);
        const kept: { loss?: tf.Tensor } = {};
        const { value, grads } = tf.variableGrads(() => {
          const xb = tf.slice(xEpoch, [0, start, 0], [K, len, d]) as tf.Tensor3D;
          const yb = tf.slice(yEpoch, [0, start, 0], [K, len, 1]) as tf.Tensor3D;
          const z = forward(xb);
          // Binary log-loss on the logit: softplus(z) − y·z = −[y log p + (1−y) log(1−p)].
          const logLoss = tf.mean(tf.sub(tf.softplus(z), tf.mul(yb, z)), [1, 2]);
          let l2: tf.Tensor = tf.zeros([K]);
          for (let l = 0; l < layers; l++) l2 = tf.add(l2, tf.sum(tf.square(params[2 * l]), [1, 2]));
          const perNet = tf.add(logLoss, tf.mul(l2, o.alpha / (2 * len)));
          kept.loss = tf.keep(perNet);
          return tf.sum(perNet) as tf.Scalar;
        }, params);
        t += 1;
        // numpy float64 step size, as sklearn computes it.
        const lrT = (o.learningRate * Math.sqrt(1 - Math.pow(o.beta2, t))) / (1 - Math.pow(o.beta1, t));
        adamUpdate(params, ms, vs, params.map((p) => grads[p.name]), lrT, o);
        tf.dispose([value, ...Object.values(grads)]);
        const next = tf.tidy(() => tf.add(lossSum, tf.mul(kept.loss!, len)));
        tf.dispose([lossSum, kept.loss!]);
        lossSum = next;
        if (hooks.yieldToHost && Date.now() - lastYield >= yieldMs) {
          await hooks.yieldToHost();
          lastYield = Date.now();
        }
      }
      if (xEpoch !== xAll) tf.dispose([xEpoch, yEpoch]);
      const losses = Array.from(await lossSum.data());
      lossSum.dispose();

      const stopping: number[] = [];
      slots.forEach((task, k) => {
        if (!first[k]) return;
        const loss = losses[k] / n;
        const f = fits[task];
        f.lossCurve.push(loss);
        f.nIter = epoch + 1;
        f.updates = t;
        if (loss > best[task] - o.tol) noImprovement[task] += 1;
        else noImprovement[task] = 0;
        if (loss < best[task]) best[task] = loss;
        if (noImprovement[task] > o.nIterNoChange) f.converged = true;
        if (f.converged || f.nIter === o.maxIter) stopping.push(task);
      });
      if (stopping.length === 0) continue;

      // Score the networks that stop now, then gather the pack down to the others.
      for (let j = 0; j < evalAll.length; j++) {
        const logits = tf.tidy(() => forward(evalAll[j]));
        const data = (await logits.data()) as Float32Array;
        logits.dispose();
        for (const task of stopping) {
          const k = slots.indexOf(task);
          fits[task].evalLogits[j] = data.slice(k * evalRows[j], (k + 1) * evalRows[j]);
        }
      }
      const keep = withTwin(slots.map((_, k) => k).filter((k) => first[k] && !stopping.includes(slots[k])));
      if (keep.length === 0) break;
      slots = keep.map((k) => slots[k]);
      const keepIdx = tf.tensor1d(keep, 'int32');
      const gatherVars = (list: tf.Variable[], trainable: boolean) =>
        list.map((v) => {
          const next = toVar(tf.gather(v, keepIdx), trainable);
          v.dispose();
          return next;
        });
      params = gatherVars(params, true);
      ms = gatherVars(ms, false);
      vs = gatherVars(vs, false);
      const gatherT = <T extends tf.Tensor>(x: T): T => {
        const next = tf.gather(x, keepIdx) as T;
        x.dispose();
        return next;
      };
      xAll = gatherT(xAll);
      yAll = gatherT(yAll);
      evalAll = evalAll.map(gatherT);
      keepIdx.dispose();
    }
  } finally {
    tf.dispose([...params, ...ms, ...vs, xAll, yAll, ...evalAll]);
  }
  return fits;
}
