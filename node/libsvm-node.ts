/** libsvm-js for Node hosts (tests, the local runner's threads, benchmarks). */
import { createRequire } from 'node:module';
import { oncePerLoader, type LibsvmClass, type LibsvmLoader } from '../core/classical/svm';

/**
 * Node: `libsvm-js/wasm` exports a Promise of the class, resolved once its .wasm is read from
 * disk. It is loaded with a synchronous `require`: through ESM interop the thenable exports
 * (the Promise, and the emscripten Module's own `then`) confuse `await import()`. The glue
 * also registers process-wide hooks in Node (rethrow every uncaught exception;
 * process.exit(1) on any unhandled rejection), which would change how the host fails; the
 * require is synchronous, so exactly the listeners it added are removed again. `fetch` is
 * hidden during it too: Node 22 has one, so the glue would first try to fetch the .wasm by
 * file path, fail, log "wasm streaming compile failed" and then read the file anyway.
 */
function loadNodeWasm(): Promise<LibsvmClass> {
  // Typed loosely: the two events have different listener signatures.
  const proc = process as unknown as { listeners(e: string): unknown[]; removeListener(e: string, l: unknown): void };
  const require = createRequire(import.meta.url);
  const events = ['uncaughtException', 'unhandledRejection'] as const;
  const before = events.map((e) => proc.listeners(e));
  const g = globalThis as Record<string, unknown>;
  const fetchDescriptor = Object.getOwnPropertyDescriptor(g, 'fetch');
  let pending: Promise<LibsvmClass>;
  try {
    if (fetchDescriptor) Object.defineProperty(g, 'fetch', { value: undefined, configurable: true, writable: true });
    pending = require('libsvm-js/wasm') as Promise<LibsvmClass>;
  } finally {
    if (fetchDescriptor) Object.defineProperty(g, 'fetch', fetchDescriptor);
    events.forEach((e, i) => {
      for (const l of proc.listeners(e)) if (!before[i].includes(l)) proc.removeListener(e, l);
    });
  }
  return pending;
}

/** Exp 3's SVM on Node: libsvm-js's WASM build from node_modules, loaded once; passed in the run context. */
export const nodeLibsvm: LibsvmLoader = oncePerLoader(loadNodeWasm);
