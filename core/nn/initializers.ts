import type { Rng } from '../rng';

export const INITIALIZERS = ['xavier', 'zeros', 'ones', 'normal_low', 'normal_high'] as const;
export type Initializer = (typeof INITIALIZERS)[number];

/**
 * Fills a parameter of the given per-trial shape. As in the notebook, the same
 * initializer is used for weights *and* biases: Glorot-uniform on a 1-D bias of size n
 * uses fan_in = fan_out = n, i.e. bound sqrt(3/n).
 */
export function initParameter(init: Initializer, shape: number[], rng: Rng, normalHighStd = 1): Float32Array {
  const size = shape.reduce((a, b) => a * b, 1);
  const out = new Float32Array(size);
  switch (init) {
    case 'xavier': {
      const [fanIn, fanOut] = shape.length === 1 ? [shape[0], shape[0]] : [shape[0], shape[1]];
      const bound = Math.sqrt(6 / (fanIn + fanOut));
      for (let i = 0; i < size; i++) out[i] = (2 * rng.uniform() - 1) * bound;
      return out;
    }
    case 'zeros':
      return out;
    case 'ones':
      return out.fill(1);
    case 'normal_low':
      for (let i = 0; i < size; i++) out[i] = 0.01 * rng.normal();
      return out;
    case 'normal_high':
      for (let i = 0; i < size; i++) out[i] = normalHighStd * rng.normal();
      return out;
  }
}
