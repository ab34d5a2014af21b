/**
 * Experiment 5: Memorising or generalising? Random vs. true labels, after
 * Arpit et al. (arXiv 1706.05394).
 *
 * Data: per repeat ONE Gaussian mixture of n_max = max(ns) = 300 points, d = 6, class_seps
 * [1]*6, covariance_scale 1, one-hot labels, test_size 0 (all rows train, shuffled). It is
 * shared by every n and by the true/random-label runs of that repeat. With random labels
 * the one-hot rows of all 300 points are permuted (one permutation per repeat), which keeps
 * the class balance and breaks the point–label link. Each config uses the first n rows.
 * There is no test set: everything measured is training accuracy.
 * Model: 6 → [200, 200, 200] sigmoid → 2 logits (the notebook passes three layers of 200;
 * the class default is (100, 100)), Xavier-uniform weights and biases.
 * Training: softmax cross-entropy, TF1 Adam lr 0.003, 2,500 steps of random_batch(64) (a
 * fresh permutation each step; for n ≤ 64 the whole set every step).
 * Recorded: accuracy on the full n-row training subset after the updates of steps 0, 250,
 * …, 2250 (series `train_accuracy`, num_steps/10 apart, as `return_accuracy_per_epoch`) and
 * the final post-training accuracy (scalar `train_accuracy`, computed but not stored by the
 * notebook in that mode).
 */
import { z } from 'zod';
import { prefix, type Table } from '../data/dataset';
import { drawMixture } from '../data/gaussian-mixture';
import { labelingOption, permuteLabels } from '../data/labels';
import { parameterCount, type MlpSpec } from '../nn/model';
import { accuracyOn, disposeSets, stackTables, trainClassifiers } from '../train/classifier';
import { floatsPerTrial, memoryIssue, runInChunks } from '../train/pack-chunks';
import { accuracyRecorder, Curves } from '../train/recorders';
import { everyNSteps } from '../train/train-pack';
import { activation, classifierMlp, classSeps, hiddenLayers, initializer, int, learningRate, packStreams, repeatStream } from './common';
import type { Experiment, RunContext, TrialResult, TrialSpec } from './types';
import { packBytes } from './memory';

const params = z
  .object({
    /** true = the generated labels; random = the one-hot rows permuted (randomize=True). */
    labels: labelingOption.default('true'),
    /** Training prefix of the repeat's dataset. */
    n: int(1, 5000).default(300),
    /** Size of the one dataset drawn per repeat: max(ns). */
    n_max: int(1, 5000).default(300),
    d: int(1, 64).default(6),
    class_seps: classSeps.default(1),
    covariance_scale: z.number().positive().max(100).default(1),
    hidden: hiddenLayers.default([200, 200, 200]),
    activation: activation.default('sigmoid'),
    initializer: initializer.default('xavier'),
    lr: learningRate.default(0.003),
    steps: int(1, 100_000).default(2500),
    batch_size: int(1, 5000).default(64),
    /** Checkpoint spacing: the notebook records every num_steps/10. */
    record_every: int(1, 100_000).default(250),
  })
  .strict()
  .superRefine((p, ctx) => {
    if (p.n > p.n_max) ctx.addIssue({ code: 'custom', path: ['n'], message: `n must be at most n_max=${p.n_max}` });
    if (Array.isArray(p.class_seps) && p.class_seps.length !== 1 && p.class_seps.length !== p.d) ctx.addIssue({ code: 'custom', path: ['class_seps'], message: `length must be 1 or d=${p.d}` });
    const memory = memoryIssue(floatsPerTrial(p.n, p.d, p.hidden));
    if (memory) ctx.addIssue({ code: 'custom', path: ['hidden'], message: memory });
  });
type Params = z.infer<typeof params>;

export function modelFor(p: Params): MlpSpec {
  return classifierMlp(p.d, p.hidden, p);
}

/**
 * The repeat's dataset (n_max rows, shared by all configs of the repeat), with its labels
 * permuted when `labels` is random; the permutation is also per repeat, so the random-label
 * runs of every n see the same relabelling.
 */
export function repeatDataset(t: TrialSpec<Params>): Table {
  const p = t.params;
  const { train } = drawMixture(repeatStream(t, 'data', p.n_max, p.d), { n: p.n_max, d: p.d, class_seps: p.class_seps, covariance_scale: p.covariance_scale, test_size: 0 });
  return p.labels === 'true' ? train : permuteLabels(train, repeatStream(t, 'label-permutation', p.n_max));
}

export function trainingSet(t: TrialSpec<Params>): Table {
  return prefix(repeatDataset(t), t.params.n);
}

export const exp5: Experiment<typeof params> = {
  id: 'exp5',
  number: 5,
  section: 'II. Datasets',
  title: 'Memorising or generalising? (random vs. true labels)',
  question: 'How many randomly labelled points can the network memorise, and do random labels take longer to learn than true ones?',
  hypothesis: 'Random labels take longer to learn than true labels.',
  conclusion: 'Memorisation capacity is about 150 points, and even within capacity random labels are learned more slowly than true ones.',
  // Repeat r's points (and its label permutation) are shared by every config: paired.
  claims: [
    { kind: 'curves', statement: 'Within capacity (n = 150), true labels are learned faster: training accuracy over the checkpoints is higher than with random labels', metric: 'train_accuracy', by: 'labels', a: 'true', b: 'random', steps: 'all', expect: 'greater', where: { n: 150 }, paired: true, notebook: 'supported', quote: 'Conclusion: memorisation capacity is about 150 points, and even within capacity random labels are learned more slowly.', narrows: 'Tests the size the notebook plots for this, n = 150 (its "Training Accuracy (n=150)" panel), and reads "learned more slowly" as the mean training-accuracy curve over the ten checkpoints lying higher for true labels.' },
    { kind: 'difference', statement: 'Beyond capacity (n = 300), random labels are still less well fitted after training', metric: 'train_accuracy', by: 'labels', a: 'true', b: 'random', expect: 'greater', where: { n: 300 }, paired: true, notebook: 'supported', quote: 'Conclusion: memorisation capacity is about 150 points, and even within capacity random labels are learned more slowly.', narrows: 'Reads the capacity of about 150 points at the largest size, n = 300, twice that: there random labels should not all be memorised, so their final training accuracy should stay below that of true labels.' },
  ],
  params,
  grid: { labels: ['true', 'random'], n: [50, 100, 150, 200, 250, 300] },
  repeats: 5,
  seriesPoints: (p) => Math.ceil(p.steps / p.record_every),
  cost: (p) => p.steps * Math.min(p.batch_size, p.n) * parameterCount(modelFor(p)) + Math.ceil(p.steps / p.record_every) * p.n * parameterCount(modelFor(p)),
  memory: (p, pack) => packBytes({ model: modelFor(p), trainRows: Math.min(p.batch_size, p.n), evalRows: p.n, dataRows: p.n_max }, pack),
  // Default packKey (one config's repeats): a step of these 200-wide layers is compute-bound,
  // so pairing true and random labels in one pack would save little.
  async runPack(trials, ctx) {
    const p = trials[0].params;
    const model = modelFor(p);
    // Checkpoints evaluate all n rows, so n (not the batch) sizes the activations.
    return runInChunks(trials, floatsPerTrial(p.n, p.d, p.hidden), (part) => trainTrackingFit(part, model, ctx));
  },
};

/** Mini-batch cross-entropy on each trial's n rows, with accuracy on those same rows at the checkpoints and after training. */
async function trainTrackingFit(trials: TrialSpec<Params>[], model: MlpSpec, ctx: RunContext): Promise<TrialResult[]> {
  const p = trials[0].params;
  const data = trials.map(trainingSet);
  const rows = stackTables(data);
  const curves = new Curves(trials.length);
  try {
    const { pack } = await trainClassifiers({
      model,
      train: data,
      ...packStreams(trials),
      loss: 'cross_entropy',
      lr: p.lr,
      steps: p.steps,
      batchSize: p.batch_size,
      checkpoints: everyNSteps(p.steps, p.record_every),
      recorders: [accuracyRecorder(rows, curves)],
      yieldToHost: ctx.yieldToHost, engine: ctx.engine,
    });
    const final = await accuracyOn(pack, rows);
    pack.dispose();
    return trials.map(
      (t, k): TrialResult => ({
        trialId: t.id,
        scalars: { train_accuracy: final[k], n_params: parameterCount(model) },
        series: { train_accuracy: curves.curve(k) },
      }),
    );
  } finally {
    disposeSets(rows);
  }
}
