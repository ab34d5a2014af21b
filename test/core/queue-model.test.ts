import { describe, expect, test } from 'vitest';
import { simulate, type MeasuredPack } from '../../scripts/queue-model';

const pack = (cpuMs: number, group = 'e'): MeasuredPack => ({ group, cpuMs, trials: 1, rowsWritten: 10 });
const base = { overheadMs: 0, retryRate: 0, retryDelayMs: 0 };

describe('Cloudflare Queues replay', () => {
  test('one consumer runs the packs back to back; enough consumers make the longest pack the wall time', () => {
    const packs = [pack(5), pack(3), pack(8), pack(1)];
    expect(simulate(packs, { ...base, concurrency: 1 }).wallMs).toBe(17);
    expect(simulate(packs, { ...base, concurrency: 250 }).wallMs).toBe(8);
  });

  test('send order decides the schedule: each message goes to the first consumer to free up', () => {
    // Two consumers: 5 and 3 start at 0; 8 starts at 3 (ends 11); 1 starts at 5 (ends 6).
    const e = simulate([pack(5), pack(3), pack(8), pack(1)], { ...base, concurrency: 2 });
    expect(e.wallMs).toBe(11);
    expect(e.utilisation).toBeCloseTo(17 / 22, 10);
  });

  test('per-invocation overhead and retried deliveries add time, deliveries and cost', () => {
    const packs = [pack(10), pack(10), pack(10), pack(10)];
    const clean = simulate(packs, { ...base, concurrency: 4, overheadMs: 2 });
    expect(clean.wallMs).toBe(12);
    expect(clean.deliveries).toBe(4);
    // Every second pack fails once and comes back after 100 ms.
    const retried = simulate(packs, { concurrency: 4, overheadMs: 2, retryRate: 0.5, retryDelayMs: 100 });
    expect(retried.deliveries).toBe(6);
    expect(retried.wallMs).toBe(12 + 100 + 12);
    expect(retried.costUsd.total).toBeGreaterThan(clean.costUsd.total);
  });

  test('the bill follows the published unit prices', () => {
    const e = simulate([pack(1_000_000)], { ...base, concurrency: 1 });
    // 1 request, 1e6 CPU ms, 3 queue operations, 10 rows written.
    expect(e.costUsd.workers).toBeCloseTo(0.3e-6 + 0.02, 12);
    expect(e.costUsd.queues).toBeCloseTo(1.2e-6, 12);
    expect(e.costUsd.d1).toBeCloseTo(10e-6, 12);
  });
});
