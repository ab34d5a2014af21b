import { z } from 'zod';
import { ACTIVATIONS, type Activation } from '../nn/activations';
import { INITIALIZERS, type Initializer } from '../nn/initializers';
import type { MlpSpec } from '../nn/model';
import { LOSSES } from '../nn/losses';
import { deriveSeed, streamFor, type Rng } from '../rng';
import type { TrialSpec } from './types';

/** Zod building blocks shared by the experiments' parameter schemas. */
export const int = (min: number, max: number) => z.number().int().min(min).max(max);
export const positive = (max: number) => z.number().positive().max(max);
export const hiddenLayers = z.array(int(1, 1024)).min(1).max(8);
export const activation = z.enum(ACTIVATIONS);
export const initializer = z.enum(INITIALIZERS);
export const loss = z.enum(LOSSES);
export const learningRate = z.number().positive().max(10);

/** Per-trial streams: each purpose gets its own generator so adding one draw never shifts another. */
export function trialStream(t: TrialSpec, purpose: string): Rng {
  return streamFor(t.seed, t.experiment, purpose, t.configKey, t.repeat);
}

/** A stream shared by all configs of one repeat (the notebook reuses one dataset per repeat). */
export function repeatStream(t: TrialSpec, purpose: string, ...keys: Array<string | number>): Rng {
  return streamFor(t.seed, t.experiment, purpose, t.repeat, ...keys);
}

export function trialSeed(t: TrialSpec): number {
  return deriveSeed(t.seed, t.experiment, t.configKey, t.repeat);
}

/** The class-mean parameter and its resolution live with the mixture (core/data/gaussian-mixture.ts). */
export { classSeps, inverseSeps, resolveSeps } from '../data/gaussian-mixture';

export function range(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i);
}

/** Training rows left by sklearn's split: n − ceil(test_size·n). */
export function trainRows(p: { n: number; test_size: number }): number {
  return p.n - Math.ceil(p.test_size * p.n);
}

/** The notebook's two-class multilayer_perceptron: input → hidden (activation) → 2 linear logits. */
export function classifierMlp(input: number, hidden: number[], p: { activation: Activation; initializer: Initializer }): MlpSpec {
  return { kind: 'mlp', input, hidden, output: 2, activation: p.activation, initializer: p.initializer };
}

/** Each trial's generators for its initial weights ('init') and mini-batches ('batch'). */
export function packStreams<T extends TrialSpec>(trials: T[], streamOf: (t: T, purpose: string) => Rng = trialStream): { initRngs: Rng[]; batchRngs: Rng[] } {
  return { initRngs: trials.map((t) => streamOf(t, 'init')), batchRngs: trials.map((t) => streamOf(t, 'batch')) };
}
