import * as tf from '@tensorflow/tfjs-core';
import type { Activation } from './activation-scalar';
import { sigmoid } from './wasm-kernels';

// The names and the plain-number versions live in a tfjs-free module so the dashboard can
// draw activation shapes without bundling tfjs.
export { ACTIVATIONS, activateScalar, type Activation } from './activation-scalar';

/** Hidden-layer nonlinearities of the protocol. `sign` has a zero gradient, as in TF. */
export function activate(name: Activation, x: tf.Tensor): tf.Tensor {
  switch (name) {
    case 'sigmoid':
      return sigmoid(x);
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
