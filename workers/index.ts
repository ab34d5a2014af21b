import * as tf from '@tensorflow/tfjs-core';
import { app } from './worker-app';
import type { Env } from './env';
import { consumeDeadLetters, consumeTrials } from './queue-consumer';
import { requeueStaleTrials } from './scheduled';
import { initWasmBackend, resetWasmBackend } from './tfjs-wasm';
import { useLibsvmInWorkerd } from './libsvm-loader';
import type { TrialPackMessage } from '../core/run/run-trials';

// Exp 3's SVM: libsvm's emscripten build needs the precompiled module workerd allows.
useLibsvmInWorkerd();

const prepare = async () => {
  await initWasmBackend();
  return tf.getBackend();
};
/** One per isolate, like the backend it prepares (and resets after a WebAssembly fault). */
const consumerDeps = { prepare, reset: resetWasmBackend };

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
