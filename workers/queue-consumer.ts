import { errorMessage, runTrialPack, type ExperimentLookup, type TrialPackMessage } from '../core/run/run-trials';
import { storeFor } from './db';
import { parseEngine, setEngine } from '../core/engine';
import type { Env } from './env';

/** Lets workerd serve HTTP requests between training steps (one isolate, one thread). */
const yieldToHost = () => new Promise<void>((resolve) => setTimeout(resolve, 0));

/** Retry delays grow with each attempt: 5 s, 20 s, 45 s… */
export const backoffSeconds = (attempts: number) => Math.min(300, 5 * attempts * attempts);

export interface ConsumerDeps {
  /** Makes the training backend ready and returns its name (the Worker loads tfjs WASM). */
  prepare: () => Promise<string>;
  lookup?: ExperimentLookup;
}

/**
 * Trains each message's pack and acknowledges it. A throwing pack is retried with backoff;
 * after max_retries the message goes to the dead-letter queue, whose consumer (below)
 * marks its trials failed, so no trial waits forever.
 */
export async function consumeTrials(batch: MessageBatch<TrialPackMessage>, env: Env, deps: ConsumerDeps): Promise<void> {
  setEngine(parseEngine(env.ENGINE));
  const backend = await deps.prepare();
  const store = storeFor(env);
  for (const message of batch.messages) {
    try {
      await runTrialPack(store, message.body, { yieldToHost, now: Date.now, backend }, deps.lookup);
      message.ack();
    } catch (err) {
      console.error(`pack of ${message.body.trials.length} trials (${message.body.sweepId}) failed: ${errorMessage(err)}`);
      message.retry({ delaySeconds: backoffSeconds(message.attempts) });
    }
  }
}

export async function consumeDeadLetters(batch: MessageBatch<TrialPackMessage>, env: Env): Promise<void> {
  const store = storeFor(env);
  for (const message of batch.messages) {
    await store.giveUp(
      message.body.trials.map((t) => t.id),
      // message.attempts counts deliveries of the dead letter, not of the pack: the store
      // names each trial's own attempts column instead.
      'gave up',
      Date.now(),
      true,
    );
    message.ack();
  }
}
