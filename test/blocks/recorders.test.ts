/**
 * One definition of accuracy: the recorders' hits / rows (core/blocks/recorders.ts
 * accuracyOf), stored as float32 where a record asks (`float32: true`), is bit for bit the
 * float32 mean over rows that TF computes (core/nn/losses.ts packAccuracy), which the
 * notebook's experiments written in TypeScript store.
 */
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, test } from 'vitest';
import { accuracyOf } from '../../core/blocks/recorders';
import { packAccuracy } from '../../core/nn/losses';
import { Rng } from '../../core/rng';
import { useBackend } from '../tf-node';

describe('accuracy: the recorder and the tfjs kernel agree', () => {
  test.each([1, 7, 60, 300, 1200, 2289, 2601])('%i rows, every hit count, ties and two or three classes', async (rows) => {
    await useBackend('wasm');
    const rng = new Rng(rows);
    for (const classes of [2, 3]) {
      // One network per hit count 0 … rows (at most 64 networks): logits with exact ties too.
      const K = Math.min(rows + 1, 64);
      const logits = new Float32Array(K * rows * classes);
      const targets = new Float32Array(K * rows * classes);
      for (let k = 0; k < K; k++) {
        const hits = Math.round((k / (K - 1 || 1)) * rows);
        for (let i = 0; i < rows; i++) {
          const truth = rng.int(classes);
          targets[(k * rows + i) * classes + truth] = 1;
          const winner = i < hits ? truth : (truth + 1) % classes;
          for (let c = 0; c < classes; c++) logits[(k * rows + i) * classes + c] = c === winner ? 1 : rng.int(3) === 0 ? 1 : rng.uniform() - 2;
        }
      }
      const tfValues = tf.tidy(() => packAccuracy(tf.tensor3d(logits, [K, rows, classes]), tf.tensor3d(targets, [K, rows, classes])).dataSync());
      for (let k = 0; k < K; k++) {
        const per = rows * classes;
        const ours = Math.fround(accuracyOf(logits.subarray(k * per, (k + 1) * per), targets.subarray(k * per, (k + 1) * per), classes));
        expect(Object.is(ours, tfValues[k]), `rows ${rows}, classes ${classes}, network ${k}: ${ours} vs ${tfValues[k]}`).toBe(true);
      }
    }
  });
});
