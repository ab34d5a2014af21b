/**
 * The training loop Exp 7, 9 and 10 share: every trial of the pack trains on its own split
 * with random mini-batches, and test accuracy is recorded at the notebook's checkpoints
 * (after that step's update) and once more after the last update. Initial weights and
 * batches come from per-trial streams.
 */
import type { Split } from '../data/dataset';
import type { LossName } from '../nn/losses';
import { parameterCount, type MlpSpec, type NetworkPack } from '../nn/model';
import { accuracyOn, disposeSets, stackTables, trainClassifiers } from '../train/classifier';
import { accuracyRecorder, Curves } from '../train/recorders';
import { packStreams, range } from './common';
import type { RunContext, TrialResult, TrialSpec } from './types';

/**
 * The notebook's `step % (num_steps/10) == 0` with Python 3's float division: for 800 steps
 * 0, 80, …, 720; when the division is not whole only the steps that are exact multiples
 * of the float period qualify (e.g. 75 steps → 0, 15, 30, 45, 60).
 */
export function notebookCheckpoints(steps: number, records: number): number[] {
  const every = steps / records;
  return range(steps).filter((s) => s % every === 0);
}

export interface TrackedTraining {
  model: MlpSpec;
  loss: LossName;
  lr: number;
  steps: number;
  batchSize: number;
  records: number;
  /** One split per trial; all trials of a pack have the same train and test sizes. */
  splits: Split[];
}

export interface TrackedResult {
  checkpoints: number[];
  /** curves[k][i]: test accuracy of trial k at checkpoints[i]. */
  curves: number[][];
  /** Test accuracy after the last update (not recorded by the notebook). */
  final: number[];
  /** Training loss of the last step's batch, before its update (what sess.run returns). */
  finalLoss: number[];
  /** The trained pack; the caller disposes it. */
  pack: NetworkPack;
}

/** The schedule as Exp 7, 9 and 10 name it in their parameters. */
export function scheduleOf(p: { lr: number; steps: number; batch_size: number; records: number }): Pick<TrackedTraining, 'lr' | 'steps' | 'batchSize' | 'records'> {
  return { lr: p.lr, steps: p.steps, batchSize: p.batch_size, records: p.records };
}

export async function trainTrackingTestAccuracy(trials: TrialSpec[], ctx: RunContext, o: TrackedTraining): Promise<TrackedResult> {
  const { train, test } = o.splits[0];
  if (o.splits.some((s) => s.train.n !== train.n || s.test.n !== test.n)) throw new Error('all trials of a pack need the same split sizes');
  const testSet = stackTables(o.splits.map((s) => s.test));
  const checkpoints = notebookCheckpoints(o.steps, o.records);
  const curves = new Curves(trials.length);
  try {
    const { pack, finalLoss } = await trainClassifiers({
      model: o.model,
      train: o.splits.map((s) => s.train),
      ...packStreams(trials),
      loss: o.loss,
      lr: o.lr,
      steps: o.steps,
      batchSize: o.batchSize,
      checkpoints,
      recorders: [accuracyRecorder(testSet, curves)],
      yieldToHost: ctx.yieldToHost, engine: ctx.engine,
    });
    const final = await accuracyOn(pack, testSet);
    return { checkpoints, curves: curves.values, final, finalLoss, pack };
  } finally {
    disposeSets(testSet);
  }
}

/** One result per trial: the checkpoint curve, the final accuracy, the last loss and the parameter count. */
export function trackedResults(trials: TrialSpec[], r: TrackedResult, model: MlpSpec): TrialResult[] {
  return trials.map((t, k) => ({
    trialId: t.id,
    scalars: { test_accuracy: r.final[k], loss: r.finalLoss[k], n_params: parameterCount(model) },
    series: { test_accuracy: { steps: r.checkpoints, values: r.curves[k] } },
  }));
}

/** Trains the pack, tracks test accuracy, disposes the networks and returns the results. */
export async function runTrackingTestAccuracy(trials: TrialSpec[], ctx: RunContext, o: TrackedTraining): Promise<TrialResult[]> {
  const r = await trainTrackingTestAccuracy(trials, ctx, o);
  r.pack.dispose();
  return trackedResults(trials, r, o.model);
}
