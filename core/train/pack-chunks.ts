/**
 * A second, coarser memory guard used by the full-batch classifiers (Exp 4, 5, 6): a pack
 * whose tensors would exceed a float budget trains as several smaller packs. Every trial's
 * numbers come from its own streams (and a lone trial trains beside a shadow twin,
 * core/train/train-pack.ts), so how a pack is cut changes no result.
 */
import { parameterCount } from '../nn/model';

/** Floats a pack may hold on the backend: 16M (64 MB), leaving room in a 128 MB Worker. */
export const PACK_FLOAT_BUDGET = 16e6;

/**
 * Rough floats one trial of a pack holds on the backend: weights, two Adam slots and the
 * gradients (4 × params of an input → hidden → 2 MLP), plus the forward and backward
 * activations of `rows` rows.
 */
export function floatsPerTrial(rows: number, input: number, hidden: number[]): number {
  const params = parameterCount({ kind: 'mlp', input, hidden, output: 2, activation: 'sigmoid', initializer: 'xavier' });
  return 4 * params + rows * (input + 6 * hidden.reduce((a, b) => a + b, 0));
}

/** The schema check that one trial alone fits the budget (packs beyond it are chunked). */
export function memoryIssue(floats: number): string | null {
  return floats > PACK_FLOAT_BUDGET ? `one trial would hold about ${Math.round((floats * 4) / 1e6)} MB of tensors, above ${(PACK_FLOAT_BUDGET * 4) / 1e6} MB; use fewer rows or smaller layers` : null;
}

/** Consecutive chunks of at most budget / perTrial trials (at least one each). */
export function chunkTrials<T>(trials: T[], perTrial: number, budget = PACK_FLOAT_BUDGET): T[][] {
  const size = Math.max(1, Math.floor(budget / perTrial));
  const out: T[][] = [];
  for (let i = 0; i < trials.length; i += size) out.push(trials.slice(i, i + size));
  return out;
}

/** Runs `run` on each chunk in turn and concatenates the results (in trial order). */
export async function runInChunks<T, R>(trials: T[], perTrial: number, run: (chunk: T[]) => Promise<R[]>): Promise<R[]> {
  const results: R[] = [];
  for (const part of chunkTrials(trials, perTrial)) results.push(...(await run(part)));
  return results;
}
