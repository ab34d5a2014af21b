/**
 * Queues' limits on every send (workers/queue-guard.ts) and the producer that stays within
 * them (workers/queue-producer.ts): miniflare's local queue accepts what production refuses.
 */
import { describe, expect, test } from 'vitest';
import { PlatformLimitError, QUEUE_LIMITS } from '../../core/limits/cloudflare';
import type { TrialPackMessage } from '../../core/run/run-trials';
import { enqueuePacks } from '../../workers/queue-producer';
import { guardQueue } from '../../workers/queue-guard';

function fakeQueue() {
  const batches: Array<Array<{ body: TrialPackMessage }>> = [];
  const queue = {
    send: async () => {},
    sendBatch: async (msgs: Iterable<{ body: TrialPackMessage }>) => void batches.push([...msgs]),
  } as unknown as Queue<TrialPackMessage>;
  return { queue, batches };
}

const limitOf = async (f: () => Promise<unknown>) => {
  try {
    await f();
  } catch (err) {
    if (err instanceof PlatformLimitError) return err.limit;
    throw err;
  }
  return null;
};

/** A pack whose message is about `kb` kilobytes. */
const pack = (n: number, kb: number, sweep = 's'): TrialPackMessage => ({
  sweepId: sweep,
  experiment: 'exp1',
  trials: Array.from({ length: n }, (_, i) => ({ id: `${sweep}.${i}.0`, sweepId: sweep, experiment: 'exp1', configKey: `k=${i}`, repeat: 0, seed: 0, params: { pad: 'x'.repeat(Math.round((kb * 1000) / n)) } })),
});

describe('Queues limits', () => {
  test('a message over 128 KB, a batch of 101 messages or over 256 KB fails naming the limit', async () => {
    const q = guardQueue(fakeQueue().queue);
    expect(await limitOf(() => q.send(pack(1, 129)))).toBe('Queues.messageBytes');
    expect(await limitOf(() => q.sendBatch(Array.from({ length: QUEUE_LIMITS.batchMessages + 1 }, () => ({ body: pack(1, 0.1) }))))).toBe('Queues.batchMessages');
    expect(await limitOf(() => q.sendBatch([1, 2, 3].map(() => ({ body: pack(1, 100) }))))).toBe('Queues.batchBytes');
    expect(await limitOf(() => q.sendBatch([1, 2].map(() => ({ body: pack(1, 100) }))))).toBeNull();
  });

  test('the producer cuts batches and splits oversized packs: every trial sent once, every send within the limits', async () => {
    const { queue, batches } = fakeQueue();
    const packs = [...Array.from({ length: 300 }, (_, i) => pack(2, 3, `a${i}`)), pack(40, 300, 'big')];
    await enqueuePacks(queue, packs);
    const sent = batches.flat().flatMap((m) => m.body.trials.map((t) => t.id));
    expect(sent.sort()).toEqual(packs.flatMap((p) => p.trials.map((t) => t.id)).sort());
    for (const b of batches) expect(b.length).toBeLessThanOrEqual(QUEUE_LIMITS.batchMessages);
    // The big pack went as several packs of the same sweep.
    expect(batches.flat().filter((m) => m.body.sweepId === 'big').length).toBeGreaterThan(2);
  });
});
