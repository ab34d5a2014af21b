import { exp1 } from './exp01-universal-approximation';
import { exp3 } from './exp03-data-size-vs-depth';
import { exp5 } from './exp05-memorisation';
import { exp6 } from './exp06-pca-dummy-features';
import { exp7 } from './exp07-activations';
import { exp8 } from './exp08-batch-size';
import { exp9 } from './exp09-loss-functions';
import { exp10 } from './exp10-initialisation';
import { exp11 } from './exp11-layer-convergence';
import { exp12 } from './exp12-regularisation';
import { builtinSpecExperiments } from './specs';
import type { Experiment } from './types';

/**
 * The catalogue by number: the notebook's twelve experiments in its order, then its
 * author's open questions (exp13–exp17). Those written as specs (core/experiments/specs/)
 * are compiled by core/custom/compile.ts like any custom experiment.
 */
export const EXPERIMENTS: Experiment[] = [
  ...([exp1, exp3, exp5, exp6, exp7, exp8, exp9, exp10, exp11, exp12] as unknown as Experiment[]),
  ...builtinSpecExperiments(),
].sort((a, b) => a.number - b.number);

export function getExperiment(id: string): Experiment | undefined {
  return EXPERIMENTS.find((e) => e.id === id);
}
