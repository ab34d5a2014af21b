import * as tf from '@tensorflow/tfjs-core';
import { DEFAULT_ENGINE, type Engine } from '../engine';
import { Rng } from '../rng';
import { AdamTF1 } from '../nn/adam';
import { packLoss, packAccuracy, type LossName } from '../nn/losses';
import type { MatMulPathOption } from '../nn/matmul';
import { NetworkPack, initialValues, parameterShapes, runningStatShapes, type ModelSpec } from '../nn/model';
import { directForward, directForwardApplies, directStepApplies, DirectStep, stepLoss } from '../nn/mlp-step';
import { heapTensor, heapView, wasmKernelsFor } from '../nn/wasm-kernels';

/** Per-trial arrays of the same shape, stacked on a leading K axis. */
export function stack3d(parts: Float32Array[], rows: number, cols: number): tf.Tensor3D {
  const out = new Float32Array(parts.length * rows * cols);
  parts.forEach((p, k) => out.set(p, k * rows * cols));
  return tf.tensor3d(out, [parts.length, rows, cols]);
}

/** One-hot rows for class indices. */
export function oneHot(labels: Float32Array, classes = 2): Float32Array {
  const out = new Float32Array(labels.length * classes);
  labels.forEach((l, i) => (out[i * classes + l] = 1));
  return out;
}

export interface Regularization {
  type: 'l1' | 'l2';
  strength: number;
}

export interface PackTrainingSpec {
  model: ModelSpec;
  /** One generator per network for its initial weights. */
  initRngs: Rng[];
  /** Per-network training inputs (n×d) and targets (n×c); all networks share n, d, c. */
  trainX: Float32Array[];
  trainY: Float32Array[];
  n: number;
  loss: LossName;
  lr: number;
  steps: number;
  /** Mini-batch size; a batch of n or more is the whole set every step. */
  batchSize: number;
  /** One generator per network for its mini-batch draws. */
  batchRngs: Rng[];
  regularization?: Regularization;
  /** Steps s (0-based) after whose update `onCheckpoint` runs: "checkpoint s" = after s+1 updates. */
  checkpoints?: number[];
  onCheckpoint?: (step: number, pack: NetworkPack) => Promise<void> | void;
  /**
   * Called between steps at most every `yieldMs`, so a host (workerd) can serve requests and
   * the runner can renew its leases; also after `yieldSteps` steps without one, because
   * production Workers freeze the clock during pure CPU work (core/run/run-trials.ts).
   */
  yieldToHost?: () => Promise<void>;
  yieldMs?: number;
  yieldSteps?: number;
  /** Force every layer's matMul path (tests); default 'auto' chooses per layer (core/nn/matmul.ts). */
  matMulPath?: MatMulPathOption;
  /** The trial engine (core/engine.ts): its shadow twin and per-network products; default 'packed'. */
  engine?: Readonly<Engine>;
  /**
   * Per trial, per parameter (parameterShapes order): the starting values, e.g. pretrained
   * weights to fine-tune. They replace the draws from `initRngs`.
   */
  initialValues?: Float32Array[][];
  /** Per trial: running statistics of a batch-normalised net to start from (NetworkPackOptions.runningStats). */
  initialRunningStats?: Float32Array[][];
  /**
   * Per parameter (parameterShapes order): false freezes it. Frozen parameters get no
   * gradient and no Adam update (and no Adam slots); they still count in a penalty's value.
   * Batch normalisation keeps training mode (batch statistics, running averages updated)
   * even where its gamma and beta are frozen, as in PyTorch's train() (not Keras's frozen
   * layers, which switch to the running averages).
   */
  trainable?: boolean[];
}

export interface PackTrainingResult {
  /** Loss of each network at the last step, computed before that step's update (as sess.run returns it). */
  finalLoss: number[];
  /** Outputs on the last training batch, before the last update: [K][batch×c]. */
  finalOutputs: Float32Array[];
}

/**
 * Trains K networks of one shape together: stacked weights, one matMul kernel per layer
 * (batched, or per-network XNNPACK products for wide layers: core/nn/matmul.ts),
 * the sum of per-network losses as the objective (its gradient w.r.t. network k is that
 * network's own gradient), and elementwise TF1 Adam. Each network draws its own batches
 * from its own data with its own generator, so its numbers do not depend on the pack.
 */
export async function trainPack(spec: PackTrainingSpec): Promise<PackTrainingResult & { pack: NetworkPack }> {
  const trials = spec.trainX.length;
  checkStartAndTrainable(spec, trials);
  const engine = spec.engine ?? DEFAULT_ENGINE;
  // With atomsweep's kernels a lone network computes what it does in a pack: no twin needed.
  if (trials === 1 && engine.shadowTwin && !wasmKernelsFor(tf.backend())) spec = withShadowTwin(spec);
  const K = spec.trainX.length;
  const d = spec.trainX[0].length / spec.n;
  const c = spec.trainY[0].length / spec.n;
  const net = new NetworkPack(
    spec.model,
    spec.initialValues ?? spec.initRngs.map((r) => initialValues(spec.model, r)),
    trials,
    { matMulPath: spec.matMulPath, perNetwork: engine.perNetworkMatMul, ...(spec.initialRunningStats ? { runningStats: spec.initialRunningStats } : {}) },
  );
  const trainable = spec.trainable;
  // Only these reach variableGrads and Adam: a frozen parameter is bit-unchanged.
  const trainedVars = trainable ? net.params.filter((_, i) => trainable[i]) : net.params;
  const adam = new AdamTF1(trainedVars, { lr: spec.lr });
  const xAll = stack3d(spec.trainX, spec.n, d);
  const yAll = stack3d(spec.trainY, spec.n, c);
  const fullBatch = spec.batchSize >= spec.n;
  const B = fullBatch ? spec.n : spec.batchSize;
  const xFlat = tf.reshape(xAll, [K * spec.n, d]);
  const yFlat = tf.reshape(yAll, [K * spec.n, c]);
  const checkpoints = new Set(spec.checkpoints ?? []);
  const weightVars = net.weightVariables();
  const yieldMs = spec.yieldMs ?? 50;
  const yieldSteps = spec.yieldSteps ?? 250;
  let lastYield = Date.now();
  let lastYieldStep = 0;
  let finalLoss: number[] = [];
  let finalOutputs: Float32Array[] = [];
  const permScratch = new Int32Array(spec.n);
  // Plain MLPs skip the gradient tape: same kernels, same bits, no dispatch between them (core/nn/mlp-step.ts).
  const penalty = spec.regularization !== undefined && spec.regularization.strength !== 0;
  const direct = directStepApplies(net, { penalty, trainable });
  // One step on a batch: its gradients and the Adam update; returns, at the last step, the
  // per-network loss and the logits before the update (kept, for the caller to dispose).
  const directStep = direct ? new DirectStep(net, spec.loss) : undefined;
  const stepDirect = (xb: tf.Tensor3D, yb: tf.Tensor3D, last: boolean): tf.Tensor[] => {
    // The direct step's gradients are its own tensors, rewritten every step (not disposed here);
    // where it goes a network at a time it applies the update itself.
    const { grads, logits, updated } = directStep!.gradients(xb, yb, adam);
    const kept = last ? [stepLoss(spec.loss, logits, yb), tf.clone(logits)] : [];
    if (!updated) adam.apply(grads);
    return kept;
  };
  const tapeStep = (xb: tf.Tensor3D, yb: tf.Tensor3D, last: boolean): tf.Tensor[] => {
    let kept: tf.Tensor[] = [];
    const { value, grads } = tf.variableGrads(() => {
      const logits = net.forward(xb, 'train');
      let perNet = packLoss(spec.loss, logits, yb);
      if (penalty) {
        const { type, strength } = spec.regularization!;
        let sum: tf.Tensor = tf.zeros([K]);
        for (const w of weightVars) {
          const r = type === 'l2' ? tf.mean(tf.square(w), [1, 2]) : tf.mean(tf.abs(w), [1, 2]);
          sum = tf.add(sum, r);
        }
        perNet = tf.add(perNet, tf.mul(sum, strength)) as tf.Tensor1D;
      }
      if (last) kept = [tf.keep(perNet), tf.keep(logits)];
      return tf.sum(perNet) as tf.Scalar;
    }, trainedVars);
    // The summed loss is returned as a fresh tensor every step; without this it leaks one per step.
    value.dispose();
    adam.apply(trainedVars.map((p) => grads[p.name]));
    tf.dispose(grads);
    return kept;
  };

  try {
    for (let step = 0; step < spec.steps; step++) {
      const last = step === spec.steps - 1;
      // The batch rows are gathered before the gradient tape starts: they are data, not a
      // function of the parameters, and inside the tape every gather saved copies of its
      // inputs (the whole data set) for a gradient nobody asks for. Same values either way.
      let xb: tf.Tensor3D = xAll;
      let yb: tf.Tensor3D = yAll;
      if (!fullBatch) {
        // random_batch: a fresh permutation each step, first B rows; batches are independent.
        const idx = new Int32Array(K * B);
        for (let k = 0; k < K; k++) {
          const perm = spec.batchRngs[k].permutation(spec.n, permScratch);
          for (let i = 0; i < B; i++) idx[k * B + i] = k * spec.n + perm[i];
        }
        [xb, yb] = direct ? [gatherRows(xAll, idx, B), gatherRows(yAll, idx, B)] : tf.tidy(() => {
          const rows = tf.tensor1d(idx, 'int32');
          return [tf.reshape(tf.gather(xFlat, rows), [K, B, d]) as tf.Tensor3D, tf.reshape(tf.gather(yFlat, rows), [K, B, c]) as tf.Tensor3D];
        });
      }
      const kept = direct ? stepDirect(xb, yb, last) : tapeStep(xb, yb, last);
      if (xb !== xAll) tf.dispose([xb, yb]);
      net.updateRunningStats();
      if (last) {
        finalLoss = Array.from(await kept[0].data());
        finalOutputs = perNetwork((await kept[1].data()) as Float32Array, K);
        tf.dispose(kept);
      }
      if (checkpoints.has(step) && spec.onCheckpoint) await spec.onCheckpoint(step, net);
      if (spec.yieldToHost && (Date.now() - lastYield >= yieldMs || step - lastYieldStep >= yieldSteps)) {
        await spec.yieldToHost();
        lastYield = Date.now();
        lastYieldStep = step;
      }
    }
  } finally {
    directStep?.dispose();
    adam.dispose();
    tf.dispose([xAll, yAll, xFlat, yFlat]);
  }
  return { finalLoss: finalLoss.slice(0, trials), finalOutputs: finalOutputs.slice(0, trials), pack: net };
}

/**
 * Rows `idx` (indices into the K·n rows of `all` [K, n, w]) as [K, B, w], copied on the wasm
 * heap without a tfjs dispatch: the values tf.gather gives, for the direct step.
 */
function gatherRows(all: tf.Tensor3D, idx: Int32Array, B: number): tf.Tensor3D {
  const backend = tf.backend();
  const [K, , w] = all.shape;
  const out = heapTensor(backend, [K, B, w]) as tf.Tensor3D;
  // Views after the allocation, which may grow (and so detach) the heap.
  const src = heapView(backend, all);
  const dst = heapView(backend, out);
  // The rows' first and last floats read first, in a loop of independent loads: by the time a
  // step gathers, the training set has left the caches, and the copy row after row waited for
  // one row's cache lines at a time (shape B's pack at K = 16: about 165 µs a step for 14,000
  // floats, 30 µs with the rows in cache; read ahead like this, 106 µs after a 64 MB sweep
  // against 133).
  let readAhead = 0;
  for (let i = 0; i < idx.length; i++) readAhead += src[idx[i] * w] + src[idx[i] * w + w - 1];
  // (Used, so that the loop is not dropped; the copy below writes every float of dst.)
  if (readAhead === -1) dst[0] = src[0];
  // Float by float: rows are a few floats wide, and a subarray per row (two views a row, every
  // step) cost more than the copy (bench/step profile of shape B: 11 µs a network-step).
  for (let i = 0; i < idx.length; i++) {
    const from = idx[i] * w;
    const to = i * w;
    for (let j = 0; j < w; j++) dst[to + j] = src[from + j];
  }
  return out;
}

/** A stacked [K, …] tensor's values, split per network. */
function perNetwork(out: Float32Array, K: number): Float32Array[] {
  const per = out.length / K;
  return Array.from({ length: K }, (_, k) => out.slice(k * per, (k + 1) * per));
}

/**
 * tfjs-wasm sends a matMul with batch 1 through XNNPACK and larger batches through its own
 * loop, and the two round differently. Without atomsweep's kernels (which compute a lone
 * network's batched layers in the pack's order: core/nn/matmul.ts sumOrder) a lone network
 * therefore trains beside a shadow twin (fixed seed, results dropped), so its numbers are
 * bit-identical to the same trial trained in any pack. The returned pack holds 2 networks
 * (`size`), of which `trials` = 1 is visible: read(), predict() and evaluateAccuracy()
 * return only the real trial.
 *
 * Only the batched (small) layers need the twin: per-network layers run every network as
 * its own XNNPACK product whatever K is, and skip the twin (its slots are zeros there), so
 * on wide networks the twin costs little. It is kept whenever a trial is alone, even if
 * every layer is per-network at the training batch, because evaluation on another number
 * of rows may choose differently.
 */
function withShadowTwin(spec: PackTrainingSpec): PackTrainingSpec {
  const twin: PackTrainingSpec = {
    ...spec,
    initRngs: [spec.initRngs[0], new Rng(0)],
    batchRngs: [spec.batchRngs[0], new Rng(1)],
    trainX: [spec.trainX[0], spec.trainX[0]],
    trainY: [spec.trainY[0], spec.trainY[0]],
  };
  // Given starting values: the twin starts from a copy of the trial's (it needs some).
  if (spec.initialValues) twin.initialValues = [spec.initialValues[0], spec.initialValues[0]];
  if (spec.initialRunningStats) twin.initialRunningStats = [spec.initialRunningStats[0], spec.initialRunningStats[0]];
  return twin;
}

/** initialValues, initialRunningStats and trainable must fit the model and the number of trials. */
function checkStartAndTrainable(spec: PackTrainingSpec, trials: number): void {
  const shapes = parameterShapes(spec.model);
  const check = (what: string, perTrial: Float32Array[][] | undefined, expected: { name: string; shape: number[] }[]) => {
    if (!perTrial) return;
    if (perTrial.length !== trials) throw new Error(`${what}: ${perTrial.length} trials given, ${trials} trained`);
    perTrial.forEach((vals, k) => {
      if (vals.length !== expected.length) throw new Error(`${what}[${k}]: ${vals.length} arrays, the model has ${expected.length}`);
      expected.forEach((p, i) => {
        const size = p.shape.reduce((a, b) => a * b, 1);
        if (vals[i].length !== size) throw new Error(`${what}[${k}][${i}] (${p.name}): ${vals[i].length} values, expected ${size}`);
      });
    });
  };
  check('initialValues', spec.initialValues, shapes);
  check('initialRunningStats', spec.initialRunningStats, runningStatShapes(spec.model));
  if (spec.trainable) {
    if (spec.trainable.length !== shapes.length) throw new Error(`trainable: ${spec.trainable.length} flags, the model has ${shapes.length} parameters`);
    if (!spec.trainable.some((t) => t)) throw new Error('trainable: at least one parameter must be trainable');
  }
}

/** Inputs for every network of the pack: a shadow twin gets a copy of the trial's data. */
function matchPack(net: NetworkPack, t: tf.Tensor3D): tf.Tensor3D {
  return t.shape[0] === net.size ? t : (tf.concat(Array(net.size / t.shape[0]).fill(t), 0) as tf.Tensor3D);
}

/**
 * The pack's logits for evaluation ('eval' mode): the direct kernels for a plain MLP
 * (core/nn/mlp-step.ts), otherwise the forward pass's tfjs ops. Same values either way.
 */
export function inferLogits(net: NetworkPack, x: tf.Tensor3D): tf.Tensor3D {
  return directForwardApplies(net) ? directForward(net, x) : net.forward(x);
}

/** Test accuracy of every network of the pack on per-network inputs [K, n, d] and one-hot targets. */
export async function evaluateAccuracy(net: NetworkPack, x: tf.Tensor3D, y: tf.Tensor3D): Promise<number[]> {
  const acc = tf.tidy(() => packAccuracy(inferLogits(net, matchPack(net, x)), matchPack(net, y)));
  const values = Array.from(await acc.data()).slice(0, net.trials);
  acc.dispose();
  return values;
}

/** Logits of every network on per-network inputs [K, n, d], returned per network. */
export async function predict(net: NetworkPack, x: tf.Tensor3D): Promise<Float32Array[]> {
  const out = tf.tidy(() => inferLogits(net, matchPack(net, x)));
  const data = (await out.data()) as Float32Array;
  out.dispose();
  const K = net.size;
  const per = data.length / K;
  return Array.from({ length: net.trials }, (_, k) => data.slice(k * per, (k + 1) * per));
}

