/**
 * Everything the API and the trial workers read or write, as typed drizzle queries over
 * any SQLite driver (D1 in Workers, better-sqlite3 in Node). Writes that must land
 * together go through `batch`, which the host supplies (D1 batch or a transaction).
 */
import { and, count, desc, eq, inArray, lt, or, sql } from 'drizzle-orm';
import type { BaseSQLiteDatabase } from 'drizzle-orm/sqlite-core';
import type { Series, TrialResult, TrialSpec } from '../experiments/types';
import type { ExpandedSweep } from '../sweep/expand';
import { aggregateQuery, type AggregateRow } from './aggregate';
import { experiments, metrics, sweepAnswers, sweepSettles, sweeps, trials, type MetricRow, type SweepRow, type TrialStatus } from './schema';
import type { SettleBudget, SettleRound, SettleState, SettleStatus } from '../settle/types';
import type { SweepCell } from '../settle/plan';
import * as schema from './schema';
import { D1_LIMITS } from '../limits/cloudflare';
import { utf8Bytes } from '../limits/guard';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyDb = BaseSQLiteDatabase<'sync' | 'async', any, typeof schema>;
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type BatchRunner = (queries: any[]) => Promise<unknown>;

const MAX_PARAMS = D1_LIMITS.boundParameters;

export type SweepStatus = 'queued' | 'running' | 'done' | 'failed' | 'cancelled';

export interface SweepCounts {
  total: number;
  queued: number;
  running: number;
  done: number;
  failed: number;
  cancelled: number;
}

export interface SweepSummary {
  id: string;
  experiment: string;
  name: string | null;
  seed: number;
  repeats: number;
  status: SweepStatus;
  counts: SweepCounts;
  createdAt: number;
  finishedAt: number | null;
  /** Estimated ms until done, from the pace so far; null before the first result and while trials are stale or at risk. */
  etaMs: number | null;
  /** Trials whose lease expired without a result (a crashed consumer); retryable. */
  stale: number;
  /**
   * Running trials whose lease has not been renewed for two heartbeats but has not expired
   * yet: their consumer is probably dead, and the repair requeues them once the lease expires.
   */
  atRisk: number;
  /**
   * While trials wait or run: ms since any trial of the sweep last started, renewed its lease
   * (a heartbeat), or finished, or since its trials were last sent (null when none is left). One pack runs at most the
   * Worker's 5-minute CPU budget, so a wait well beyond that means the queue messages were
   * probably lost (wrangler dev drops its in-memory queue when it reloads): POST /retry
   * re-sends them, and a duplicate delivery is a no-op.
   */
  stalledMs: number | null;
  /**
   * Changes whenever anything a read of the sweep's results shows changes (a trial leased,
   * finished, failed or cancelled): reads send it as their ETag, and stored answers
   * (its verdict) are keyed by it. A finished sweep's version is final.
   */
  version: string;
  request: unknown;
}

/** A custom experiment as stored: its spec is the validated JSON posted to /api/experiments. */
export interface StoredExperiment {
  id: string;
  spec: unknown;
  title: string;
  createdAt: number;
}

/** Per sweep: trial counts, stale leases, and the last lease and finish times. */
interface SweepActivity {
  counts: SweepCounts;
  stale: number;
  atRisk: number;
  lastFinish: number | null;
  lastLease: number | null;
}

/** A stored trial as the queue message carries it. */
function specOf(r: { id: string; configKey: string; repeat: number; params: string }, sweep: { id: string; experiment: string; seed: number }): TrialSpec {
  return { id: r.id, sweepId: sweep.id, experiment: sweep.experiment, configKey: r.configKey, repeat: r.repeat, seed: sweep.seed, params: JSON.parse(r.params) };
}

/** Stalled sweeps re-sent per call of resendStalled: 2 queries each, far within 1,000 per invocation. */
export const RESEND_SWEEPS = 100;

/** Rows per statement when each binds `columns` values and the statement `fixed` more. */
function chunk<T>(rows: T[], columns: number, fixed = 0): T[][] {
  const size = Math.max(1, Math.floor((MAX_PARAMS - fixed) / columns));
  const out: T[][] = [];
  for (let i = 0; i < rows.length; i += size) out.push(rows.slice(i, i + size));
  return out;
}

/**
 * A page from rows read with `limit + 1`: the first `limit`, and the cursor of the last of
 * them when the extra row shows that more follow.
 */
function pageOf<R>(rows: R[], limit: number, cursorOf: (last: R) => string): { rows: R[]; next: string | null } {
  const shown = rows.slice(0, limit);
  const last = shown[shown.length - 1];
  return { rows: shown, next: rows.length > limit && last !== undefined ? cursorOf(last) : null };
}

/** Trials per page of results: a page's metric rows stay far below D1's 50 MB per result. */
export const TRIAL_PAGE = 500;

/** Where a page of trial results continues: the last trial's grid cell and repeat. */
export interface TrialCursor {
  configIndex: number;
  repeat: number;
}

export function parseTrialCursor(text: string): TrialCursor | null {
  const m = /^(\d{1,9})\.(\d{1,9})$/.exec(text);
  return m ? { configIndex: Number(m[1]), repeat: Number(m[2]) } : null;
}

/** One trial with its results, as /api/sweeps/:id/trials answers it. */
export interface TrialRecord {
  id: string;
  config: string;
  repeat: number;
  status: TrialStatus;
  attempts: number;
  error: string | null;
  durationMs: number | null;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  params: Record<string, any>;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  info: Record<string, any> | null;
  scalars: Record<string, number>;
  series: Record<string, Series>;
  traces: Record<string, Series>;
}

/** Where a page of sweeps continues: the last listed sweep's creation time and id. */
export interface SweepCursor {
  createdAt: number;
  id: string;
}

export function formatCursor(s: SweepCursor): string {
  return `${s.createdAt}.${s.id}`;
}

/** The cursor in `next`, or null when it is not one this store wrote. */
export function parseCursor(text: string): SweepCursor | null {
  const m = /^(\d{1,15})\.([A-Za-z0-9._-]{1,64})$/.exec(text);
  return m ? { createdAt: Number(m[1]), id: m[2] } : null;
}

export function statusOf(counts: SweepCounts, cancelled: boolean): SweepStatus {
  if (cancelled && counts.running === 0) return 'cancelled';
  if (counts.queued + counts.running > 0) return counts.done + counts.failed + counts.running > 0 ? 'running' : 'queued';
  if (counts.failed > 0) return 'failed';
  return 'done';
}

/**
 * Why a result cannot be stored, or null: a number that is not finite, or a series or trace
 * whose row would exceed D1's 2 MB per row (core/limits/cloudflare.ts). Checked per trial
 * before the write, so one trial's oversized curve fails that trial with the reason rather
 * than the whole pack's write.
 */
export function unstorableIn(result: TrialResult): string | null {
  for (const [name, v] of Object.entries(result.scalars)) if (!Number.isFinite(v)) return `non-finite result: metric '${name}' is ${v}`;
  for (const group of [result.series, result.traces ?? {}]) {
    for (const [name, s] of Object.entries(group)) {
      const bad = s.values.findIndex((v) => !Number.isFinite(v));
      if (bad >= 0) return `non-finite result: metric '${name}' is ${s.values[bad]} at step ${s.steps[bad]}`;
      const bytes = metricRowBytes(result.trialId, name, s);
      if (bytes > D1_LIMITS.rowBytes) {
        return `metric '${name}' has ${s.values.length} points, a row of ${bytes} bytes, above D1.rowBytes (${D1_LIMITS.rowBytes}); record fewer points`;
      }
    }
  }
  return null;
}

/** Bytes of a series' row in the metrics table: its key columns and both JSON arrays. */
export function metricRowBytes(trialId: string, metric: string, s: Series): number {
  return trialId.length + metric.length + 6 + JSON.stringify(s.steps).length + JSON.stringify(s.values).length;
}

/**
 * A lease: the trial and the attempt that took it. `attempts` is the lease token: taking a
 * trial increments it, so a consumer whose lease expired and was taken over (a zombie) no
 * longer matches and can neither renew, release, fail nor write results for it.
 */
export interface Lease {
  id: string;
  attempt: number;
}

/**
 * Default lease: a running pack renews it every quarter (heartbeatMs) from the yields of its
 * training loop, so 60 s tolerates three missed heartbeats while a dead consumer's trials
 * are requeued about a minute after its last sign of life.
 */
export const DEFAULT_LEASE_MS = 60_000;

export class Store {
  constructor(
    readonly db: AnyDb,
    private readonly batch: BatchRunner,
    /** A running trial whose lease is older than this is stale (its consumer died). */
    readonly leaseMs = DEFAULT_LEASE_MS,
  ) {}

  /** How often a running pack renews its leases (core/run/run-trials.ts). */
  get heartbeatMs(): number {
    return Math.max(1, Math.floor(this.leaseMs / 4));
  }

  async createSweep(s: ExpandedSweep, request: unknown, now: number): Promise<void> {
    const sweepRow = {
      id: s.id,
      experiment: s.experiment.id,
      name: s.name,
      seed: s.seed,
      repeats: s.repeats,
      request: JSON.stringify(request),
      total: s.trials.length,
      createdAt: now,
      sentAt: now,
    };
    const trialRows = s.trials.map((t) => ({
      id: t.id,
      sweepId: t.sweepId,
      configKey: t.configKey,
      configIndex: Number(t.id.split('.')[1]),
      repeat: t.repeat,
      params: JSON.stringify(t.params),
    }));
    const queries = [this.db.insert(sweeps).values(sweepRow), ...chunk(trialRows, 13).map((rows) => this.db.insert(trials).values(rows))];
    await this.batch(queries);
  }

  /**
   * Stores a custom experiment's spec under its content-hash id. Idempotent: the same id
   * again writes nothing and answers `created: false` (an equal id means an equal spec).
   */
  async putExperimentSpec(e: { id: string; spec: unknown; title: string }, now: number): Promise<{ created: boolean }> {
    const inserted = await this.db
      .insert(experiments)
      .values({ id: e.id, spec: JSON.stringify(e.spec), title: e.title, createdAt: now })
      .onConflictDoNothing({ target: experiments.id })
      .returning({ id: experiments.id });
    return { created: inserted.length > 0 };
  }

  /** A stored custom experiment's spec (parsed JSON), or null. */
  async getExperimentSpec(id: string): Promise<StoredExperiment | null> {
    const [row] = await this.db.select().from(experiments).where(eq(experiments.id, id));
    return row ? { id: row.id, spec: JSON.parse(row.spec), title: row.title, createdAt: row.createdAt } : null;
  }

  /**
   * One page of stored custom experiments, oldest first (the order they were posted), and
   * the cursor of the next page (`<createdAt>.<id>` of the last, as for sweeps).
   */
  async listExperimentSpecs(page: { limit?: number; cursor?: SweepCursor | null } = {}): Promise<{ specs: StoredExperiment[]; next: string | null }> {
    const limit = page.limit ?? 100;
    const c = page.cursor;
    const rows = await this.db
      .select()
      .from(experiments)
      .where(c ? or(sql`${experiments.createdAt} > ${c.createdAt}`, and(eq(experiments.createdAt, c.createdAt), sql`${experiments.id} > ${c.id}`)) : undefined)
      .orderBy(experiments.createdAt, experiments.id)
      .limit(limit + 1);
    const shown = pageOf(rows, limit, formatCursor);
    return { specs: shown.rows.map((row) => ({ id: row.id, spec: JSON.parse(row.spec), title: row.title, createdAt: row.createdAt })), next: shown.next };
  }

  /** How many custom experiments are stored (POST /api/experiments caps them). */
  async countExperimentSpecs(): Promise<number> {
    const [row] = await this.db.select({ n: count() }).from(experiments);
    return Number(row?.n ?? 0);
  }

  /**
   * Deletes a custom experiment unless a sweep names it (one statement, so a sweep stored
   * at the same moment cannot lose its spec between a check and the delete).
   */
  async deleteExperimentSpec(id: string): Promise<'deleted' | 'in_use' | 'missing'> {
    const deleted = await this.db
      .delete(experiments)
      .where(and(eq(experiments.id, id), sql`NOT EXISTS (SELECT 1 FROM ${sweeps} WHERE ${sweeps.experiment} = ${id})`))
      .returning({ id: experiments.id });
    if (deleted.length) return 'deleted';
    return (await this.getExperimentSpec(id)) ? 'in_use' : 'missing';
  }

  /** A stored answer (e.g. the verdict) computed at this version of the sweep, or null. */
  async storedAnswer(sweepId: string, kind: string, version: string): Promise<string | null> {
    const [row] = await this.db
      .select({ body: sweepAnswers.body })
      .from(sweepAnswers)
      .where(and(eq(sweepAnswers.sweepId, sweepId), eq(sweepAnswers.kind, kind), eq(sweepAnswers.version, version)));
    return row?.body ?? null;
  }

  /**
   * Keeps an answer for reads at the same version; one per sweep and kind (a newer version
   * replaces it). An answer too big for one D1 row is simply not kept.
   */
  async storeAnswer(sweepId: string, kind: string, version: string, body: string): Promise<boolean> {
    if (body.length * 3 > D1_LIMITS.rowBytes - 1000 && utf8Bytes(body) > D1_LIMITS.rowBytes - 1000) return false;
    await this.db
      .insert(sweepAnswers)
      .values({ sweepId, kind, version, body })
      .onConflictDoUpdate({ target: [sweepAnswers.sweepId, sweepAnswers.kind], set: { version, body } });
    return true;
  }

  async deleteSweep(id: string): Promise<void> {
    await this.batch([
      this.db.delete(sweepAnswers).where(eq(sweepAnswers.sweepId, id)),
      this.db.delete(sweepSettles).where(eq(sweepSettles.sweepId, id)),
      this.db.delete(metrics).where(inArray(metrics.trialId, this.db.select({ id: trials.id }).from(trials).where(eq(trials.sweepId, id)))),
      this.db.delete(trials).where(eq(trials.sweepId, id)),
      this.db.delete(sweeps).where(eq(sweeps.id, id)),
    ]);
  }

  private async countsFor(ids: string[], now: number): Promise<Map<string, SweepActivity>> {
    const out = new Map<string, SweepActivity>();
    // Three timestamps are bound besides the ids.
    for (const part of chunk(ids, 1, 3)) await this.countsInto(out, part, now);
    return out;
  }

  private async countsInto(out: Map<string, SweepActivity>, ids: string[], now: number): Promise<void> {
    const rows = await this.db
      .select({
        sweepId: trials.sweepId,
        status: trials.status,
        n: count(),
        stale: sql<number>`sum(CASE WHEN ${trials.status} = 'running' AND ${trials.leasedAt} < ${now - this.leaseMs} THEN 1 ELSE 0 END)`,
        atRisk: sql<number>`sum(CASE WHEN ${trials.status} = 'running' AND ${trials.leasedAt} >= ${now - this.leaseMs} AND ${trials.leasedAt} < ${now - 2 * this.heartbeatMs} THEN 1 ELSE 0 END)`,
        lastFinish: sql<number | null>`max(${trials.finishedAt})`,
        lastLease: sql<number | null>`max(${trials.leasedAt})`,
      })
      .from(trials)
      .where(inArray(trials.sweepId, ids))
      .groupBy(trials.sweepId, trials.status);
    for (const r of rows) {
      const entry = out.get(r.sweepId) ?? {
        counts: { total: 0, queued: 0, running: 0, done: 0, failed: 0, cancelled: 0 },
        stale: 0,
        atRisk: 0,
        lastFinish: null,
        lastLease: null,
      };
      entry.counts[r.status as TrialStatus] += r.n;
      entry.counts.total += r.n;
      entry.stale += Number(r.stale ?? 0);
      entry.atRisk += Number(r.atRisk ?? 0);
      if (r.lastFinish != null) entry.lastFinish = Math.max(entry.lastFinish ?? 0, r.lastFinish);
      if (r.lastLease != null) entry.lastLease = Math.max(entry.lastLease ?? 0, r.lastLease);
      out.set(r.sweepId, entry);
    }
  }

  private summarize(row: SweepRow, c: SweepActivity | undefined, now: number): SweepSummary {
    const counts = c?.counts ?? { total: row.total, queued: 0, running: 0, done: 0, failed: 0, cancelled: 0 };
    const finished = counts.done + counts.failed;
    const remaining = counts.queued + counts.running;
    const status = statusOf(counts, row.cancelled);
    const doubtful = (c?.stale ?? 0) + (c?.atRisk ?? 0) > 0;
    const etaMs = remaining > 0 && finished > 0 && status !== 'cancelled' && !doubtful ? Math.round(((now - row.createdAt) / finished) * remaining) : null;
    const lastActivity = Math.max(row.createdAt, row.sentAt ?? 0, c?.lastFinish ?? 0, c?.lastLease ?? 0);
    const stalledMs = remaining > 0 && !row.cancelled ? Math.max(0, now - lastActivity) : null;
    return {
      id: row.id,
      experiment: row.experiment,
      name: row.name,
      seed: row.seed,
      repeats: row.repeats,
      status,
      counts,
      createdAt: row.createdAt,
      finishedAt: remaining === 0 ? (c?.lastFinish ?? row.finishedAt) : null,
      etaMs,
      stale: c?.stale ?? 0,
      atRisk: c?.atRisk ?? 0,
      stalledMs,
      version: [status, counts.queued, counts.running, counts.done, counts.failed, counts.cancelled, c?.lastFinish ?? 0].join('.'),
      request: JSON.parse(row.request),
    };
  }

  async getSweep(id: string, now: number): Promise<SweepSummary | null> {
    const [row] = await this.db.select().from(sweeps).where(eq(sweeps.id, id));
    if (!row) return null;
    const counts = await this.countsFor([id], now);
    return this.summarize(row, counts.get(id), now);
  }

  /**
   * One page of sweeps, newest first, and the cursor of the next page (null on the last).
   * The cursor is the last row's `<createdAt>.<id>`, so pages stay stable while sweeps are
   * added. `experiment` keeps only that experiment's sweeps.
   */
  async listSweeps(now: number, page: { limit?: number; cursor?: SweepCursor | null; experiment?: string } = {}): Promise<{ sweeps: SweepSummary[]; next: string | null }> {
    const limit = page.limit ?? 50;
    const c = page.cursor;
    const rows = await this.db
      .select()
      .from(sweeps)
      .where(
        and(
          page.experiment === undefined ? undefined : eq(sweeps.experiment, page.experiment),
          c ? or(lt(sweeps.createdAt, c.createdAt), and(eq(sweeps.createdAt, c.createdAt), lt(sweeps.id, c.id))) : undefined,
        ),
      )
      .orderBy(desc(sweeps.createdAt), desc(sweeps.id))
      .limit(limit + 1);
    const shown = pageOf(rows, limit, formatCursor);
    const counts = await this.countsFor(
      shown.rows.map((r) => r.id),
      now,
    );
    return { sweeps: shown.rows.map((r) => this.summarize(r, counts.get(r.id), now)), next: shown.next };
  }

  /** Every sweep, page by page (start-up resume, scripts): each page is its own bounded query. */
  async *allSweeps(now: number): AsyncGenerator<SweepSummary> {
    let cursor: SweepCursor | null = null;
    do {
      const page = await this.listSweeps(now, { limit: 100, cursor });
      yield* page.sweeps;
      cursor = page.next ? parseCursor(page.next) : null;
    } while (cursor);
  }

  /**
   * Takes the trials that should run now: queued ones, and running ones whose lease went
   * stale. Done, failed or cancelled trials are skipped, so a redelivered message is a no-op.
   * Returns each taken trial with its attempt number, the token of this lease.
   */
  async takeLeases(ids: string[], now: number): Promise<Lease[]> {
    const leased: Lease[] = [];
    for (const part of chunk(ids, 2)) {
      const rows = await this.db
        .update(trials)
        .set({ status: 'running', leasedAt: now, attempts: sql`${trials.attempts} + 1` })
        .where(
          and(
            inArray(trials.id, part),
            or(eq(trials.status, 'queued'), and(eq(trials.status, 'running'), lt(trials.leasedAt, now - this.leaseMs))),
            // A message of a cancelled sweep still in the queue trains nothing.
            sql`NOT EXISTS (SELECT 1 FROM ${sweeps} WHERE ${sweeps.id} = ${trials.sweepId} AND ${sweeps.cancelled} = 1)`,
          ),
        )
        .returning({ id: trials.id, attempt: trials.attempts });
      leased.push(...rows);
    }
    return leased;
  }

  /** takeLeases without the tokens. */
  async leaseTrials(ids: string[], now: number): Promise<string[]> {
    return (await this.takeLeases(ids, now)).map((l) => l.id);
  }

  /** `WHERE` for trials still held by these leases (same attempt, still running), one attempt number at a time. */
  private byAttempt(leases: Lease[]): Array<{ attempt: number; ids: string[] }> {
    const groups = new Map<number, string[]>();
    for (const l of leases) groups.set(l.attempt, [...(groups.get(l.attempt) ?? []), l.id]);
    return [...groups].flatMap(([attempt, ids]) => chunk(ids, 2).map((part) => ({ attempt, ids: part })));
  }

  private held(attempt: number, ids: string[]) {
    return and(inArray(trials.id, ids), eq(trials.status, 'running'), eq(trials.attempts, attempt));
  }

  /**
   * The heartbeat: moves the lease time of the trials this consumer still holds to `now`.
   * Returns the ids still held; a lease that expired and was taken over is not touched.
   */
  async renewLeases(leases: Lease[], now: number): Promise<string[]> {
    const out: string[] = [];
    for (const { attempt, ids } of this.byAttempt(leases)) {
      const rows = await this.db.update(trials).set({ leasedAt: now }).where(this.held(attempt, ids)).returning({ id: trials.id });
      out.push(...rows.map((r) => r.id));
    }
    return out;
  }

  /**
   * Gives held trials back: `queued` with the attempt's error (so a redelivery or retry can
   * lease them again at once), or `failed`. Trials whose lease was taken over are untouched.
   */
  async releaseLeases(leases: Lease[], status: 'queued' | 'failed', error: string, now: number): Promise<string[]> {
    const out: string[] = [];
    for (const { attempt, ids } of this.byAttempt(leases)) {
      const rows = await this.db
        .update(trials)
        .set({ status, error, leasedAt: null, finishedAt: status === 'failed' ? now : null })
        .where(this.held(attempt, ids))
        .returning({ id: trials.id });
      out.push(...rows.map((r) => r.id));
    }
    return out;
  }

  /**
   * Stores results of trials this consumer still holds, in one batch: metric rows (keyed by
   * trial, metric and kind) are inserted only while the trial is running under the same
   * attempt, and the trial flips to done under the same condition, so a zombie whose lease
   * was taken over writes nothing. Without `leases` (fixtures and tests that never took a
   * lease) the condition is only "not done yet". `info.writes` counts result writes per trial
   * (always 1: the count exposes any double write that the metric key would hide). Returns
   * the ids written.
   */
  async saveResults(results: TrialResult[], now: number, durationMs: number, info: Record<string, unknown>, leases?: Lease[]): Promise<string[]> {
    const attemptOf = new Map(leases?.map((l) => [l.id, l.attempt]));
    const seriesRow = (trialId: string, metric: string, kind: 'series' | 'trace', s: Series): MetricRow => ({
      trialId,
      metric,
      kind,
      steps: JSON.stringify(s.steps),
      points: JSON.stringify(s.values),
    });
    const queries: unknown[] = [];
    const written: Array<{ id: string; attempt: number | null }> = [];
    for (const r of results) {
      const attempt = leases ? attemptOf.get(r.trialId) : null;
      if (attempt === undefined) continue;
      written.push({ id: r.trialId, attempt });
      const stillHeld =
        attempt === null
          ? sql`EXISTS (SELECT 1 FROM ${trials} WHERE ${trials.id} = ${r.trialId} AND ${trials.status} != 'done')`
          : sql`EXISTS (SELECT 1 FROM ${trials} WHERE ${trials.id} = ${r.trialId} AND ${trials.status} = 'running' AND ${trials.attempts} = ${attempt})`;
      const target = attempt === null ? and(eq(trials.id, r.trialId), sql`${trials.status} != 'done'`) : this.held(attempt, [r.trialId]);
      const rows: MetricRow[] = [];
      for (const [metric, value] of Object.entries(r.scalars)) rows.push({ trialId: r.trialId, metric, kind: 'scalar', value });
      for (const [metric, s] of Object.entries(r.series)) rows.push(seriesRow(r.trialId, metric, 'series', s));
      for (const [metric, s] of Object.entries(r.traces ?? {})) rows.push(seriesRow(r.trialId, metric, 'trace', s));
      // 6 bound values per row plus the condition's 2 stay under D1's 100 per statement.
      for (const part of chunk(rows, 7)) {
        const values = sql.join(
          part.map((m) => sql`(${m.trialId}, ${m.metric}, ${m.kind}, ${m.value ?? null}, ${m.steps ?? null}, ${m.points ?? null})`),
          sql`, `,
        );
        queries.push(this.db.insert(metrics).select(sql`SELECT * FROM (VALUES ${values}) WHERE ${stillHeld}`).onConflictDoNothing());
      }
      const json = JSON.stringify({ ...info, ...(r.info ?? {}), ...(attempt === null ? {} : { attempt }) });
      queries.push(
        this.db
          .update(trials)
          .set({
            status: 'done',
            error: null,
            finishedAt: now,
            durationMs,
            // writes: result writes so far (must end at 1); retried: the last failed attempt's cause, kept once the error clears.
            info: sql`json_set(${json}, '$.writes', coalesce(json_extract(${trials.info}, '$.writes'), 0) + 1, '$.retried', ${trials.error})`,
          })
          .where(target),
      );
    }
    if (!queries.length) return [];
    await this.batch(queries);
    if (!leases) return written.map((w) => w.id);
    // Which writes landed: a trial taken over meanwhile is done under another attempt, or still running.
    const done: string[] = [];
    for (const { attempt, ids } of this.byAttempt(written as Lease[])) {
      const rows = await this.db
        .select({ id: trials.id })
        .from(trials)
        .where(and(inArray(trials.id, ids), eq(trials.status, 'done'), eq(trials.attempts, attempt)));
      done.push(...rows.map((r) => r.id));
    }
    return done;
  }

  async markTrials(ids: string[], status: 'failed' | 'queued', error: string | null, now: number): Promise<void> {
    for (const part of chunk(ids, 2)) {
      await this.db
        .update(trials)
        .set({ status, error, finishedAt: status === 'failed' ? now : null })
        .where(and(inArray(trials.id, part), sql`${trials.status} != 'done'`));
    }
  }

  /**
   * Gives up on trials, keeping the last attempt's error after `reason`; with
   * `countAttempts` the reason names each trial's own attempts column (how often it was
   * really leased), for callers that cannot know it (the dead-letter consumer).
   */
  async giveUp(ids: string[], reason: string, now: number, countAttempts = false): Promise<void> {
    const why = countAttempts ? sql`${reason} || ' after ' || ${trials.attempts} || ' attempts'` : sql`${reason}`;
    for (const part of chunk(ids, 2)) {
      await this.db
        .update(trials)
        .set({ status: 'failed', finishedAt: now, error: sql`${why} || coalesce(': ' || ${trials.error}, '')` })
        .where(and(inArray(trials.id, part), sql`${trials.status} != 'done'`));
    }
  }

  /**
   * Cancels a sweep: queued and running trials become cancelled. A running pack notices at
   * its next heartbeat (its leases are no longer held, core/run/run-trials.ts) and stops
   * without writing, so a cancel frees the CPU within a heartbeat. A sweep with nothing
   * queued or running is left as it is, so a finished sweep never reads `cancelled`.
   */
  async cancelSweep(id: string): Promise<void> {
    const unfinished = this.db.select({ id: trials.id }).from(trials).where(and(eq(trials.sweepId, id), inArray(trials.status, ['queued', 'running'])));
    await this.batch([
      this.db.update(sweeps).set({ cancelled: true }).where(and(eq(sweeps.id, id), sql`exists ${unfinished}`)),
      this.db
        .update(trials)
        .set({ status: 'cancelled', leasedAt: null })
        .where(and(eq(trials.sweepId, id), inArray(trials.status, ['queued', 'running']))),
    ]);
  }

  /**
   * Requeues what did not finish: failed, cancelled and queued trials (a message lost with
   * a restarted dev server) and running ones with a stale lease. Done trials are never rerun.
   */
  async requeueUnfinished(id: string, now: number): Promise<TrialSpec[]> {
    const [sweep] = await this.db.select().from(sweeps).where(eq(sweeps.id, id));
    if (!sweep) return [];
    const rows = await this.db
      .update(trials)
      .set({ status: 'queued', error: null, leasedAt: null })
      .where(
        and(
          eq(trials.sweepId, id),
          or(inArray(trials.status, ['failed', 'queued', 'cancelled']), and(eq(trials.status, 'running'), lt(trials.leasedAt, now - this.leaseMs))),
        ),
      )
      .returning();
    await this.db.update(sweeps).set({ cancelled: false, sentAt: now }).where(eq(sweeps.id, id));
    return rows.map((r) => specOf(r, sweep));
  }

  /**
   * The cron's repair (workers/scheduled.ts): trials whose lease expired without a result
   * (their consumer died: CPU limit, eviction, a deploy) go back to the queue. A redelivered
   * message cannot do it, because it finds them running. A trial already leased
   * `maxAttempts` times is failed instead, naming the cause, so a trial that kills its
   * consumer cannot loop forever; stale trials of a cancelled sweep become cancelled.
   * `cutoff` (default: now − leaseMs) is the lease time below which a lease counts as dead;
   * the Node runner passes `now` at start-up, since it alone holds the leases of its file.
   */
  async requeueStale(now: number, maxAttempts: number, cutoff = now - this.leaseMs): Promise<{ requeued: TrialSpec[]; failed: string[]; cancelled: string[] }> {
    const rows = await this.db
      .select({ trial: trials, sweep: sweeps })
      .from(trials)
      .innerJoin(sweeps, eq(trials.sweepId, sweeps.id))
      .where(and(eq(trials.status, 'running'), lt(trials.leasedAt, cutoff)));
    const stillStale = and(eq(trials.status, 'running'), lt(trials.leasedAt, cutoff));
    const cancelled = rows.filter((r) => r.sweep.cancelled).map((r) => r.trial.id);
    const failed = rows.filter((r) => !r.sweep.cancelled && r.trial.attempts >= maxAttempts).map((r) => r.trial.id);
    const requeue = rows.filter((r) => !r.sweep.cancelled && r.trial.attempts < maxAttempts);
    const requeued: TrialSpec[] = [];
    for (const part of chunk(cancelled, 2)) await this.db.update(trials).set({ status: 'cancelled', leasedAt: null }).where(and(inArray(trials.id, part), stillStale));
    for (const part of chunk(failed, 2)) {
      await this.db
        .update(trials)
        .set({ status: 'failed', finishedAt: now, error: `its lease expired ${maxAttempts} times without a result: the consumer died each time (CPU limit or memory?)` })
        .where(and(inArray(trials.id, part), stillStale));
    }
    for (const part of chunk(requeue, 2)) {
      const done = await this.db
        .update(trials)
        .set({ status: 'queued', leasedAt: null, error: 'requeued after its lease expired (the consumer died)' })
        .where(and(inArray(trials.id, part.map((r) => r.trial.id)), stillStale))
        .returning({ id: trials.id });
      const ids = new Set(done.map((d) => d.id));
      requeued.push(...part.filter((r) => ids.has(r.trial.id)).map((r) => specOf(r.trial, r.sweep)));
    }
    const touched = [...new Set(requeued.map((t) => t.sweepId))];
    for (const part of chunk(touched, 2)) await this.db.update(sweeps).set({ sentAt: now }).where(inArray(sweeps.id, part));
    return { requeued, failed, cancelled };
  }

  /**
   * Queued trials of sweeps where nothing has happened for `stalledMs` (no trial leased,
   * renewed or finished, nothing sent): their queue messages were probably lost (wrangler
   * dev drops its in-memory queue on every reload). Returns them to be sent again and stamps
   * the sweeps as sent; a duplicate of a message that was not lost is a no-op, since only
   * queued trials are leased. Cancelled sweeps are left alone. At most `maxSweeps` sweeps
   * per call (two queries each, within one invocation's 1,000); the rest wait for the next.
   */
  async resendStalled(now: number, stalledMs: number, maxSweeps = RESEND_SWEEPS): Promise<TrialSpec[]> {
    const waiting = await this.db
      .select({
        sweep: sweeps,
        lastLease: sql<number | null>`max(${trials.leasedAt})`,
        lastFinish: sql<number | null>`max(${trials.finishedAt})`,
      })
      .from(sweeps)
      .innerJoin(trials, eq(trials.sweepId, sweeps.id))
      .where(and(eq(sweeps.cancelled, false), sql`${sweeps.id} IN (SELECT DISTINCT ${trials.sweepId} FROM ${trials} WHERE ${trials.status} = 'queued')`))
      .groupBy(sweeps.id);
    const out: TrialSpec[] = [];
    const stalled = waiting.filter((w) => now - Math.max(w.sweep.createdAt, w.sweep.sentAt ?? 0, w.lastLease ?? 0, w.lastFinish ?? 0) >= stalledMs);
    for (const w of stalled.slice(0, maxSweeps)) {
      const rows = await this.db
        .select()
        .from(trials)
        .where(and(eq(trials.sweepId, w.sweep.id), eq(trials.status, 'queued')));
      await this.db.update(sweeps).set({ sentAt: now }).where(eq(sweeps.id, w.sweep.id));
      out.push(...rows.map((r) => specOf(r, w.sweep)));
    }
    return out;
  }

  /** The grid cells of a sweep: config key, its index and full parameters. */
  // Settle (core/settle/advance.ts): one row per settled sweep.

  async getSettle(sweepId: string): Promise<SettleState | null> {
    const [row] = await this.db.select().from(sweepSettles).where(eq(sweepSettles.sweepId, sweepId));
    if (!row) return null;
    return {
      sweepId: row.sweepId,
      status: row.status,
      round: row.round,
      budget: { trials: row.budgetTrials, cpuMs: row.budgetCpuMs },
      spent: { trials: row.spentTrials, cpuMs: row.spentCpuMs },
      reason: row.reason,
      history: JSON.parse(row.history) as SettleRound[],
      startedAt: row.startedAt,
      updatedAt: row.updatedAt,
    };
  }

  /**
   * Starts settling a sweep, or continues a settle that stopped, with `budget` more to
   * spend (added to what it had). Returns the state after.
   */
  async startSettle(sweepId: string, budget: SettleBudget, now: number): Promise<SettleState> {
    await this.db
      .insert(sweepSettles)
      .values({ sweepId, status: 'running', budgetTrials: budget.trials, budgetCpuMs: budget.cpuMs, history: '[]', startedAt: now, updatedAt: now })
      .onConflictDoUpdate({
        target: sweepSettles.sweepId,
        set: {
          status: 'running',
          reason: null,
          // What is left (never below nothing) plus what is given now; no CPU budget given keeps the old one.
          budgetTrials: sql`max(${sweepSettles.budgetTrials}, ${sweepSettles.spentTrials}) + ${budget.trials}`,
          budgetCpuMs:
            budget.cpuMs === null ? sql`${sweepSettles.budgetCpuMs}` : sql`max(coalesce(${sweepSettles.budgetCpuMs}, ${sweepSettles.spentCpuMs}), ${sweepSettles.spentCpuMs}) + ${budget.cpuMs}`,
          updatedAt: now,
        },
      });
    return (await this.getSettle(sweepId))!;
  }

  /** Takes round `round` of a running settle; false when another caller took it first. */
  async claimSettleRound(sweepId: string, round: number, now: number): Promise<boolean> {
    const rows = await this.db
      .update(sweepSettles)
      .set({ round: round + 1, updatedAt: now })
      .where(and(eq(sweepSettles.sweepId, sweepId), eq(sweepSettles.round, round), eq(sweepSettles.status, 'running')))
      .returning({ round: sweepSettles.round });
    return rows.length === 1;
  }

  /** Ends a settle (decided, budget spent, stopped), with the last look in its history. */
  async endSettle(sweepId: string, status: Exclude<SettleStatus, 'running'>, reason: string | null, history: SettleRound[], now: number): Promise<void> {
    await this.db.update(sweepSettles).set({ status, reason, history: JSON.stringify(history), updatedAt: now }).where(eq(sweepSettles.sweepId, sweepId));
  }

  /**
   * One round's trials, the sweep reopened for them, and the round in the settle's history,
   * together. Trial ids are deterministic, so a trial already present is left as it is.
   */
  async addSettleRound(sweepId: string, add: TrialSpec[], spent: { trials: number; cpuMs: number }, history: SettleRound[], now: number): Promise<void> {
    const rows = add.map((t) => ({ id: t.id, sweepId, configKey: t.configKey, configIndex: Number(t.id.split('.')[1]), repeat: t.repeat, params: JSON.stringify(t.params) }));
    await this.batch([
      // 13: every column of a trial row is bound, defaults included (as in createSweep).
      ...chunk(rows, 13).map((part) => this.db.insert(trials).values(part).onConflictDoNothing()),
      this.db
        .update(sweeps)
        .set({ total: sql`(SELECT count(*) FROM ${trials} WHERE ${trials.sweepId} = ${sweepId})`, sentAt: now, finishedAt: null })
        .where(eq(sweeps.id, sweepId)),
      this.db
        .update(sweepSettles)
        .set({ spentTrials: spent.trials, spentCpuMs: Math.round(spent.cpuMs), history: JSON.stringify(history), updatedAt: now })
        .where(eq(sweepSettles.sweepId, sweepId)),
    ]);
  }

  /** Sweeps with a running settle, oldest first (the cron's safety net advances them). */
  async runningSettles(limit = RESEND_SWEEPS): Promise<string[]> {
    const rows = await this.db.select({ id: sweepSettles.sweepId }).from(sweepSettles).where(eq(sweepSettles.status, 'running')).orderBy(sweepSettles.updatedAt).limit(limit);
    return rows.map((r) => r.id);
  }

  /** The sweep's grid cells with their repeats so far (one more than the highest repeat index). */
  async cells(sweepId: string): Promise<SweepCell[]> {
    const rows = await this.db
      .select({ index: trials.configIndex, config: trials.configKey, params: sql<string>`min(${trials.params})`, top: sql<number>`max(${trials.repeat})` })
      .from(trials)
      .where(eq(trials.sweepId, sweepId))
      .groupBy(trials.configIndex, trials.configKey)
      .orderBy(trials.configIndex);
    return rows.map((r) => ({ index: r.index, config: r.config, params: JSON.parse(r.params) as Record<string, unknown>, repeats: Number(r.top) + 1 }));
  }

  async configs(sweepId: string): Promise<Array<{ config: string; index: number; params: Record<string, unknown> }>> {
    const rows = await this.db
      .selectDistinct({ config: trials.configKey, index: trials.configIndex, params: trials.params })
      .from(trials)
      .where(eq(trials.sweepId, sweepId))
      .orderBy(trials.configIndex);
    return rows.map((r) => ({ config: r.config, index: r.index, params: JSON.parse(r.params) }));
  }

  async aggregate(sweepId: string, metricNames?: string[], includeTraces = false): Promise<AggregateRow[]> {
    const rows = (await this.db.all(aggregateQuery(sweepId, metricNames, includeTraces ? ['series', 'trace'] : ['series']))) as AggregateRow[];
    return rows.map((r) => ({ ...r, step: r.step == null ? null : Number(r.step), n: Number(r.n) }));
  }

  /**
   * Raw per-trial results (optionally only some metrics, or one repeat), every trial of the
   * sweep, read page by page so that no single query returns more than one page's rows.
   */
  async trialResults(sweepId: string, metricNames?: string[], repeat?: number): Promise<TrialRecord[]> {
    const out: TrialRecord[] = [];
    let after: TrialCursor | null = null;
    do {
      const page = await this.trialResultsPage(sweepId, { metrics: metricNames, repeat, limit: TRIAL_PAGE, after });
      out.push(...page.trials);
      after = page.next ? parseTrialCursor(page.next) : null;
    } while (after);
    return out;
  }

  /**
   * One page of per-trial results in (config, repeat) order, after `after` (the previous
   * page's `next`): two queries, the trials and their metric rows, both bounded by the page.
   */
  async trialResultsPage(sweepId: string, q: { metrics?: string[]; repeat?: number; limit?: number; after?: TrialCursor | null } = {}): Promise<{ trials: TrialRecord[]; next: string | null }> {
    const limit = q.limit ?? TRIAL_PAGE;
    const ofSweep = and(eq(trials.sweepId, sweepId), q.repeat === undefined ? undefined : eq(trials.repeat, q.repeat));
    const after = (c: TrialCursor | null | undefined) =>
      c ? or(sql`${trials.configIndex} > ${c.configIndex}`, and(eq(trials.configIndex, c.configIndex), sql`${trials.repeat} > ${c.repeat}`)) : undefined;
    const rows = await this.db
      .select()
      .from(trials)
      .where(and(ofSweep, after(q.after)))
      .orderBy(trials.configIndex, trials.repeat)
      .limit(limit + 1);
    const page = pageOf(rows, limit, (t) => `${t.configIndex}.${t.repeat}`);
    const trialRows = page.rows;
    const last = trialRows[trialRows.length - 1];
    if (!last) return { trials: [], next: null };
    const upTo = or(sql`${trials.configIndex} < ${last.configIndex}`, and(eq(trials.configIndex, last.configIndex), sql`${trials.repeat} <= ${last.repeat}`));
    const metricRows = await this.db
      .select({ trialId: metrics.trialId, metric: metrics.metric, kind: metrics.kind, value: metrics.value, steps: metrics.steps, points: metrics.points })
      .from(metrics)
      .innerJoin(trials, eq(trials.id, metrics.trialId))
      .where(and(ofSweep, after(q.after), upTo, q.metrics?.length ? inArray(metrics.metric, q.metrics) : undefined));
    const byTrial = new Map<string, Array<(typeof metricRows)[number]>>();
    for (const m of metricRows) {
      const list = byTrial.get(m.trialId);
      if (list) list.push(m);
      else byTrial.set(m.trialId, [m]);
    }
    const records = trialRows.map((t): TrialRecord => {
      const scalars: Record<string, number> = {};
      const series: Record<string, Series> = {};
      const traces: Record<string, Series> = {};
      for (const m of byTrial.get(t.id) ?? []) {
        if (m.kind === 'scalar') scalars[m.metric] = m.value as number;
        else (m.kind === 'series' ? series : traces)[m.metric] = { steps: JSON.parse(m.steps ?? '[]'), values: JSON.parse(m.points ?? '[]') };
      }
      return {
        id: t.id,
        config: t.configKey,
        repeat: t.repeat,
        status: t.status,
        attempts: t.attempts,
        error: t.error,
        durationMs: t.durationMs,
        params: JSON.parse(t.params),
        info: t.info ? JSON.parse(t.info) : null,
        scalars,
        series,
        traces,
      };
    });
    return { trials: records, next: page.next };
  }
}
