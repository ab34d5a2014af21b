/**
 * The lease protocol (TrialLeases and LeaseRepair, core/db/roles.ts): how trials run
 * at least once and are written exactly once, whatever the queue and the hosts do.
 *
 * The queue delivers a pack at least once: a message can come twice (a retry, a duplicate
 * send) or never (lost with a restarted dev server), and its consumer can die mid-pack
 * (CPU limit, eviction, a deploy, a killed thread). The store makes that safe:
 *
 * - Take. `takeLeases` moves queued trials to `running`, stamps `leased_at` and increments
 *   `attempts`; the new attempt number is the lease token. Only queued trials, and running
 *   ones whose lease went stale, are taken, never those of a cancelled sweep: a redelivered
 *   message finds its trials held or finished and trains nothing.
 * - Renew. A running pack renews its leases every `heartbeatMs` (a quarter lease) from the
 *   yields of its training loop (core/run/run-trials.ts). A trial not renewed for `leaseMs`
 *   is stale: its holder is taken for dead.
 * - Write. Renewals, releases and result writes apply only to trials still `running` under
 *   the writer's own attempt. A zombie (a holder whose lease expired and was taken over)
 *   matches no row: it renews nothing, so it stops at its next heartbeat, and writes
 *   nothing. `saveResults` writes a trial's metric rows and flips it to `done` in one batch,
 *   both under that condition, and counts the writes in `info.writes`, which must end at 1.
 * - Release. A pack that fails gives its trials back, `queued` with the attempt's error
 *   (so a retry leases them at once) or `failed`; `giveUp` fails what a host stops
 *   retrying (the dead-letter consumer, workers/queue-consumer.ts; the Node pool,
 *   node/pool.ts), and `markTrials` sets trials whoever holds them (a pack of an unknown
 *   experiment). Neither touches a trial that is done.
 * - Repair. Nothing else notices a dead holder, since its message is gone or finds the
 *   trials running: the cron (workers/scheduled.ts) and the Node runner's timer
 *   (node/server.ts) call `requeueStale`, which requeues trials whose lease expired, fails
 *   those leased `maxAttempts` times (a trial that kills its consumer cannot loop) and
 *   cancels those of a cancelled sweep. `resendStalled` re-sends the queued trials of
 *   sweeps where nothing has happened for a while (their messages were lost); a duplicate
 *   of a message that was not lost is a no-op, as above.
 *
 * A trial's life: queued → running → done; running → queued (released, or repaired after
 * its lease expired) → running again; queued or running → failed (released as failed, given
 * up or marked, or repaired after `maxAttempts` leases); queued or running → cancelled
 * (cancelSweep, core/db/catalogue.ts).
 */
import { and, eq, inArray, lt, or, sql } from 'drizzle-orm';
import type { Series, TrialResult, TrialSpec } from '../experiments/types';
import { D1_LIMITS } from '../limits/cloudflare';
import type { Lease, LeaseRepair, TrialLeases } from './roles';
import { metrics, sweeps, trials, type MetricRow } from './schema';
import { chunk, RESEND_SWEEPS, specOf, SqlRole } from './sql-role';

/**
 * Default lease: a running pack renews it every quarter (heartbeatMs) from the yields of its
 * training loop, so 60 s tolerates three missed heartbeats while a dead consumer's trials
 * are requeued about a minute after its last sign of life.
 */
export const DEFAULT_LEASE_MS = 60_000;

export class SqlTrialLeases extends SqlRole implements TrialLeases, LeaseRepair {
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

  /** Sets trials that are not done to failed or queued, whoever holds them (a pack of an unknown experiment, core/run/run-trials.ts). */
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

  /** How often the trial was leased so far (its last lease token; 0 for none or an unknown id), e.g. for a fault plan's attempts (core/run/faults.ts). */
  async attemptsOf(id: string): Promise<number> {
    const [row] = await this.db.select({ attempts: trials.attempts }).from(trials).where(eq(trials.id, id));
    return row?.attempts ?? 0;
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
