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
  /**
   * Marginal CPU ms of one more network in the pack, per cost unit; a function of the
   * trial's parameters where one experiment's cost units mix kinds of work (Exp 3).
   */
  msPerCostUnit: number | ((params: Record<string, unknown>) => number);
  /** Fixed CPU of a pack, in trial-equivalents. */
  overheadTrials: number;
}

/** CPU budget of one pack: Cloudflare's default CPU limit of a queue invocation (30 s). */
export const PACK_CPU_BUDGET_MS = 30_000;

/**
 * Measured with bench/pack-timing.ts (CPU s of one pack at pack sizes K; "×10" marks runs
 * of a tenth of the steps scaled up). Built-ins without an entry (Exp 7, 9–12) have default
 * packs of 4–20 s of wall time on a loaded machine (about a quarter of that in CPU), far
 * below the budget.
 */
export const PACK_TIME: Readonly<Record<string, PackTimeModel>> = {
  // Tiny nets: the time is kernel dispatch per step, shared by the whole pack.
  // n_hidden 16 (cost 1.7e7): K=15 11.0 s.
  exp1: { msPerCostUnit: 2e-5, overheadTrials: 17 },
  // depth 3 (cost 1.2e7): K=1 17.1 s, K=5 17.9 s.
  exp2: { msPerCostUnit: 1.67e-5, overheadTrials: 85 },
  // n=10,000, by classifier (its cost mixes units): SVM (cost 2.6e9) K=1 4.3 s, K=3 10.6 s;
  // deep MLP (2.38e10) K=1 3.0 s, K=5 14.2 s; shallow MLP (7.5e9) K=1 3.4 s, K=5 19.7 s.
  // Early stopping differs per network, so packs barely amortise.
  exp3: { msPerCostUnit: (p) => EXP3_MS_PER_COST_UNIT[String(p.classifier)] ?? EXP3_MS_PER_COST_UNIT.svm, overheadTrials: 0.2 },
  // dummy_dim 2000 (cost 8.86e9): K=1 5.3–6.8 s, K=5 15.6 s.
  exp6: { msPerCostUnit: 2.93e-7, overheadTrials: 1 },
  // class_ratio 20, tiled (cost 1.21e10): K=1 7.2–8.0 s, K=5 25.2 s.
  exp4: { msPerCostUnit: 3.72e-7, overheadTrials: 0.6 },
  // n=300 (cost 1.34e10), ×10: K=2 20.4 s, K=5 44.9 s; n=50 (cost 1.03e10): K=1 9.2 s, K=5 28.8 s.
  exp5: { msPerCostUnit: 5.5e-7, overheadTrials: 0.7 },
  // batch 1 (75,000 steps, cost 9.49e9), ×10: K=1 82–94 s, K=2 81–106 s, K=4 135 s, K=5 146 s;
  // batch 4 (cost 3.02e9): K=1 28–32 s, K=2 27.5 s, K=5 42.4 s. Per-step dispatch is most
  // of it, so a lone trial (with its shadow twin) costs about as much as a pack of two.
  exp8: { msPerCostUnit: 1.63e-6, overheadTrials: 4 },
};

const EXP3_MS_PER_COST_UNIT: Record<string, number> = { svm: 1.4e-6, tree: 1.4e-6, deep: 1.2e-7, shallow: 5.2e-7 };

/** Experiments without an entry (custom ones): the slowest MLP calibration per cost unit (exp8's). */
export const DEFAULT_PACK_TIME: PackTimeModel = { msPerCostUnit: 1.63e-6, overheadTrials: 4 };

export function packTimeModel(experimentId: string): PackTimeModel {
  return PACK_TIME[experimentId] ?? DEFAULT_PACK_TIME;
}

/** Estimated CPU ms of training these trials as one pack. */
export function estimatePackMs(experiment: Pick<Experiment, 'id' | 'cost'>, trials: Array<Pick<TrialSpec, 'params'>>, model = packTimeModel(experiment.id)): number {
  if (!trials.length) return 0;
  const rate = (t: Pick<TrialSpec, 'params'>) => (typeof model.msPerCostUnit === 'number' ? model.msPerCostUnit : model.msPerCostUnit(t.params));
  const marginal = trials.reduce((a, t) => a + rate(t) * experiment.cost(t.params), 0);
  return marginal * (1 + model.overheadTrials / trials.length);
}
