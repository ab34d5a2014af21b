import * as tf from '@tensorflow/tfjs-core';

export const ACTIVATIONS = ['sigmoid', 'relu', 'tanh', 'square', 'sin', 'sign', 'identity'] as const;
export type Activation = (typeof ACTIVATIONS)[number];

/** Hidden-layer nonlinearities of the protocol. `sign` has a zero gradient, as in TF. */
export function activate(name: Activation, x: tf.Tensor): tf.Tensor {
  switch (name) {
    case 'sigmoid':
      return tf.sigmoid(x);
    case 'relu':
      return tf.relu(x);
    case 'tanh':
      return tf.tanh(x);
    case 'square':
      return tf.square(x);
    case 'sin':
      return tf.sin(x);
    case 'sign':
      return tf.sign(x);
    case 'identity':
      return x;
  }
}

/** The same functions on plain numbers, for plotting activation shapes and for tests. */
export function activateScalar(name: Activation, x: number): number {
  switch (name) {
    case 'sigmoid':
      return 1 / (1 + Math.exp(-x));
    case 'relu':
      return Math.max(0, x);
    case 'tanh':
      return Math.tanh(x);
    case 'square':
      return x * x;
    case 'sin':
      return Math.sin(x);
    case 'sign':
      return Math.sign(x);
    case 'identity':
      return x;
  }
}
