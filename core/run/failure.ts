/**
 * What a failed attempt means for the host. A WebAssembly fault (the tfjs-wasm heap ran out
 * or was corrupted) poisons the instance that raised it: every later pack on it fails the
 * same way, so hosts replace it (the Node pool respawns its thread, the Worker re-creates
 * the tfjs wasm backend) before the pack is retried.
 */

const WASM_FAULT = /memory access out of bounds|unreachable|out of memory|Aborted\(|Cannot enlarge memory|Array buffer allocation failed|WebAssembly\.Memory/i;

/** True for errors raised by a broken WebAssembly instance (RuntimeError, emscripten abort, heap growth failure). */
export function isWasmFault(err: unknown): boolean {
  if (typeof WebAssembly !== 'undefined' && err instanceof WebAssembly.RuntimeError) return true;
  const message = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
  return /RuntimeError/.test(message) || WASM_FAULT.test(message);
}

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** The trial's `error` text for a failed attempt; says when the host replaces its backend. */
export function attemptError(attempt: number, err: unknown): string {
  if (isWasmFault(err)) return `attempt ${attempt} failed: WebAssembly memory exhausted or corrupted (${errorMessage(err)}); retried on a fresh backend`;
  return `attempt ${attempt} failed: ${errorMessage(err)}`;
}

/** Thrown into a pack's training loop when every lease it held was taken over: stop, write nothing. */
export class LeaseLost extends Error {
  constructor(readonly trials: number) {
    super(`lost the lease of all ${trials} trials (expired and taken over): stopping without writing`);
    this.name = 'LeaseLost';
  }
}
