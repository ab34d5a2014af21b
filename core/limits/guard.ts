/**
 * The checks behind D1's limits (core/limits/cloudflare.ts), for any driver: statement
 * text, bound parameters, values, result rows, and queries per invocation. The host
 * adapters (workers/d1-guard.ts, node/sqlite-guard.ts) call them on every statement, so
 * a query that only D1 in production would refuse fails on `npm start`, on `npm run local`
 * and in every test, naming the limit.
 */
import { D1_LIMITS, PlatformLimitError } from './cloudflare';

/** UTF-8 bytes of a string, counted without encoding it. */
export function utf8Bytes(s: string): number {
  let n = s.length;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) continue;
    if (c < 0x800) n += 1;
    else if (c >= 0xd800 && c <= 0xdbff) {
      // A surrogate pair: 4 bytes for two UTF-16 units.
      n += 2;
      i++;
    } else n += 2;
  }
  return n;
}

/** Bytes a bound or returned value takes in a row. */
export function valueBytes(v: unknown): number {
  if (typeof v === 'string') return utf8Bytes(v);
  if (v instanceof ArrayBuffer) return v.byteLength;
  if (ArrayBuffer.isView(v)) return v.byteLength;
  return 8;
}

/**
 * `?` placeholders in SQL outside quoted strings and identifiers: what a driver binds. D1
 * and SQLite also take `?NNN`, `:name`, `@name` and `$name`, which drizzle never writes.
 */
export function placeholderCount(sql: string): number {
  let n = 0;
  let quote: string | null = null;
  for (let i = 0; i < sql.length; i++) {
    const ch = sql[i];
    if (quote) {
      if (ch === quote) quote = null;
    } else if (ch === "'" || ch === '"' || ch === '`') quote = ch;
    else if (ch === '[') quote = ']';
    else if (ch === '?') n++;
  }
  return n;
}

const preview = (sql: string) => (sql.length > 120 ? `${sql.slice(0, 117)}…` : sql);

/** The statement's text and parameter count, checked when it is prepared. */
export function checkStatement(sql: string, params?: readonly unknown[]): void {
  const bytes = utf8Bytes(sql);
  if (bytes > D1_LIMITS.statementBytes) {
    throw new PlatformLimitError('D1.statementBytes', `a statement of ${bytes} bytes, above ${D1_LIMITS.statementBytes}: ${preview(sql)}`);
  }
  const n = params ? params.length : placeholderCount(sql);
  if (n > D1_LIMITS.boundParameters) {
    throw new PlatformLimitError('D1.boundParameters', `${n} bound parameters, above ${D1_LIMITS.boundParameters}: ${preview(sql)}`);
  }
}

/**
 * Each bound value within D1's per-value limit. A statement's values may spread over several
 * rows (a multi-row insert), so the row limit is checked on what is read back (checkRows)
 * and before results are written, by the code that knows its rows (unstorableIn in
 * core/db/leases.ts).
 */
export function checkValues(params: readonly unknown[], sql: string): void {
  for (const p of params) {
    // Each UTF-16 unit is at most 3 UTF-8 bytes: short strings need no counting.
    if (typeof p === 'string' && p.length * 3 <= D1_LIMITS.valueBytes) continue;
    const b = valueBytes(p);
    if (b > D1_LIMITS.valueBytes) throw new PlatformLimitError('D1.valueBytes', `a bound value of ${b} bytes, above ${D1_LIMITS.valueBytes}: ${preview(sql)}`);
  }
}

/** Rows a query returned, each within D1's row limit. Rows are arrays (raw) or objects. */
export function checkRows(rows: readonly unknown[], sql: string): void {
  for (const row of rows) {
    if (row === null || typeof row !== 'object') continue;
    const values = Array.isArray(row) ? row : Object.values(row);
    // An upper bound first (3 bytes per UTF-16 unit): most rows need no exact count.
    let bound = 0;
    for (const v of values) bound += typeof v === 'string' ? v.length * 3 : valueBytes(v);
    if (bound <= D1_LIMITS.rowBytes) continue;
    let total = 0;
    for (const v of values) total += valueBytes(v);
    if (total > D1_LIMITS.rowBytes) throw new PlatformLimitError('D1.rowBytes', `a result row of ${total} bytes, above ${D1_LIMITS.rowBytes}: ${preview(sql)}`);
  }
}

/**
 * Queries of one invocation (a request, a queue message, a cron tick). Each host makes one
 * per invocation, so a handler that loops over queries fails at the 1,001st as on D1.
 */
export class InvocationBudget {
  queries = 0;
  constructor(readonly maxQueries: number = D1_LIMITS.queriesPerInvocation) {}

  count(n = 1): void {
    this.queries += n;
    if (this.queries > this.maxQueries) {
      throw new PlatformLimitError('D1.queriesPerInvocation', `query ${this.queries} of one invocation, above ${this.maxQueries}`);
    }
  }
}
