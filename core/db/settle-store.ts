/** Settle's state per sweep (SettleStore, core/db/roles.ts): one row per settled sweep, driven by core/settle/advance.ts. */
import { and, eq, sql } from 'drizzle-orm';
import type { TrialSpec } from '../experiments/types';
import type { SettleBudget, SettleRound, SettleState, SettleStatus } from '../settle/types';
import type { SettleStore } from './roles';
import { sweepSettles, sweeps, trials } from './schema';
import { chunk, RESEND_SWEEPS, SqlRole } from './sql-role';

export class SqlSettleStore extends SqlRole implements SettleStore {
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
}
