import { builtinSpecExperiments } from './specs';
import type { Experiment } from './types';

/**
 * The catalogue by number: the notebook's twelve experiments in its order, then its
 * author's open questions (exp13–exp17). All are written as specs
 * (core/experiments/specs/) and compiled by core/custom/compile.ts like any custom
 * experiment.
 */
export const EXPERIMENTS: Experiment[] = builtinSpecExperiments().sort((a, b) => a.number - b.number);

export function getExperiment(id: string): Experiment | undefined {
  return EXPERIMENTS.find((e) => e.id === id);
}
