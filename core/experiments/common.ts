import { z } from 'zod';
import { ACTIVATIONS } from '../nn/activations';
import { INITIALIZERS } from '../nn/initializers';
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

/** Class seps 1/(i+1) for i < d: the notebook's "1/i" mean vector. */
export function inverseSeps(d: number): number[] {
  return Array.from({ length: d }, (_, i) => 1 / (i + 1));
}

/** The mean vector named by a `class_seps` parameter: a number (repeated) or 'inverse' (1/i). */
export const classSeps = z.union([z.number().min(-100).max(100), z.literal('inverse'), z.array(z.number()).min(1).max(4096)]);
export function resolveSeps(seps: number | 'inverse' | number[], d: number): number[] {
  if (seps === 'inverse') return inverseSeps(d);
  if (typeof seps === 'number') return [seps];
  if (seps.length !== 1 && seps.length !== d) throw new Error(`class_seps must have length 1 or d=${d}`);
  return seps;
}

export function range(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i);
}
