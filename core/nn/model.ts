import * as tf from '@tensorflow/tfjs-core';
import type { Rng } from '../rng';
import { activate, type Activation } from './activations';
import { initParameter, type Initializer } from './initializers';
import { matMulPath, packDense, type MatMulPath, type MatMulPathOption } from './matmul';

/** The notebook's `multilayer_perceptron`: sigmoid by default, linear output. */
export interface MlpSpec {
  kind: 'mlp';
  input: number;
  hidden: number[];
  output: number;
  activation: Activation;
  initializer: Initializer;
  /** Std of the 'normal_high' initializer (the notebook's final value is 1). */
  normalHighStd?: number;
  /**
   * Batch normalisation on every hidden layer: affine → BN → activation (none on the
   * output layer). Absent or false: the plain MLP, computed exactly as before.
   */
  batchNorm?: boolean;
}

/** The weight-shared network of Exp 2: input projection, then one matrix applied `depth` times. */
export interface SharedSpec {
  kind: 'shared';
  input: number;
  width: number;
  depth: number;
  output: number;
  activation: Activation;
}

/**
 * A small conv net on flattened side×side single-channel images: one 'valid' convolution
 * (kernel×kernel, `filters` maps, stride 1) + activation, flattened (position-major, then
 * filter: Keras's Flatten of a channels-last map), dense hidden layers, linear output.
 */
export interface ConvSpec {
  kind: 'conv';
  side: number;
  filters: number;
  kernel: number;
  hidden: number[];
  output: number;
  activation: Activation;
  initializer: Initializer;
  normalHighStd?: number;
}

export type ModelSpec = MlpSpec | SharedSpec | ConvSpec;

/** 'train': batch normalisation uses the batch's own statistics; 'eval': the running averages. */
export type ForwardMode = 'train' | 'eval';

export interface ParamShape {
  name: string;
  shape: number[];
  isWeight: boolean;
  /** A fixed initial value whatever the initializer (batch normalisation's gamma and beta). */
  init?: 'ones' | 'zeros';
}

/** Batch normalisation's variance epsilon (Keras's default). */
export const BATCH_NORM_EPSILON = 1e-3;
/** Running averages: moving ← moving − (moving − batch)·(1 − momentum), as Keras. */
export const BATCH_NORM_MOMENTUM = 0.99;

/** Values per input row: `input`, or side² for a conv net. */
export function inputWidth(spec: ModelSpec): number {
  return spec.kind === 'conv' ? spec.side * spec.side : spec.input;
}

/** Output positions per image of a conv net's valid convolution: (side − kernel + 1)². */
export function convPositions(spec: Pick<ConvSpec, 'side' | 'kernel'>): number {
  const s = spec.side - spec.kernel + 1;
  if (s < 1) throw new Error(`kernel ${spec.kernel} is larger than the image side ${spec.side}`);
  return s * s;
}

/** Trainable scalars of a conv net: kernel²·filters + filters, then the dense layers on positions·filters inputs. */
export function convParameterCount(spec: Pick<ConvSpec, 'side' | 'kernel' | 'filters' | 'hidden' | 'output'>): number {
  const conv = spec.kernel * spec.kernel * spec.filters + spec.filters;
  return conv + denseParameterCount([convPositions(spec) * spec.filters, ...spec.hidden, spec.output]);
}

function denseParameterCount(sizes: number[]): number {
  let total = 0;
  for (let l = 0; l + 1 < sizes.length; l++) total += sizes[l] * sizes[l + 1] + sizes[l + 1];
  return total;
}

/**
 * The hidden width h (≥ 1) of an MLP input-[h × hiddenLayers]-output whose parameter
 * count is closest to `target` (the smaller width on a tie).
 */
export function mlpWidthForParameterCount(input: number, output: number, hiddenLayers: number, target: number): number {
  if (hiddenLayers < 1) throw new Error('hiddenLayers must be at least 1');
  const count = (h: number) => denseParameterCount([input, ...Array(hiddenLayers).fill(h), output]);
  let h = 1;
  while (count(h + 1) <= target) h++;
  return Math.abs(count(h + 1) - target) < Math.abs(count(h) - target) ? h + 1 : h;
}

/**
 * The MLP on the same flattened images, with the conv net's activation and initializer,
 * whose parameter count is (about) the conv net's: for "conv vs MLP of equal size".
 */
export function mlpMatchingConv(conv: ConvSpec, hiddenLayers = Math.max(1, conv.hidden.length)): MlpSpec {
  const input = conv.side * conv.side;
  const width = mlpWidthForParameterCount(input, conv.output, hiddenLayers, convParameterCount(conv));
  return {
    kind: 'mlp',
    input,
    hidden: Array(hiddenLayers).fill(width),
    output: conv.output,
    activation: conv.activation,
    initializer: conv.initializer,
    ...(conv.normalHighStd !== undefined ? { normalHighStd: conv.normalHighStd } : {}),
  };
}

export function parameterShapes(spec: ModelSpec): ParamShape[] {
  if (spec.kind === 'shared') {
    const { input, width: h, output } = spec;
    return [
      { name: 'w_in', shape: [input, h], isWeight: true },
      { name: 'b_in', shape: [h], isWeight: false },
      { name: 'w_shared', shape: [h, h], isWeight: true },
      { name: 'b_shared', shape: [h], isWeight: false },
      { name: 'w_out', shape: [h, output], isWeight: true },
      { name: 'b_out', shape: [output], isWeight: false },
    ];
  }
  const shapes: ParamShape[] = [];
  if (spec.kind === 'conv') {
    // The im2col kernel matrix: row ki·kernel + kj of a patch, one column per filter.
    shapes.push({ name: 'conv_w', shape: [spec.kernel * spec.kernel, spec.filters], isWeight: true });
    shapes.push({ name: 'conv_b', shape: [spec.filters], isWeight: false });
  }
  const first = spec.kind === 'conv' ? convPositions(spec) * spec.filters : spec.input;
  const sizes = [first, ...spec.hidden, spec.output];
  const batchNorm = spec.kind === 'mlp' && spec.batchNorm === true;
  for (let l = 0; l + 1 < sizes.length; l++) {
    shapes.push({ name: `W${l}`, shape: [sizes[l], sizes[l + 1]], isWeight: true });
    shapes.push({ name: `b${l}`, shape: [sizes[l + 1]], isWeight: false });
    if (batchNorm && l + 2 < sizes.length) {
      shapes.push({ name: `gamma${l}`, shape: [sizes[l + 1]], isWeight: false, init: 'ones' });
      shapes.push({ name: `beta${l}`, shape: [sizes[l + 1]], isWeight: false, init: 'zeros' });
    }
  }
  return shapes;
}

/**
 * The layer each parameter belongs to, in parameterShapes order: 0 is the first layer (a
 * conv net's convolution), and a dense layer's W, b, gamma and beta share one index; the
 * shared net's w_in/b_in are layer 0, w_shared/b_shared 1, w_out/b_out 2. For layer-wise
 * training: `trainable = parameterLayers(spec).map((l) => l === k)`.
 */
export function parameterLayers(spec: ModelSpec): number[] {
  let layer = -1;
  return parameterShapes(spec).map((p) => (p.isWeight ? ++layer : layer));
}

/** Number of trainable scalars of one network (what the notebook counts before Adam's slots exist). */
export function parameterCount(spec: ModelSpec): number {
  return parameterShapes(spec).reduce((s, p) => s + p.shape.reduce((a, b) => a * b, 1), 0);
}

/**
 * Initial values of one network. Exp 2's shared net uses TF's get_variable default
 * (glorot-uniform) for all six variables, biases included. Batch normalisation's gamma
 * (ones) and beta (zeros) draw nothing, so a BN net's weights and biases are those of the
 * same MLP without BN from the same generator. A conv net's kernel matrix is
 * [kernel², filters]: Xavier's fan-in is kernel², its fan-out `filters`.
 */
export function initialValues(spec: ModelSpec, rng: Rng): Float32Array[] {
  const init: Initializer = spec.kind === 'shared' ? 'xavier' : spec.initializer;
  const std = spec.kind === 'shared' ? undefined : spec.normalHighStd;
  return parameterShapes(spec).map((p) => initParameter(p.init ?? init, p.shape, rng, std));
}

export interface NetworkPackOptions {
  /**
   * How each layer's matMul runs (see core/nn/matmul.ts): 'auto' (default) picks per layer
   * from one network's shape; 'batched' or 'per-network' force a path (for tests).
   */
  matMulPath?: MatMulPathOption;
  /** Whether wide layers may take the per-network product (the engine's `perNetworkMatMul`; default true). */
  perNetwork?: boolean;
  /**
   * Per trial, the running means and variances of a batch-normalised net, in the order of
   * runningStatShapes() (e.g. carried over from a pretrained pack's readRunningStats()).
   * Default: means 0, variances 1, as Keras.
   */
  runningStats?: Float32Array[][];
}

/** Where one dense layer's parameters sit in `params`. */
interface DenseLayer {
  w: number;
  b: number;
  /** Batch normalisation: gamma, beta indices and the layer's slot in the running statistics. */
  bn?: { gamma: number; beta: number; stat: number };
}

/**
 * K networks of one shape, stacked on a leading axis so one kernel dispatch serves all K
 * (for tiny nets the time is dispatch overhead, not arithmetic). Biases are stored as
 * [K, 1, n] so they broadcast over the batch axis. Each layer's matMul is one kernel for
 * the pack, either the batched loop or per-network XNNPACK products (core/nn/matmul.ts),
 * chosen from the layer's per-network shape so a trial's numbers never depend on K.
 */
export class NetworkPack {
  readonly params: tf.Variable[];
  readonly shapes: ParamShape[];

  /** Networks that are real trials; any beyond (a shadow twin, see trainPack) are hidden from read(). */
  readonly trials: number;

  /**
   * Non-trainable state of a batch-normalised net: per BN layer its running mean and
   * running variance, [K, 1, units] each (see runningStatShapes()). Empty otherwise.
   */
  readonly runningStats: tf.Variable[] = [];

  private readonly matMulOption: MatMulPathOption;
  private readonly perNetwork: boolean;
  private readonly dense: DenseLayer[] = [];
  /** A conv net's im2col gather indices (positions·kernel² pixel indices). */
  private readonly patchIndex: tf.Tensor1D | null = null;
  /** Batch statistics of the last 'train' forward pass, waiting for updateRunningStats(). */
  private pendingStats: tf.Tensor[] = [];

  constructor(
    readonly spec: ModelSpec,
    perTrialValues: Float32Array[][],
    trials = perTrialValues.length,
    options: NetworkPackOptions = {},
  ) {
    this.trials = trials;
    this.matMulOption = options.matMulPath ?? 'auto';
    this.perNetwork = options.perNetwork ?? true;
    this.shapes = parameterShapes(spec);
    const K = perTrialValues.length;
    this.params = this.shapes.map((p, i) => {
      const size = p.shape.reduce((a, b) => a * b, 1);
      const stacked = new Float32Array(K * size);
      perTrialValues.forEach((vals, k) => stacked.set(vals[i], k * size));
      const shape = p.shape.length === 1 ? [K, 1, p.shape[0]] : [K, ...p.shape];
      // Inside tidy: tf.variable copies the initial tensor, which would otherwise never be freed.
      return tf.tidy(() => tf.variable(tf.tensor(stacked, shape), true, undefined, 'float32'));
    });
    if (spec.kind === 'shared') return;
    const offset = spec.kind === 'conv' ? 2 : 0;
    let i = offset;
    while (i < this.shapes.length) {
      const layer: DenseLayer = { w: i, b: i + 1 };
      i += 2;
      if (this.shapes[i]?.init === 'ones') {
        layer.bn = { gamma: i, beta: i + 1, stat: this.dense.filter((l) => l.bn).length };
        i += 2;
      }
      this.dense.push(layer);
    }
    runningStatShapes(spec).forEach((s, j) => {
      const stacked = new Float32Array(K * s.shape[0]).fill(s.name.startsWith('moving_variance') ? 1 : 0);
      options.runningStats?.forEach((vals, k) => stacked.set(vals[j], k * s.shape[0]));
      this.runningStats.push(tf.tidy(() => tf.variable(tf.tensor3d(stacked, [K, 1, s.shape[0]]), false, undefined, 'float32')));
    });
    if (spec.kind === 'conv') this.patchIndex = tf.keep(tf.tensor1d(im2colIndex(spec), 'int32'));
  }

  /** Networks in the stacked tensors, shadow twin included. */
  get size(): number {
    return this.params[0].shape[0];
  }

  /**
   * Logits [K, B, out] for inputs [K, B, in]. `mode` matters only for batch normalisation:
   * 'train' normalises with the batch's statistics (and records them for
   * updateRunningStats()), 'eval' (the default, what evaluateAccuracy and predict use) with
   * the running averages. MLPs without BN and the shared net run the original code below,
   * whatever the mode, so their numbers are unchanged.
   */
  forward(x: tf.Tensor3D, mode: ForwardMode = 'eval'): tf.Tensor3D {
    if (this.spec.kind === 'conv' || (this.spec.kind === 'mlp' && this.spec.batchNorm)) return this.forwardLayers(x, mode).logits;
    const p = this.params;
    if (this.spec.kind === 'shared') {
      const act = this.spec.activation;
      let a = activate(act, this.affine(x, p[0], p[1])) as tf.Tensor3D;
      for (let l = 0; l < this.spec.depth; l++) {
        a = activate(act, this.affine(a, p[2], p[3])) as tf.Tensor3D;
      }
      return this.affine(a, p[4], p[5]) as tf.Tensor3D;
    }
    let a: tf.Tensor3D = x;
    const layers = p.length / 2;
    for (let l = 0; l < layers; l++) {
      const z = this.affine(a, p[2 * l], p[2 * l + 1]) as tf.Tensor3D;
      a = l + 1 < layers ? (activate(this.spec.activation, z) as tf.Tensor3D) : z;
    }
    return a;
  }

  /**
   * Logits and every hidden layer's output after its activation ([K, B, units]; a conv
   * net's first entry is the flattened feature maps [K, B, positions·filters]). Not for
   * the shared net. Batch normalisation, per network and unit over the batch axis only,
   * so a network's numbers never depend on its pack:
   *   'train': y = (z − mean_B(z)) · rsqrt(var_B(z) + ε) · gamma + beta, biased variance
   *   (tf.nn.moments, as Keras); the batch statistics are kept for updateRunningStats();
   *   'eval':  the same with the running mean and variance.
   */
  forwardLayers(x: tf.Tensor3D, mode: ForwardMode = 'eval'): { logits: tf.Tensor3D; hidden: tf.Tensor3D[] } {
    const spec = this.spec;
    if (spec.kind === 'shared') throw new Error('forwardLayers serves MLP and conv nets');
    const p = this.params;
    const hidden: tf.Tensor3D[] = [];
    const stats: tf.Tensor[] = [];
    let a: tf.Tensor3D = x;
    if (spec.kind === 'conv') {
      const [K, B] = x.shape;
      const k2 = spec.kernel * spec.kernel;
      const positions = convPositions(spec);
      // im2col: a fixed gather of every patch, then one pack matMul (per-network or batched,
      // from one network's shape) with the [kernel², filters] kernel matrix.
      const patches = tf.reshape(tf.gather(x, this.patchIndex!, 2), [K, B * positions, k2]) as tf.Tensor3D;
      const maps = activate(spec.activation, this.affine(patches, p[0], p[1]));
      a = tf.reshape(maps, [K, B, positions * spec.filters]) as tf.Tensor3D;
      hidden.push(a);
    }
    this.dense.forEach((layer, l) => {
      let z = this.affine(a, p[layer.w], p[layer.b]) as tf.Tensor3D;
      if (l + 1 === this.dense.length) {
        a = z;
        return;
      }
      if (layer.bn) {
        let centred: tf.Tensor;
        let variance: tf.Tensor;
        if (mode === 'train') {
          const mean = tf.mean(z, 1, true);
          centred = tf.sub(z, mean);
          variance = tf.mean(tf.square(centred), 1, true);
          stats.push(mean, variance);
        } else {
          centred = tf.sub(z, this.runningStats[2 * layer.bn.stat]);
          variance = this.runningStats[2 * layer.bn.stat + 1];
        }
        // The scale rsqrt(var + ε)·gamma is per unit ([K, 1, n]): one full-size product
        // instead of a division and a product keeps the backward pass's temporaries down.
        const scale = tf.mul(tf.rsqrt(tf.add(variance, BATCH_NORM_EPSILON)), p[layer.bn.gamma]);
        z = tf.add(tf.mul(centred, scale), p[layer.bn.beta]) as tf.Tensor3D;
      }
      a = activate(spec.activation, z) as tf.Tensor3D;
      hidden.push(a);
    });
    if (mode === 'train' && stats.length > 0) {
      tf.dispose(this.pendingStats);
      // Kept: the forward pass usually runs inside variableGrads' tidy.
      this.pendingStats = stats.map((t) => tf.keep(t));
    }
    return { logits: a, hidden };
  }

  /**
   * Moves the running means and variances toward the statistics of the last 'train'
   * forward pass (once per training step; trainPack calls it after the update). No-op
   * without batch normalisation.
   */
  updateRunningStats(): void {
    if (this.pendingStats.length === 0) return;
    tf.tidy(() => {
      this.runningStats.forEach((v, i) => v.assign(tf.sub(v, tf.mul(tf.sub(v, this.pendingStats[i]), 1 - BATCH_NORM_MOMENTUM))));
    });
    tf.dispose(this.pendingStats);
    this.pendingStats = [];
  }

  /** Per-trial running statistics: result[k][i] in the order of runningStatShapes(), real trials only. */
  async readRunningStats(): Promise<Float32Array[][]> {
    return readPerTrial(this.runningStats, this.size, this.trials);
  }

  /**
   * The path each weight matrix's matMul takes for inputs of `rows` rows per network, in
   * the order of weightVariables() (the shared net's w_shared once, though applied `depth`
   * times; a conv net's kernel matrix on rows·positions patch rows).
   */
  matMulPaths(rows: number): MatMulPath[] {
    const spec = this.spec;
    return this.weightVariables().map((w, i) => {
      const r = spec.kind === 'conv' && i === 0 ? rows * convPositions(spec) : rows;
      return matMulPath(r, w.shape[1]!, w.shape[2]!, this.matMulOption, this.perNetwork);
    });
  }

  /**
   * a [K, rows, in] · w [K, in, out] + bias [K, 1, out]. The per-network path computes only
   * the real trials (a shadow twin's slots come out as their bias), so a lone trial pays
   * for one network there.
   */
  private affine(a: tf.Tensor3D, w: tf.Variable, bias: tf.Variable): tf.Tensor3D {
    const [, rows, inner] = a.shape;
    const path = matMulPath(rows, inner, w.shape[2]!, this.matMulOption, this.perNetwork);
    return packDense(a, w as tf.Tensor3D, bias as tf.Tensor3D, path, this.trials);
  }

  /** The weight matrices (biases excluded), as the notebook's `return_weight_tensors`. */
  weightVariables(): tf.Variable[] {
    return this.params.filter((_, i) => this.shapes[i].isWeight);
  }

  /** Per-trial values of every parameter: result[k][paramIndex], for the real trials only. */
  async read(): Promise<Float32Array[][]> {
    return readPerTrial(this.params, this.size, this.trials);
  }

  dispose(): void {
    this.params.forEach((v) => v.dispose());
    this.runningStats.forEach((v) => v.dispose());
    this.patchIndex?.dispose();
    tf.dispose(this.pendingStats);
    this.pendingStats = [];
  }
}

async function readPerTrial(vars: tf.Variable[], K: number, trials: number): Promise<Float32Array[][]> {
  const out: Float32Array[][] = Array.from({ length: trials }, () => []);
  for (const v of vars) {
    const data = (await v.data()) as Float32Array;
    const per = data.length / K;
    for (let k = 0; k < trials; k++) out[k].push(data.slice(k * per, (k + 1) * per));
  }
  return out;
}

/** The running statistics of a batch-normalised MLP: moving_mean{l}, moving_variance{l} per hidden layer. */
export function runningStatShapes(spec: ModelSpec): { name: string; shape: number[] }[] {
  if (spec.kind !== 'mlp' || !spec.batchNorm) return [];
  return spec.hidden.flatMap((units, l) => [
    { name: `moving_mean${l}`, shape: [units] },
    { name: `moving_variance${l}`, shape: [units] },
  ]);
}

/**
 * Pixel indices of every patch of a valid, stride-1 convolution on a flattened side×side
 * image: entry ((pi·s + pj)·kernel + ki)·kernel + kj is pixel (pi + ki, pj + kj), s the
 * output side.
 */
export function im2colIndex(spec: Pick<ConvSpec, 'side' | 'kernel'>): Int32Array {
  const { side, kernel } = spec;
  const s = side - kernel + 1;
  const idx = new Int32Array(convPositions(spec) * kernel * kernel);
  let n = 0;
  for (let pi = 0; pi < s; pi++)
    for (let pj = 0; pj < s; pj++)
      for (let ki = 0; ki < kernel; ki++) for (let kj = 0; kj < kernel; kj++) idx[n++] = (pi + ki) * side + (pj + kj);
  return idx;
}
