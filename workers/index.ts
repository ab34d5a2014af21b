import '@tensorflow/tfjs-core/dist/register_all_gradients';
import { app } from './app';
import type { Env } from './env';
import { consumeDeadLetters, consumeTrials } from './queue-consumer';
import type { TrialPackMessage } from '../core/run/run-trials';

export default {
  fetch: app.fetch,
  async queue(batch: MessageBatch<TrialPackMessage>, env: Env): Promise<void> {
    if (batch.queue.endsWith('-dlq')) return consumeDeadLetters(batch, env);
    return consumeTrials(batch, env);
  },
} satisfies ExportedHandler<Env, TrialPackMessage>;
