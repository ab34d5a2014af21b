import { exp11 } from './exp11-layer-convergence';
import { builtinSpecExperiments } from './specs';
import type { Experiment } from './types';

/**
 * The catalogue by number: the notebook's twelve experiments in its order, then its
 * author's open questions (exp13–exp17). Those written as specs (core/experiments/specs/)
 * are compiled by core/custom/compile.ts like any custom experiment.
 */
export const EXPERIMENTS: Experiment[] = [
  ...([exp11] as unknown as Experiment[]),
  ...builtinSpecExperiments(),
].sort((a, b) => a.number - b.number);

export function getExperiment(id: string): Experiment | undefined {
  return EXPERIMENTS.find((e) => e.id === id);
}
