/**
 * The bench divides every engine's time by the hand-written reference loop, which is only
 * fair if the loop does the same work. These tests run it and the production engine
 * (trainPack on tfjs WASM) from the same initial weights, data and batch draws on the
 * bench's own four shapes and compare gradients, losses and the weights after several
 * Adam steps.
 */
import { beforeAll, describe, expect, test } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { useBackend } from './tf-node';
import { ReferenceMlp } from '../bench/reference-loop';
import { SHAPES, batchRng, macsPerStep, mlpSpec, networkData, packSpec, referenceSetup, type BenchShape } from '../bench/cases';
import { NetworkPack } from '../core/nn/model';
import { packLoss } from '../core/nn/losses';
import { AdamTF1 } from '../core/nn/adam';
import { trainPack } from '../core/train/train-pack';

/** ‖a − b‖ / ‖b‖ over a whole tensor. */
function relErr(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let num = 0;
  let den = 0;
  for (let i = 0; i < b.length; i++) {
    num += (a[i] - b[i]) ** 2;
    den += b[i] ** 2;
  }
  return Math.sqrt(num / Math.max(den, 1e-30));
}

/** The first step's gradients as trainPack computes them (same objective, same batch rows). */
function tfjsGradients(shape: BenchShape, initial: Float32Array[], x: Float32Array, y: Float32Array): Float32Array[] {
  const net = new NetworkPack(mlpSpec(shape), [initial]);
  const d = shape.sizes[0];
  const c = shape.sizes[shape.sizes.length - 1];
  const full = shape.batchSize >= shape.n;
  const B = full ? shape.n : shape.batchSize;
  const rows = full ? Int32Array.from({ length: B }, (_, i) => i) : batchRng(shape.id, 0).permutation(shape.n).slice(0, B);
  const grads = tf.tidy(() => {
    const xb = tf.gather(tf.tensor2d(x, [shape.n, d]), tf.tensor1d(rows, 'int32'));
    const yb = tf.gather(tf.tensor2d(y, [shape.n, c]), tf.tensor1d(rows, 'int32'));
    const { grads } = tf.variableGrads(
      () => tf.sum(packLoss(shape.loss, net.forward(tf.reshape(xb, [1, B, d])), tf.reshape(yb, [1, B, c]) as tf.Tensor3D)) as tf.Scalar,
      net.params,
    );
    return net.params.map((p) => grads[p.name]);
  });
  const out = grads.map((g) => g.dataSync() as Float32Array);
  tf.dispose(grads);
  net.dispose();
  return out;
}

beforeAll(async () => {
  await useBackend('wasm');
});

describe('reference loop = trainPack on the bench shapes', () => {
  test('TF1 Adam step sizes agree with core/nn/adam', () => {
    for (const t of [1, 2, 10, 1000]) expect(ReferenceMlp.stepSize(0.003, 0.9, 0.999, t)).toBe(AdamTF1.stepSize(0.003, 0.9, 0.999, t));
  });

  test('shapes are the ones the brief names, and their work counts are what the loops do', () => {
    expect(SHAPES.map((s) => `${s.sizes.join('-')} B=${Math.min(s.batchSize, s.n)} ${s.loss}`)).toEqual([
      '1-16-1 B=100 mean_squared_error',
      '12-100-100-2 B=64 cross_entropy',
      '6-200-200-200-2 B=64 cross_entropy',
      '2-100-100-2 B=2000 cross_entropy',
    ]);
    // 1-16-1 on 100 rows: forward 32 MACs/row, dW 32, dA 16 (no dA for the input layer).
    expect(macsPerStep(SHAPES[0])).toBe(100 * (32 + 32 + 16));
  });

  for (const shape of SHAPES) {
    test(`${shape.id} (${shape.sizes.join('-')}): first-step gradients match tfjs autodiff`, () => {
      const { spec, initial } = referenceSetup(shape, 0);
      const ref = new ReferenceMlp(spec, initial);
      const refLoss = ref.computeGradients(batchRng(shape.id, 0));
      const tfGrads = tfjsGradients(shape, initial, spec.x, spec.y);
      expect(tfGrads).toHaveLength(ref.grads.length);
      ref.grads.forEach((g, i) => {
        expect(g.length).toBe(tfGrads[i].length);
        // Every gradient tensor is non-trivial, so the comparison means something.
        expect(Math.max(...Array.from(g, Math.abs))).toBeGreaterThan(1e-6);
        expect(relErr(g, tfGrads[i]), `param ${i}`).toBeLessThan(1e-5);
      });
      expect(Number.isFinite(refLoss)).toBe(true);
    });

    test(`${shape.id} (${shape.sizes.join('-')}): weights after 4 Adam steps of a K=2 pack match, network by network`, async () => {
      const steps = 4;
      const K = 2;
      const data = [networkData(shape, 0), networkData(shape, 1)];
      const { finalLoss, pack } = await trainPack(packSpec(shape, K, steps, data));
      const trained = await pack.read();
      pack.dispose();
      for (let k = 0; k < K; k++) {
        const { spec, initial } = referenceSetup(shape, k, data[k]);
        const ref = new ReferenceMlp(spec, initial);
        const rng = batchRng(shape.id, k);
        const loss = ref.train(steps, rng);
        expect(Math.abs(loss - finalLoss[k]) / Math.abs(finalLoss[k])).toBeLessThan(1e-5);
        ref.params.forEach((p, i) => {
          // The weights moved (4 steps of ~lr each), and moved the same way in both.
          expect(relErr(p, initial[i])).toBeGreaterThan(1e-4);
          expect(relErr(p, trained[k][i]), `net ${k} param ${i}`).toBeLessThan(1e-5);
          let maxAbs = 0;
          for (let j = 0; j < p.length; j++) maxAbs = Math.max(maxAbs, Math.abs(p[j] - trained[k][i][j]));
          // Element-wise: far below one Adam step (≈ lr = 0.003), so no update went the other way.
          expect(maxAbs, `net ${k} param ${i}`).toBeLessThan(1e-4);
        });
      }
    });
  }
});
