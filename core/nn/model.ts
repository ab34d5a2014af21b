import * as tf from '@tensorflow/tfjs-core';
import type { Rng } from '../rng';
import { activate, type Activation } from './activations';
import { initParameter, type Initializer } from './initializers';
import { matMulPath, packMatMul, type MatMulPath, type MatMulPathOption } from './matmul';

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

export type ModelSpec = MlpSpec | SharedSpec;

export interface ParamShape {
  name: string;
  shape: number[];
  isWeight: boolean;
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
  const sizes = [spec.input, ...spec.hidden, spec.output];
  const shapes: ParamShape[] = [];
  for (let l = 0; l + 1 < sizes.length; l++) {
    shapes.push({ name: `W${l}`, shape: [sizes[l], sizes[l + 1]], isWeight: true });
    shapes.push({ name: `b${l}`, shape: [sizes[l + 1]], isWeight: false });
  }
  return shapes;
}

/** Number of trainable scalars of one network (what the notebook counts before Adam's slots exist). */
export function parameterCount(spec: ModelSpec): number {
  return parameterShapes(spec).reduce((s, p) => s + p.shape.reduce((a, b) => a * b, 1), 0);
}

/**
 * Initial values of one network. Exp 2's shared net uses TF's get_variable default
 * (glorot-uniform) for all six variables, biases included.
 */
export function initialValues(spec: ModelSpec, rng: Rng): Float32Array[] {
  const init: Initializer = spec.kind === 'mlp' ? spec.initializer : 'xavier';
  const std = spec.kind === 'mlp' ? spec.normalHighStd : undefined;
  return parameterShapes(spec).map((p) => initParameter(init, p.shape, rng, std));
}

export interface NetworkPackOptions {
  /**
   * How each layer's matMul runs (see core/nn/matmul.ts): 'auto' (default) picks per layer
   * from one network's shape; 'batched' or 'per-network' force a path (for tests).
   */
  matMulPath?: MatMulPathOption;
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

  private readonly matMulOption: MatMulPathOption;

  constructor(
    readonly spec: ModelSpec,
    perTrialValues: Float32Array[][],
    trials = perTrialValues.length,
    options: NetworkPackOptions = {},
  ) {
    this.trials = trials;
    this.matMulOption = options.matMulPath ?? 'auto';
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
  }

  /** Networks in the stacked tensors, shadow twin included. */
  get size(): number {
    return this.params[0].shape[0];
  }

  /** Logits [K, B, out] for inputs [K, B, in]. */
  forward(x: tf.Tensor3D): tf.Tensor3D {
    const p = this.params;
    if (this.spec.kind === 'shared') {
      const act = this.spec.activation;
      let a = activate(act, tf.add(this.matMul(x, p[0]), p[1])) as tf.Tensor3D;
      for (let l = 0; l < this.spec.depth; l++) {
        a = activate(act, tf.add(this.matMul(a, p[2]), p[3])) as tf.Tensor3D;
      }
      return tf.add(this.matMul(a, p[4]), p[5]) as tf.Tensor3D;
    }
    let a: tf.Tensor3D = x;
    const layers = p.length / 2;
    for (let l = 0; l < layers; l++) {
      const z = tf.add(this.matMul(a, p[2 * l]), p[2 * l + 1]) as tf.Tensor3D;
      a = l + 1 < layers ? (activate(this.spec.activation, z) as tf.Tensor3D) : z;
    }
    return a;
  }

  /**
   * The path each weight matrix's matMul takes for inputs of `rows` rows per network, in
   * the order of weightVariables() (the shared net's w_shared once, though applied `depth`
   * times).
   */
  matMulPaths(rows: number): MatMulPath[] {
    return this.weightVariables().map((w) => matMulPath(rows, w.shape[1]!, w.shape[2]!, this.matMulOption));
  }

  /**
   * a [K, rows, in] · w [K, in, out]. The per-network path computes only the real trials
   * (a shadow twin's slots come out as zeros), so a lone trial pays for one network there.
   */
  private matMul(a: tf.Tensor3D, w: tf.Variable): tf.Tensor3D {
    const [, rows, inner] = a.shape;
    const path = matMulPath(rows, inner, w.shape[2]!, this.matMulOption);
    return packMatMul(a, w as tf.Tensor3D, path, this.trials);
  }

  /** The weight matrices (biases excluded), as the notebook's `return_weight_tensors`. */
  weightVariables(): tf.Variable[] {
    return this.params.filter((_, i) => this.shapes[i].isWeight);
  }

  /** Per-trial values of every parameter: result[k][paramIndex], for the real trials only. */
  async read(): Promise<Float32Array[][]> {
    const K = this.size;
    const out: Float32Array[][] = Array.from({ length: this.trials }, () => []);
    for (const v of this.params) {
      const data = (await v.data()) as Float32Array;
      const per = data.length / K;
      for (let k = 0; k < this.trials; k++) out[k].push(data.slice(k * per, (k + 1) * per));
    }
    return out;
  }

  dispose(): void {
    this.params.forEach((v) => v.dispose());
  }
}
