import * as tf from '@tensorflow/tfjs-core';
import { adamStep, heapOffset, networkOffset, soleHolder, wasmKernelsFor, type AdamScalars } from './wasm-kernels';

export interface AdamOptions {
  lr: number;
  beta1?: number;
  beta2?: number;
  epsilon?: number;
}

/**
 * Adam with TensorFlow 1's update (`tf.train.AdamOptimizer`), which differs from tfjs's
 * own in where ε sits: the bias correction is folded into the step size,
 * lr_t = lr·sqrt(1−β2^t)/(1−β1^t), then θ ← θ − lr_t·m/(sqrt(v)+ε).
 * Elementwise, so it serves a stacked pack of networks unchanged.
 */
export class AdamTF1 {
  readonly beta1: number;
  readonly beta2: number;
  readonly epsilon: number;
  private readonly m: tf.Variable[];
  private readonly v: tf.Variable[];
  private t = 0;

  constructor(
    private readonly vars: tf.Variable[],
    private readonly options: AdamOptions,
  ) {
    this.beta1 = options.beta1 ?? 0.9;
    this.beta2 = options.beta2 ?? 0.999;
    this.epsilon = options.epsilon ?? 1e-8;
    // tf.variable copies its initial value: build it inside tidy so the zeros are freed (they leaked one tensor per slot).
    this.m = vars.map((v) => tf.tidy(() => tf.variable(tf.zerosLike(v), false)));
    this.v = vars.map((v) => tf.tidy(() => tf.variable(tf.zerosLike(v), false)));
  }

  /** The step size of update number t (1-based), computed in float32 like TF's power accumulators. */
  static stepSize(lr: number, beta1: number, beta2: number, t: number): number {
    const f = Math.fround;
    return f((f(lr) * f(Math.sqrt(f(1 - f(Math.pow(beta2, t)))))) / f(1 - f(Math.pow(beta1, t))));
  }

  apply(grads: tf.Tensor[]): void {
    this.t += 1;
    const lrT = AdamTF1.stepSize(this.options.lr, this.beta1, this.beta2, this.t);
    adamUpdate(this.vars, this.m, this.v, grads, lrT, this);
  }

  /**
   * The next update applied network by network, for a pack whose networks are trained one
   * at a time (core/nn/mlp-step.ts): returns update(k) to call once for each network k of
   * the pack's K (stacked on the leading axis), or undefined where that is not possible
   * (no wasm kernels, or a parameter's data shared, so not updatable in place; then use
   * apply()). The values are apply()'s: the update is elementwise.
   */
  perNetwork(grads: tf.Tensor[]): ((k: number) => void) | undefined {
    const backend = tf.backend();
    const kernels = wasmKernelsFor(backend);
    const tensors = [...this.vars, ...this.m, ...this.v];
    if (!kernels || !tensors.every((t) => soleHolder(backend, t))) return undefined;
    this.t += 1;
    const s = adamScalars(AdamTF1.stepSize(this.options.lr, this.beta1, this.beta2, this.t), this);
    const at = (t: tf.Tensor, k: number) => networkOffset(backend, t, k);
    return (k) => {
      this.vars.forEach((p, i) => {
        const [m, v, g] = [this.m[i], this.v[i], grads[i]];
        kernels.adam(at(p, k), at(m, k), at(v, k), at(g, k), at(p, k), at(m, k), at(v, k), p.size / p.shape[0], s);
      });
    };
  }

  get steps(): number {
    return this.t;
  }

  dispose(): void {
    this.m.forEach((x) => x.dispose());
    this.v.forEach((x) => x.dispose());
  }
}

/** The update's scalars as the float32 values tfjs makes of the JS numbers. */
function adamScalars(lrT: number, o: { beta1: number; beta2: number; epsilon: number }): AdamScalars {
  const f = Math.fround;
  return { beta1: f(o.beta1), oneMinusBeta1: f(1 - o.beta1), beta2: f(o.beta2), oneMinusBeta2: f(1 - o.beta2), lrT: f(lrT), epsilon: f(o.epsilon) };
}

/**
 * One Adam update in the ε-hat form, θ ← θ − lr_t·m/(sqrt(v)+ε), of every parameter in
 * place: TF1's (AdamTF1 above) and scikit-learn's (core/classical/sklearn-mlp.ts) differ
 * only in how lr_t is computed. With atomsweep's wasm kernels it is one kernel per
 * parameter (core/nn/wasm-kernels.ts) fed the float32 scalars the tensor ops below make of
 * the same JS numbers, so both give the same bits.
 */
export function adamUpdate(
  params: tf.Variable[],
  ms: tf.Variable[],
  vs: tf.Variable[],
  grads: tf.Tensor[],
  lrT: number,
  o: { beta1: number; beta2: number; epsilon: number },
): void {
  const backend = tf.backend();
  const kernels = wasmKernelsFor(backend);
  if (kernels) {
    const scalars = adamScalars(lrT, o);
    params.forEach((p, i) => {
      // In place, with no tfjs dispatch, where nothing else shares the three tensors' data
      // (each element is read before it is written, so the values are the same): a step of a
      // small network is otherwise mostly the dispatch of these updates. (A parameter keeps
      // its tensor id across the update; tfjs-wasm's XNNPACK products cache packed weights
      // by id, but with these kernels installed no product goes there: core/nn/matmul.ts.)
      if ([p, ms[i], vs[i]].every((t) => soleHolder(backend, t))) {
        const at = (t: tf.Tensor) => heapOffset(backend, t);
        kernels.adam(at(p), at(ms[i]), at(vs[i]), at(grads[i]), at(p), at(ms[i]), at(vs[i]), p.size, scalars);
        return;
      }
      const [next, m, v] = adamStep(p, ms[i], vs[i], grads[i], scalars);
      ms[i].assign(m);
      vs[i].assign(v);
      p.assign(next);
      tf.dispose([next, m, v]);
    });
    return;
  }
  tf.tidy(() => {
    params.forEach((p, i) => {
      const g = grads[i];
      const m = tf.add(tf.mul(ms[i], o.beta1), tf.mul(g, 1 - o.beta1));
      const v = tf.add(tf.mul(vs[i], o.beta2), tf.mul(tf.square(g), 1 - o.beta2));
      ms[i].assign(m);
      vs[i].assign(v);
      p.assign(tf.sub(p, tf.mul(lrT, tf.div(m, tf.add(tf.sqrt(v), o.epsilon)))));
    });
  });
}
