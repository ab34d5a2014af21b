/**
 * How long a pack trains, estimated from its trials' `cost` (Experiment.cost), so packs can
 * be cut at creation to a CPU budget. On Cloudflare every pack is one queue invocation: a
 * sweep lasts at least as long as its longest pack, however many consumers run, so packs
 * above the budget are cut (a trial's numbers do not depend on its pack,
 * core/train/train-pack.ts). Cutting costs amortisation: a pack of K networks shares every
 * kernel dispatch of a step, so a smaller pack spends more CPU per trial. The estimate
 * therefore has two terms per experiment:
 *
 *   pack CPU ms ≈ msPerCostUnit × mean trial cost × (K + overheadTrials)
 *
 * - `msPerCostUnit`: the marginal CPU of one more network, per unit of the experiment's
 *   cost (cost units are per experiment: they count multiply-adds, rows or steps, and
 *   dispatch-bound nets such as 1-16-1 spend far more time per unit than 200-wide ones);
 * - `overheadTrials`: the pack's fixed part (dispatch, evaluation set-up, a lone trial's
 *   shadow twin on batched layers), in trial-equivalents.
 *
 * Calibration: CPU time (process.cpuUsage, one thread, tfjs WASM SIMD in Node) of one pack
 * of the default sweep at several pack sizes, `bench/pack-timing.ts` (numbers in the
 * comment of each entry; the machine is a shared 2-core AMD EPYC, so they carry ±20%).
 * Experiments without an entry (custom ones) use DEFAULT_PACK_TIME, calibrated on the
 * slowest built-in per cost unit among the MLP experiments, so their packs are cut early
 * rather than late.
 */
import type { Experiment, TrialSpec } from '../experiments/types';

export interface PackTimeModel {
  /** Marginal CPU ms of one more network in the pack, per cost unit. */
  msPerCostUnit: number;
  /** Fixed CPU of a pack, in trial-equivalents. */
  overheadTrials: number;
}

/** CPU budget of one pack: Cloudflare's default CPU limit of a queue invocation (30 s). */
export const PACK_CPU_BUDGET_MS = 30_000;

export const PACK_TIME: Readonly<Record<string, PackTimeModel>> = {
  // batch 1 (75,000 steps, cost 9.49e9): pack of 2 81 s, 4 135 s, 5 168 s → 27 s per
  // network plus one network's worth of fixed cost; alone (with its twin) 81–101 s.
  exp8: { msPerCostUnit: 2.85e-6, overheadTrials: 1 },
};

export const DEFAULT_PACK_TIME: PackTimeModel = { msPerCostUnit: 2.85e-6, overheadTrials: 1 };

export function packTimeModel(experimentId: string): PackTimeModel {
  return PACK_TIME[experimentId] ?? DEFAULT_PACK_TIME;
}

/** Estimated CPU ms of training these trials as one pack. */
export function estimatePackMs(experiment: Pick<Experiment, 'id' | 'cost'>, trials: Array<Pick<TrialSpec, 'params'>>, model = packTimeModel(experiment.id)): number {
  if (!trials.length) return 0;
  const total = trials.reduce((a, t) => a + experiment.cost(t.params), 0);
  return model.msPerCostUnit * (total + (model.overheadTrials * total) / trials.length);
}
