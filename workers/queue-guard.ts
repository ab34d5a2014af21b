/**
 * A Queue binding with Cloudflare's Queues limits checked on every send
 * (core/limits/cloudflare.ts): local queues under wrangler dev and miniflare take messages
 * that production refuses, so the Worker sends through this and an oversized message or
 * batch fails locally and in tests too, naming the limit. The producer
 * (workers/queue-producer.ts) cuts its batches and splits packs to stay within them.
 */
import { PlatformLimitError, QUEUE_LIMITS } from '../core/limits/cloudflare';
import { utf8Bytes } from '../core/limits/guard';

/** Bytes of a message body as Queues counts it (its JSON, UTF-8). */
export const messageBytes = (body: unknown) => utf8Bytes(JSON.stringify(body));

function checkMessage(body: unknown): number {
  const bytes = messageBytes(body);
  if (bytes > QUEUE_LIMITS.messageBytes) throw new PlatformLimitError('Queues.messageBytes', `a message of ${bytes} bytes, above ${QUEUE_LIMITS.messageBytes}`);
  return bytes;
}

export function guardQueue<T>(queue: Queue<T>): Queue<T> {
  return {
    send: (body: T, options?: QueueSendOptions) => {
      checkMessage(body);
      return queue.send(body, options);
    },
    sendBatch: (messages: Iterable<MessageSendRequest<T>>, options?: QueueSendBatchOptions) => {
      const list = [...messages];
      if (list.length > QUEUE_LIMITS.batchMessages) throw new PlatformLimitError('Queues.batchMessages', `a batch of ${list.length} messages, above ${QUEUE_LIMITS.batchMessages}`);
      const total = list.reduce((a, m) => a + checkMessage(m.body), 0);
      if (total > QUEUE_LIMITS.batchBytes) throw new PlatformLimitError('Queues.batchBytes', `a batch of ${total} bytes, above ${QUEUE_LIMITS.batchBytes}`);
      return queue.sendBatch(list, options);
    },
  } as Queue<T>;
}
