import * as tf from '@tensorflow/tfjs-core';
import { app } from './worker-app';
import type { Env } from './env';
import { consumeDeadLetters, consumeTrials } from './queue-consumer';
import { initWasmBackend } from './tfjs-wasm';
import type { TrialPackMessage } from '../core/run/run-trials';

const prepare = async () => {
  await initWasmBackend();
  return tf.getBackend();
};

export default {
  fetch: app.fetch,
  async queue(batch: MessageBatch<TrialPackMessage>, env: Env): Promise<void> {
    if (batch.queue.endsWith('-dlq')) return consumeDeadLetters(batch, env);
    return consumeTrials(batch, env, { prepare });
  },
} satisfies ExportedHandler<Env, TrialPackMessage>;
