import { describe, expect, test } from 'vitest';
import { repeatStream, trialStream } from '../../core/experiments/common';
import { drawMixture } from '../../core/data/gaussian-mixture';
import { exp12, modelFor, penalty } from '../../core/experiments/exp12-regularisation';
import type { TrialSpec } from '../../core/experiments/types';
import { initialValues, parameterCount, parameterShapes } from '../../core/nn/model';
import { streamFor } from '../../core/rng';
import { oneHot, trainPack } from '../../core/train/train-pack';
import { exp12Figure } from '../../dashboard/figures/exp12';
import { formattedSvg, renderFigure } from '../helpers/render';
import { runSweep } from '../helpers/sweep';
import { useBackend } from '../tf-node';

type P = ReturnType<typeof exp12.params.parse>;

function trial(params: Partial<P>, configKey: string, repeat = 0): TrialSpec<P> {
  return { id: `t.${configKey}.${repeat}`, sweepId: 't', experiment: 'exp12', configKey, repeat, seed: 3, params: exp12.params.parse(params) };
}

const sigmoid = (z: number) => 1 / (1 + Math.exp(-z));

/** The MLP forward pass by hand (sigmoid hidden layers, linear output). */
function forward(values: Float32Array[], sizes: number[], x: Float32Array, n: number): Float64Array[] {
  const out: Float64Array[] = [];
  for (let r = 0; r < n; r++) {
    let a = Float64Array.from(x.subarray(r * sizes[0], (r + 1) * sizes[0]));
    for (let l = 0; l + 1 < sizes.length; l++) {
      const [W, b] = [values[2 * l], values[2 * l + 1]];
      const z = new Float64Array(sizes[l + 1]);
      for (let j = 0; j < sizes[l + 1]; j++) {
        let s = b[j];
        for (let i = 0; i < sizes[l]; i++) s += a[i] * W[i * sizes[l + 1] + j];
        z[j] = l + 2 < sizes.length ? sigmoid(s) : s;
      }
      a = z;
    }
    out.push(a);
  }
  return out;
}

describe('exp12 protocol', () => {
  test('defaults: 12→(50,50)→2 sigmoid/Xavier, MSE, Adam 0.003, 750 steps, batch 64; grid [l1, l2] × [0, 0.1, 1]', () => {
    const p = exp12.params.parse({});
    expect(p).toMatchObject({ d: 12, class_seps: 'inverse', n: 500, test_size: 0.2, n_hidden: [50, 50], loss: 'mean_squared_error', lr: 0.003, steps: 750, batch_size: 64, store_every: 2, tracked: 50, sparsity_threshold: 1e-3, paired: false });
    expect(exp12.grid).toEqual({ regularization: ['l1', 'l2'], strength: [0, 0.1, 1] });
    expect(exp12.repeats).toBeGreaterThanOrEqual(5);
    expect(parameterCount(modelFor(p))).toBe(12 * 50 + 50 + 50 * 50 + 50 + 50 * 2 + 2);
    expect(() => exp12.params.parse({ regularization: 'elastic' })).toThrow();
  });

  test.each(['l1', 'l2'] as const)('trainPack optimises MSE on logits + strength × Σ_j R(W_j) with %s, biases excluded', async (type) => {
    await useBackend('wasm');
    const p = exp12.params.parse({ n: 60 });
    const spec = modelFor(p);
    const m = drawMixture(streamFor(5, 'data'), p);
    const y = oneHot(m.train.labels);
    const strength = 0.7;
    // One full-batch step: finalLoss is the objective at the initial weights (before the update).
    const { finalLoss, pack } = await trainPack({
      model: spec,
      initRngs: [streamFor(5, 'init'), streamFor(6, 'init')],
      batchRngs: [streamFor(5, 'batch'), streamFor(6, 'batch')],
      trainX: [m.train.x, m.train.x],
      trainY: [y, y],
      n: m.train.n,
      loss: 'mean_squared_error',
      lr: p.lr,
      steps: 1,
      batchSize: m.train.n,
      regularization: { type, strength },
    });
    pack.dispose();
    [5, 6].forEach((seed, k) => {
      const values = initialValues(spec, streamFor(seed, 'init'));
      const logits = forward(values, [12, 50, 50, 2], m.train.x, m.train.n);
      let mse = 0;
      logits.forEach((row, r) => row.forEach((v, c) => (mse += (v - y[r * 2 + c]) ** 2)));
      mse /= m.train.n * 2;
      const weights = values.filter((_, i) => parameterShapes(spec)[i].isWeight);
      expect(weights.map((w) => w.length)).toEqual([600, 2500, 100]);
      const reg = penalty(weights, type, strength);
      const mean = (w: Float32Array, f: (v: number) => number) => w.reduce((s, v) => s + f(v), 0) / w.length;
      const byHand = strength * weights.reduce((s, w) => s + mean(w, type === 'l2' ? (v) => v * v : Math.abs), 0);
      expect(reg).toBeCloseTo(byHand, 10);
      expect(reg).toBeGreaterThan(0.01);
      expect(finalLoss[k]).toBeCloseTo(mse + reg, 4);
      // Penalising biases too would change the objective by more than the tolerance.
      const withBiases = penalty(values, type, strength);
      expect(Math.abs(finalLoss[k] - (mse + withBiases))).toBeGreaterThan(1e-3);
    });
  }, 30_000);

  test('strength 0 gives identical results for L1 and L2 (the penalty is multiplied by 0)', async () => {
    await useBackend('wasm');
    const small = { steps: 20, tracked: 5 };
    // Same seed, config key and repeat: the same streams, only the regulariser type differs.
    const [a] = await exp12.runPack([trial({ ...small, regularization: 'l1', strength: 0 }, 'cell')], {});
    const [b] = await exp12.runPack([trial({ ...small, regularization: 'l2', strength: 0 }, 'cell')], {});
    expect(b.scalars).toEqual(a.scalars);
    expect(b.series).toEqual(a.series);
    expect(b.traces).toEqual(a.traces);
    // …while a non-zero strength does change the weights.
    const [c] = await exp12.runPack([trial({ ...small, regularization: 'l1', strength: 1 }, 'cell')], {});
    expect(c.traces!.weights_layer0.values).not.toEqual(a.traces!.weights_layer0.values);
    expect(c.scalars.mean_abs_weight).toBeLessThan(a.scalars.mean_abs_weight);
  }, 30_000);

  test('a new dataset for every run (per-trial stream), or one per repeat when paired', () => {
    const p = exp12.params.parse({});
    const t1 = trial({ regularization: 'l1', strength: 0 }, 'regularization=l1,strength=0');
    const t2 = trial({ regularization: 'l2', strength: 0 }, 'regularization=l2,strength=0');
    const x = (t: TrialSpec<P>, paired: boolean) => drawMixture(paired ? repeatStream(t, 'data') : trialStream(t, 'data'), p).train.x;
    expect(x(t1, false)).not.toEqual(x(t2, false));
    expect(x(t1, true)).toEqual(x(t2, true));
  });

  test('paired configs of one repeat differ only in the regulariser: L1 and L2 at strength 0 coincide', async () => {
    await useBackend('wasm');
    const small = { steps: 10, tracked: 5, paired: true };
    const [a] = await exp12.runPack([trial({ ...small, regularization: 'l1', strength: 0 }, 'regularization=l1,strength=0')], {});
    const [b] = await exp12.runPack([trial({ ...small, regularization: 'l2', strength: 0 }, 'regularization=l2,strength=0')], {});
    expect(b.traces).toEqual(a.traces);
    expect(b.scalars).toEqual(a.scalars);
  }, 30_000);
});

describe('exp12 sweep and figure', () => {
  test('a small real sweep over the notebook grid trains, aggregates and renders the 4×3 grid', async () => {
    const { figureData } = await runSweep({ experiment: 'exp12', repeats: 2, params: { steps: 60, tracked: 5 } }, { trialMetrics: exp12Figure.trialMetrics });
    const agg = figureData.aggregate;
    const final = (metric: string) => agg.filter((r) => r.metric === metric && r.step === null);
    expect(final('test_accuracy')).toHaveLength(6);
    for (const r of final('test_accuracy')) expect(r.n).toBe(2);
    for (const metric of ['sparsity_layer0', 'sparsity_layer1', 'sparsity_layer2', 'mean_abs_weight_layer0', 'mean_abs_weight_layer2']) expect(final(metric)).toHaveLength(6);
    // 30 snapshots at steps 0, 2, …, 58 per config.
    const curve = agg.filter((r) => r.metric === 'test_accuracy' && r.step !== null && r.config === 'regularization=l1,strength=1');
    expect(curve.map((r) => r.step)).toEqual(Array.from({ length: 30 }, (_, i) => 2 * i));
    // It learns (chance 0.5, 100 test rows): every config's final test accuracy is ≥ 0.03 above
    // its step 0, after the first update (+0.065 to +0.15), and the six average ≥ 0.58 (0.62).
    const step0 = (config: string) => agg.find((r) => r.metric === 'test_accuracy' && r.step === 0 && r.config === config)!.mean;
    for (const r of final('test_accuracy')) expect(r.mean - step0(r.config), r.config).toBeGreaterThanOrEqual(0.03);
    expect(final('test_accuracy').reduce((s, r) => s + r.mean, 0) / 6).toBeGreaterThanOrEqual(0.58);
    // Strong L1 shrinks the weights below the unregularised run's.
    const absW = (config: string) => final('mean_abs_weight').find((r) => r.config === config)!.mean;
    expect(absW('regularization=l1,strength=1')).toBeLessThan(absW('regularization=l1,strength=0'));
    expect(figureData.trials).toHaveLength(12);
    expect(figureData.trials[0].traces.weights_layer0.values).toHaveLength(30 * 5);

    const { html, element } = renderFigure(exp12Figure, figureData);
    const titles = [...element.querySelectorAll('h2')].map((h) => h.textContent);
    expect(titles).toEqual(
      ['L1', 'L2'].flatMap((t) => [
        ...[0, 0.1, 1].map((s) => `${t}, strength=${s}, weights (repeat 0)`),
        ...[0, 0.1, 1].map((s) => `${t}, strength=${s}, accuracy`),
      ]),
    );
    // 6 weight panels × 5 lines, 6 accuracy panels with a mean line and a std band each.
    expect(element.querySelectorAll('g[aria-label="line"] path').length - element.querySelectorAll('g.repeats path').length).toBe(6 * 5 + 6);
    expect(element.querySelectorAll('g.repeats path')).toHaveLength(6 * 2);
    expect(element.querySelectorAll('g[aria-label="area"] path')).toHaveLength(6);
    const lines = exp12Figure.headline(figureData);
    expect(lines).toHaveLength(6);
    expect(lines[0]).toMatch(/^L1, strength=0: test accuracy .* \(n=2\); sparsity .* \(n=2\); mean \|w\| .* \(n=2\)$/);
    await expect(formattedSvg(html)).toMatchFileSnapshot('../__snapshots__/exp12.figure.html');
  }, 60_000);
});
