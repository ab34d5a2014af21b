/**
 * Model block `sklearn_mlp`: scikit-learn's `MLPClassifier()` (solver 'adam', one logistic
 * output for two classes), trained by sklearn's own loop (core/classical/sklearn-mlp.ts):
 * Glorot-uniform init, binary log-loss + alpha/(2·batch)·Σ‖W‖², sklearn Adam, epochs of
 * reshuffled batches, stopping on the training loss. Parameters and defaults are Exp 3's
 * (core/experiments/specs/exp03-data-size-vs-depth.ts), prefixed `sklearn_` (the training
 * blocks own `lr`, `batch_size`, …): hidden (100), ReLU, alpha 1e-4, lr 0.001, batches of
 * min(200, n), up to 200 epochs, tol 1e-4, stop after more than 2 epochs without improvement
 * (sklearn 0.19, the notebook's version).
 *
 * It fits itself (the spec's training block does nothing for it), from the trial's streams
 * 'init' (weights) and 'shuffle' (epoch orders); the networks of a pack train together and
 * give the same numbers whatever else shares their pack. Two classes only.
 * Losses: the mean binary log-loss (without the penalty) of the final weights.
 * Stored besides: epochs run (n_iter), whether the tol rule stopped it (converged), the last
 * epoch's training loss (final_loss), the batch size used (batch_size), and the training
 * loss per epoch as the trace loss_curve (steps 1, 2, …).
 */
import { z } from 'zod';
import { fitSklearnMlps, mlpParameterCount, predictClasses, resolveBatchSize, type SklearnActivation, type SklearnMlpOptions } from '../classical/sklearn-mlp';
import { packBytes } from '../experiments/memory';
import { binaryLogLoss, classificationOnly, inCustomUnits, PREDICTION_METRICS, STEP_UNITS } from './classical';
import type { ClassicalModelBlock, DataShape, Values } from './types';

export const SKLEARN_ACTIVATIONS = ['relu', 'tanh', 'logistic', 'identity'] as const;

export const sklearnMlpShape = {
  /** Hidden layer widths (sklearn's hidden_layer_sizes). */
  sklearn_hidden: z.array(z.number().int().min(1).max(1024)).min(1).max(8),
  sklearn_activation: z.enum(SKLEARN_ACTIVATIONS),
  /** L2 penalty. */
  sklearn_alpha: z.number().min(0).max(100),
  sklearn_lr: z.number().positive().max(10),
  sklearn_beta1: z.number().min(0).lt(1),
  sklearn_beta2: z.number().min(0).lt(1),
  sklearn_epsilon: z.number().positive().max(1),
  /** 'auto' = min(200, training rows). */
  sklearn_batch_size: z.union([z.literal('auto'), z.number().int().min(1).max(20_000)]),
  /** Epochs at most. */
  sklearn_max_iter: z.number().int().min(1).max(5_000),
  sklearn_tol: z.number().min(0).max(10),
  /** Stop once this many epochs in a row have not improved the best loss by tol (sklearn 0.19: 2; ≥ 0.20: 10). */
  sklearn_n_iter_no_change: z.number().int().min(1).max(5_000),
  sklearn_shuffle: z.boolean(),
};

type SklearnValues = {
  sklearn_hidden: number[];
  sklearn_activation: SklearnActivation;
  sklearn_alpha: number;
  sklearn_lr: number;
  sklearn_beta1: number;
  sklearn_beta2: number;
  sklearn_epsilon: number;
  sklearn_batch_size: 'auto' | number;
  sklearn_max_iter: number;
  sklearn_tol: number;
  sklearn_n_iter_no_change: number;
  sklearn_shuffle: boolean;
};

export function sklearnOptions(values: Values): SklearnMlpOptions {
  const p = values as SklearnValues;
  return {
    hidden: p.sklearn_hidden,
    activation: p.sklearn_activation,
    alpha: p.sklearn_alpha,
    batchSize: p.sklearn_batch_size,
    learningRate: p.sklearn_lr,
    beta1: p.sklearn_beta1,
    beta2: p.sklearn_beta2,
    epsilon: p.sklearn_epsilon,
    maxIter: p.sklearn_max_iter,
    tol: p.sklearn_tol,
    nIterNoChange: p.sklearn_n_iter_no_change,
    shuffle: p.sklearn_shuffle,
  };
}

/** Exp 3's MLP cost (every epoch run, a fixed price per Adam step, scoring) in the custom units, at the shallow net's price (the higher). */
function cost(values: Values, data: DataShape): number {
  const o = sklearnOptions(values);
  const m = data.trainRows;
  const params = mlpParameterCount(data.input, o.hidden);
  const steps = o.maxIter * Math.ceil(m / resolveBatchSize(o.batchSize, m));
  return inCustomUnits(o.maxIter * m * params + steps * STEP_UNITS + (data.testRows + m) * params, 'shallow');
}

export const sklearnMlpBlock: ClassicalModelBlock = {
  family: 'model',
  kind: 'sklearn_mlp',
  classical: true,
  summary: "scikit-learn's MLPClassifier() trained by sklearn's own loop (Adam, early stopping on the training loss), two classes; the training block does nothing for it.",
  shape: sklearnMlpShape,
  defaults: {
    sklearn_hidden: [100],
    sklearn_activation: 'relu',
    sklearn_alpha: 1e-4,
    sklearn_lr: 0.001,
    sklearn_beta1: 0.9,
    sklearn_beta2: 0.999,
    sklearn_epsilon: 1e-8,
    sklearn_batch_size: 'auto',
    sklearn_max_iter: 200,
    sklearn_tol: 1e-4,
    sklearn_n_iter_no_change: 2,
    sklearn_shuffle: true,
  },
  metrics: [...PREDICTION_METRICS, 'test_loss', 'train_loss'],
  incompatible(_values, data) {
    const task = classificationOnly('sklearn_mlp', data);
    if (task) return task;
    return data.output === 2 ? null : `model block 'sklearn_mlp' has one logistic output: two classes only (this data has ${data.output})`;
  },
  cost,
  // As Exp 3: the training rows, each epoch's shuffled copy and both eval sets; evaluating keeps 3 values per unit.
  memory(values, data, pack) {
    const o = sklearnOptions(values);
    const rows = data.trainRows + data.testRows;
    return packBytes({ model: { kind: 'mlp', input: data.input, hidden: o.hidden, output: 1, activation: 'relu', initializer: 'xavier' }, trainRows: resolveBatchSize(o.batchSize, data.trainRows), evalRows: rows, evalValuesPerUnit: 3, dataRows: 2 * rows }, pack);
  },
  async fit(input) {
    const o = sklearnOptions(input.params);
    const { splits } = input;
    const n = splits[0].train.n;
    const fits = await fitSklearnMlps(
      splits.map((s, k) => ({ x: s.train.x, y: s.train.labels, evalSets: input.extra ? [s.test.x, s.train.x, input.extra.x] : [s.test.x, s.train.x], initRng: input.stream(k, 'init'), shuffleRng: input.stream(k, 'shuffle') })),
      n,
      input.data.input,
      o,
      { yieldToHost: input.yieldToHost, engine: input.engine },
    );
    const nParams = mlpParameterCount(input.data.input, o.hidden);
    return fits.map((f, k) => ({
      test: predictClasses(f.evalLogits[0]),
      train: predictClasses(f.evalLogits[1]),
      testLoss: binaryLogLoss(f.evalLogits[0], splits[k].test.labels),
      trainLoss: binaryLogLoss(f.evalLogits[1], splits[k].train.labels),
      nParams,
      scalars: { n_iter: f.nIter, converged: f.converged ? 1 : 0, final_loss: f.lossCurve[f.lossCurve.length - 1], batch_size: resolveBatchSize(o.batchSize, n) },
      traces: { loss_curve: { steps: f.lossCurve.map((_, i) => i + 1), values: f.lossCurve } },
      // One logistic output: its logit is the class-1 logit against a class-0 logit of 0.
      ...(input.extra ? { extraScores: f.evalLogits[2] } : {}),
    }));
  },
};
