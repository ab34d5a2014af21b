/**
 * What a sweep's trials recorded (ResultQueries, core/db/roles.ts): its configs and cells,
 * the aggregate in one SQL statement (core/db/aggregate.ts), trial results page by page,
 * and the answers computed from them, kept per sweep version.
 */
import { and, eq, inArray, or, sql } from 'drizzle-orm';
import type { Series } from '../experiments/types';
import type { SweepCell } from '../settle/plan';
import { D1_LIMITS } from '../limits/cloudflare';
import { utf8Bytes } from '../limits/guard';
import { aggregateQuery, type AggregateRow } from './aggregate';
import type { ResultQueries, TrialCursor, TrialRecord } from './roles';
import { metrics, sweepAnswers, trials } from './schema';
import { pageOf, SqlRole } from './sql-role';

/** Trials per page of results: a page's metric rows stay far below D1's 50 MB per result. */
export const TRIAL_PAGE = 500;

export function parseTrialCursor(text: string): TrialCursor | null {
  const m = /^(\d{1,9})\.(\d{1,9})$/.exec(text);
  return m ? { configIndex: Number(m[1]), repeat: Number(m[2]) } : null;
}

export class SqlResultQueries extends SqlRole implements ResultQueries {
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

  /** The grid cells of a sweep: config key, its index and full parameters. */
  async configs(sweepId: string): Promise<Array<{ config: string; index: number; params: Record<string, unknown> }>> {
    const rows = await this.db
      .selectDistinct({ config: trials.configKey, index: trials.configIndex, params: trials.params })
      .from(trials)
      .where(eq(trials.sweepId, sweepId))
      .orderBy(trials.configIndex);
    return rows.map((r) => ({ config: r.config, index: r.index, params: JSON.parse(r.params) }));
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
