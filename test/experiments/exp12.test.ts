import { describe, expect, test } from 'vitest';
import { mixtureBlock } from '../../core/blocks/data-mixture';
import { compileSpec, specStreams, trialPlan, type SpecExperiment } from '../../core/custom/compile';
import { validateSpec } from '../../core/custom/validate';
import { getExperiment } from '../../core/experiments';
import { BUILTIN_SPECS } from '../../core/experiments/specs';
import type { TrialSpec } from '../../core/experiments/types';
import { initialValues, parameterCount, parameterShapes, type MlpSpec } from '../../core/nn/model';
import { streamFor } from '../../core/rng';
import { expandSweep } from '../../core/sweep/expand';
import { DEFAULT_LIMITS, SweepRequestError } from '../../core/sweep/request';
import { oneHot, trainPack } from '../../core/train/train-pack';
import { exp12Figure } from '../../dashboard/figures/exp12';
import { formattedSvg, renderFigure } from '../helpers/render';
import { runSweep } from '../helpers/sweep';
import { useBackend } from '../tf-node';

const exp12 = getExperiment('exp12') as SpecExperiment;
const options = BUILTIN_SPECS.find((b) => b.number === 12)!.options;
const { dataStreams } = specStreams(exp12.spec, options);

function trial(over: Record<string, unknown>, configKey: string, repeat = 0): TrialSpec {
  return { id: `t.${configKey}.${repeat}`, sweepId: 't', experiment: 'exp12', configKey, repeat, seed: 3, params: exp12.params.parse(over) };
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

/** The notebook's penalty by hand: strength × Σ_j mean(W_j²) (L2) or mean(|W_j|) (L1). */
function penalty(weights: Float32Array[], type: 'l1' | 'l2', strength: number): number {
  return strength * weights.reduce((sum, w) => sum + w.reduce((s, v) => s + (type === 'l2' ? v * v : Math.abs(v)), 0) / w.length, 0);
}

describe('exp12 protocol', () => {
  test('defaults: 12→(50,50)→2 sigmoid/Xavier, MSE, Adam 0.003, 750 steps, batch 64, 500 rows split 400/100; grid [l1, l2] × [0, 0.1, 1]', () => {
    const p = exp12.params.parse({});
    expect(p).toMatchObject({ n: 500, test_size: 0.2, d: 12, class_sep: 1, class_sep_decay: 'inverse', covariance_scale: 1, width: 50, depth: 2, activation: 'sigmoid', initializer: 'xavier', loss: 'mean_squared_error', lr: 0.003, steps: 750, batch_size: 64, epochs: null });
    expect(exp12.grid).toEqual({ regularization: ['l1', 'l2'], strength: [0, 0.1, 1] });
    expect(exp12.repeats).toBe(5);
    expect(exp12.section).toBe('V. Weight Evolution');
    expect(exp12.spec.paired).toBe(false);
    expect(exp12.spec.task_shared_by).toBeUndefined();
    expect(() => exp12.params.parse({ regularization: 'elastic' })).toThrow();
    const plan = trialPlan(exp12.spec, p);
    expect(plan.model).toEqual({ kind: 'mlp', input: 12, hidden: [50, 50], output: 2, activation: 'sigmoid', initializer: 'xavier' });
    expect(parameterCount(plan.model!)).toBe(12 * 50 + 50 + 50 * 50 + 50 + 50 * 2 + 2);
    expect(plan.phases).toMatchObject([{ steps: 750, batchRows: 64 }]);
    // After the update of every even step 0, 2, …, 748: 375 snapshots after updates 1, 3, …, 749.
    expect(plan.checkpoints).toEqual(Array.from({ length: 375 }, (_, i) => 2 * i + 1));
    expect(plan.traceValues).toBe(375 * 50);
    expect(exp12.spec.record).toEqual([
      { metric: 'test_accuracy', at: 'checkpoints', every: 2, align: 'start', float32: true },
      { metric: 'weight_tail', at: 'checkpoints', every: 2, align: 'start', layer: 0, entries: 50 },
      { metric: 'weight_stats', at: 'end', threshold: 1e-3 },
    ]);
  });

  test('data: 400 training and 100 test rows of 12 columns, class 1 centred on 1/(i+1)', () => {
    const { train, test } = mixtureBlock.generate(exp12.params.parse({}) as Record<string, unknown>, dataStreams(trial({}, 'a')));
    expect([train.n, train.d, test.n, test.d]).toEqual([400, 12, 100, 12]);
    expect(train.labels.length).toBe(400);
  });

  test.each(['l1', 'l2'] as const)('the adam block optimises MSE on logits + strength × Σ_j R(W_j) with %s, biases excluded', async (type) => {
    await useBackend('wasm');
    const p = exp12.params.parse({ n: 60 });
    const model = trialPlan(exp12.spec, p).model as MlpSpec;
    const { train } = mixtureBlock.generate(p as Record<string, unknown>, dataStreams(trial({}, 'a')));
    const y = oneHot(train.labels);
    const strength = 0.7;
    // One full-batch step: finalLoss is the objective at the initial weights (before the update).
    const { finalLoss, pack } = await trainPack({
      model,
      initRngs: [streamFor(5, 'init'), streamFor(6, 'init')],
      batchRngs: [streamFor(5, 'batch'), streamFor(6, 'batch')],
      trainX: [train.x, train.x],
      trainY: [y, y],
      n: train.n,
      loss: 'mean_squared_error',
      lr: p.lr as number,
      steps: 1,
      batchSize: train.n,
      regularization: { type, strength },
    });
    pack.dispose();
    [5, 6].forEach((seed, k) => {
      const values = initialValues(model, streamFor(seed, 'init'));
      const logits = forward(values, [12, 50, 50, 2], train.x, train.n);
      let mse = 0;
      logits.forEach((row, r) => row.forEach((v, c) => (mse += (v - y[r * 2 + c]) ** 2)));
      mse /= train.n * 2;
      const weights = values.filter((_, i) => parameterShapes(model)[i].isWeight);
      expect(weights.map((w) => w.length)).toEqual([600, 2500, 100]);
      const reg = penalty(weights, type, strength);
      expect(reg).toBeGreaterThan(0.01);
      expect(finalLoss[k]).toBeCloseTo(mse + reg, 4);
      // Penalising biases too would change the objective by more than the tolerance.
      expect(Math.abs(finalLoss[k] - (mse + penalty(values, type, strength)))).toBeGreaterThan(1e-3);
    });
  }, 30_000);

  test('strength 0 gives identical results for L1 and L2 (the penalty is multiplied by 0); a non-zero strength shrinks the weights', async () => {
    await useBackend('wasm');
    // Same seed, config key and repeat: the same streams, only the regulariser type differs.
    const [a] = await exp12.runPack([trial({ steps: 20, regularization: 'l1', strength: 0 }, 'cell')], {});
    const [b] = await exp12.runPack([trial({ steps: 20, regularization: 'l2', strength: 0 }, 'cell')], {});
    expect(b.scalars).toEqual(a.scalars);
    expect(b.series).toEqual(a.series);
    expect(b.traces).toEqual(a.traces);
    // 10 snapshots of W0's last 50 entries, after updates 1, 3, …, 19.
    expect(a.traces!.weights_layer0.steps).toEqual(Array.from({ length: 10 }, (_, i) => Array(50).fill(2 * i + 1)).flat());
    expect(a.traces!.weights_layer0.values).toHaveLength(500);
    expect(a.series.test_accuracy.steps).toEqual(Array.from({ length: 10 }, (_, i) => 2 * i + 1));
    expect(Object.keys(a.scalars).sort()).toEqual(['mean_abs_weight', 'mean_abs_weight_layer0', 'mean_abs_weight_layer1', 'mean_abs_weight_layer2', 'n_params', 'sparsity', 'sparsity_layer0', 'sparsity_layer1', 'sparsity_layer2', 'test_accuracy']);
    // The accuracy is stored as TF's float32 mean.
    expect(Math.fround(a.scalars.test_accuracy)).toBe(a.scalars.test_accuracy);
    const [c] = await exp12.runPack([trial({ steps: 20, regularization: 'l1', strength: 1 }, 'cell')], {});
    expect(c.traces!.weights_layer0.values).not.toEqual(a.traces!.weights_layer0.values);
    expect(c.scalars.mean_abs_weight).toBeLessThan(a.scalars.mean_abs_weight);
  }, 30_000);

  test('a new dataset for every run (per-trial streams); a paired variant of the spec shares one per repeat', () => {
    const t1 = trial({ regularization: 'l1', strength: 0 }, 'regularization=l1,strength=0');
    const t2 = trial({ regularization: 'l2', strength: 0 }, 'regularization=l2,strength=0');
    const draw = (streams: ReturnType<typeof dataStreams>) => mixtureBlock.generate(exp12.params.parse({}) as Record<string, unknown>, streams).train.x;
    expect(draw(dataStreams(t1))).not.toEqual(draw(dataStreams(t2)));
    expect(draw(dataStreams(t1))).toEqual(draw(dataStreams(trial({ regularization: 'l1', strength: 0 }, 'regularization=l1,strength=0'))));
    const paired = specStreams({ ...exp12.spec, paired: true }, options);
    expect(draw(paired.dataStreams(t1))).toEqual(draw(paired.dataStreams(t2)));
    for (const purpose of ['init', 'batch']) expect(paired.streamOf(t1, purpose).uniform()).toBe(paired.streamOf(t2, purpose).uniform());
    // The spec itself validates with its own (built-in) stream names and ids.
    expect(validateSpec(exp12.spec).ok).toBe(true);
  });

  test('refusals: a sweep whose weight trace would exceed one stored row is refused', () => {
    // 4000 steps: 2000 snapshots × 50 entries, and a 2000-point series.
    expect(() => expandSweep({ experiment: 'exp12', params: { steps: 4000 } }, 's', DEFAULT_LIMITS)).toThrow(SweepRequestError);
    // 1500 steps: 750 snapshots (a series may hold 1000) × 50 = 37,500 trace values: accepted.
    expect(expandSweep({ experiment: 'exp12', params: { steps: 1500 }, repeats: 1 }, 's', DEFAULT_LIMITS).trials).toHaveLength(6);
    expect(exp12.refusal?.(exp12.params.parse({ steps: 1800, depth: 2 }))).toMatchObject({ param: 'record', message: expect.stringMatching(/weight_tail of 900 checkpoints × 50 entries = 45000 values/) });
  });
});

describe('exp12 sweep and figure', () => {
  test('a small real sweep over the notebook grid trains, aggregates and renders the 4×3 grid', async () => {
    // The built-in with 5 traced entries instead of 50 (a record option, not a parameter), to keep the snapshot small.
    const record = exp12.spec.record.map((r) => (r.metric === 'weight_tail' ? { ...r, entries: 5 } : r));
    const small = compileSpec('exp12', { ...exp12.spec, record }, { ...options, number: 12 });
    const lookup = (id: string) => (id === 'exp12' ? small : getExperiment(id));
    const { figureData } = await runSweep({ experiment: 'exp12', repeats: 2, params: { steps: 60 } }, { trialMetrics: exp12Figure.trialMetrics, lookup });
    const agg = figureData.aggregate;
    const final = (metric: string) => agg.filter((r) => r.metric === metric && r.step === null);
    expect(final('test_accuracy')).toHaveLength(6);
    for (const r of final('test_accuracy')) expect(r.n).toBe(2);
    for (const metric of ['sparsity_layer0', 'sparsity_layer1', 'sparsity_layer2', 'mean_abs_weight_layer0', 'mean_abs_weight_layer2']) expect(final(metric)).toHaveLength(6);
    // 30 snapshots after updates 1, 3, …, 59 per config.
    const curve = agg.filter((r) => r.metric === 'test_accuracy' && r.step !== null && r.config === 'regularization=l1,strength=1');
    expect(curve.map((r) => r.step)).toEqual(Array.from({ length: 30 }, (_, i) => 2 * i + 1));
    // It learns (chance 0.5, 100 test rows): every config's final test accuracy is ≥ 0.03 above
    // its first snapshot, after the first update, and the six average ≥ 0.58.
    const first = (config: string) => agg.find((r) => r.metric === 'test_accuracy' && r.step === 1 && r.config === config)!.mean;
    for (const r of final('test_accuracy')) expect(r.mean - first(r.config), r.config).toBeGreaterThanOrEqual(0.03);
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
  }, 120_000);
});
