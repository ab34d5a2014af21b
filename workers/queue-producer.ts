import { QUEUE_LIMITS } from '../core/limits/cloudflare';
import { guardQueue, messageBytes } from './queue-guard';
import type { TrialPackMessage } from '../core/run/run-trials';

/**
 * Queues' limits (core/limits/cloudflare.ts): 100 messages and 256 KB per sendBatch, 128 KB
 * per message; sizes are kept 8 KB under them for the envelope Queues adds to each body.
 */
const MAX_MESSAGES = QUEUE_LIMITS.batchMessages;
const MAX_BATCH_BYTES = QUEUE_LIMITS.batchBytes - 8_000;
const MAX_MESSAGE_BYTES = QUEUE_LIMITS.messageBytes - 8_000;

/** Sends packs in batches within Queues' limits; every send goes through the limit guard (workers/queue-guard.ts). */
export async function enqueuePacks(binding: Queue<TrialPackMessage>, packs: TrialPackMessage[]): Promise<void> {
  const queue = guardQueue(binding);
  let batch: MessageSendRequest<TrialPackMessage>[] = [];
  let bytes = 0;
  const flush = async () => {
    if (batch.length) await queue.sendBatch(batch);
    batch = [];
    bytes = 0;
  };
  for (const body of packs) {
    const size = messageBytes(body);
    if (size > MAX_MESSAGE_BYTES) {
      // Split oversized packs rather than fail: each half still trains as a pack.
      const half = Math.ceil(body.trials.length / 2);
      if (half === body.trials.length) throw new Error(`one trial's message is ${size} bytes, above the queue limit`);
      await enqueuePacks(binding, [
        { ...body, trials: body.trials.slice(0, half) },
        { ...body, trials: body.trials.slice(half) },
      ]);
      continue;
    }
    if (batch.length === MAX_MESSAGES || bytes + size > MAX_BATCH_BYTES) await flush();
    batch.push({ body, contentType: 'json' });
    bytes += size;
  }
  await flush();
}
