/**
 * Trains a pack of a built-in spec's trials as its adam block does (core/blocks/train-adam.ts
 * trainPhase), by hand: the model of trialPlan, each trial's own data from the data block
 * with the spec's streams, its 'init' and 'batch' streams, test accuracy (float32, as the
 * record stores it) after each checkpoint's update and at the end. Returns the trained
 * weights too, which runPack does not expose (the Exp 7, 9 and 10 tests compare the rest
 * with runPack's).
 */
import { trialPlan, specStreams, type SpecExperiment } from '../../core/custom/compile';
import { accuracyOf } from '../../core/blocks/recorders';
import { DATA_BLOCKS } from '../../core/blocks';
import { BUILTIN_SPECS } from '../../core/experiments/specs';
import type { TrialSpec } from '../../core/experiments/types';
import type { LossName } from '../../core/nn/losses';
import type { NetworkPack } from '../../core/nn/model';
import { oneHot, predict, stack3d, trainPack } from '../../core/train/train-pack';

/** The streams a built-in spec's trials draw from (its compile options' stream names). */
export function builtinStreams(exp: SpecExperiment) {
  return specStreams(exp.spec, BUILTIN_SPECS.find((b) => `exp${b.number}` === exp.id)!.options);
}

/** One trial's data as the experiment draws it. */
export function dataOf(exp: SpecExperiment, t: TrialSpec) {
  return DATA_BLOCKS[exp.spec.data.block].generate(t.params as Record<string, unknown>, builtinStreams(exp).dataStreams(t));
}

/** Trains the trials (one config) by hand; `loss` replaces the trials' own. */
export async function trainAsSpec(exp: SpecExperiment, trials: TrialSpec[], loss?: LossName) {
  const { streamOf } = builtinStreams(exp);
  const p = trials[0].params as { loss: LossName; lr: number; steps: number; batch_size: number };
  const plan = trialPlan(exp.spec, trials[0].params as Record<string, unknown>);
  const splits = trials.map((t) => dataOf(exp, t));
  const testX = stack3d(splits.map((s) => s.test.x), plan.data.testRows, plan.data.input);
  const testY = splits.map((s) => oneHot(s.test.labels));
  const accuracies = async (net: NetworkPack) => (await predict(net, testX)).map((l, k) => Math.fround(accuracyOf(l, testY[k], 2)));
  const curves: number[][] = trials.map(() => []);
  try {
    const { pack, finalLoss } = await trainPack({
      model: plan.model!,
      initRngs: trials.map((t) => streamOf(t, 'init')),
      batchRngs: trials.map((t) => streamOf(t, 'batch')),
      trainX: splits.map((s) => s.train.x),
      trainY: splits.map((s) => oneHot(s.train.labels)),
      n: plan.data.trainRows,
      loss: loss ?? p.loss,
      lr: p.lr,
      steps: p.steps,
      batchSize: p.batch_size,
      // trainPack's checkpoint s is after s + 1 updates.
      checkpoints: plan.checkpoints.map((u) => u - 1),
      onCheckpoint: async (_, net) => (await accuracies(net)).forEach((a, k) => curves[k].push(a)),
    });
    const final = await accuracies(pack);
    const weights = await pack.read();
    pack.dispose();
    return { plan, splits, curves, final, finalLoss, weights };
  } finally {
    testX.dispose();
  }
}
