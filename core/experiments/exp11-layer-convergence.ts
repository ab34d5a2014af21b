/**
 * Experiment 11: Do weights in different layers converge at different speeds?.
 *
 * Data: Gaussian mixture, d = 12, class_seps 1/(i+1) (the code's "1/i"; the Exp 9 markdown
 * says 1), covariance_scale 1, n = 500 split 400/100, one-hot labels. The notebook makes a
 * single draw and runs once; here the default is 5 repeats (so Figure B can carry bands),
 * each drawing its own dataset, initial weights and batches (trial streams).
 * Model: 12 → (50, 50, 50) sigmoid → 2 linear logits, Xavier-uniform weights and biases;
 * weight matrices W0 12×50, W1 50×50, W2 50×50, W3 50×2 (biases are not tracked).
 * Training: MSE on raw logits, TF1 Adam lr 0.003, 750 steps (the notebook's argument; the
 * class default is 500), random_batch(64).
 * Recorded: after the update at every even step (0, 2, …, 748: 375 snapshots; the code
 * hard-codes the interval 2 and ignores its `store_every` argument; here `store_every`
 * sets it, default 2) the last `tracked` = 50 entries of each row-major flattened weight
 * matrix (W0–W2: the last row, i.e. the outgoing weights of the last input/unit; W3: rows
 * 25–49 × both outputs) and the test accuracy. The notebook keeps full copies of all four
 * matrices but only ever uses these tails.
 *   series  test_accuracy            375 values at the snapshot steps
 *   series  weight_change_layer{j}   ‖snapshot_i − snapshot_{i−1}‖₂ of those 50 entries,
 *                                    374 values at steps 2, 4, …, 748 (the notebook's Figure B)
 *   trace   weights_layer{j}         the raw trajectories (Figure A), snapshot-major:
 *                                    values[i·m + e] is tracked entry e (flat index
 *                                    size − m + e) at snapshot i and steps[i·m + e] is that
 *                                    snapshot's step, so steps repeat each snapshot step m
 *                                    times. Values are rounded to 7 significant digits
 *                                    (float32 carries ~7.2) to keep one D1 row ~0.3 MB.
 *   scalars test_accuracy (after the final update), n_params, and
 *           steps_to_converge_layer{j}: the first step from which the change norm (centred
 *           moving average over converge_window = 11 snapshots) stays below
 *           converge_fraction = 0.5 of its maximum for the rest of the run (= steps when it
 *           never settles), to test "later layers converge faster" in numbers, and
 *           final_change_layer{j}: the mean change norm over the last tenth of the run
 *           (how much the layer still moves once training has settled).
 * The notebook's x label "Epoch (x2)" counts snapshots; the figure's x axis is the step.
 */
import * as tf from '@tensorflow/tfjs-core';
import { z } from 'zod';
import { generateMixtureOfGaussians, type Mixture } from '../data/gaussian-mixture';
import { packAccuracy } from '../nn/losses';
import { parameterCount, parameterShapes, type MlpSpec, type NetworkPack } from '../nn/model';
import type { Rng } from '../rng';
import { evaluateAccuracy, everyNSteps, oneHot, stack3d, trainPack } from '../train/train-pack';
import { activation, classSeps, hiddenLayers, initializer, int, learningRate, loss, range, resolveSeps, trialStream } from './common';
import type { Experiment, TrialResult, TrialSpec } from './types';
import { packBytes } from './memory';

/** Data and model parameters shared with Exp 12 (same recipe). */
export const mixtureParams = {
  d: int(1, 256).default(12),
  class_seps: classSeps.default('inverse'),
  covariance_scale: z.number().positive().max(100).default(1),
  n: int(4, 20_000).default(500),
  test_size: z.number().min(0.01).max(0.9).default(0.2),
  activation: activation.default('sigmoid'),
  initializer: initializer.default('xavier'),
  lr: learningRate.default(0.003),
  steps: int(1, 100_000).default(750),
  batch_size: int(1, 20_000).default(64),
  /** Snapshot interval; the code hard-codes 2. */
  store_every: int(1, 100_000).default(2),
  /** Entries taken from the end of each flattened weight matrix (all of it when smaller). */
  tracked: int(1, 2500).default(50),
};

/**
 * One weight trace is one D1 row (JSON, ~15 bytes a value with its step): snapshots ×
 * tracked stays ≤ 40,000 values (~0.6 MB; the default is 375 × 50 = 18,750).
 */
export const MAX_TRACE_VALUES = 40_000;
export function withinTraceBudget(p: { steps: number; store_every: number; tracked: number }): boolean {
  return Math.ceil(p.steps / p.store_every) * p.tracked <= MAX_TRACE_VALUES;
}
export const traceBudgetIssue = {
  message: `snapshots (steps / store_every) × tracked must be at most ${MAX_TRACE_VALUES}: raise store_every or lower tracked`,
  path: ['store_every'],
};

const params = z
  .object({
    ...mixtureParams,
    n_hidden: hiddenLayers.default([50, 50, 50]),
    loss: loss.default('mean_squared_error'),
    /** steps_to_converge: the smoothed change norm must stay below this fraction of its maximum… */
    converge_fraction: z.number().positive().max(1).default(0.5),
    /** …after a centred moving average over this many snapshots. */
    converge_window: int(1, 1000).default(11),
  })
  .strict()
  .refine(withinTraceBudget, traceBudgetIssue);
type Params = z.infer<typeof params>;

type MixtureModelParams = Pick<Params, 'd' | 'activation' | 'initializer'> & { n_hidden: number[] };

export function modelFor(p: MixtureModelParams): MlpSpec {
  return { kind: 'mlp', input: p.d, hidden: p.n_hidden, output: 2, activation: p.activation, initializer: p.initializer };
}

type MixtureDataParams = Pick<Params, 'n' | 'd' | 'class_seps' | 'covariance_scale' | 'test_size'>;

/** Generate_mixture_of_gaussians(n, d, class_seps, covariance_scale, test_size, one_hot=True). */
export function mixtureFor(p: MixtureDataParams, rng: Rng): Mixture {
  return generateMixtureOfGaussians(rng, { n: p.n, d: p.d, classSeps: resolveSeps(p.class_seps, p.d), covarianceScale: p.covariance_scale, testSize: p.test_size });
}

/** How many trailing entries are tracked per weight matrix: `tracked`, or the whole matrix if smaller. */
export function tailSizes(spec: MlpSpec, tracked: number): number[] {
  return parameterShapes(spec)
    .filter((s) => s.isWeight)
    .map((s) => Math.min(tracked, s.shape[0] * s.shape[1]));
}

/**
 * Snapshots of the last entries of every weight matrix (`tails[j]` entries of W_j; 0 skips
 * that matrix) plus the test accuracy, for all K networks. Each snapshot is one tidy and
 * ONE `data()` of a [K, Σm + 1] tensor, so reading every second step costs a single device
 * sync rather than one per layer and network.
 */
export class TailRecorder {
  readonly steps: number[] = [];
  /** weights[k][j]: snapshot-major [snapshots × m_j] for network k, layer j. */
  readonly weights: Float32Array[][];
  readonly accuracy: number[][];
  private readonly width: number;

  constructor(
    readonly K: number,
    readonly tails: number[],
    readonly snapshots: number,
    private readonly xTest: tf.Tensor3D,
    private readonly yTest: tf.Tensor3D,
  ) {
    this.weights = range(K).map(() => tails.map((m) => new Float32Array(snapshots * m)));
    this.accuracy = range(K).map(() => []);
    this.width = tails.reduce((a, b) => a + b, 0) + 1;
  }

  async record(step: number, net: NetworkPack): Promise<void> {
    const i = this.steps.length;
    if (i >= this.snapshots) throw new Error(`more than ${this.snapshots} snapshots`);
    // A lone trial trains beside a shadow twin (see trainPack): the pack may hold more
    // networks (S) than trials (K); the extra rows are computed and dropped.
    const S = net.size;
    const row = tf.tidy(() => {
      const parts = net
        .weightVariables()
        .map((w, j) => {
          const size = w.shape[1]! * w.shape[2]!;
          return this.tails[j] ? tf.slice(tf.reshape(w, [S, size]), [0, size - this.tails[j]], [S, this.tails[j]]) : null;
        })
        .filter((t): t is tf.Tensor2D => t !== null);
      const tile = (t: tf.Tensor3D) => (S === this.K ? t : (tf.concat(Array<tf.Tensor3D>(S / this.K).fill(t), 0) as tf.Tensor3D));
      const acc = tf.reshape(packAccuracy(net.forward(tile(this.xTest)), tile(this.yTest)), [S, 1]);
      return tf.concat([...parts, acc], 1);
    });
    const data = (await row.data()) as Float32Array;
    row.dispose();
    for (let k = 0; k < this.K; k++) {
      let offset = k * this.width;
      this.tails.forEach((m, j) => {
        this.weights[k][j].set(data.subarray(offset, offset + m), i * m);
        offset += m;
      });
      this.accuracy[k].push(data[offset]);
    }
    this.steps.push(step);
  }

  /** ‖s_i − s_{i−1}‖₂ for i = 1…snapshots−1, at the later snapshot's step. */
  changeNorms(k: number, j: number): { steps: number[]; values: number[] } {
    const m = this.tails[j];
    const w = this.weights[k][j];
    const values: number[] = [];
    for (let i = 1; i < this.steps.length; i++) {
      let s = 0;
      for (let e = 0; e < m; e++) s += (w[i * m + e] - w[(i - 1) * m + e]) ** 2;
      values.push(Math.sqrt(s));
    }
    return { steps: this.steps.slice(1), values };
  }

  /** The trajectory as a trace: steps repeat each snapshot step m times; values snapshot-major. */
  trace(k: number, j: number): { steps: number[]; values: number[] } {
    const m = this.tails[j];
    const n = this.steps.length;
    return {
      steps: this.steps.flatMap((s) => Array<number>(m).fill(s)),
      values: Array.from(this.weights[k][j].subarray(0, n * m), round7),
    };
  }
}

function round7(v: number): number {
  return Number(v.toPrecision(7));
}

/**
 * First step from which the change norm, smoothed by a centred moving average of `window`
 * snapshots (mini-batch noise makes single changes spiky), stays below `fraction` × its own
 * maximum for the rest of the run; `end` when even the last smoothed change is at or above
 * that level (not settled within the run).
 */
export function stepsToConverge(change: { steps: number[]; values: number[] }, fraction: number, window: number, end: number): number {
  const v = change.values;
  if (!v.length) return end;
  const h = Math.floor(window / 2);
  const smooth = v.map((_, i) => {
    const lo = Math.max(0, i - h);
    const hi = Math.min(v.length, i + h + 1);
    let s = 0;
    for (let q = lo; q < hi; q++) s += v[q];
    return s / (hi - lo);
  });
  const threshold = fraction * Math.max(...smooth);
  let last = -1;
  smooth.forEach((x, i) => {
    if (x >= threshold) last = i;
  });
  return last + 1 < change.steps.length ? change.steps[last + 1] : end;
}

/** Mean of the last `fraction` of the values (at least one): the change norm's late level. */
export function tailMean(values: number[], fraction: number): number {
  if (!values.length) return 0;
  const n = Math.max(1, Math.round(values.length * fraction));
  return values.slice(-n).reduce((a, b) => a + b, 0) / n;
}

/** Per-trial mixture data as train arrays and stacked test tensors. */
export function packData<P extends MixtureDataParams>(trials: TrialSpec<P>[], streamOf: (t: TrialSpec<P>) => Rng) {
  const data = trials.map((t) => mixtureFor(t.params, streamOf(t)));
  const nTrain = data[0].train.n;
  const nTest = data[0].test.n;
  const d = data[0].train.d;
  return {
    data,
    nTrain,
    trainX: data.map((m) => m.train.x),
    trainY: data.map((m) => oneHot(m.train.labels)),
    xTest: stack3d(
      data.map((m) => m.test.x),
      nTest,
      d,
    ),
    yTest: stack3d(
      data.map((m) => oneHot(m.test.labels)),
      nTest,
      2,
    ),
  };
}

export const exp11: Experiment<typeof params> = {
  id: 'exp11',
  number: 11,
  section: 'V. Weight Evolution',
  title: 'Do weights in different layers converge at different speeds?',
  question: 'During training, do the weights of later layers settle sooner than those of earlier layers?',
  hypothesis: 'Later layers converge faster, because changes are amplified as they propagate backwards.',
  conclusion: 'Later layers converge faster, while earlier layers follow more complicated paths that take longer to settle.',
  // Layers are compared within each trial (metrics kind); trials are independent.
  claims: [
    { kind: 'metrics', statement: 'Later layers converge sooner: steps until the weight change settles fall from layer 0 to layer 3', metrics: ['steps_to_converge_layer0', 'steps_to_converge_layer1', 'steps_to_converge_layer2', 'steps_to_converge_layer3'], expect: 'decreasing', notebook: 'supported' },
    { kind: 'metrics', statement: 'Earlier layers keep moving longer: the weight change over the last tenth of training falls from layer 0 to layer 3', metrics: ['final_change_layer0', 'final_change_layer1', 'final_change_layer2', 'final_change_layer3'], expect: 'decreasing', notebook: 'supported' },
  ],
  params,
  grid: {},
  repeats: 5,
  cost: (p) => p.steps * Math.min(p.batch_size, Math.floor(p.n * (1 - p.test_size))) * parameterCount(modelFor(p)),
  memory: (p, pack) => packBytes({ model: modelFor(p), trainRows: Math.min(p.batch_size, Math.floor(p.n * (1 - p.test_size))), evalRows: p.n, dataRows: p.n }, pack),
  async runPack(trials, ctx) {
    const p = trials[0].params;
    const K = trials.length;
    const spec = modelFor(p);
    const { nTrain, trainX, trainY, xTest, yTest } = packData(trials, (t) => trialStream(t, 'data'));
    const checkpoints = everyNSteps(p.steps, p.store_every);
    const rec = new TailRecorder(K, tailSizes(spec, p.tracked), checkpoints.length, xTest, yTest);
    try {
      const { pack } = await trainPack({
        model: spec,
        initRngs: trials.map((t) => trialStream(t, 'init')),
        batchRngs: trials.map((t) => trialStream(t, 'batch')),
        trainX,
        trainY,
        n: nTrain,
        loss: p.loss,
        lr: p.lr,
        steps: p.steps,
        batchSize: p.batch_size,
        checkpoints,
        onCheckpoint: (step, net) => rec.record(step, net),
        yieldToHost: ctx.yieldToHost,
      });
      const finalAccuracy = await evaluateAccuracy(pack, xTest, yTest);
      pack.dispose();
      const layers = range(rec.tails.length);
      return range(K).map((k): TrialResult => {
        const changes = layers.map((j) => rec.changeNorms(k, j));
        return {
          trialId: trials[k].id,
          scalars: {
            test_accuracy: finalAccuracy[k],
            n_params: parameterCount(spec),
            ...Object.fromEntries(layers.map((j) => [`steps_to_converge_layer${j}`, stepsToConverge(changes[j], p.converge_fraction, p.converge_window, p.steps)])),
            ...Object.fromEntries(layers.map((j) => [`final_change_layer${j}`, tailMean(changes[j].values, 0.1)])),
          },
          series: {
            test_accuracy: { steps: rec.steps.slice(), values: rec.accuracy[k] },
            ...Object.fromEntries(layers.map((j) => [`weight_change_layer${j}`, changes[j]])),
          },
          traces: Object.fromEntries(layers.map((j) => [`weights_layer${j}`, rec.trace(k, j)])),
        };
      });
    } finally {
      tf.dispose([xTest, yTest]);
    }
  },
};
