/**
 * libsvm-js (the WASM build) for workerd, injected into core/classical/svm.ts.
 *
 * Why this exists: the package's entry files cannot run in workerd as shipped.
 * - `libsvm-js/wasm` reads libsvm.wasm from disk or fetches it, then compiles the bytes,
 *   which workerd refuses ("Wasm code generation disallowed by embedder"). Instantiating
 *   an already compiled module is allowed: wrangler's CompiledWasm rule turns the `.wasm`
 *   import below into a `WebAssembly.Module`, and emscripten's `Module.instantiateWasm`
 *   hook hands it over.
 * - The emscripten glue (out/wasm/libsvm.js) builds its own Module object and starts it
 *   while being evaluated, so there is no place to pass that hook in. Its prelude picks a
 *   browser setup whenever `self` exists (workerd has `self`) and then reads `window` and
 *   `document`, which throws; with nodejs_compat it would otherwise take the Node branch
 *   (fs, `__dirname`, process hooks).
 * So the glue is evaluated by a synchronous `require` inside a window in which `self` and
 * `process` are hidden (→ emscripten's plain "shell" setup), `__dirname` exists (its
 * locateFile only builds a path string that is never read), and `instantiateWasm` is
 * reachable on the Module object through a non-enumerable Object.prototype property.
 * Everything is restored before the function returns; nothing else runs in between.
 * Pinned to libsvm-js 0.2.1 (this touches its internals).
 *
 * The plain-JS asm.js build (`libsvm-js/out/asm/libsvm.js`) also loads this way, without
 * the prototype step, but trained about 2× slower in workerd, so it is not used.
 *
 * Wiring: workers/index.ts passes `workerdLibsvm` to the queue consumer, which puts it in the run context.
 */
// @ts-ignore -- wrangler bundles `.wasm` imports as a precompiled WebAssembly.Module.
import libsvmWasm from 'libsvm-js/out/wasm/libsvm.wasm';
import { oncePerLoader, type LibsvmClass, type LibsvmLoader } from '../core/classical/svm';

// esbuild bundles these CommonJS files and evaluates each at its first require() call.
declare const require: (id: string) => unknown;

interface EmscriptenGlue {
  load(): Promise<void>;
}

/** Runs `fn` with some globals hidden and others defined, restoring all of them afterwards. */
function withGlobals<T>(hide: string[], define: Record<string, unknown>, fn: () => T): T {
  const g = globalThis as Record<string, unknown>;
  const names = [...hide, ...Object.keys(define)];
  const saved = names.map((n) => Object.getOwnPropertyDescriptor(g, n));
  for (const n of hide) Object.defineProperty(g, n, { value: undefined, configurable: true, writable: true });
  for (const [n, v] of Object.entries(define)) Object.defineProperty(g, n, { value: v, configurable: true, writable: true });
  try {
    return fn();
  } finally {
    names.forEach((n, i) => {
      const d = saved[i];
      if (d) Object.defineProperty(g, n, d);
      else delete g[n];
    });
  }
}

/** Loads libsvm-js's WASM build inside workerd (a `LibsvmFactory`). */
export async function loadLibsvmInWorkerd(): Promise<LibsvmClass> {
  const loadSVM = require('libsvm-js/src/loadSVM.js') as (glue: EmscriptenGlue) => LibsvmClass;
  let fail: (err: unknown) => void = () => {};
  const failed = new Promise<never>((_, reject) => (fail = reject));
  const instantiateWasm = (imports: WebAssembly.Imports, receive: (instance: WebAssembly.Instance, module: WebAssembly.Module) => void) => {
    WebAssembly.instantiate(libsvmWasm as WebAssembly.Module, imports).then((instance) => receive(instance, libsvmWasm as WebAssembly.Module), fail);
    return {}; // asynchronous: emscripten waits for receive()
  };
  Object.defineProperty(Object.prototype, 'instantiateWasm', { value: instantiateWasm, configurable: true, writable: true, enumerable: false });
  let glue: EmscriptenGlue;
  try {
    glue = withGlobals(['process', 'self'], { __dirname: '' }, () => require('libsvm-js/out/wasm/libsvm.js') as EmscriptenGlue);
  } finally {
    delete (Object.prototype as { instantiateWasm?: unknown }).instantiateWasm;
  }
  await Promise.race([glue.load(), failed]);
  return loadSVM(glue);
}

/** Exp 3's SVM in workerd, loaded once per isolate; passed in the run context. */
export const workerdLibsvm: LibsvmLoader = oncePerLoader(loadLibsvmInWorkerd);
