import { PCA } from 'ml-pca';
import { describe, expect, test } from 'vitest';
import { classCounts, type Table } from '../../core/data/dataset';
import { repeatStream, sharedData } from '../../core/experiments/common';
import { appendDummy } from '../../core/data/features';
import { drawMixture } from '../../core/data/gaussian-mixture';
import { matFromTable, mixOrthogonal, mixUniform, pcaBasis, pcaFit, pcaTransform, symmetricEigen, type Mat } from '../../core/data/linalg';
import { getExperiment } from '../../core/experiments';
import { specBlocks, specStreams, trialPlan, type SpecExperiment } from '../../core/custom/compile';
import { validateSpec } from '../../core/custom/validate';
import { BUILTIN_SPECS } from '../../core/experiments/specs';
import type { TrialSpec } from '../../core/experiments/types';
import { parameterCount } from '../../core/nn/model';
import { streamFor, type Rng } from '../../core/rng';
import { exp06Figure } from '../../dashboard/figures/exp06';
import { formattedSvg, renderFigure } from '../helpers/render';
import { runSweep } from '../helpers/sweep';

const exp6 = getExperiment('exp6') as SpecExperiment;
const builtin = BUILTIN_SPECS.find((b) => b.number === 6)!;
const { streamOf, dataStreams } = specStreams(exp6.spec, builtin.options);
const dataBlock = specBlocks(exp6.spec).data;

function trial(over: Record<string, unknown>, repeat = 0): TrialSpec {
  const params = exp6.params.parse(over) as Record<string, unknown>;
  return { id: `t.${repeat}`, sweepId: 't', experiment: 'exp6', configKey: `dummy_dim=${params.dummy_dim},pca_dim=${params.pca_dim}`, repeat, seed: 0, params };
}

/** One trial's inputs as the experiment draws them (the pipeline applied to the repeat's mixture). */
function exp6Data(t: TrialSpec): { train: Table; test: Table } {
  return dataBlock.generate(t.params as Record<string, unknown>, dataStreams(t));
}

const inputWidth = (over: Record<string, unknown>) => trialPlan(exp6.spec, exp6.params.parse(over) as Record<string, unknown>).data.input;

function randomMat(rows: number, cols: number, seed: number): Mat {
  const rng = streamFor(seed);
  return { rows, cols, a: Float64Array.from({ length: rows * cols }, () => rng.normal()) };
}

function matMul(a: Mat, b: Mat): Mat {
  const out = new Float64Array(a.rows * b.cols);
  for (let i = 0; i < a.rows; i++) for (let k = 0; k < a.cols; k++) for (let j = 0; j < b.cols; j++) out[i * b.cols + j] += a.a[i * a.cols + k] * b.a[k * b.cols + j];
  return { rows: a.rows, cols: b.cols, a: out };
}

function gram(m: Mat): number[] {
  const out: number[] = [];
  for (let i = 0; i < m.rows; i++) for (let l = 0; l < m.rows; l++) out.push(m.a.subarray(i * m.cols, (i + 1) * m.cols).reduce((s, v, j) => s + v * m.a[l * m.cols + j], 0));
  return out;
}

/** Max |a − s·b| over columns, with the best sign s per column. */
function diffUpToSign(a: (i: number, c: number) => number, b: (i: number, c: number) => number, rows: number, cols: number): number {
  let worst = 0;
  for (let c = 0; c < cols; c++) {
    let plus = 0;
    let minus = 0;
    for (let i = 0; i < rows; i++) {
      plus = Math.max(plus, Math.abs(a(i, c) - b(i, c)));
      minus = Math.max(minus, Math.abs(a(i, c) + b(i, c)));
    }
    worst = Math.max(worst, Math.min(plus, minus));
  }
  return worst;
}

describe('exp6 protocol', () => {
  test('defaults: d = 10, seps 1, covariance scale 0.2, n = 100 split 80/20, (100, 100) sigmoid, 500 full-batch steps; notebook grid', () => {
    const p = exp6.params.parse({});
    expect(p).toMatchObject({ d: 10, class_sep: 1, covariance_scale: 0.2, n: 100, test_size: 0.2, noise_level: 1, mixing: 'uniform', pca_dim: 'none', width: 100, depth: 2, activation: 'sigmoid', initializer: 'xavier', loss: 'cross_entropy', lr: 0.003, steps: 500 });
    expect(exp6.grid).toEqual({ dummy_dim: [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000], pca_dim: ['none', 10, 5, 1] });
    expect(exp6.repeats).toBe(5);
    expect([exp6.number, exp6.section]).toEqual([6, 'II. Datasets']);
    expect(inputWidth({ dummy_dim: 2000 })).toBe(2010);
    expect(inputWidth({ dummy_dim: 2000, pca_dim: 5 })).toBe(5);
    const plan = trialPlan(exp6.spec, exp6.params.parse({ dummy_dim: 2000 }) as Record<string, unknown>);
    expect(plan.model).toEqual({ kind: 'mlp', input: 2010, hidden: [100, 100], output: 2, activation: 'sigmoid', initializer: 'xavier' });
    expect(parameterCount(plan.model!)).toBe(2010 * 100 + 100 + 100 * 100 + 100 + 202);
    // Full batch on the 80 training rows; 20 test rows.
    expect([plan.data.trainRows, plan.data.testRows]).toEqual([80, 20]);
    expect(plan.phases).toMatchObject([{ steps: 500, batchRows: 80 }]);
    // PCA cannot keep more components than the 80 training rows or the input width: refused, naming pca_dim.
    expect(exp6.refusal!({ ...exp6.params.parse({ dummy_dim: 1, pca_dim: 12 }) })).toMatchObject({ param: 'pca_dim' });
    expect(exp6.refusal!({ ...exp6.params.parse({ dummy_dim: 2000, pca_dim: 81 }) })).toMatchObject({ param: 'pca_dim' });
    expect(exp6.refusal!({ ...exp6.params.parse({ dummy_dim: 2000, pca_dim: 80 }) })).toBeNull();
    // Resampling has no place in a split draw.
    expect(exp6.refusal!({ ...exp6.params.parse({ resample: 'tile' }) })).toMatchObject({ param: 'resample' });
  });

  test("the mixture is the code's: covariance, 100 rows and the 80/20 split all from the repeat's 'data' stream keyed by n and d", () => {
    const t = trial({ dummy_dim: 3, mixing: 'none' }, 2);
    const want = drawMixture(repeatStream(t, 'data', 100, 10), { n: 100, d: 10, class_seps: 1, covariance_scale: 0.2, test_size: 0.2 });
    const got = exp6Data(t);
    const first10 = (tab: Table) => Array.from({ length: tab.n }, (_, i) => Array.from(tab.x.subarray(i * tab.d, i * tab.d + 10))).flat();
    expect(first10(got.train)).toEqual(Array.from(want.train.x));
    expect(first10(got.test)).toEqual(Array.from(want.test.x));
    expect(got.train.labels).toEqual(want.train.labels);
    // Dummy columns: the code's 'dummy' stream keyed by dummy_dim, training rows then test rows.
    const dummy = repeatStream(t, 'dummy', 3);
    const widened = [want.train, want.test].map((s) => appendDummy(matFromTable(s), 3, 1, dummy));
    expect(Array.from(got.train.x)).toEqual(Array.from(Float32Array.from(widened[0].a)));
    expect(Array.from(got.test.x)).toEqual(Array.from(Float32Array.from(widened[1].a)));
    // Weights per trial (the code's packStreams), not per repeat.
    expect(streamOf(t, 'init').uniform()).toBe(streamFor(0, 'exp6', 'init', t.configKey, 2).uniform());
    expect(streamOf(t, 'init').uniform()).not.toBe(streamOf(trial({ dummy_dim: 3, mixing: 'none', pca_dim: 1 }, 2), 'init').uniform());
  });

  test('one draw per repeat: the 80/20 split and labels are shared by every dummy_dim and pca_dim', () => {
    const a = exp6Data(trial({ dummy_dim: 5, mixing: 'none' }));
    const b = exp6Data(trial({ dummy_dim: 50, mixing: 'none' }));
    expect([a.train.n, a.test.n, a.train.d]).toEqual([80, 20, 15]);
    expect(Array.from(a.train.labels)).toEqual(Array.from(b.train.labels));
    expect(Array.from(a.test.labels)).toEqual(Array.from(b.test.labels));
    const rowsOf = (t: typeof a.train, cols: number) => Array.from({ length: t.n }, (_, i) => Array.from(t.x.subarray(i * t.d, i * t.d + cols)));
    expect(rowsOf(a.train, 10)).toEqual(rowsOf(b.train, 10));
    expect(classCounts(a.train)[0] + classCounts(a.test)[0]).toBe(50);
    const other = exp6Data(trial({ dummy_dim: 5, mixing: 'none' }, 1));
    expect(rowsOf(other.train, 10)).not.toEqual(rowsOf(a.train, 10));
  });

  test('dummy columns are noise_level × U[0,1), drawn separately for train and test, per (repeat, dummy_dim)', () => {
    const d = exp6Data(trial({ dummy_dim: 200, mixing: 'none', noise_level: 0.5 }));
    const dummies = (t: typeof d.train) => Array.from({ length: t.n }, (_, i) => Array.from(t.x.subarray(i * t.d + 10, (i + 1) * t.d))).flat();
    const train = dummies(d.train);
    expect(train).toHaveLength(80 * 200);
    expect(Math.min(...train)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...train)).toBeLessThan(0.5);
    expect(train.reduce((s, v) => s + v, 0) / train.length).toBeCloseTo(0.25, 1);
    expect(dummies(d.test).slice(0, 200)).not.toEqual(train.slice(0, 200));
    // The PCA settings of one (repeat, dummy_dim) see the same dummy columns and mixing.
    const noPca = exp6Data(trial({ dummy_dim: 20 }));
    const fit = pcaFit({ rows: 80, cols: 30, a: Float64Array.from(noPca.train.x) }, 5);
    const projected = pcaTransform(fit, { rows: 20, cols: 30, a: Float64Array.from(noPca.test.x) });
    const withPca = exp6Data(trial({ dummy_dim: 20, pca_dim: 5 }));
    expect(diffUpToSign((i, c) => withPca.test.x[i * 5 + c], (i, c) => projected.a[i * 5 + c], 20, 5)).toBeLessThan(1e-3);
  });

  test("'uniform' mixing applied row by row equals X·M with M = rand(D, D) drawn row-major", () => {
    const x = randomMat(7, 6, 1);
    const y = randomMat(3, 6, 2);
    const [mx, my] = mixUniform([x, y], streamFor(9));
    const rng = streamFor(9);
    const m: Mat = { rows: 6, cols: 6, a: Float64Array.from({ length: 36 }, () => rng.uniform()) };
    for (const [got, want] of [
      [mx, matMul(x, m)],
      [my, matMul(y, m)],
    ]) {
      got.a.forEach((v, i) => expect(v).toBeCloseTo(want.a[i], 12));
    }
  });

  test("'uniform' mixing in blocks gives the row-by-row sums bit for bit (remainder rows and columns, zeros of both signs)", () => {
    // The sequential form: out[i][·] += A[i][k]·M[k][·] for k = 0 … D−1, skipping zeros.
    const rowByRow = (ms: Mat[], rng: Rng): Mat[] => {
      const D = ms[0].cols;
      const outs = ms.map((m) => ({ rows: m.rows, cols: D, a: new Float64Array(m.rows * D) }));
      const row = new Float64Array(D);
      for (let k = 0; k < D; k++) {
        for (let j = 0; j < D; j++) row[j] = rng.uniform();
        ms.forEach((m, q) => {
          for (let i = 0; i < m.rows; i++) {
            const x = m.a[i * D + k];
            if (x === 0) continue;
            for (let j = 0; j < D; j++) outs[q].a[i * D + j] += x * row[j];
          }
        });
      }
      return outs;
    };
    for (const D of [1, 5, 70, 131]) {
      const x = randomMat(7, D, D);
      const y = randomMat(4, D, D + 1);
      x.a[3] = 0;
      x.a[D] = -0;
      y.a.fill(0, 0, Math.min(D, 3));
      const got = mixUniform([x, y], streamFor(11));
      const want = rowByRow([x, y], streamFor(11));
      got.forEach((m, q) => expect(m.a).toEqual(want[q].a));
    }
  });

  test('a PCA basis computed once gives every k the same fit, bit for bit, as fitting from scratch (Gram and scatter routes)', () => {
    for (const [rows, cols] of [
      [30, 80],
      [80, 12],
    ]) {
      const m = randomMat(rows, cols, rows + cols);
      const t = randomMat(9, cols, 3);
      const basis = pcaBasis(m);
      const before = basis.vectors.map((v) => Float64Array.from(v));
      for (const k of [10, 5, 1]) {
        const shared = pcaFit(m, k, basis);
        const alone = pcaFit(m, k);
        expect(shared).toEqual(alone);
        expect(pcaTransform(shared, t).a).toEqual(pcaTransform(alone, t).a);
      }
      // Fits flip the signs of copies, never the basis.
      expect(basis.vectors).toEqual(before);
    }
    expect(() => pcaFit(randomMat(5, 4, 1), 2, pcaBasis(randomMat(5, 3, 1)))).toThrow(/basis/);
  });

  test('inputs kept between packs are those computed afresh: every pca_dim, warm or cold, gets the same numbers', () => {
    const cells = ['none', 10, 5, 1].map((pca_dim) => trial({ dummy_dim: 50, pca_dim }, 1));
    sharedData.clear();
    const cold = cells.map((t) => {
      sharedData.clear();
      return exp6Data(t);
    });
    sharedData.clear();
    const warm = cells.map((t) => exp6Data(t));
    expect(warm).toEqual(cold);
    // Kept: the (repeat, dummy_dim) rows are read again, not drawn again (the streams are not touched on a hit).
    expect(sharedData.bytes).toBeGreaterThan(8 * 100 * 60);
    const streams = dataStreams(cells[2]);
    const held = sharedData.bytes;
    expect(dataBlock.generate(cells[2].params as Record<string, unknown>, streams)).toEqual(warm[2]);
    expect(streams.features!.mixing.uniform()).toBe(repeatStream(cells[2], 'rotation-uniform', 50).uniform());
    expect(sharedData.bytes).toBe(held);
    // Another repeat or another dummy width is another entry.
    expect(exp6Data(trial({ dummy_dim: 50, pca_dim: 5 }, 2)).train.x).not.toEqual(warm[2].train.x);
    expect(exp6Data(trial({ dummy_dim: 20, pca_dim: 'none' }, 1)).train.d).toBe(30);
    sharedData.clear();
  });

  test("'orthogonal' mixing is a rotation: it preserves every inner product, and is shared by train and test", () => {
    const x = randomMat(5, 12, 3);
    const y = randomMat(4, 12, 4);
    const [rx, ry] = mixOrthogonal([x, y], streamFor(5));
    gram(rx).forEach((v, i) => expect(v).toBeCloseTo(gram(x)[i], 10));
    // Recover Q from the identity rows: I·Q = Q, and check the test rows used the same Q.
    const [q] = mixOrthogonal([{ rows: 12, cols: 12, a: Float64Array.from({ length: 144 }, (_, i) => (i % 13 === 0 ? 1 : 0)) }], streamFor(5));
    matMul(y, q).a.forEach((v, i) => expect(ry.a[i]).toBeCloseTo(v, 10));
    // Not the identity and not the code's positive mixing.
    expect(q.a.some((v) => v < -0.05)).toBe(true);
  });

  test('the Jacobi eigensolver reconstructs a symmetric matrix', () => {
    const b = randomMat(6, 6, 7);
    const s = new Float64Array(36);
    for (let i = 0; i < 6; i++) for (let j = 0; j < 6; j++) s[i * 6 + j] = b.a[i * 6 + j] + b.a[j * 6 + i];
    const { values, vectors } = symmetricEigen(s, 6);
    for (let i = 1; i < 6; i++) expect(values[i]).toBeLessThanOrEqual(values[i - 1]);
    for (let i = 0; i < 6; i++) for (let j = 0; j < 6; j++) expect(values.reduce((acc, l, k) => acc + l * vectors[k][i] * vectors[k][j], 0)).toBeCloseTo(s[i * 6 + j], 10);
  });

  test('PCA matches ml-pca up to sign, on tall (n > d) and wide (n < d, Gram route) data, with sklearn’s svd_flip signs', () => {
    for (const [rows, cols, k] of [
      [40, 8, 3],
      [12, 60, 5],
    ]) {
      const train = randomMat(rows, cols, rows + cols);
      const test = randomMat(6, cols, 99);
      const fit = pcaFit(train, k);
      const toRows = (m: Mat) => Array.from({ length: m.rows }, (_, i) => Array.from(m.a.subarray(i * m.cols, (i + 1) * m.cols)));
      const ref = new PCA(toRows(train), { center: true, scale: false });
      for (const m of [train, test]) {
        const mine = pcaTransform(fit, m);
        const theirs = ref.predict(toRows(m), { nComponents: k });
        expect(diffUpToSign((i, c) => mine.a[i * k + c], (i, c) => theirs.get(i, c), m.rows, k)).toBeLessThan(1e-9);
      }
      const scores = pcaTransform(fit, train);
      for (let c = 0; c < k; c++) {
        const col = Array.from({ length: rows }, (_, i) => scores.a[i * k + c]);
        const biggest = col.reduce((a, b) => (Math.abs(b) > Math.abs(a) ? b : a), 0);
        expect(biggest).toBeGreaterThan(0);
      }
      const variance = ref.getEigenvalues().slice(0, k);
      fit.explainedVariance.forEach((v, i) => expect(v).toBeCloseTo(variance[i], 8));
    }
  });

  test("the notebook's chained PCA (10 → 5 → 1 on the previous output) equals direct PCA up to sign", () => {
    const train = randomMat(80, 30, 11);
    const test = randomMat(20, 30, 12);
    const f10 = pcaFit(train, 10);
    const [t10, s10] = [pcaTransform(f10, train), pcaTransform(f10, test)];
    const f5 = pcaFit(t10, 5);
    const [t5, s5] = [pcaTransform(f5, t10), pcaTransform(f5, s10)];
    const f1 = pcaFit(t5, 1);
    const s1 = pcaTransform(f1, s5);
    const direct5 = pcaTransform(pcaFit(train, 5), test);
    const direct1 = pcaTransform(pcaFit(train, 1), test);
    expect(diffUpToSign((i, c) => s5.a[i * 5 + c], (i, c) => direct5.a[i * 5 + c], 20, 5)).toBeLessThan(1e-9);
    expect(diffUpToSign((i) => s1.a[i], (i) => direct1.a[i], 20, 1)).toBeLessThan(1e-9);
  });

  test('the 2010-wide pipeline (dummy 2000, mixing, PCA through the 80×80 Gram matrix) stays cheap', () => {
    const started = Date.now();
    const d = exp6Data(trial({ dummy_dim: 2000, pca_dim: 10 }));
    expect([d.train.n, d.train.d, d.test.n, d.test.d]).toEqual([80, 10, 20, 10]);
    expect(d.train.x.every(Number.isFinite)).toBe(true);
    // A few seconds even on a loaded 2-core machine; the 2010² matrix is never materialised.
    expect(Date.now() - started).toBeLessThan(20_000);
    // Different repeats and dummy dims draw different mixings.
    expect(dataStreams(trial({ dummy_dim: 5 })).features!.mixing.uniform()).not.toBe(dataStreams(trial({ dummy_dim: 5 }, 1)).features!.mixing.uniform());
    expect(dataStreams(trial({ dummy_dim: 5 })).features!.mixing.uniform()).not.toBe(dataStreams(trial({ dummy_dim: 6 })).features!.mixing.uniform());
    expect(dataStreams(trial({ dummy_dim: 5 })).features!.mixing.uniform()).toBe(dataStreams(trial({ dummy_dim: 5, pca_dim: 1 })).features!.mixing.uniform());
    expect(appendDummy({ rows: 1, cols: 1, a: Float64Array.of(7) }, 2, 0, streamFor(1)).a).toEqual(Float64Array.of(7, 0, 0));
  });
});

describe('exp6 sweep and figure', () => {
  test('a small real sweep: test accuracy per (dummy_dim, pca_dim), log-x figure with a band per PCA setting', async () => {
    const { figureData } = await runSweep({
      experiment: 'exp6',
      repeats: 2,
      params: { steps: 30, width: 16 },
      grid: { dummy_dim: [1, 20, 200], pca_dim: ['none', 5, 1] },
    });
    const acc = figureData.aggregate.filter((r) => r.metric === 'test_accuracy' && r.step === null);
    expect(acc).toHaveLength(9);
    for (const r of acc) {
      expect(r.n).toBe(2);
      // 20 test points: accuracy is a multiple of 1/20.
      expect(r.mean * 40).toBeCloseTo(Math.round(r.mean * 40), 4);
    }
    // It learns (chance 0.5): with PCA to 5 dimensions, test and training accuracy are ≥ 0.75 at
    // every dummy_dim (test 0.95, 0.975, 0.85; training 0.93, 0.93, 0.89).
    for (const dummy of [1, 20, 200]) {
      const config = `dummy_dim=${dummy},pca_dim=5`;
      expect(acc.find((r) => r.config === config)!.mean, config).toBeGreaterThanOrEqual(0.75);
      expect(figureData.aggregate.find((r) => r.metric === 'train_accuracy' && r.step === null && r.config === config)!.mean, config).toBeGreaterThanOrEqual(0.75);
    }
    const width = new Map(figureData.aggregate.filter((r) => r.metric === 'input_dim').map((r) => [r.config, r.mean]));
    expect(width.get('dummy_dim=200,pca_dim=none')).toBe(210);
    expect(width.get('dummy_dim=200,pca_dim=5')).toBe(5);

    const { html, element } = renderFigure(exp06Figure, figureData);
    expect(element.querySelectorAll('g[aria-label="area"] path')).toHaveLength(3);
    expect(element.querySelectorAll('g[aria-label="dot"] circle').length - element.querySelectorAll('g.repeats circle').length).toBe(9);
    expect(element.querySelectorAll('g.repeats circle')).toHaveLength(9 * 2);
    expect(element.textContent).toContain('Test Accuracy with Unsupervised Preprocessing');
    const legend = Array.from(element.querySelectorAll('span')).map((s) => s.textContent?.trim()).filter(Boolean);
    expect(legend).toEqual(['No PCA', 'PCA dim = 5', 'PCA dim = 1']);
    expect(exp06Figure.headline(figureData)).toHaveLength(6);
    await expect(formattedSvg(html)).toMatchFileSnapshot('../__snapshots__/exp06.figure.html');
  }, 120_000);
});
