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

/**
 * Every layer's output for inputs x [K, rows, in]: [x, hidden activations…, logits], each
 * layer one pack-GEMM call with its bias and activation (as packDense then the activation's
 * kernel would compute it). The caller disposes all but x.
 */
function forwardLayers(net: NetworkPack, x: tf.Tensor3D): tf.Tensor[] {
  const backend = tf.backend();
  const kernels = wasmKernelsFor(backend);
  const spec = net.spec;
  if (!kernels || spec.kind !== 'mlp') throw new Error("the direct step needs a plain MLP and atomsweep's wasm kernels (directStepApplies)");
  const sizes = [spec.input, ...spec.hidden, spec.output];
  const layers = sizes.length - 1;
  const [K, rows] = x.shape;
  const at = (t: tf.Tensor) => heapOffset(backend, t);
  const paths = net.matMulPaths(rows);
  const acts: tf.Tensor[] = [x];
  for (let l = 0; l < layers; l++) {
    const out = heapTensor(backend, [K, rows, sizes[l + 1]]);
    const post: GemmPost = spec.activation === 'sigmoid' && l + 1 < layers ? { kind: 'sigmoid' } : { kind: 'none' };
    kernels.gemm(at(acts[l]), at(net.params[2 * l]), at(net.params[2 * l + 1]), at(out), K, liveNetworks(net, paths[l], K), rows, sizes[l + 1], sizes[l], false, false, orderOf(paths[l]), post);
    acts.push(out);
  }
  return acts;
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
  const acts = forwardLayers(net, x);
  tf.dispose(acts.slice(1, -1));
  return acts[acts.length - 1] as tf.Tensor3D;
}

/**
 * Logits and the gradient of Σ_k loss_k for inputs xb [K, rows, in] and targets yb
 * [K, rows, classes]; the caller disposes both. Only for packs directStepApplies() accepts.
 */
export function directStepGradients(net: NetworkPack, xb: tf.Tensor3D, yb: tf.Tensor3D, loss: LossName): StepGradients {
  const backend = tf.backend();
  const kernels = wasmKernelsFor(backend)!;
  const spec = net.spec as MlpSpec;
  const sizes = [spec.input, ...spec.hidden, spec.output];
  const layers = sizes.length - 1;
  const [K, rows] = xb.shape;
  const at = (t: tf.Tensor) => heapOffset(backend, t);
  const paths = net.matMulPaths(rows);
  const acts = forwardLayers(net, xb);
  const temps: tf.Tensor[] = [];
  try {
    const logits = acts[layers] as tf.Tensor3D;
    let g = lossGradient(loss, logits, yb);
    temps.push(g);
    const grads: tf.Tensor[] = new Array(2 * layers);
    for (let l = layers - 1; l >= 0; l--) {
      const [inner, units, live, order] = [sizes[l], sizes[l + 1], liveNetworks(net, paths[l], K), orderOf(paths[l])];
      const dW = heapTensor(backend, [K, inner, units]);
      grads[2 * l] = dW;
      kernels.gemm(at(acts[l]), at(g), 0, at(dW), K, live, inner, units, rows, true, false, order);
      const db = heapTensor(backend, [K, 1, units]);
      grads[2 * l + 1] = db;
      kernels.columnSums(at(g), at(db), K, rows, units);
      if (l === 0) break;
      const dA = heapTensor(backend, [K, rows, inner]);
      temps.push(dA);
      const post: GemmPost = spec.activation === 'sigmoid' ? { kind: 'sigmoid-grad', y: at(acts[l]) } : { kind: 'none' };
      kernels.gemm(at(g), at(net.params[2 * l]), 0, at(dA), K, live, rows, inner, units, false, true, order, post);
      g = dA;
    }
    return { grads, logits };
  } finally {
    tf.dispose(temps);
    tf.dispose(acts.slice(1, layers));
  }
}

/**
 * d(Σ_k loss_k)/d logits: one kernel pass for the losses kernels/losses.c knows, else tf.grad
 * of packLoss (the ops the tape would record). Same bits either way.
 */
function lossGradient(loss: LossName, logits: tf.Tensor3D, yb: tf.Tensor3D): tf.Tensor {
  const backend = tf.backend();
  const kernels = wasmKernelsFor(backend)!;
  if (!(loss in FUSED_LOSS_GRADIENTS)) return tf.tidy(() => tf.grad((z: tf.Tensor) => tf.sum(packLoss(loss, z as tf.Tensor3D, yb)))(logits));
  const [K, B, C] = logits.shape;
  const g = heapTensor(backend, [K, B, C]);
  kernels.lossGrad(loss as FusedLoss, heapOffset(backend, logits), heapOffset(backend, yb), heapOffset(backend, g), K, B, C);
  return g;
}

/** Per-network loss [K] of logits the direct step returned (the same ops as the tape path's). */
export function stepLoss(loss: LossName, logits: tf.Tensor3D, yb: tf.Tensor3D): tf.Tensor1D {
  return tf.tidy(() => packLoss(loss, logits, yb));
}
