import * as tf from '@tensorflow/tfjs-core';
import { app } from './worker-app';
import type { Env } from './env';
import { consumeDeadLetters, consumeTrials } from './queue-consumer';
import { requeueStaleTrials } from './scheduled';
import { initWasmBackend, resetWasmBackend } from './tfjs-wasm';
import { workerdLibsvm } from './libsvm-loader';
import type { TrialPackMessage } from '../core/run/run-trials';
import type { Engine } from '../core/engine';


const prepare = async (engine: Readonly<Engine>) => {
  await initWasmBackend({ kernels: engine.wasmKernels });
  return tf.getBackend();
};
/** One per isolate, like the backend it prepares (and resets after a WebAssembly fault). */
// Exp 3's SVM: libsvm's emscripten build needs the precompiled module workerd allows.
const consumerDeps = { libsvm: workerdLibsvm, prepare, reset: (engine: Readonly<Engine>) => resetWasmBackend({ kernels: engine.wasmKernels }) };

export default {
  fetch: app.fetch,
  async queue(batch: MessageBatch<TrialPackMessage>, env: Env): Promise<void> {
    if (batch.queue.endsWith('-dlq')) return consumeDeadLetters(batch, env);
    return consumeTrials(batch, env, consumerDeps);
  },
  async scheduled(_controller: ScheduledController, env: Env, ctx: ExecutionContext): Promise<void> {
    ctx.waitUntil(requeueStaleTrials(env, Date.now()));
  },
} satisfies ExportedHandler<Env, TrialPackMessage>;
