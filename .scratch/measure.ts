// Throwaway: peak WASM heap of one pack (fresh process per config).
import * as tf from '@tensorflow/tfjs-core';
import { useBackend } from '../test/tf-node';
import { getExperiment } from '../core/experiments';
import { expandSweep } from '../core/sweep/expand';

const [id, paramsJson, kArg] = process.argv.slice(2);
const K = Number(kArg ?? 16);
const { setWasmPaths } = await import('@tensorflow/tfjs-backend-wasm'); setWasmPaths(process.cwd() + '/node_modules/@tensorflow/tfjs-backend-wasm/dist/'); await useBackend('wasm');
const exp = getExperiment(id)!;
const sweep = expandSweep({ experiment: id, repeats: K, params: JSON.parse(paramsJson) }, 'm', { maxTrials: 5000, maxRepeats: 100, maxTrialCost: 1e15, maxPackBytes: 1e15 } as never);
const trials = sweep.trials.slice(0, K);
const heap = () => ((tf.backend() as unknown as { wasm: { HEAPU8: Uint8Array } }).wasm.HEAPU8.length);
const before = heap();
let peakTensorBytes = 0;
const orig = tf.engine().makeTensor.bind(tf.engine());
const t0 = Date.now();
await exp.runPack(trials as never, { yieldToHost: async () => { peakTensorBytes = Math.max(peakTensorBytes, tf.memory().numBytes); } });
const est = (exp as unknown as { memory?: (p: unknown, k: number) => number }).memory?.(trials[0].params, K);
console.log(JSON.stringify({ id, params: paramsJson, K, heapBefore: before, heapAfter: heap(), peakTensorBytesAtYields: peakTensorBytes, estimate: est ?? null, ms: Date.now() - t0 }));
