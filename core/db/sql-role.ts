/**
 * What the drizzle implementations of the roles (core/db/roles.ts) share: the database,
 * over any SQLite driver (D1 in Workers, better-sqlite3 in Node); `batch`, which the host
 * supplies (D1 batch or a transaction) for writes that must land together; the lease
 * length; and the helpers that keep every statement within D1's limits.
 */
import type { BaseSQLiteDatabase } from 'drizzle-orm/sqlite-core';
import type { TrialSpec } from '../experiments/types';
import type { SweepCursor } from './roles';
import type * as schema from './schema';
import { D1_LIMITS } from '../limits/cloudflare';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyDb = BaseSQLiteDatabase<'sync' | 'async', any, typeof schema>;
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type BatchRunner = (queries: any[]) => Promise<unknown>;

export abstract class SqlRole {
  constructor(
    readonly db: AnyDb,
    protected readonly batch: BatchRunner,
    /** A running trial whose lease is older than this is stale (its consumer died). */
    readonly leaseMs: number,
  ) {}

  /** How often a running pack renews its leases (core/run/run-trials.ts). */
  get heartbeatMs(): number {
    return Math.max(1, Math.floor(this.leaseMs / 4));
  }
}

const MAX_PARAMS = D1_LIMITS.boundParameters;

/** Rows per statement when each binds `columns` values and the statement `fixed` more. */
export function chunk<T>(rows: T[], columns: number, fixed = 0): T[][] {
  const size = Math.max(1, Math.floor((MAX_PARAMS - fixed) / columns));
  const out: T[][] = [];
  for (let i = 0; i < rows.length; i += size) out.push(rows.slice(i, i + size));
  return out;
}

/**
 * A page from rows read with `limit + 1`: the first `limit`, and the cursor of the last of
 * them when the extra row shows that more follow.
 */
export function pageOf<R>(rows: R[], limit: number, cursorOf: (last: R) => string): { rows: R[]; next: string | null } {
  const shown = rows.slice(0, limit);
  const last = shown[shown.length - 1];
  return { rows: shown, next: rows.length > limit && last !== undefined ? cursorOf(last) : null };
}

/** A stored trial as the queue message carries it. */
export function specOf(r: { id: string; configKey: string; repeat: number; params: string }, sweep: { id: string; experiment: string; seed: number }): TrialSpec {
  return { id: r.id, sweepId: sweep.id, experiment: sweep.experiment, configKey: r.configKey, repeat: r.repeat, seed: sweep.seed, params: JSON.parse(r.params) };
}

export function formatCursor(s: SweepCursor): string {
  return `${s.createdAt}.${s.id}`;
}

/** The cursor in `next`, or null when it is not one this store wrote. */
export function parseCursor(text: string): SweepCursor | null {
  const m = /^(\d{1,15})\.([A-Za-z0-9._-]{1,64})$/.exec(text);
  return m ? { createdAt: Number(m[1]), id: m[2] } : null;
}

/** Stalled sweeps re-sent per call of resendStalled: 2 queries each, far within 1,000 per invocation. Also the running settles the cron advances per tick. */
export const RESEND_SWEEPS = 100;
