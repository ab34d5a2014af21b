import * as tf from '@tensorflow/tfjs-core';

export const LOSSES = [
  'cross_entropy',
  'mean_abs_error',
  'mean_squared_error',
  'mean_fourth_pow_error',
  'hinge_loss',
  'constant',
] as const;
export type LossName = (typeof LOSSES)[number];

/**
 * Per-network loss for logits and targets of shape [K, B, c]; returns [K].
 * Every loss acts on *raw logits* as in the notebook (no softmax before MSE/MAE/hinge).
 */
export function packLoss(name: LossName, logits: tf.Tensor3D, targets: tf.Tensor3D): tf.Tensor1D {
  const axes = [1, 2];
  switch (name) {
    case 'cross_entropy':
      // softmax_cross_entropy_with_logits, averaged over the batch.
      return tf.neg(tf.mean(tf.sum(tf.mul(targets, tf.logSoftmax(logits)), 2), 1)) as tf.Tensor1D;
    case 'mean_squared_error':
      return tf.mean(tf.square(tf.sub(logits, targets)), axes) as tf.Tensor1D;
    case 'mean_abs_error':
      return tf.mean(tf.abs(tf.sub(logits, targets)), axes) as tf.Tensor1D;
    case 'mean_fourth_pow_error':
      return tf.mean(tf.square(tf.square(tf.sub(logits, targets))), axes) as tf.Tensor1D;
    case 'hinge_loss': {
      // tf.losses.hinge_loss: labels → ±1, relu(1 − y±·logit), mean over all N×c entries.
      const signed = tf.sub(tf.mul(targets, 2), 1);
      return tf.mean(tf.relu(tf.sub(1, tf.mul(signed, logits))), axes) as tf.Tensor1D;
    }
    case 'constant':
      // The negative control: 0 × MSE has an all-zero gradient, so Adam never moves.
      return tf.mul(tf.mean(tf.square(tf.sub(logits, targets)), axes), 0) as tf.Tensor1D;
  }
}

/**
 * Accuracy per network: mean of argmax(logits) == argmax(one-hot). Ties go to the lower
 * index (class 0), like TF's argmax, which matters for zero/constant initialisation.
 */
export function packAccuracy(logits: tf.Tensor3D, targets: tf.Tensor3D): tf.Tensor1D {
  return tf.tidy(() => {
    const hit = tf.equal(tf.argMax(logits, 2), tf.argMax(targets, 2));
    return tf.mean(tf.cast(hit, 'float32'), 1) as tf.Tensor1D;
  });
}
