import { packSizeFor } from '../core/engine';
import type { TrialSpec } from '../core/experiments/types';
import type { ExperimentLookup, TrialPackMessage } from '../core/run/run-trials';
import { packTrials } from '../core/sweep/expand';
import { estimatePackMs } from '../core/sweep/pack-budget';
import type { Experiment } from '../core/experiments/types';
import { configFor } from './config';
import type { AppBindings } from './context';

export interface PackLimits {
  /** Networks per queue message (1 on the baseline engine). */
  maxPack: number;
  /** Estimated CPU ms per pack (Infinity: no cut). */
  maxPackCpuMs: number;
}

/** How big a pack may be under the host's settings. */
export function packLimits(env: AppBindings): PackLimits {
  const config = configFor(env);
  return { maxPack: packSizeFor(config.ENGINE, config.MAX_PACK), maxPackCpuMs: config.MAX_PACK_CPU_MS === 0 ? Infinity : config.MAX_PACK_CPU_MS };
}

/** Networks per queue message for the host's settings (1 on the baseline engine). */
export function packSize(env: AppBindings): number {
  return packLimits(env).maxPack;
}

/**
 * Packs the trials (same network shape per pack, any number of sweeps) and hands them to
 * the host's queue; returns the number of messages. `lookup` knows every experiment named
 * (resolveExperiments in core/experiments/resolve.ts); a trial of an experiment it does not
 * know (a spec deleted meanwhile) goes alone, and the consumer marks it failed with the cause.
 */
export async function enqueueTrials(enqueue: (packs: TrialPackMessage[]) => Promise<void>, limits: PackLimits, trials: TrialSpec[], lookup: ExperimentLookup): Promise<number> {
  const bySweep = new Map<string, TrialSpec[]>();
  for (const t of trials) {
    const list = bySweep.get(t.sweepId);
    if (list) list.push(t);
    else bySweep.set(t.sweepId, [t]);
  }
  const messages: TrialPackMessage[] = [];
  for (const [sweepId, list] of bySweep) {
    const experimentId = list[0].experiment;
    const experiment = lookup(experimentId);
    const packs = experiment ? packTrials(experiment, list, limits.maxPack, undefined, undefined, limits.maxPackCpuMs) : list.map((t) => [t]);
    for (const p of packs) messages.push({ sweepId, experiment: experimentId, trials: p });
  }
  if (messages.length) await enqueue(messages);
  return messages.length;
}

/** A dry run's sizes: the packs the trials would go in, and the pack-time model's CPU estimates (core/sweep/pack-budget.ts). */
export function estimateTrials(experiment: Experiment, trials: TrialSpec[], limits: PackLimits) {
  const packs = packTrials(experiment, trials, limits.maxPack, undefined, undefined, limits.maxPackCpuMs);
  const packMs = packs.map((p) => estimatePackMs(experiment, p));
  const trialMs = trials.map((t) => estimatePackMs(experiment, [t]));
  return {
    packs: packs.length,
    // CPU of the whole sweep, of its longest pack (a sweep's wall time on Cloudflare), and of its longest trial.
    estimate: { cpuMs: Math.round(packMs.reduce((a, b) => a + b, 0)), longestPackMs: Math.round(Math.max(0, ...packMs)), longestTrialMs: Math.round(Math.max(0, ...trialMs)) },
  };
}
