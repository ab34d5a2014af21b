/**
 * One training thread of the Node runner: the same `runTrialPack` as the Worker's queue
 * consumer, on tfjs WASM SIMD, writing through drizzle to the shared SQLite file.
 * The pool runs it as an esbuild bundle: tfjs-core's ESM build (which carries the
 * gradients) uses extensionless imports that Node's own ESM loader refuses.
 *
 * A WebAssembly fault (heap exhausted, corrupted) leaves this thread's tfjs instance
 * broken, so the reply says `fatal` and the pool (node/pool.ts) replaces the thread.
 */
import { parentPort, workerData } from 'node:worker_threads';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import type { TrialPackMessage } from '../core/run/run-trials';
import { errorMessage } from '../core/run/failure';
import { consumePack } from '../core/run/consume';
import { withFaults, type FaultPlan } from '../core/run/faults';
import { knownExperiment } from '../core/experiments/resolve';
import { engineNamed, parseEngine } from '../core/engine';
import { nodeLibsvm } from './libsvm-node';
import { openSqliteStore } from './sqlite-store';
import { installKernelsInNode } from './kernels';

const { dbFile, wasmDir, leaseMs, faults } = workerData as { dbFile: string; wasmDir: string; leaseMs?: number; faults?: FaultPlan[] };
setWasmPaths(wasmDir);
// The same ENGINE setting as the Worker's (core/engine.ts); threads share the process env.
// It is passed with every pack, and decides whether this thread's backend gets atomsweep's kernels.
const engine = engineNamed(parseEngine(process.env.ENGINE));
const opened = openSqliteStore(dbFile, { migrate: false, leaseMs });
// Custom experiments: resolved per pack from the same SQLite file (below), then known here.
const { store, lookup } = withFaults(faults ?? [], knownExperiment, opened.store, {
  exit: () => process.exit(1),
  uncaught: (err) => setTimeout(() => {
    throw err;
  }),
});
const ready = tf
  .setBackend('wasm')
  .then(() => tf.ready())
  .then(() => (engine.wasmKernels ? installKernelsInNode() : undefined));

parentPort!.on('message', async (msg: { job: number; pack: TrialPackMessage }) => {
  try {
    await ready;
  } catch (err) {
    return parentPort!.postMessage({ job: msg.job, ok: false, error: errorMessage(err), fatal: true });
  }
  // One pack is one invocation, as on the Worker: D1's query budget counts per pack. A fault
  // plan keeps its one wrapped store, since it counts attempts across packs.
  const packStore = faults?.length ? store : opened.invocation();
  const result = await consumePack(msg.pack, { now: Date.now, backend: tf.getBackend(), engine, libsvm: nodeLibsvm, onLeased: (leased) => parentPort!.postMessage({ job: msg.job, leased }) }, { pack: packStore, specs: opened.store }, lookup);
  parentPort!.postMessage(result.ok ? { job: msg.job, ok: true, outcome: result.outcome } : { job: msg.job, ok: false, error: result.error, fatal: result.wasmFault });
});
