import { packSizeFor } from '../core/engine';
import { getExperiment } from '../core/experiments';
import type { TrialSpec } from '../core/experiments/types';
import type { TrialPackMessage } from '../core/run/run-trials';
import { packTrials } from '../core/sweep/expand';
import { configFor } from './config';
import type { AppBindings } from './context';

/** Networks per queue message for the host's settings (1 on the baseline engine). */
export function packSize(env: AppBindings): number {
  const config = configFor(env);
  return packSizeFor(config.ENGINE, config.MAX_PACK);
}

/**
 * Packs the trials (same network shape per pack, any number of sweeps) and hands them to
 * the host's queue; returns the number of messages.
 */
export async function enqueueTrials(enqueue: (packs: TrialPackMessage[]) => Promise<void>, maxPack: number, trials: TrialSpec[]): Promise<number> {
  const bySweep = new Map<string, TrialSpec[]>();
  for (const t of trials) {
    const list = bySweep.get(t.sweepId);
    if (list) list.push(t);
    else bySweep.set(t.sweepId, [t]);
  }
  const messages: TrialPackMessage[] = [];
  for (const [sweepId, list] of bySweep) {
    const experiment = getExperiment(list[0].experiment)!;
    for (const p of packTrials(experiment, list, maxPack)) messages.push({ sweepId, experiment: experiment.id, trials: p });
  }
  if (messages.length) await enqueue(messages);
  return messages.length;
}
