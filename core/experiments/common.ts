import { z } from 'zod';
import { ACTIVATIONS, type Activation } from '../nn/activations';
import { INITIALIZERS, type Initializer } from '../nn/initializers';
import { drawMixture, mixtureRecipe, type Mixture, type MixtureRecipe } from '../data/gaussian-mixture';
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

/** The keys a trial's own stream is derived from (trialStream): also its identity where data is kept. */
export function trialStreamKeys(t: TrialSpec, purpose: string): Array<string | number> {
  return [t.seed, t.experiment, purpose, t.configKey, t.repeat];
}

/** The keys a repeat's shared stream is derived from (repeatStream). */
export function repeatStreamKeys(t: TrialSpec, purpose: string, ...keys: Array<string | number>): Array<string | number> {
  return [t.seed, t.experiment, purpose, t.repeat, ...keys];
}

/** Per-trial streams: each purpose gets its own generator so adding one draw never shifts another. */
export function trialStream(t: TrialSpec, purpose: string): Rng {
  return streamFor(...trialStreamKeys(t, purpose));
}

/** A stream shared by all configs of one repeat (the notebook reuses one dataset per repeat). */
export function repeatStream(t: TrialSpec, purpose: string, ...keys: Array<string | number>): Rng {
  return streamFor(...repeatStreamKeys(t, purpose, ...keys));
}

/**
 * Data a protocol shares across configs (one draw per repeat, or per repeat and some
 * parameter), kept between the packs one isolate or thread trains, so the next config of
 * the same repeat reads it instead of computing it again: the same values, computed once.
 * Entries are keyed by everything the data depends on (`sharedKey`) and held up to
 * `budget` bytes. Each entry states its size and the work it saves (`work`, in
 * multiply-adds or the like, comparable across entries): room for a new entry is made from
 * the entries that save no more work per byte than it does, the least first (the least
 * recently used first among equals); when that is not enough room, the new entry is not
 * kept (nor is one above the budget). Whoever reads an entry must not modify it.
 */
export class SharedData {
  private readonly entries = new Map<string, { value: unknown; bytes: number; density: number }>();
  private held = 0;

  constructor(readonly budget: number) {}

  get<V>(key: string, compute: () => V, size: (v: V) => { bytes: number; work: number }): V {
    const hit = this.entries.get(key);
    if (hit) {
      // Most recently used last.
      this.entries.delete(key);
      this.entries.set(key, hit);
      return hit.value as V;
    }
    const value = compute();
    const { bytes, work } = size(value);
    const density = work / Math.max(bytes, 1);
    // Candidates: entries worth no more per byte, least worth first, least recently used
    // first among equals (the sort is stable over the map's use order).
    const candidates = [...this.entries].filter(([, e]) => e.density <= density).sort((x, y) => x[1].density - y[1].density);
    const victims: string[] = [];
    let free = this.budget - this.held;
    for (const [k, e] of candidates) {
      if (free >= bytes) break;
      victims.push(k);
      free += e.bytes;
    }
    if (free < bytes) return value;
    for (const k of victims) {
      this.held -= this.entries.get(k)!.bytes;
      this.entries.delete(k);
    }
    this.entries.set(key, { value, bytes, density });
    this.held += bytes;
    return value;
  }

  /** Bytes held now. */
  get bytes(): number {
    return this.held;
  }

  /** Whether `key` is held now. */
  has(key: string): boolean {
    return this.entries.has(key);
  }

  clear(): void {
    this.entries.clear();
    this.held = 0;
  }
}

/**
 * The one store of shared data of an isolate or thread (Exp 3's mixtures, Exp 6's mixed
 * inputs and PCA bases). 12 MiB: beside a pack at the 96 MiB WebAssembly budget
 * (core/sweep/request.ts maxPackBytes) it stays inside a Worker's 128 MB. It holds Exp 6's
 * five repeats at dummy_dim 2000 and 1000 (8 + 4 MB of float64 rows, the most work per
 * byte), or Exp 3's five mixtures (2.6 MB) beside other entries.
 */
export const SHARED_DATA_BYTES = 12 * 2 ** 20;
export const sharedData = new SharedData(SHARED_DATA_BYTES);

/** The key of shared data: what it is, the sweep seed, the experiment, the repeat and the parameters it depends on. */
export function sharedKey(t: TrialSpec, what: string, ...params: unknown[]): string {
  return JSON.stringify([what, t.seed, t.experiment, t.repeat, ...params]);
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

/** One mixture per repeat, shared by every config of that repeat (the notebook draws once per repeat loop). */
export function repeatMixture(t: TrialSpec<MixtureRecipe>): Mixture {
  return drawMixture(repeatStream(t, 'data'), t.params);
}

