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
   * trial's parameters where one experiment's cost units mix kinds of work.
   */
  msPerCostUnit: number | ((params: Record<string, unknown>) => number);
  /** Fixed CPU of a pack, in trial-equivalents. */
  overheadTrials: number;
}

/** CPU ms per cost unit of experiments without an entry or a model of their own (DEFAULT_PACK_TIME). */
export const CUSTOM_MS_PER_COST_UNIT = 1.63e-6;

/**
 * CPU ms per cost unit of a spec's network trials (core/custom/compile.ts trialCost units),
 * by how a step runs (core/custom/compile.ts stepPath):
 * - `direct`: a plain MLP with a fused activation (sigmoid, ReLU, identity), no batch
 *   normalisation, no weight penalty, nothing frozen: atomsweep's direct step
 *   (core/nn/mlp-step.ts);
 * - `tape`: the same layers through tfjs's gradient tape over the pack GEMM, because a
 *   weight penalty or frozen layers need it;
 * - `elementwise`: the tape with elementwise kernels between the products: batch
 *   normalisation, an activation the GEMM does not fuse (tanh, sin, square, sign), the
 *   weight-shared net;
 * - `conv`: a convolutional net.
 * Read off the default catalogue's packs of 2 s or less per trial
 * (bench/reports/pack-time-paths-2026-12-06.md), with the default fixed part of 4
 * trial-equivalents: the largest rate a built-in's pack implied on each path was 2.3e-7
 * (direct, packs above 0.3 s), 6.6e-7, 2.8e-6 and 4.0e-6; each price is at or above it.
 */
export const STEP_PATH_MS_PER_COST_UNIT = { direct: 2.5e-7, tape: 7e-7, elementwise: 3e-6, conv: 4.5e-6 } as const;
export type StepPath = keyof typeof STEP_PATH_MS_PER_COST_UNIT;

/** CPU budget of one pack: Cloudflare's default CPU limit of a queue invocation (30 s). */
export const PACK_CPU_BUDGET_MS = 30_000;

/**
 * Measured with bench/pack-timing.ts on the engine with atomsweep's wasm kernels
 * (core/nn/wasm-kernels.ts): CPU s of one pack at pack sizes K, two calibrations at a time
 * on the 2-core machine ("×10" marks runs of a tenth of the steps scaled up; the first size
 * of a run also pays the process's warm-up). Built-ins without an entry (Exp 7, 9–12) have
 * default packs of a few seconds, far below the budget.
 */
export const PACK_TIME: Readonly<Record<string, PackTimeModel>> = {
  // Tiny nets: the time is kernel dispatch per step, shared by the whole pack.
  // n_hidden 16 (cost 1.7e7): K=5 1.56 s, K=15 2.25 s.
  // As a spec its cost (core/custom/compile.ts trialCost) is about 3.2× its code's, so the rate is too.
  exp1: { msPerCostUnit: 1.28e-6, overheadTrials: 17.6 },
  // depth 3 (cost 1.2e7 in its code's units): K=1 7.0 s, K=5 6.9 s: all dispatch. As a
  // spec (core/custom/compile.ts trialCost) depth 1 costs 5.93e7 and the rate takes it to be
  // as slow as depth 3 (measured: 0.8–0.95 of it), so deeper nets, whose cost grows with
  // their width² per layer, are estimated above their time, never below.
  exp2: { msPerCostUnit: 1.3e-6, overheadTrials: 85 },
  // A spec of classical model blocks: its costs are in the custom units, each classifier's
  // measured CPU already priced in (core/blocks/classical.ts CLASSICAL_MS_PER_UNIT), so the
  // default price per unit; early stopping differs per network, so packs barely amortise.
  exp3: { msPerCostUnit: CUSTOM_MS_PER_COST_UNIT, overheadTrials: 0.2 },
  // dummy_dim 2000 (cost 8.86e9): K=1 3.1 s, K=5 10.7 s.
  exp6: { msPerCostUnit: 2.14e-7, overheadTrials: 0.62 },
  // class_ratio 20, tiled (cost 1.21e10): K=1 4.5 s, K=5 16.6 s.
  exp4: { msPerCostUnit: 2.51e-7, overheadTrials: 0.47 },
  // n=300 (cost 1.34e10): K=1 6.6 s, K=5 14.6 s.
  exp5: { msPerCostUnit: 1.49e-7, overheadTrials: 2.31 },
  // Exp 8 trains its trials one after another, each alone (its own clock), so a pack costs
  // K lone trials: no fixed part. On the direct step (core/nn/mlp-step.ts), the default
  // catalogue's packs of five, Node runner, 2 threads (bench/reports/exp8-runtime-per-network-2026-12-06.md):
  // batch 1 (cost 9.57e9 in its code's units) 11.5 s, batch 4 3.1 s, batch 400 1.1 s; the
  // model: 11.5, 3.4, 1.0 s. As a spec (core/custom/compile.ts trialCost: the same steps ×
  // (batch + 10 rows of dispatch), plus its evaluations, time-to-target checks at a third of
  // a row) batch 1 costs 9.87e9, 3% more, batch 400 1.17e9, 32% more: the rate is kept, so
  // its default packs are estimated at 11.8 s (batch 1) and 22.3 s in all (20.2 s before).
  exp8: { msPerCostUnit: 2.4e-7, overheadTrials: 0 },
};

/**
 * Experiments without an entry (custom ones): the slowest MLP calibration per cost unit of
 * the engine before atomsweep's wasm kernels (exp8's then), kept so that custom packs are
 * cut early rather than late.
 */
export const DEFAULT_PACK_TIME: PackTimeModel = { msPerCostUnit: CUSTOM_MS_PER_COST_UNIT, overheadTrials: 4 };

/** The experiment's pack-time model: a calibrated built-in's entry, else its own (a spec's, by step path), else the default. */
export function packTimeModel(experiment: Pick<Experiment, 'id' | 'packTime'>): PackTimeModel {
  return PACK_TIME[experiment.id] ?? experiment.packTime ?? DEFAULT_PACK_TIME;
}

/** Estimated CPU ms of training these trials as one pack. */
export function estimatePackMs(experiment: Pick<Experiment, 'id' | 'cost' | 'packTime'>, trials: Array<Pick<TrialSpec, 'params'>>, model = packTimeModel(experiment)): number {
  if (!trials.length) return 0;
  const rate = (t: Pick<TrialSpec, 'params'>) => (typeof model.msPerCostUnit === 'number' ? model.msPerCostUnit : model.msPerCostUnit(t.params));
  const marginal = trials.reduce((a, t) => a + rate(t) * experiment.cost(t.params), 0);
  return marginal * (1 + model.overheadTrials / trials.length);
}
