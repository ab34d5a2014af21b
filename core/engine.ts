/**
 * The trial engine's speed features, each of which can be switched off to reproduce the
 * engine as it was before them (the "before" of the speed work, timed with `npm run catalogue` and `npm run bench`):
 *
 * - 'packed' (default): K trials of one shape per queue message as one stacked tensor
 *   program, wide layers on the per-network kernel (core/nn/matmul.ts), atomsweep's wasm
 *   kernels where the host installed them (core/nn/wasm-kernels.ts; same numbers), and,
 *   where they are not installed, a lone trial beside a shadow twin so its numbers equal
 *   the packed ones (with them a lone network already computes what it does in a pack).
 * - 'baseline': what a straightforward tfjs engine does: one trial per message (hosts set
 *   the pack size to 1, see `packSizeFor`), plain tf.matMul everywhere and its stock
 *   gradient, tfjs's own kernels only, no twin. Numbers differ from 'packed' in the last
 *   float32 bits only.
 *
 * Hosts parse their ENGINE variable once and pass the engine down as a value: in the run
 * context (core/run/run-trials.ts `PackContext.engine`) to every training call, and when
 * they make a backend, whether to install atomsweep's kernels on it
 * (core/nn/wasm-kernels.ts: kernels run where installed). Nothing here is process-wide.
 */
export type EngineName = 'packed' | 'baseline';

export interface Engine {
  name: EngineName;
  perNetworkMatMul: boolean;
  shadowTwin: boolean;
  /** Use atomsweep's wasm kernels when installed on the backend. */
  wasmKernels: boolean;
}

const ENGINES: Record<EngineName, Readonly<Engine>> = {
  packed: Object.freeze({ name: 'packed', perNetworkMatMul: true, shadowTwin: true, wasmKernels: true }),
  baseline: Object.freeze({ name: 'baseline', perNetworkMatMul: false, shadowTwin: false, wasmKernels: false }),
};

/** Parses a host's ENGINE setting; unset means 'packed'. */
export function parseEngine(value: string | undefined): EngineName {
  const v = (value ?? '').trim() || 'packed';
  if (v !== 'packed' && v !== 'baseline') throw new Error(`ENGINE must be 'packed' or 'baseline', got '${value}'`);
  return v;
}

/** The engine of a name. */
export function engineNamed(name: EngineName): Readonly<Engine> {
  return ENGINES[name];
}

/** What runs when a caller passes no engine: the default, 'packed'. */
export const DEFAULT_ENGINE: Readonly<Engine> = ENGINES.packed;

/** Networks per queue message: the host's MAX_PACK, or 1 on the baseline engine. */
export function packSizeFor(name: EngineName, maxPack: number): number {
  return name === 'baseline' ? 1 : maxPack;
}
