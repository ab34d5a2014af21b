/**
 * One definition of accuracy: the recorders' hits / rows (core/blocks/recorders.ts
 * accuracyOf), stored as float32 where a record asks (`float32: true`), is bit for bit the
 * float32 mean over rows that TF computes (core/nn/losses.ts packAccuracy), which the
 * notebook's experiments written in TypeScript store.
 */
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, test } from 'vitest';
import { accuracyOf, itemScalars, predictionSeries, storedName } from '../../core/blocks/recorders';
import { makeTable } from '../../core/data/dataset';
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

describe('stored names and the predictions series', () => {
  test("'as' renames a metric's values; predictions store x (float64 where kept), y_true and y_pred over the row index", () => {
    expect(storedName({ metric: 'loss', as: 'mse' })).toBe('mse');
    expect(storedName({ metric: 'train_loss' })).toBe('train_loss');
    expect(itemScalars({ metric: 'loss', as: 'mse' })).toEqual(['mse']);
    expect(itemScalars({ metric: 'predictions' })).toEqual([]);
    const train = makeTable(3, 1);
    train.x.set([0.1, 0.2, 0.3]);
    const series = predictionSeries(train, Float32Array.from([1, 2, 3]), Float32Array.from([1.5, 2.5, 3.5]));
    expect(series.x).toEqual({ steps: [0, 1, 2], values: Array.from(Float32Array.from([0.1, 0.2, 0.3])) });
    expect(series.y_true.values).toEqual([1, 2, 3]);
    expect(series.y_pred.values).toEqual([1.5, 2.5, 3.5]);
    train.x64 = Float64Array.from([0.1, 0.2, 0.3]);
    expect(predictionSeries(train, train.labels, train.labels).x.values).toEqual([0.1, 0.2, 0.3]);
  });
});
