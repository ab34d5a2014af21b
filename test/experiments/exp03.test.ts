/**
 * Exp 3 as a spec (core/experiments/specs/exp03-data-size-vs-depth.ts): its protocol, the
 * sharing of one pool per repeat by every classifier and n, the refusals, and a small real
 * sweep whose figure is the same, bit for bit, as the TypeScript module's was
 * (__snapshots__/exp03.figure.html).
 */
import { beforeAll, describe, expect, test } from 'vitest';
import { classCounts, makeTable } from '../../core/data/dataset';
import { fitPredictTree, SKLEARN_TREE_DEFAULTS } from '../../core/classical/decision-tree';
import {
  fitSklearnMlps,
  initBound,
  mlpParameterCount,
  resolveBatchSize,
  SKLEARN_MLP_DEFAULTS,
  sklearnInitialValues,
  type MlpTask,
} from '../../core/classical/sklearn-mlp';
import { fitPredictSvc } from '../../core/classical/svm';
import { nodeLibsvm } from '../../node/libsvm-node';
import { getExperiment } from '../../core/experiments';
import { compileSpec, specStreams, trialModel, trialPlan, type SpecExperiment } from '../../core/custom/compile';
import { validateSpec } from '../../core/custom/validate';
import type { ExperimentSpecInput } from '../../core/custom/spec';
import { BUILTIN_SPECS } from '../../core/experiments/specs';
import { exp3Spec, NOTEBOOK_NS } from '../../core/experiments/specs/exp03-data-size-vs-depth';
import { mixtureBlock, mixtureTrainRows } from '../../core/blocks/data-mixture';
import { sklearnOptions } from '../../core/blocks/model-sklearn-mlp';
import type { TrialSpec } from '../../core/experiments/types';
import { sharedData } from '../../core/experiments/common';
import { streamFor } from '../../core/rng';
import { exp03Figure } from '../../dashboard/figures/exp03';
import { formattedSvg, renderFigure } from '../helpers/render';
import { runSweep } from '../helpers/sweep';
import { matMulPath } from '../../core/nn/matmul';
import { useBackend } from '../tf-node';

const CLASSIFIERS = ['svm', 'tree', 'shallow', 'deep'];
const exp3 = getExperiment('exp3') as SpecExperiment;
const options = BUILTIN_SPECS.find((b) => b.number === 3)!.options!;
const { streamOf, dataStreams } = specStreams(exp3.spec, options);

const trial = (over: Record<string, unknown>, repeat = 0, seed = 0): TrialSpec => {
  const params = exp3.params.parse(over) as Record<string, unknown>;
  return { id: `t.${params.classifier}.${params.n}.${repeat}`, sweepId: 't', experiment: 'exp3', configKey: `classifier=${params.classifier},n=${params.n}`, repeat, seed, params };
};

/** A trial's data as the experiment draws it (the mixture block, the experiment's streams). */
const repeatData = (t: TrialSpec) => mixtureBlock.generate(t.params as Record<string, unknown>, dataStreams(t));

/** Exp 3 with its spec edited (shorter MLPs), compiled under its own id and options: the same streams. */
function variant(edit: (s: ExperimentSpecInput) => void): SpecExperiment {
  const spec = structuredClone(exp3Spec);
  edit(spec);
  const v = validateSpec(spec);
  if (!v.ok) throw new Error(JSON.stringify(v.issues));
  return compileSpec('exp3', v.spec, { ...options, number: 3 });
}

beforeAll(async () => {
  await useBackend('wasm');
});

describe('exp3 protocol', () => {
  test('defaults: classifier × ns grid, 5 repeats, d = 12 pool of 10,000 with seps 1/(i+1), sklearn 0.19 defaults', () => {
    expect(exp3.grid).toEqual({ classifier: ['svm', 'tree', 'shallow', 'deep'], n: [20, 50, 100, 200, 500, 1000, 2000, 5000, 10_000] });
    expect(exp3.repeats).toBe(5);
    expect([exp3.number, exp3.section]).toEqual([3, 'I. Basics']);
    const p = exp3.params.parse({}) as Record<string, unknown>;
    expect(p).toMatchObject({ pool_n: 10_000, test_n: 2000, d: 12, class_sep: 1, class_sep_decay: 'inverse', covariance_scale: 1, train_fraction: 0.8, class_ratio: 1, resample: 'none', scaling: 'none' });
    // The model axis is the parameter `classifier`; the model blocks' parameters live in its cells.
    expect(Object.keys(exp3.params.shape)).toContain('classifier');
    for (const hidden of ['sklearn_hidden', 'svm_c', 'tree_max_depth', 'lr', 'steps']) expect(Object.keys(exp3.params.shape)).not.toContain(hidden);
    const cell = (classifier: string) => trialModel(exp3.spec, exp3.params.parse({ classifier }) as Record<string, unknown>);
    // SVC(): C = 1, gamma 'auto' = 1/n_features, tol 1e-3, shrinking.
    expect(cell('svm').block.kind).toBe('svm');
    expect(cell('svm').values).toMatchObject({ svm_c: 1, svm_gamma: 'auto', svm_tol: 1e-3, svm_shrinking: true });
    // DecisionTreeClassifier(): grown until pure.
    expect(cell('tree').block.kind).toBe('decision_tree');
    expect(cell('tree').values).toMatchObject({ tree_min_samples_split: 2, tree_min_impurity_decrease: 0, tree_max_depth: null });
    // MLPClassifier(): (100,) or (100, 100) ReLU, adam lr 0.001, alpha 1e-4, batch 'auto', 200 epochs, tol 1e-4,
    // stopping as sklearn 0.19 did: after more than 2 epochs without improvement.
    expect(sklearnOptions(cell('shallow').values)).toEqual({ ...SKLEARN_MLP_DEFAULTS, hidden: [100], nIterNoChange: 2 });
    expect(sklearnOptions(cell('deep').values)).toEqual({ ...SKLEARN_MLP_DEFAULTS, hidden: [100, 100], nIterNoChange: 2 });
    expect(SKLEARN_MLP_DEFAULTS).toMatchObject({ activation: 'relu', alpha: 1e-4, learningRate: 0.001, beta1: 0.9, beta2: 0.999, epsilon: 1e-8, batchSize: 'auto', maxIter: 200, tol: 1e-4, nIterNoChange: 10, shuffle: true });
    expect(exp3.params.safeParse({ n: 20_001 }).success).toBe(false);
    expect(exp3.params.safeParse({ classifier: 'forest' }).success).toBe(false);
    expect(exp3.params.safeParse({ bogus: 1 }).success).toBe(false);
  });

  test('refused: more training rows than the pool holds, a test set that fills the pool, resampling a pool; each naming its parameter', () => {
    const refusal = (over: Record<string, unknown>) => exp3.refusal!(exp3.params.parse(over) as Record<string, unknown>);
    for (const classifier of CLASSIFIERS) expect(refusal({ classifier, n: 10_000 })).toBeNull();
    // int(0.8·10,001) = 8,000 still fits; int(0.8·10,002) = 8,001 does not.
    expect(refusal({ n: 10_001 })).toBeNull();
    expect(refusal({ n: 10_002 })).toEqual({ param: 'n', message: expect.stringMatching(/8001 training rows exceed the 8000 of the pool/) });
    expect(refusal({ test_n: 10_000 })).toEqual({ param: 'test_n', message: expect.stringMatching(/no training row/) });
    expect(refusal({ resample: 'tile' })).toEqual({ param: 'resample', message: expect.stringMatching(/not resampled/) });
    expect(refusal({ n: 2 })).toEqual({ param: 'train_fraction', message: expect.stringMatching(/1 training rows/) });
  });

  test('training sizes are int(0.8·n): 16 … 8,000; batch is min(200, n)', () => {
    expect(NOTEBOOK_NS.map((n) => mixtureTrainRows({ n, train_fraction: 0.8 }))).toEqual([16, 40, 80, 160, 400, 800, 1600, 4000, 8000]);
    expect(NOTEBOOK_NS.map((n) => trialPlan(exp3.spec, exp3.params.parse({ n }) as Record<string, unknown>).data)).toEqual(NOTEBOOK_NS.map((n) => expect.objectContaining({ trainRows: Math.trunc(0.8 * n), testRows: 2000, input: 12 })));
    expect([16, 160, 200, 201, 8000].map((n) => resolveBatchSize('auto', n))).toEqual([16, 160, 200, 200, 200]);
  });

  test('one dataset per repeat: nested training prefixes and the same 2,000 test rows for every classifier and n', () => {
    const big = repeatData(trial({ classifier: 'deep', n: 10_000 }));
    const small = repeatData(trial({ classifier: 'svm', n: 50 }));
    const mid = repeatData(trial({ classifier: 'tree', n: 1000 }));
    expect([big.train.n, mid.train.n, small.train.n]).toEqual([8000, 800, 40]);
    expect(big.test.n).toBe(2000);
    expect(small.test.x).toEqual(big.test.x);
    expect(mid.test.labels).toEqual(big.test.labels);
    expect(small.train.x).toEqual(big.train.x.subarray(0, 40 * 12));
    expect(mid.train.labels).toEqual(big.train.labels.subarray(0, 800));
    // Balanced: 5,000 points per class over train + test (the 8,000 training rows are the shuffled rest).
    const all = [classCounts(big.train), classCounts(big.test)];
    expect(all[0][0] + all[1][0]).toBe(5000);
    expect(all[0][1] + all[1][1]).toBe(5000);
    // Class-1 mean is (1, 1/2, …, 1/12): the class-mean difference in feature 0 ≈ 1, in feature 11 ≈ 1/12.
    const meanDiff = (j: number) => {
      const s = [0, 0];
      const c = [0, 0];
      for (let i = 0; i < big.train.n; i++) {
        s[big.train.labels[i]] += big.train.x[i * 12 + j];
        c[big.train.labels[i]]++;
      }
      return s[1] / c[1] - s[0] / c[0];
    };
    expect(meanDiff(0)).toBeCloseTo(1, 0);
    expect(Math.abs(meanDiff(11) - 1 / 12)).toBeLessThan(0.25);
    // Another repeat draws another dataset.
    expect(repeatData(trial({ n: 50 }, 1)).test.x).not.toEqual(big.test.x);
    // One task stream per repeat ('data', as the code drew it), whatever the config; weights and
    // epoch orders per trial.
    expect(dataStreams(trial({ classifier: 'svm', n: 50 })).task.uniform()).toBe(streamFor(0, 'exp3', 'data', 0).uniform());
    expect(dataStreams(trial({ classifier: 'deep', n: 10_000 })).taskKey).toBe(dataStreams(trial({ classifier: 'svm', n: 50 })).taskKey);
    for (const purpose of ['init', 'shuffle']) {
      expect(streamOf(trial({ classifier: 'deep', n: 50 }), purpose).uniform()).toBe(streamFor(0, 'exp3', purpose, 'classifier=deep,n=50', 0).uniform());
      expect(streamOf(trial({ classifier: 'deep', n: 100 }), purpose).uniform()).not.toBe(streamOf(trial({ classifier: 'deep', n: 50 }), purpose).uniform());
    }
  });

  test('the repeat mixture is drawn once and kept between packs: kept or drawn afresh, the same numbers', () => {
    sharedData.clear();
    const first = repeatData(trial({ classifier: 'svm', n: 2000 }, 3));
    const again = repeatData(trial({ classifier: 'deep', n: 2000 }, 3));
    // The same kept draw (its test table itself), the training prefix a copy of it.
    expect(again.test).toBe(first.test);
    expect(again.train.x).not.toBe(first.train.x);
    sharedData.clear();
    const fresh = repeatData(trial({ classifier: 'tree', n: 2000 }, 3));
    expect(fresh.test).not.toBe(first.test);
    expect(fresh).toEqual(first);
    // Another seed is another draw.
    expect(repeatData({ ...trial({ n: 2000 }, 3), seed: 1 }).test.x).not.toEqual(first.test.x);
    // Streams that do not name their task draw the same pool afresh, never kept.
    sharedData.clear();
    const { taskKey: _key, ...unnamed } = dataStreams(trial({ n: 2000 }, 3));
    const loose = mixtureBlock.generate(trial({ n: 2000 }, 3).params as Record<string, unknown>, unnamed);
    expect(loose).toEqual(first);
    expect(sharedData.bytes).toBe(0);
    sharedData.clear();
  });

  test('sklearn MLP init: weights and biases ~ U(±sqrt(6/(fan_in+fan_out))), one logistic output; 1,401 / 11,501 parameters', () => {
    expect(mlpParameterCount(12, [100])).toBe(1401);
    expect(mlpParameterCount(12, [100, 100])).toBe(11_501);
    const v = sklearnInitialValues(12, { hidden: [100, 100], activation: 'relu' }, streamFor(3));
    expect(v.map((a) => a.length)).toEqual([1200, 100, 10_000, 100, 100, 1]);
    const bounds = [initBound(12, 100, 'relu'), initBound(100, 100, 'relu'), initBound(100, 1, 'relu')];
    expect(bounds[0]).toBeCloseTo(Math.sqrt(6 / 112), 12);
    v.forEach((a, i) => {
      const b = bounds[Math.floor(i / 2)];
      const maxAbs = Math.max(...Array.from(a, Math.abs));
      expect(maxAbs).toBeLessThanOrEqual(b);
      if (a.length >= 100) expect(maxAbs).toBeGreaterThan(0.9 * b); // biases too: not zero-initialised
    });
    expect(initBound(12, 100, 'logistic')).toBeCloseTo(Math.sqrt(2 / 112), 12);
  });

  test('epoch loss is the binary log-loss of one logistic unit plus alpha/(2·batch)·Σ‖W‖² (weights only)', async () => {
    const n = 30;
    const d = 3;
    const r = streamFor(5);
    const x = Float32Array.from({ length: n * d }, () => r.normal());
    const y = Float32Array.from({ length: n }, () => r.int(2));
    const init = sklearnInitialValues(d, { hidden: [4], activation: 'relu' }, streamFor(6));
    const alpha = 0.5;
    // Full batch, one epoch: loss_ is evaluated at the initial weights.
    const [fit] = await fitSklearnMlps([{ x, y, evalSets: [x], initRng: streamFor(0), shuffleRng: streamFor(1) }], n, d, { ...SKLEARN_MLP_DEFAULTS, hidden: [4], alpha, maxIter: 1 }, { initialValues: [init] });
    const [W0, b0, W1, b1] = init;
    let logLoss = 0;
    const logits: number[] = [];
    for (let i = 0; i < n; i++) {
      let z = b1[0];
      for (let h = 0; h < 4; h++) {
        let a = b0[h];
        for (let j = 0; j < d; j++) a += x[i * d + j] * W0[j * 4 + h];
        z += Math.max(0, a) * W1[h];
      }
      logits.push(z);
      const p = 1 / (1 + Math.exp(-z));
      logLoss -= y[i] * Math.log(p) + (1 - y[i]) * Math.log(1 - p);
    }
    const sq = [...W0, ...W1].reduce((s, w) => s + w * w, 0);
    expect(fit.lossCurve).toHaveLength(1);
    expect(fit.lossCurve[0]).toBeCloseTo(logLoss / n + (alpha / (2 * n)) * sq, 5);
    expect(fit.nIter).toBe(1);
    expect(fit.updates).toBe(1);
    // The eval logits are the trained network's: one Adam step moved them.
    expect(fit.evalLogits[0]).toHaveLength(n);
    expect(Math.max(...fit.evalLogits[0].map((z, i) => Math.abs(z - logits[i])))).toBeGreaterThan(1e-5);
  });

  test('stopping: tol rule counts epochs without improvement (> n_iter_no_change stops); otherwise max_iter; ceil(n/batch) updates per epoch', async () => {
    const n = 50;
    const r = streamFor(9);
    const task = (): MlpTask => ({ x: Float32Array.from({ length: n * 2 }, () => r.normal()), y: Float32Array.from({ length: n }, () => r.int(2)), evalSets: [], initRng: streamFor(1), shuffleRng: streamFor(2) });
    // A huge tol: every epoch after the first fails to improve, so training stops after 1 + (3 + 1) epochs.
    const [stopped] = await fitSklearnMlps([task()], n, 2, { ...SKLEARN_MLP_DEFAULTS, hidden: [5], batchSize: 20, tol: 1e9, nIterNoChange: 3 });
    expect(stopped).toMatchObject({ nIter: 5, converged: true, updates: 5 * 3 });
    // A negative tol (never "no improvement"): runs all max_iter epochs.
    const [ran] = await fitSklearnMlps([task()], n, 2, { ...SKLEARN_MLP_DEFAULTS, hidden: [5], tol: -1e9, maxIter: 7 });
    expect(ran).toMatchObject({ nIter: 7, converged: false, updates: 7 });
    expect(ran.lossCurve).toHaveLength(7);
  });

  // d = 2, 8 units: every product on the batched loop. d = 12, 100 units: the hidden layer
  // on the per-network XNNPACK path and the 100×1 output batched (core/nn/matmul.ts).
  test.each([
    { d: 2, hidden: [8] },
    { d: 12, hidden: [100] },
  ])("a network's numbers do not depend on its pack, even when its pack-mates stop earlier (d = $d, hidden $hidden)", async ({ d, hidden }) => {
    const n = 40;
    expect(matMulPath(16, d, hidden[0])).toBe(d === 2 ? 'batched' : 'per-network');
    expect(matMulPath(16, hidden[0], 1)).toBe('batched');
    const r = streamFor(11);
    const hx = Float32Array.from({ length: n * d }, () => r.normal());
    const hy = Float32Array.from({ length: n }, () => r.int(2));
    const probe = [new Float32Array(10 * d).fill(0.3)];
    const hard = (): MlpTask => ({ x: hx, y: hy, evalSets: probe, initRng: streamFor(1), shuffleRng: streamFor(2) });
    const easyX = Float32Array.from({ length: n * d }, (_, i) => (Math.floor(i / d) % 2 ? 1 : -1));
    const easyY = Float32Array.from({ length: n }, (_, i) => i % 2);
    const easy = (): MlpTask => ({ x: easyX, y: easyY, evalSets: probe, initRng: streamFor(3), shuffleRng: streamFor(4) });
    const o = { ...SKLEARN_MLP_DEFAULTS, hidden, batchSize: 16, tol: 1e-3, nIterNoChange: 2, maxIter: 60 };
    const [alone] = await fitSklearnMlps([hard()], n, d, o);
    const [easyAlone] = await fitSklearnMlps([easy()], n, d, o);
    const [packedEasy, packed] = await fitSklearnMlps([easy(), hard()], n, d, o);
    // One stops first and is scored inside the pack; the other trains on alone after the pack shrinks.
    expect(easyAlone.nIter).not.toBe(alone.nIter);
    // Bit for bit: a lone network trains with a twin, so tfjs-wasm never switches matMul kernels.
    for (const [p, a] of [[packed, alone], [packedEasy, easyAlone]]) {
      expect(p.nIter).toBe(a.nIter);
      expect(p.lossCurve).toEqual(a.lossCurve);
      expect(Array.from(p.evalLogits[0])).toEqual(Array.from(a.evalLogits[0]));
    }
  });

  test('every classifier beats chance on an easy, well-separated mixture', async () => {
    // 200 training rows = one Adam step per epoch, so the networks keep the default 200 epochs.
    const over = { pool_n: 200, test_n: 40, n: 125, class_sep: 3, class_sep_decay: 'none', covariance_scale: 0.2 };
    for (const classifier of CLASSIFIERS) {
      const trials = [trial({ ...over, classifier }, 0), trial({ ...over, classifier }, 1)];
      const results = await exp3.runPack(trials, { libsvm: nodeLibsvm });
      expect(results.map((x) => x.trialId)).toEqual(trials.map((t) => t.id));
      for (const res of results) {
        expect(res.scalars.train_size).toBe(100);
        expect(res.scalars.test_size).toBe(40);
        expect(res.scalars.test_accuracy, classifier).toBeGreaterThan(0.9);
        expect(res.scalars.n_params).toBeGreaterThan(0);
        // The size of each model: support vectors, tree shape, or the MLP's epochs, batch and loss curve.
        const own = { svm: ['n_support'], tree: ['tree_depth', 'tree_leaves'], shallow: ['n_iter', 'converged', 'final_loss', 'batch_size'], deep: ['n_iter', 'converged', 'final_loss', 'batch_size'] }[classifier]!;
        for (const k of own) expect(res.scalars[k], `${classifier} ${k}`).toBeTypeOf('number');
        if (own.includes('n_iter')) {
          expect(res.scalars.batch_size).toBe(100);
          expect(res.traces!.loss_curve.values).toHaveLength(res.scalars.n_iter);
        } else expect(res.traces).toBeUndefined();
      }
    }
  }, 60_000);

  test('the RBF width reaches libsvm (a narrow kernel keeps every row as a support vector) and the tree grows until pure', async () => {
    // Loading libsvm-js in Node leaves no emscripten process hooks behind (they would exit(1) on any unhandled rejection).
    const hooks = () => ['uncaughtException', 'unhandledRejection'].map((e) => process.listenerCount(e));
    const before = hooks();
    expect(typeof (await nodeLibsvm())).toBe('function');
    expect(hooks()).toEqual(before);
    const easy = repeatData(trial({ pool_n: 300, test_n: 60, n: 250, class_sep: 3, class_sep_decay: 'none', covariance_scale: 0.2 }));
    const wide = await fitPredictSvc(easy.train, [easy.test], { C: 1, gamma: 1 / 12, tol: 1e-3, cacheMb: 8, shrinking: true }, nodeLibsvm);
    const narrow = await fitPredictSvc(easy.train, [easy.test], { C: 1, gamma: 1e4, tol: 1e-3, cacheMb: 8, shrinking: true }, nodeLibsvm);
    expect(wide.nSupport).toBeLessThan(easy.train.n / 2);
    expect(narrow.nSupport).toBe(easy.train.n);
    // Overlapping classes (the protocol's data): an unlimited tree fits its training rows exactly.
    const hard = repeatData(trial({ n: 500 }));
    const tree = fitPredictTree(hard.train, [hard.train], SKLEARN_TREE_DEFAULTS);
    expect(Array.from(tree.predictions[0])).toEqual(Array.from(hard.train.labels));
    expect(tree.depth).toBeGreaterThan(3);
    // A minimum impurity decrease stops it earlier.
    const stubby = fitPredictTree(hard.train, [hard.train], { minSamplesSplit: 2, minImpurityDecrease: 0.001, maxDepth: null });
    expect(stubby.leaves).toBeLessThan(tree.leaves);
    const one = makeTable(2, 1);
    one.labels.set([1, 1]);
    expect(Array.from(fitPredictTree(one, [one], SKLEARN_TREE_DEFAULTS).predictions[0])).toEqual([1, 1]);
  });

  test('cost grows with training size and the 10,000-point trials are the heaviest, within the default budget', () => {
    const c = (classifier: string, n: number) => exp3.cost(exp3.params.parse({ classifier, n }) as Record<string, unknown>);
    for (const k of CLASSIFIERS) {
      expect(c(k, 10_000)).toBeGreaterThan(c(k, 1000));
      expect(c(k, 10_000)).toBeLessThan(5e10);
    }
    expect(c('deep', 10_000)).toBeGreaterThan(c('shallow', 10_000));
  });
});

describe('exp3 sweep and figure', () => {
  test('a small real sweep of all four classifiers aggregates in SQL and renders the accuracy curves with bands', async () => {
    // The MLPs' epochs are set in the model cells: Exp 3 with at most 15 epochs, under its own id.
    const short = variant((s) => (s.model = { ...s.model, sklearn_max_iter: 15, sklearn_n_iter_no_change: 2 }));
    const { figureData } = await runSweep(
      {
        experiment: 'exp3',
        repeats: 2,
        params: { pool_n: 300, test_n: 60 },
        grid: { n: [20, 100, 250] },
      },
      { lookup: (id) => (id === 'exp3' ? short : undefined) },
    );
    const acc = figureData.aggregate.filter((r) => r.metric === 'test_accuracy' && r.step === null);
    expect(acc).toHaveLength(12);
    for (const r of acc) {
      expect(r.n).toBe(2);
      expect(r.mean).toBeGreaterThan(0.3);
      expect(r.mean).toBeLessThanOrEqual(1);
    }
    // It learns (chance 0.5). On the training rows: the SVM ≥ 0.9 and the deep net ≥ 0.75 at
    // every size (lowest 0.94 and 0.78), the tree exactly 1 (grown until pure), the shallow net
    // (≤ 15 epochs) ≥ 0.6 averaged over the sizes (0.66). On the 60 held-out rows (the protocol's
    // overlapping mixture): the SVM and the deep net at 250 points average ≥ 0.6 (0.65).
    const meanOf = (metric: string, classifier: string, n: number) => figureData.aggregate.find((r) => r.metric === metric && r.step === null && r.config === `classifier=${classifier},n=${n}`)!.mean;
    for (const n of [20, 100, 250]) {
      expect(meanOf('train_accuracy', 'svm', n)).toBeGreaterThanOrEqual(0.9);
      expect(meanOf('train_accuracy', 'deep', n)).toBeGreaterThanOrEqual(0.75);
      expect(meanOf('train_accuracy', 'tree', n)).toBe(1);
    }
    expect([20, 100, 250].reduce((s, n) => s + meanOf('train_accuracy', 'shallow', n), 0) / 3).toBeGreaterThanOrEqual(0.6);
    expect((meanOf('test_accuracy', 'svm', 250) + meanOf('test_accuracy', 'deep', 250)) / 2).toBeGreaterThanOrEqual(0.6);
    const sizes = figureData.aggregate.filter((r) => r.metric === 'train_size').map((r) => r.mean);
    expect([...new Set(sizes)].sort((a, b) => a - b)).toEqual([16, 80, 200]);
    const epochs = figureData.aggregate.filter((r) => r.metric === 'n_iter');
    expect(epochs).toHaveLength(6); // shallow and deep configs only
    for (const r of epochs) expect(r.mean).toBeLessThanOrEqual(15);

    const { html, element } = renderFigure(exp03Figure, figureData);
    // Two plots (test, train accuracy), each: one band, one line and 12 dots for 4 classifiers × 3 sizes.
    expect(element.querySelectorAll('svg')).toHaveLength(6); // 2 plots + 4 swatches of the colour legend
    expect(element.querySelectorAll('g[aria-label="area"]')).toHaveLength(2);
    expect(element.querySelectorAll('g[aria-label="area"] path')).toHaveLength(8);
    expect(element.querySelectorAll('g[aria-label="line"] path')).toHaveLength(8);
    expect(element.querySelectorAll('g[aria-label="dot"] circle').length - element.querySelectorAll('g.repeats circle').length).toBe(24);
    // Every repeat as a faint dot: 12 configs × 2 repeats in each of the two plots.
    expect(element.querySelectorAll('g.repeats circle')).toHaveLength(2 * 24);
    expect(element.textContent).toContain('Test Accuracy of Various Classifiers');
    const legend = element.textContent ?? '';
    const order = ['Support Vector Machine', 'Decision Trees', 'Shallow Network', 'Deep Network'].map((s) => legend.indexOf(s));
    expect(order.every((i) => i >= 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
    const headline = exp03Figure.headline(figureData);
    expect(headline).toHaveLength(8);
    expect(headline[0]).toMatch(/^Support Vector Machine, 200 training points: test accuracy \d\.\d{3} ± \d\.\d{3} \(n=2\)$/);
    expect(headline[7]).toMatch(/^Deep Network, 16 training points/);
    await expect(formattedSvg(html)).toMatchFileSnapshot('../__snapshots__/exp03.figure.html');
  }, 90_000);
});
