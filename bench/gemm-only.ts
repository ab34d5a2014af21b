/**
 * The matrix products of one training step, timed alone: the floor a step can approach.
 *
 * For an MLP of `sizes` trained by trainPack in a pack of K on `B` rows, one step makes,
 * per layer l (in → out), on the stacked [K, …] tensors:
 *   forward   Z_l  = A_l · W_l          [B × in] · [in × out]
 *   backward  dW_l = A_lᵀ · G_l         [in × B] · [B × out]
 *             dX_l = G_l · W_lᵀ         [B × out] · [out × in]   (every layer but the first:
 *                                                                nothing needs the data's gradient)
 * in this order: the forward layers first to last, then the backward layers last to first,
 * each layer's dW before its dX (core/nn/mlp-step.ts DirectStep; the tape path of
 * core/nn/matmul.ts asks for them in the same order). Each product goes through atomsweep's
 * pack GEMM (`wasmKernelsFor(tf.backend()).gemm`, core/nn/wasm-kernels.ts) with byte offsets
 * of tensors tfjs allocated on the wasm heap, with the path, `live` count and summation
 * order the layer chooses (core/nn/matmul.ts matMulPath):
 *   - per-network path when B·in·out ≥ 8,192 multiply-adds (PER_NETWORK_MIN_MACS there):
 *     XNNPACK's order;
 *   - batched path below it: tfjs-wasm's own loop's order;
 *   - with the kernels installed a lone trial trains without a shadow twin
 *     (core/train/train-pack.ts), so the stacked tensors hold exactly K networks.
 * The products are timed bare: the step's forward call also adds the bias and applies the
 * sigmoid as it writes, and its dX call the sigmoid's gradient; those count as the step's
 * cost beyond its products, like the loss, the bias gradients and Adam.
 *
 * What is timed is what the step does: `stepGemmCalls` records the GEMM calls trainPack
 * makes in one step (wrapping the installed kernels' gemm for that one call) and times
 * those, and checks them against the plan above (`stepGemms`), so a step that no longer
 * makes the products the plan expects shows up in the report instead of silently.
 */
import * as tf from '@tensorflow/tfjs-core';
import { networkOffset, wasmKernelsFor, type SumOrder } from '../core/nn/wasm-kernels';
import { matMulPath, sumOrder } from '../core/nn/matmul';
import { trainPack } from '../core/train/train-pack';
import { NETWORK_MAJOR_MIN_MACS } from '../core/nn/mlp-step';
import { packSpec, type BenchShape, type NetworkData } from './cases';


export interface GemmCall {
  /** e.g. 'x·W1', 'dX2 = G2·W2ᵀ', 'dW1 = A1ᵀ·G1' */
  what: string;
  path: 'per-network' | 'batched';
  /** Networks this call computes (1 when the step goes a network at a time). */
  K: number;
  /** Networks in the stacked operand tensors (K, or the pack's K when a call computes one). */
  stack?: number;
  /** The network this call computes, when the step goes a network at a time. */
  net?: number;
  /** Networks computed. */
  live: number;
  m: number;
  n: number;
  k: number;
  transA: boolean;
  transB: boolean;
  order: SumOrder;
  /** Operand and output tensors by name: A_l, W_l, G_l inputs; one output per call. */
  a: string;
  b: string;
  out: string;
}

/**
 * The planned GEMM calls of one trainPack step of K networks of `shape` (kernels installed),
 * in the step's order: a layer at a time for the pack, or a network at a time.
 */
export function stepGemms(shape: Pick<BenchShape, 'sizes' | 'n' | 'batchSize'>, K: number): GemmCall[] {
  const B = Math.min(shape.n, shape.batchSize);
  const s = shape.sizes;
  // Wide networks go through their whole step one at a time (core/nn/mlp-step.ts): the same
  // calls for one network, for each network in turn, on its slices of the pack's tensors.
  const macs = B * s.slice(1).reduce((sum, w, l) => sum + s[l] * w, 0);
  if (K > 1 && macs >= NETWORK_MAJOR_MIN_MACS) {
    return Array.from({ length: K }, (_, net) => layerMajor(shape, 1).map((c) => ({ ...c, stack: K, net }))).flat();
  }
  return layerMajor(shape, K);
}

function layerMajor(shape: Pick<BenchShape, 'sizes' | 'n' | 'batchSize'>, K: number): GemmCall[] {
  const B = Math.min(shape.n, shape.batchSize);
  const s = shape.sizes;
  const L = s.length - 1;
  const layer = (l: number) => {
    const [inner, outer] = [s[l], s[l + 1]];
    const path = matMulPath(B, inner, outer);
    return { inner, outer, path, live: K, order: sumOrder(path) };
  };
  const calls: GemmCall[] = [];
  for (let l = 0; l < L; l++) {
    const { inner, outer, path, live, order } = layer(l);
    calls.push({ what: `Z${l + 1} = A${l + 1}·W${l + 1}`, path, K, live, m: B, n: outer, k: inner, transA: false, transB: false, order, a: `A${l + 1}`, b: `W${l + 1}`, out: `Z${l + 1}` });
  }
  for (let l = L - 1; l >= 0; l--) {
    const { inner, outer, path, live, order } = layer(l);
    calls.push({ what: `dW${l + 1} = A${l + 1}ᵀ·G${l + 1}`, path, K, live, m: inner, n: outer, k: B, transA: true, transB: false, order, a: `A${l + 1}`, b: `G${l + 1}`, out: `dW${l + 1}` });
    if (l > 0) calls.push({ what: `dX${l + 1} = G${l + 1}·W${l + 1}ᵀ`, path, K, live, m: B, n: inner, k: outer, transA: false, transB: true, order, a: `G${l + 1}`, b: `W${l + 1}`, out: `dX${l + 1}` });
  }
  return calls;
}

/** Multiply-adds the calls compute (live networks only). */
export function gemmMacs(calls: GemmCall[]): number {
  return calls.reduce((sum, c) => sum + c.live * c.m * c.n * c.k, 0);
}

export interface GemmRun {
  reps: number;
  /** Wall and process CPU time of `reps` steps' worth of products. */
  ms: number;
  cpuMs: number;
}

const cpuNow = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

/**
 * The operands of a step's GEMM calls, allocated once on the tfjs-wasm heap (uniform in
 * [−1, 1]: no denormals), and a timer that replays the calls. Needs atomsweep's kernels
 * installed on the current backend; `dispose()` frees the tensors.
 */
export class StepGemms {
  private readonly tensors = new Map<string, tf.Tensor>();
  private readonly offsets: { a: number; b: number; out: number }[];

  constructor(readonly calls: GemmCall[]) {
    if (!wasmKernelsFor(tf.backend())) throw new Error(`GEMM-only: atomsweep's wasm kernels are not installed on the '${tf.getBackend()}' backend`);
    const shapeOf = (c: GemmCall, role: 'a' | 'b' | 'out'): number[] => {
      const K = c.stack ?? c.K;
      if (role === 'out') return [K, c.m, c.n];
      if (role === 'a') return c.transA ? [K, c.k, c.m] : [K, c.m, c.k];
      return c.transB ? [K, c.n, c.k] : [K, c.k, c.n];
    };
    const tensor = (name: string, shape: number[]) => {
      const have = this.tensors.get(name);
      if (have) {
        if (have.shape.join() !== shape.join()) throw new Error(`GEMM-only: operand ${name} used as [${have.shape}] and [${shape}]`);
        return have;
      }
      const t = name.startsWith('A') || name.startsWith('W') || name.startsWith('G') ? tf.randomUniform(shape, -1, 1, 'float32', 1) : tf.zeros(shape);
      this.tensors.set(name, t);
      return t;
    };
    // A call on one network of a stack reads and writes that network's slice.
    const at = (t: tf.Tensor, c: GemmCall) => networkOffset(tf.backend(), t, c.net ?? 0);
    this.offsets = calls.map((c) => ({ a: at(tensor(c.a, shapeOf(c, 'a')), c), b: at(tensor(c.b, shapeOf(c, 'b')), c), out: at(tensor(c.out, shapeOf(c, 'out')), c) }));
  }

  /** `reps` times all of one step's products, in order. */
  run(reps: number): GemmRun {
    const kernels = wasmKernelsFor(tf.backend());
    if (!kernels) throw new Error('GEMM-only: the kernels were uninstalled');
    const { calls, offsets } = this;
    const [t0, c0] = [performance.now(), cpuNow()];
    for (let r = 0; r < reps; r++) {
      for (let i = 0; i < calls.length; i++) {
        const c = calls[i];
        const o = offsets[i];
        kernels.gemm(o.a, o.b, 0, o.out, c.K, c.live, c.m, c.n, c.k, c.transA, c.transB, c.order);
      }
    }
    return { reps, ms: performance.now() - t0, cpuMs: cpuNow() - c0 };
  }

  /** A few warm runs, then the repetitions that take about targetMs. */
  calibrate(targetMs: number): number {
    this.run(2);
    const probe = this.run(3);
    const per = Math.max(probe.ms / 3, 1e-3);
    return Math.max(3, Math.min(1_000_000, Math.ceil(targetMs / per)));
  }

  dispose(): void {
    tf.dispose([...this.tensors.values()]);
    this.tensors.clear();
  }
}

type Shape = Pick<GemmCall, 'K' | 'live' | 'm' | 'n' | 'k' | 'transA' | 'transB' | 'order'>;

/**
 * The GEMM calls to time for one step of K = data.length networks of `shape`: the ones
 * trainPack makes in its second step (between the checkpoints after steps 0 and 1), or the
 * plan when the step made none (it no longer calls the pack GEMM: `source` 'plan'); and
 * `check`, 'matches' when the step's calls are the plan's, else what differs. Operands are
 * shared between calls as the plan shares them when the products are the plan's.
 */
export async function stepGemmCalls(shape: BenchShape, data: NetworkData[]): Promise<{ calls: GemmCall[]; check: string; source: 'traced' | 'plan' }> {
  const plan = stepGemms(shape, data.length);
  const kernels = wasmKernelsFor(tf.backend());
  if (!kernels) throw new Error(`GEMM-only: atomsweep's wasm kernels are not installed on the '${tf.getBackend()}' backend`);
  const original = kernels.gemm;
  const originalWhole = kernels.mlpStep;
  const seen: Shape[] = [];
  let wholeSteps = 0;
  let recording = false;
  kernels.gemm = (...args: Parameters<typeof original>) => {
    const [, , , , K, live, m, n, k, transA, transB, order] = args;
    if (recording) seen.push({ K, live, m, n, k, transA, transB, order });
    original.apply(kernels, args);
  };
  kernels.mlpStep = (...args: Parameters<typeof originalWhole>) => {
    if (recording) wholeSteps++;
    originalWhole.apply(kernels, args);
  };
  tf.engine().startScope();
  try {
    const { pack } = await trainPack({
      ...packSpec(shape, data.length, 3, data),
      checkpoints: [0, 1],
      onCheckpoint: (s: number) => {
        recording = s === 0;
      },
    });
    pack.dispose();
  } finally {
    kernels.gemm = original;
    kernels.mlpStep = originalWhole;
    tf.engine().endScope();
  }
  // Wide networks go through their whole step in one kernel call, in blocks of rows
  // (kernels/mlp-step.c): the same products, timed here layer by layer over all rows.
  if (!seen.length && wholeSteps === data.length) return { calls: plan, check: WHOLE_STEP, source: 'plan' };
  if (!seen.length) return { calls: plan, check: 'DIFFERS: the step made no pack-GEMM calls; timed the plan', source: 'plan' };
  const check =
    seen.map(key).join('|') === plan.map(key).join('|')
      ? 'matches'
      : `DIFFERS: the step made ${seen.length} GEMM calls [${seen.map(key).join('; ')}], the plan has ${plan.length} [${plan.map(key).join('; ')}]`;
  const sameProducts = seen.length === plan.length && seen.every((c, i) => product(c) === product(plan[i]));
  const calls = seen.map((c, i): GemmCall => {
    if (sameProducts) return { ...plan[i], ...c, path: c.order === 'xnnpack' ? 'per-network' : 'batched' };
    return { ...c, what: `call ${i + 1}`, path: c.order === 'xnnpack' ? 'per-network' : 'batched', a: `a${i}`, b: `b${i}`, out: `out${i}` };
  });
  return { calls, check, source: 'traced' };
}

/** stepGemmCalls' check when every network's step went through the whole-step kernel. */
export const WHOLE_STEP = 'whole step';

const product = (c: Shape) => `${c.m}×${c.n}×${c.k}${c.transA ? ' tA' : ''}${c.transB ? ' tB' : ''}`;
const key = (c: Shape) => `${c.live}/${c.K}×${product(c)} ${c.order}`;
