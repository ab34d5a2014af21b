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
 * as it is written); the loss's gradient with respect to the logits is one pass too
 * (kernels/losses.c, for softmax cross-entropy and squared error; other losses through
 * tf.grad of packLoss).
 *
 * Bits: every call is the one the tape path makes (core/nn/matmul.ts packDense and its
 * gradient, core/nn/wasm-kernels.ts), with the same shapes, live networks, path and
 * summation order, and the fused sigmoid and its gradient are the same float32 operations
 * as the separate kernels (kernels/elementwise.c). The loss's gradient reproduces the ops
 * tf.grad of packLoss records, down to tfjs-wasm's expf and logf (kernels/libm.c). test/core/mlp-step.test.ts compares
 * gradients, trained weights and losses with the tape path bit for bit.
 */
import * as tf from '@tensorflow/tfjs-core';
import { packLoss, type LossName } from './losses';
import type { MatMulPath } from './matmul';
import type { MlpSpec, NetworkPack } from './model';
import { FUSED_LOSS_GRADIENTS, heapOffset, heapTensor, wasmKernelsFor, type FusedLoss, type GemmPost, type SumOrder } from './wasm-kernels';

/** Activations whose forward and gradient the GEMM applies itself. */
const FUSED_ACTIVATIONS = new Set(['sigmoid', 'identity']);

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
    FUSED_ACTIVATIONS.has(spec.activation) &&
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
 * Writes every layer's output for inputs x [K, rows, in] into outs (hidden activations, then
 * the logits; [K, rows, width] each): one pack-GEMM call per layer with its bias and
 * activation (as packDense then the activation's kernel would compute them).
 */
function forwardInto(net: NetworkPack, x: tf.Tensor3D, outs: tf.Tensor[]): void {
  const backend = tf.backend();
  const kernels = wasmKernelsFor(backend);
  const spec = net.spec;
  if (!kernels || spec.kind !== 'mlp') throw new Error("the direct step needs a plain MLP and atomsweep's wasm kernels (directStepApplies)");
  const sizes = layerSizes(net);
  const layers = sizes.length - 1;
  const [K, rows] = x.shape;
  const at = (t: tf.Tensor) => heapOffset(backend, t);
  const paths = net.matMulPaths(rows);
  for (let l = 0; l < layers; l++) {
    const post: GemmPost = spec.activation === 'sigmoid' && l + 1 < layers ? { kind: 'sigmoid' } : { kind: 'none' };
    const input = l === 0 ? x : outs[l - 1];
    kernels.gemm(at(input), at(net.params[2 * l]), at(net.params[2 * l + 1]), at(outs[l]), K, liveNetworks(net, paths[l], K), rows, sizes[l + 1], sizes[l], false, false, orderOf(paths[l]), post);
  }
}

/**
 * As packDense: the per-network path computes the real trials only (a shadow twin's slots
 * are its bias forward and zeros backward) in XNNPACK's order; the batched path computes
 * every network in tfjs-wasm's own loop's order.
 */
function liveNetworks(net: NetworkPack, path: MatMulPath, K: number): number {
  return path === 'batched' ? K : Math.min(net.trials, K);
}

function orderOf(path: MatMulPath): SumOrder {
  return path === 'batched' ? 'tfjs-loop' : 'xnnpack';
}

/** Logits [K, rows, classes] of inputs x [K, rows, in], for packs directForwardApplies() accepts. */
export function directForward(net: NetworkPack, x: tf.Tensor3D): tf.Tensor3D {
  const [K, rows] = x.shape;
  const outs = layerSizes(net)
    .slice(1)
    .map((w) => heapTensor(tf.backend(), [K, rows, w]));
  forwardInto(net, x, outs);
  tf.dispose(outs.slice(0, -1));
  return outs[outs.length - 1] as tf.Tensor3D;
}

/** The tensors one step writes, for one batch height: allocated once, rewritten every step. */
interface Workspace {
  /** Hidden activations, then the logits. */
  outs: tf.Tensor[];
  /** The loss's gradient at the logits (absent where tf.grad makes it, fresh each step). */
  lossGrad?: tf.Tensor;
  /** Per hidden layer, the gradient at its output with its activation's gradient applied. */
  dA: tf.Tensor[];
  /** dW, db per layer, in parameter order. */
  grads: tf.Tensor[];
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

  /** Logits and gradients (parameter order) for inputs xb [K, rows, in] and targets yb [K, rows, classes]. */
  gradients(xb: tf.Tensor3D, yb: tf.Tensor3D): StepGradients {
    const backend = tf.backend();
    const kernels = wasmKernelsFor(backend)!;
    const net = this.net;
    const spec = net.spec as MlpSpec;
    const sizes = layerSizes(net);
    const layers = sizes.length - 1;
    const [K, rows] = xb.shape;
    const at = (t: tf.Tensor) => heapOffset(backend, t);
    const paths = net.matMulPaths(rows);
    const space = this.workspace(K, rows);
    forwardInto(net, xb, space.outs);
    const logits = space.outs[layers - 1] as tf.Tensor3D;
    // The loss's gradient: one kernel pass where kernels/losses.c has it, else tf.grad of
    // packLoss (the ops the tape would record). Same bits either way.
    const fresh = space.lossGrad === undefined;
    const lossGrad = fresh ? tf.tidy(() => tf.grad((z: tf.Tensor) => tf.sum(packLoss(this.loss, z as tf.Tensor3D, yb)))(logits)) : space.lossGrad!;
    if (!fresh) kernels.lossGrad(this.loss as FusedLoss, at(logits), at(yb), at(lossGrad), K, rows, sizes[layers]);
    let g = lossGrad;
    try {
      for (let l = layers - 1; l >= 0; l--) {
        const [inner, units, live, order] = [sizes[l], sizes[l + 1], liveNetworks(net, paths[l], K), orderOf(paths[l])];
        const input = l === 0 ? xb : space.outs[l - 1];
        kernels.gemm(at(input), at(g), 0, at(space.grads[2 * l]), K, live, inner, units, rows, true, false, order);
        kernels.columnSums(at(g), at(space.grads[2 * l + 1]), K, rows, units);
        if (l === 0) break;
        const dA = space.dA[l - 1];
        const post: GemmPost = spec.activation === 'sigmoid' ? { kind: 'sigmoid-grad', y: at(input) } : { kind: 'none' };
        kernels.gemm(at(g), at(net.params[2 * l]), 0, at(dA), K, live, rows, inner, units, false, true, order, post);
        g = dA;
      }
    } finally {
      if (fresh) lossGrad.dispose();
    }
    return { grads: space.grads, logits };
  }

  private workspace(K: number, rows: number): Workspace {
    const known = this.spaces.get(rows);
    if (known) return known;
    const backend = tf.backend();
    const sizes = layerSizes(this.net);
    const make = (shape: number[]) => tf.keep(heapTensor(backend, shape));
    const space: Workspace = {
      outs: sizes.slice(1).map((w) => make([K, rows, w])),
      dA: sizes.slice(1, -1).map((w) => make([K, rows, w])),
      grads: sizes.slice(1).flatMap((w, l) => [make([K, sizes[l], w]), make([K, 1, w])]),
    };
    if (this.loss in FUSED_LOSS_GRADIENTS) space.lossGrad = make([K, rows, sizes[sizes.length - 1]]);
    this.spaces.set(rows, space);
    return space;
  }

  dispose(): void {
    for (const s of this.spaces.values()) tf.dispose([...s.outs, ...(s.lossGrad ? [s.lossGrad] : []), ...s.dA, ...s.grads]);
    this.spaces.clear();
  }
}

/** Per-network loss [K] of logits the direct step returned (the same ops as the tape path's). */
export function stepLoss(loss: LossName, logits: tf.Tensor3D, yb: tf.Tensor3D): tf.Tensor1D {
  return tf.tidy(() => packLoss(loss, logits, yb));
}
