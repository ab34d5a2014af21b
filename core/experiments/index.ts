import { exp1 } from './exp01-universal-approximation';
import { exp2 } from './exp02-depth-fixed-parameters';
import type { Experiment } from './types';

/** The catalogue, in the notebook's order. */
export const EXPERIMENTS: Experiment[] = [exp1, exp2] as unknown as Experiment[];

export function getExperiment(id: string): Experiment | undefined {
  return EXPERIMENTS.find((e) => e.id === id);
}
