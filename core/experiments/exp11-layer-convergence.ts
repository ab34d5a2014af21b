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
import { z } from 'zod';
import { drawMixture } from '../data/gaussian-mixture';
import { parameterCount, type MlpSpec } from '../nn/model';
import { accuracyOn, disposeSets, stackTables, trainClassifiers } from '../train/classifier';
import { stepsToConverge, TailRecorder, tailMean, tailSizes, traceBudgetIssue, withinTraceBudget } from '../train/recorders';
import { everyNSteps } from '../train/train-pack';
import { classifierMlp, hiddenLayers, int, loss, packStreams, range, trialStream, weightTrackingParams } from './common';
import type { Experiment, TrialResult } from './types';
import { packBytes } from './memory';

const params = z
  .object({
    ...weightTrackingParams,
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

export function modelFor(p: Params): MlpSpec {
  return classifierMlp(p.d, p.n_hidden, p);
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
    { kind: 'metrics', statement: 'Later layers converge sooner: steps until the weight change settles fall from layer 0 to layer 3', metrics: ['steps_to_converge_layer0', 'steps_to_converge_layer1', 'steps_to_converge_layer2', 'steps_to_converge_layer3'], expect: 'decreasing', notebook: 'supported', quote: 'Conclusion: later layers converge faster, while earlier layers follow more complicated paths that take longer to settle.', narrows: 'Measures "converge" as the first step from which the smoothed weight change stays below half its maximum, and asks for it to fall from layer 0 to layer 3 within each run; the notebook read it off its plots of the weight changes.' },
    { kind: 'metrics', statement: 'Earlier layers keep moving longer: the weight change over the last tenth of training falls from layer 0 to layer 3', metrics: ['final_change_layer0', 'final_change_layer1', 'final_change_layer2', 'final_change_layer3'], expect: 'decreasing', notebook: 'supported', quote: 'Conclusion: later layers converge faster, while earlier layers follow more complicated paths that take longer to settle.', narrows: 'Reads "take longer to settle" as a larger mean weight change over the last tenth of training, falling from layer 0 to layer 3 within each run.' },
  ],
  params,
  grid: {},
  repeats: 5,
  seriesPoints: (p) => Math.ceil(p.steps / p.store_every),
  cost: (p) => p.steps * Math.min(p.batch_size, Math.floor(p.n * (1 - p.test_size))) * parameterCount(modelFor(p)),
  memory: (p, pack) => packBytes({ model: modelFor(p), trainRows: Math.min(p.batch_size, Math.floor(p.n * (1 - p.test_size))), evalRows: p.n, dataRows: p.n }, pack),
  async runPack(trials, ctx) {
    const p = trials[0].params;
    const K = trials.length;
    const spec = modelFor(p);
    // Every trial draws its own dataset (the notebook's single run, repeated).
    const data = trials.map((t) => drawMixture(trialStream(t, 'data'), p));
    const test = stackTables(data.map((m) => m.test));
    const checkpoints = everyNSteps(p.steps, p.store_every);
    const rec = new TailRecorder(K, tailSizes(spec, p.tracked), checkpoints.length, test.x, test.y);
    try {
      const { pack } = await trainClassifiers({
        model: spec,
        train: data.map((m) => m.train),
        ...packStreams(trials),
        loss: p.loss,
        lr: p.lr,
        steps: p.steps,
        batchSize: p.batch_size,
        checkpoints,
        recorders: [rec],
        yieldToHost: ctx.yieldToHost, engine: ctx.engine,
      });
      const finalAccuracy = await accuracyOn(pack, test);
      pack.dispose();
      const layers = range(rec.tails.length);
      return trials.map((t, k): TrialResult => {
        const changes = layers.map((j) => rec.changeNorms(k, j));
        return {
          trialId: t.id,
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
      disposeSets(test);
    }
  },
};
