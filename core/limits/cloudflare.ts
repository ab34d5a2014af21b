/**
 * Cloudflare's documented limits that atomsweep touches, named once. Miniflare and SQLite
 * enforce none of the size limits (better-sqlite3 takes 32,766 bound parameters and rows of
 * a gigabyte), so both hosts run every statement through the checks of core/limits/guard.ts
 * (the adapters are workers/d1-guard.ts and node/sqlite-guard.ts; every queue send goes
 * through workers/queue-guard.ts): what production would refuse fails locally and in every
 * test too, with the limit's name.
 *
 * Sizes are in bytes as Cloudflare counts them (KB = 1,000 bytes on the limits pages; the
 * queue's 128 KB is taken as 128 × 1,000 to stay on the safe side of either reading).
 */
export const D1_LIMITS = {
  /** Bound parameters per statement (`?` placeholders; an `IN (…)` over ids counts each id). */
  boundParameters: 100,
  /** Bytes of SQL text per statement. */
  statementBytes: 100_000,
  /** Bytes per string or BLOB value. */
  valueBytes: 2_000_000,
  /** Bytes per row, all columns together. */
  rowBytes: 2_000_000,
  /** Queries per Worker invocation (Workers Paid; 50 on the free plan). A batch counts each statement. */
  queriesPerInvocation: 1_000,
  /** Wall time of one query. */
  queryMs: 30_000,
} as const;

export const QUEUE_LIMITS = {
  /** Bytes of one message body. */
  messageBytes: 128_000,
  /** Messages per `sendBatch`. */
  batchMessages: 100,
  /** Bytes per `sendBatch`, all messages together. */
  batchBytes: 256_000,
} as const;

export const WORKER_LIMITS = {
  /**
   * CPU ms of one invocation with `limits.cpu_ms` raised to the maximum (wrangler.toml sets
   * it): a queue invocation trains one pack, so no trial may need more than this.
   */
  cpuMs: 300_000,
  /** Memory of one isolate, WebAssembly heaps included. */
  isolateBytes: 128 * 1024 * 1024,
} as const;

/** A limit's dotted name, as errors and docs spell it (`D1.boundParameters`). */
export type LimitName =
  | `D1.${keyof typeof D1_LIMITS}`
  | `Queues.${keyof typeof QUEUE_LIMITS}`
  | `Workers.${keyof typeof WORKER_LIMITS}`;

/** Something atomsweep did that the platform would refuse; a bug in atomsweep, never the user's input. */
export class PlatformLimitError extends Error {
  constructor(
    readonly limit: LimitName,
    message: string,
  ) {
    super(`${limit} exceeded: ${message}`);
    this.name = 'PlatformLimitError';
  }
}
