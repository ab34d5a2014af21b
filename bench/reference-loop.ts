/**
 * "The arithmetic alone": one network's training step as plain Float32Array loops, with no
 * tensor library, no kernel dispatch and no allocation per step. The bench divides every
 * engine's time by this one, so it must do exactly the work trainPack does for one network:
 *
 * - the same parameters in the same layout as `initialValues` (W0 [in×h0] row-major, b0,
 *   W1, b1, …), sigmoid/relu/tanh/identity hidden layers and a linear output;
 * - the same batches: a fresh `rng.permutation(n)` each step, first B rows (the whole set,
 *   unshuffled, when B ≥ n), i.e. trainPack's `random_batch`;
 * - the same losses on raw logits: softmax cross-entropy averaged over the batch, or MSE
 *   averaged over all B×c entries;
 * - TF1 Adam: lr_t = lr·sqrt(1−β2^t)/(1−β1^t) in float32, θ ← θ − lr_t·m/(sqrt(v)+ε).
 *
 * It is deliberately straightforward (i-k-j loop order so the inner loop walks rows, no
 * unrolling or SIMD); test/bench-reference.test.ts checks it against trainPack.
 */
import type { Rng } from '../core/rng';

export type RefActivation = 'sigmoid' | 'relu' | 'tanh' | 'identity';
export type RefLoss = 'cross_entropy' | 'mean_squared_error';

export interface ReferenceSpec {
  sizes: number[]; // [input, ...hidden, output]
  activation: RefActivation;
  loss: RefLoss;
  lr: number;
  /** Mini-batch size; B ≥ n means the whole set every step. */
  batchSize: number;
  n: number;
  x: Float32Array; // n×d row-major
  y: Float32Array; // n×c row-major (one-hot for cross-entropy)
  beta1?: number;
  beta2?: number;
  epsilon?: number;
}

export class ReferenceMlp {
  readonly params: Float32Array[];
  readonly grads: Float32Array[];
  private readonly m: Float32Array[];
  private readonly v: Float32Array[];
  /** Post-activation outputs per layer (acts[0] = the batch input), B×width. */
  private readonly acts: Float32Array[];
  /** Gradient of the loss w.r.t. each layer's pre-activation, B×width. */
  private readonly deltas: Float32Array[];
  private readonly xb: Float32Array;
  private readonly yb: Float32Array;
  private readonly B: number;
  private readonly fullBatch: boolean;
  private t = 0;
  readonly beta1: number;
  readonly beta2: number;
  readonly epsilon: number;
  /** Loss of the last step, computed before its update (as trainPack's finalLoss). */
  lastLoss = NaN;

  constructor(
    readonly spec: ReferenceSpec,
    initial: Float32Array[],
  ) {
    const L = spec.sizes.length - 1;
    if (initial.length !== 2 * L) throw new Error(`expected ${2 * L} parameter arrays, got ${initial.length}`);
    this.params = initial.map((p) => Float32Array.from(p));
    this.grads = initial.map((p) => new Float32Array(p.length));
    this.m = initial.map((p) => new Float32Array(p.length));
    this.v = initial.map((p) => new Float32Array(p.length));
    this.fullBatch = spec.batchSize >= spec.n;
    this.B = this.fullBatch ? spec.n : spec.batchSize;
    this.acts = spec.sizes.map((w) => new Float32Array(this.B * w));
    this.deltas = spec.sizes.map((w) => new Float32Array(this.B * w));
    this.xb = this.acts[0];
    this.yb = new Float32Array(this.B * spec.sizes[L]);
    this.beta1 = spec.beta1 ?? 0.9;
    this.beta2 = spec.beta2 ?? 0.999;
    this.epsilon = spec.epsilon ?? 1e-8;
  }

  /** TF1's bias-corrected step size for update t (1-based), rounded like float32 accumulators. */
  static stepSize(lr: number, beta1: number, beta2: number, t: number): number {
    const f = Math.fround;
    return f((f(lr) * f(Math.sqrt(f(1 - f(Math.pow(beta2, t)))))) / f(1 - f(Math.pow(beta1, t))));
  }

  /** Copies the step's batch rows into xb/yb. */
  private loadBatch(rng: Rng): void {
    const { sizes, n, x, y } = this.spec;
    const d = sizes[0];
    const c = sizes[sizes.length - 1];
    if (this.fullBatch) {
      this.xb.set(x.subarray(0, n * d));
      this.yb.set(y.subarray(0, n * c));
      return;
    }
    const perm = rng.permutation(n);
    for (let i = 0; i < this.B; i++) {
      const r = perm[i];
      this.xb.set(x.subarray(r * d, (r + 1) * d), i * d);
      this.yb.set(y.subarray(r * c, (r + 1) * c), i * c);
    }
  }

  /** Forward pass into `acts`; returns the logits buffer (B×c). */
  forward(): Float32Array {
    const { sizes, activation } = this.spec;
    const L = sizes.length - 1;
    const B = this.B;
    for (let l = 0; l < L; l++) {
      const nin = sizes[l];
      const nout = sizes[l + 1];
      const a = this.acts[l];
      const z = this.acts[l + 1];
      const W = this.params[2 * l];
      const b = this.params[2 * l + 1];
      for (let r = 0; r < B; r++) {
        const zo = r * nout;
        for (let j = 0; j < nout; j++) z[zo + j] = b[j];
        for (let i = 0; i < nin; i++) {
          const ai = a[r * nin + i];
          const wo = i * nout;
          for (let j = 0; j < nout; j++) z[zo + j] += ai * W[wo + j];
        }
      }
      if (l + 1 < L) applyActivation(activation, z);
    }
    return this.acts[L];
  }

  /** Loss of the current logits and its gradient w.r.t. them (into deltas[L]). */
  private lossAndOutputDelta(): number {
    const { sizes, loss } = this.spec;
    const L = sizes.length - 1;
    const c = sizes[L];
    const B = this.B;
    const logits = this.acts[L];
    const dz = this.deltas[L];
    const y = this.yb;
    let total = 0;
    if (loss === 'cross_entropy') {
      for (let r = 0; r < B; r++) {
        const o = r * c;
        let max = -Infinity;
        for (let j = 0; j < c; j++) max = Math.max(max, logits[o + j]);
        let sum = 0;
        for (let j = 0; j < c; j++) sum += Math.exp(logits[o + j] - max);
        const logSum = Math.log(sum) + max;
        let ySum = 0;
        for (let j = 0; j < c; j++) {
          total -= y[o + j] * (logits[o + j] - logSum);
          ySum += y[o + j];
        }
        // d/dz of −Σ y·logsoftmax(z) = softmax(z)·Σy − y, then /B for the batch mean.
        for (let j = 0; j < c; j++) dz[o + j] = (Math.exp(logits[o + j] - logSum) * ySum - y[o + j]) / B;
      }
      return total / B;
    }
    const N = B * c;
    for (let i = 0; i < N; i++) {
      const e = logits[i] - y[i];
      total += e * e;
      dz[i] = (2 * e) / N;
    }
    return total / N;
  }

  /** Backward pass: fills `grads` from deltas[L]. */
  private backward(): void {
    const { sizes, activation } = this.spec;
    const L = sizes.length - 1;
    const B = this.B;
    for (let l = L - 1; l >= 0; l--) {
      const nin = sizes[l];
      const nout = sizes[l + 1];
      const a = this.acts[l];
      const dz = this.deltas[l + 1];
      const W = this.params[2 * l];
      const dW = this.grads[2 * l];
      const db = this.grads[2 * l + 1];
      dW.fill(0);
      db.fill(0);
      for (let r = 0; r < B; r++) {
        const zo = r * nout;
        for (let j = 0; j < nout; j++) db[j] += dz[zo + j];
        for (let i = 0; i < nin; i++) {
          const ai = a[r * nin + i];
          const wo = i * nout;
          for (let j = 0; j < nout; j++) dW[wo + j] += ai * dz[zo + j];
        }
      }
      if (l === 0) break; // no gradient w.r.t. the input
      const da = this.deltas[l];
      for (let r = 0; r < B; r++) {
        const zo = r * nout;
        for (let i = 0; i < nin; i++) {
          const wo = i * nout;
          let s = 0;
          for (let j = 0; j < nout; j++) s += dz[zo + j] * W[wo + j];
          da[r * nin + i] = s * activationDerivative(activation, a[r * nin + i]);
        }
      }
    }
  }

  /** Forward + backward on this step's batch; returns the loss (before any update). */
  computeGradients(batchRng: Rng): number {
    this.loadBatch(batchRng);
    this.forward();
    const loss = this.lossAndOutputDelta();
    this.backward();
    return loss;
  }

  /** TF1 Adam on the current gradients. */
  applyAdam(): void {
    this.t += 1;
    const { beta1, beta2, epsilon } = this;
    const lrT = ReferenceMlp.stepSize(this.spec.lr, beta1, beta2, this.t);
    for (let p = 0; p < this.params.length; p++) {
      const th = this.params[p];
      const g = this.grads[p];
      const m = this.m[p];
      const v = this.v[p];
      for (let i = 0; i < th.length; i++) {
        const gi = g[i];
        m[i] = beta1 * m[i] + (1 - beta1) * gi;
        v[i] = beta2 * v[i] + (1 - beta2) * gi * gi;
        th[i] -= (lrT * m[i]) / (Math.sqrt(v[i]) + epsilon);
      }
    }
  }

  /** One training step: batch, forward, loss, backward, Adam. */
  step(batchRng: Rng): number {
    this.lastLoss = this.computeGradients(batchRng);
    this.applyAdam();
    return this.lastLoss;
  }

  train(steps: number, batchRng: Rng): number {
    for (let s = 0; s < steps; s++) this.step(batchRng);
    return this.lastLoss;
  }

  get batch(): number {
    return this.B;
  }
}

function applyActivation(name: RefActivation, z: Float32Array): void {
  switch (name) {
    case 'sigmoid':
      for (let i = 0; i < z.length; i++) z[i] = 1 / (1 + Math.exp(-z[i]));
      return;
    case 'relu':
      for (let i = 0; i < z.length; i++) z[i] = z[i] > 0 ? z[i] : 0;
      return;
    case 'tanh':
      for (let i = 0; i < z.length; i++) z[i] = Math.tanh(z[i]);
      return;
    case 'identity':
      return;
  }
}

/** Derivative expressed through the activation's output a = f(z). */
function activationDerivative(name: RefActivation, a: number): number {
  switch (name) {
    case 'sigmoid':
      return a * (1 - a);
    case 'relu':
      return a > 0 ? 1 : 0;
    case 'tanh':
      return 1 - a * a;
    case 'identity':
      return 1;
  }
}
