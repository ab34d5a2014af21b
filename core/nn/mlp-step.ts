/**
 * The gradients of one training step of a plain MLP pack, computed by calling atomsweep's
 * wasm kernels directly (core/nn/wasm-kernels.ts) instead of recording tfjs ops on a
 * gradient tape.
 *
 * Why: on the tape a dense sigmoid layer costs a product kernel, a separate sigmoid pass,
 * three backward products and a separate sigmoid-gradient pass, each a tfjs dispatch with
 * its own temporaries, and each pass over a [K, rows, units] tensor that no longer fits in
 * cache at K = 16. Here every layer is one pack-GEMM call forward, with its bias and its
 * sigmoid applied as each block of rows is written, and two backward (dW = Aᵀ·G with the
 * bias gradient's column sums beside it, and dA = G·Wᵀ with the sigmoid's gradient applied
 * as it is written; ReLU likewise, from its saved input); the loss's gradient with respect
 * to the logits is one pass too (kernels/losses.c, for softmax cross-entropy and squared
 * error; other losses through tf.grad of packLoss).
 *
 * Bits: every call is the one the tape path makes (core/nn/matmul.ts packDense and its
 * gradient, core/nn/wasm-kernels.ts), with the same shapes, live networks, path and
 * summation order, and the fused sigmoid and its gradient are the same float32 operations
 * as the separate kernels (kernels/elementwise.c). The loss's gradient reproduces the ops
 * tf.grad of packLoss records, down to tfjs-wasm's expf and logf (kernels/libm.c).
 * test/core/mlp-step.test.ts compares gradients, trained weights and losses with the tape
 * path bit for bit.
 */
import * as tf from '@tensorflow/tfjs-core';
import { packLoss, type LossName } from './losses';
import type { AdamTF1 } from './adam';
import { sumOrder, type MatMulPath } from './matmul';
import type { MlpSpec, NetworkPack } from './model';
import { FUSED_LOSS_GRADIENTS, heapTensor, networkOffset, wasmKernelsFor, type FusedLoss, type GemmPost, type MlpStepShape } from './wasm-kernels';

/** Activations whose forward and gradient the GEMM applies itself. */
const FUSED_ACTIVATIONS = ['sigmoid', 'relu', 'identity'] as const;
type FusedActivation = (typeof FUSED_ACTIVATIONS)[number];

const isFused = (a: string): a is FusedActivation => (FUSED_ACTIVATIONS as readonly string[]).includes(a);

/**
 * Whether a step of this pack can take the direct path: atomsweep's kernels installed, a
 * plain MLP (no batch normalisation) with a fused activation, every parameter trained, and
 * no weight penalty (whose gradient the tape adds to the product's in an order of its own).
 */
export function directStepApplies(net: NetworkPack, o: { penalty: boolean; trainable?: boolean[] }): boolean {
  const spec = net.spec;
  return (
    spec.kind === 'mlp' &&
    spec.batchNorm !== true &&
    isFused(spec.activation) &&
    !o.penalty &&
    (o.trainable === undefined || o.trainable.every((t) => t)) &&
    wasmKernelsFor(tf.backend()) !== undefined
  );
}

export interface StepGradients {
  /** One gradient per parameter, in the pack's parameter order (W0, b0, W1, b1, …). */
  grads: tf.Tensor[];
  /** The logits [K, rows, classes] of the batch, before the update. */
  logits: tf.Tensor3D;
  /** Whether the optimizer's update was applied too (DirectStep.gradients with `adam`). */
  updated?: boolean;
}

/** Whether a pack's forward pass can take the direct path (no gradient needed). */
export function directForwardApplies(net: NetworkPack): boolean {
  return directStepApplies(net, { penalty: false });
}

/** A plain MLP's layer widths, input to output. */
function layerSizes(net: NetworkPack): number[] {
  const spec = net.spec as MlpSpec;
  return [spec.input, ...spec.hidden, spec.output];
}

/**
 * As packDense: the per-network path computes the real trials only (a shadow twin's slots
 * are its bias forward and zeros backward); the batched path computes every network.
 */
function liveNetworks(net: NetworkPack, path: MatMulPath, K: number): number {
  return path === 'batched' ? K : Math.min(net.trials, K);
}

/** Logits [K, rows, classes] of inputs x [K, rows, in], for packs directForwardApplies() accepts. */
export function directForward(net: NetworkPack, x: tf.Tensor3D): tf.Tensor3D {
  const [K, rows] = x.shape;
  const outs = layerSizes(net)
    .slice(1)
    .map((w) => heapTensor(tf.backend(), [K, rows, w]));
  new Slice(net, K, rows, 0, K).forward(x, { outs, dA: [], grads: [], layered: true });
  tf.dispose(outs.slice(0, -1));
  return outs[outs.length - 1] as tf.Tensor3D;
}

/** The tensors one step writes, for one batch height: allocated once, rewritten every step. */
interface Workspace {
  /**
   * Hidden activations, then the logits. Until a layer-at-a-time pass needs them
   * (withLayers()), only the logits: the whole-step kernel keeps a block's activations in
   * its own scratch (at K = 16 on Exp 4's 2,289 rows, the layers' tensors are ~60 MB).
   */
  outs: tf.Tensor[];
  /** ReLU nets: each hidden layer's pre-activation, which its gradient reads. */
  pre?: tf.Tensor[];
  /** The loss's gradient at the logits (absent where tf.grad makes it, fresh each step). */
  lossGrad?: tf.Tensor;
  /** Per hidden layer, the gradient at its output with its activation's gradient applied. */
  dA: tf.Tensor[];
  /** dW, db per layer, in parameter order. */
  grads: tf.Tensor[];
  /** Whether the layer-at-a-time tensors (hidden outs, pre, dA, lossGrad) exist. */
  layered: boolean;
}

/**
 * The direct training step of one pack (directStepApplies()): logits and the gradient of
 * Σ_k loss_k for a batch, written into tensors it owns and reuses from step to step (a
 * small network's step is otherwise largely their allocation). Read them before the next
 * call; dispose() frees them.
 */
export class DirectStep {
  private readonly spaces = new Map<number, Workspace>();

  constructor(
    private readonly net: NetworkPack,
    private readonly loss: LossName,
  ) {}

  /**
   * Logits and gradients (parameter order) for inputs xb [K, rows, in] and targets yb
   * [K, rows, classes]. With `adam`, the step also applies its update, network by network
   * where the networks go one at a time (each updated while its gradients are in cache), and
   * says so in `updated`; otherwise the caller applies it.
   */
  gradients(xb: tf.Tensor3D, yb: tf.Tensor3D, adam?: AdamTF1): StepGradients {
    const sizes = layerSizes(this.net);
    const [K, rows] = xb.shape;
    const space = this.workspace(K, rows);
    const logits = space.outs[space.outs.length - 1] as tf.Tensor3D;
    if (this.loss in FUSED_LOSS_GRADIENTS) {
      // Wide networks one at a time, each through its whole step while its activations and
      // weights are in cache (a pack's layer at K = 16 no longer fits: C's step took 16%
      // longer per network than alone); small ones a layer at a time for all K at once, where
      // a call's fixed cost is the larger part.
      const macs = rows * sizes.slice(1).reduce((sum, w, l) => sum + sizes[l] * w, 0);
      // ... and each such network's whole step in one kernel call, in blocks of rows
      // (kernels/mlp-step.c): shape D at K = 16, 6 interleaved runs, medians 4.56 → 4.12 ms a
      // network-step against the layer-at-a-time pass.
      const wide = macs >= NETWORK_MAJOR_MIN_MACS;
      const whole = wide ? this.wholeStep(rows) : undefined;
      if (wide && (K > 1 || whole)) {
        const update = adam?.perNetwork(space.grads);
        for (let k = 0; k < K; k++) {
          // A shadow twin's slot (never read) keeps the layer-at-a-time pass's bias and zeros.
          if (whole && k < this.net.trials) this.wholePass(xb, yb, space, k, whole);
          else this.pass(xb, yb, space, k, 1);
          update?.(k);
        }
        return { grads: space.grads, logits, updated: update !== undefined };
      }
      this.pass(xb, yb, space, 0, K);
      return { grads: space.grads, logits };
    }
    // A loss without a kernel: its gradient from tf.grad of packLoss (the ops the tape would
    // record), between the forward and backward passes of the whole pack.
    const all = new Slice(this.net, K, rows, 0, K);
    this.withLayers(space, K, rows);
    all.forward(xb, space);
    const lossGrad = tf.tidy(() => tf.grad((z: tf.Tensor) => tf.sum(packLoss(this.loss, z as tf.Tensor3D, yb)))(logits));
    try {
      all.backward(xb, lossGrad, space);
    } finally {
      lossGrad.dispose();
    }
    return { grads: space.grads, logits };
  }

  /**
   * The whole-step kernel's shape for this batch height, when it computes what the
   * layer-at-a-time pass does: a fused loss (checked by the caller) and every layer on the
   * per-network path, in XNNPACK's summation order (kernels/mlp-step.c).
   */
  private wholeStep(rows: number): MlpStepShape | undefined {
    if (!this.net.matMulPaths(rows).every((p) => p === 'per-network')) return undefined;
    return { sizes: layerSizes(this.net), rows, block: WHOLE_STEP_BLOCK_ROWS, loss: this.loss as FusedLoss, activation: activationOf(this.net) };
  }

  /** Network k's step through the whole-step kernel: its logits and gradients, as pass() writes them. */
  private wholePass(xb: tf.Tensor3D, yb: tf.Tensor3D, space: Workspace, k: number, shape: MlpStepShape): void {
    const backend = tf.backend();
    const at = (t: tf.Tensor) => networkOffset(backend, t, k);
    const layers = shape.sizes.length - 1;
    const offsets = new Int32Array(4 * layers);
    for (let l = 0; l < layers; l++) offsets.set([at(this.net.params[2 * l]), at(this.net.params[2 * l + 1]), at(space.grads[2 * l]), at(space.grads[2 * l + 1])], 4 * l);
    wasmKernelsFor(backend)!.mlpStep(shape, offsets, at(xb), at(yb), at(space.outs[space.outs.length - 1]));
  }

  /** Forward, loss gradient and backward of networks k0..k0+count−1. */
  private pass(xb: tf.Tensor3D, yb: tf.Tensor3D, space: Workspace, k0: number, count: number): void {
    const [K, rows] = xb.shape;
    this.withLayers(space, K, rows);
    const slice = new Slice(this.net, K, rows, k0, count);
    slice.forward(xb, space);
    slice.lossGradient(this.loss as FusedLoss, yb, space);
    slice.backward(xb, space.lossGrad!, space);
  }

  private workspace(K: number, rows: number): Workspace {
    const known = this.spaces.get(rows);
    if (known) return known;
    const backend = tf.backend();
    const sizes = layerSizes(this.net);
    const make = (shape: number[]) => tf.keep(heapTensor(backend, shape));
    const space: Workspace = {
      outs: [make([K, rows, sizes[sizes.length - 1]])],
      dA: [],
      grads: sizes.slice(1).flatMap((w, l) => [make([K, sizes[l], w]), make([K, 1, w])]),
      layered: false,
    };
    this.spaces.set(rows, space);
    return space;
  }

  /** The workspace with the layer-at-a-time pass's tensors, made on first use. */
  private withLayers(space: Workspace, K: number, rows: number): Workspace {
    if (space.layered) return space;
    const backend = tf.backend();
    const sizes = layerSizes(this.net);
    const make = (shape: number[]) => tf.keep(heapTensor(backend, shape));
    space.outs.unshift(...sizes.slice(1, -1).map((w) => make([K, rows, w])));
    if (activationOf(this.net) === 'relu') space.pre = sizes.slice(1, -1).map((w) => make([K, rows, w]));
    space.dA = sizes.slice(1, -1).map((w) => make([K, rows, w]));
    if (this.loss in FUSED_LOSS_GRADIENTS) space.lossGrad = make([K, rows, sizes[sizes.length - 1]]);
    space.layered = true;
    return space;
  }

  dispose(): void {
    for (const s of this.spaces.values()) tf.dispose([...s.outs, ...(s.pre ?? []), ...(s.lossGrad ? [s.lossGrad] : []), ...s.dA, ...s.grads]);
    this.spaces.clear();
  }
}

/** The activation the GEMM applies (directStepApplies() admits only these). */
function activationOf(net: NetworkPack): FusedActivation {
  const a = net.spec.kind === 'mlp' ? net.spec.activation : 'identity';
  if (!isFused(a)) throw new Error(`the direct step has no fused ${a}`);
  return a;
}

/** Networks of a pack from which a direct pass builds its products on the kernels: 1M multiply-adds a step. */
export const NETWORK_MAJOR_MIN_MACS = 1_000_000;

/**
 * Rows per block of the whole-step kernel, so that a block's activations stay within the
 * core's cache. Shape D at K = 16 (4 interleaved runs of 5 trainings each, a throwaway probe):
 * 64 rows 4.01–4.34 ms a network-step, 128 rows 3.96–4.14, 256 rows 3.94–4.30: alike.
 */
export const WHOLE_STEP_BLOCK_ROWS = 128;

/**
 * Networks k0..k0+count−1 of a pack of K, as byte offsets into its stacked tensors: every
 * call below computes those networks only, exactly as a call over the whole pack computes
 * them (each network's numbers are its own; a shadow twin's slots stay bias and zeros).
 */
class Slice {
  private readonly backend = tf.backend();
  private readonly kernels = wasmKernelsFor(this.backend)!;
  private readonly sizes: number[];
  private readonly paths: MatMulPath[];

  constructor(
    private readonly net: NetworkPack,
    private readonly K: number,
    private readonly rows: number,
    private readonly k0: number,
    private readonly count: number,
  ) {
    this.sizes = layerSizes(net);
    this.paths = net.matMulPaths(rows);
  }

  /** Offset of network k0 in a stacked tensor. */
  private at(t: tf.Tensor): number {
    return networkOffset(this.backend, t, this.k0);
  }

  /** Live networks of layer l within the slice (per-network layers skip a twin). */
  private live(l: number): number {
    return Math.max(0, Math.min(this.count, liveNetworks(this.net, this.paths[l], this.K) - this.k0));
  }

  forward(xb: tf.Tensor3D, space: Workspace): void {
    const { sizes, rows, count, net } = this;
    const layers = sizes.length - 1;
    const activation = activationOf(net);
    for (let l = 0; l < layers; l++) {
      const hidden = l + 1 < layers;
      const post: GemmPost =
        !hidden || activation === 'identity' ? { kind: 'none' } : activation === 'relu' ? { kind: 'relu', ...(space.pre ? { save: this.at(space.pre[l]) } : {}) } : { kind: 'sigmoid' };
      const input = l === 0 ? xb : space.outs[l - 1];
      this.kernels.gemm(this.at(input), this.at(net.params[2 * l]), this.at(net.params[2 * l + 1]), this.at(space.outs[l]), count, this.live(l), rows, sizes[l + 1], sizes[l], false, false, sumOrder(this.paths[l]), post);
    }
  }

  lossGradient(loss: FusedLoss, yb: tf.Tensor3D, space: Workspace): void {
    const logits = space.outs[space.outs.length - 1];
    this.kernels.lossGrad(loss, this.at(logits), this.at(yb), this.at(space.lossGrad!), this.count, this.rows, this.sizes[this.sizes.length - 1]);
  }

  /** dW, db of every layer and dA of every hidden one, from the loss's gradient lossGrad. */
  backward(xb: tf.Tensor3D, lossGrad: tf.Tensor, space: Workspace): void {
    const { sizes, rows, count, net, kernels } = this;
    const activation = activationOf(net);
    let g = lossGrad;
    for (let l = sizes.length - 2; l >= 0; l--) {
      const [inner, units, live, order] = [sizes[l], sizes[l + 1], this.live(l), sumOrder(this.paths[l])];
      const input = l === 0 ? xb : space.outs[l - 1];
      kernels.gemm(this.at(input), this.at(g), 0, this.at(space.grads[2 * l]), count, live, inner, units, rows, true, false, order);
      kernels.columnSums(this.at(g), this.at(space.grads[2 * l + 1]), count, rows, units);
      if (l === 0) break;
      const dA = space.dA[l - 1];
      // The sigmoid's gradient reads its output (the layer's input here), ReLU's its input.
      const post: GemmPost =
        activation === 'identity' ? { kind: 'none' } : activation === 'sigmoid' ? { kind: 'sigmoid-grad', y: this.at(input) } : { kind: 'relu-grad', y: this.at(space.pre![l - 1]) };
      kernels.gemm(this.at(g), this.at(net.params[2 * l]), 0, this.at(dA), count, live, rows, inner, units, false, true, order, post);
      g = dA;
    }
  }
}

/** Per-network loss [K] of logits the direct step returned (the same ops as the tape path's). */
export function stepLoss(loss: LossName, logits: tf.Tensor3D, yb: tf.Tensor3D): tf.Tensor1D {
  return tf.tidy(() => packLoss(loss, logits, yb));
}
