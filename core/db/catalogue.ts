/**
 * The sweep catalogue (SweepCatalogue, core/db/roles.ts): a sweep's row and its trials'
 * rows as created, read with their counts and activity, listed, cancelled, requeued and
 * deleted.
 */
import { and, count, desc, eq, inArray, lt, or, sql } from 'drizzle-orm';
import type { TrialSpec } from '../experiments/types';
import type { ExpandedSweep } from '../sweep/expand';
import type { SweepCatalogue, SweepCounts, SweepCursor, SweepStatus, SweepSummary } from './roles';
import { metrics, sweepAnswers, sweepSettles, sweeps, trials, type SweepRow, type TrialStatus } from './schema';
import { chunk, formatCursor, pageOf, parseCursor, specOf, SqlRole } from './sql-role';

/** Per sweep: trial counts, stale leases, and the last lease and finish times. */
interface SweepActivity {
  counts: SweepCounts;
  stale: number;
  atRisk: number;
  lastFinish: number | null;
  lastLease: number | null;
}

/** The sweep's status from its trial counts (a cancelled sweep reads `cancelled` once nothing runs). */
export function statusOf(counts: SweepCounts, cancelled: boolean): SweepStatus {
  if (cancelled && counts.running === 0) return 'cancelled';
  if (counts.queued + counts.running > 0) return counts.done + counts.failed + counts.running > 0 ? 'running' : 'queued';
  if (counts.failed > 0) return 'failed';
  return 'done';
}

export class SqlSweepCatalogue extends SqlRole implements SweepCatalogue {
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
}
