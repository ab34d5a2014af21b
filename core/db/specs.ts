/** The custom experiments' specs (SpecRegistry, core/db/roles.ts), under their content-hash ids. */
import { and, count, eq, or, sql } from 'drizzle-orm';
import type { SpecRegistry, StoredExperiment, SweepCursor } from './roles';
import { experiments, sweeps } from './schema';
import { formatCursor, pageOf, SqlRole } from './sql-role';

export class SqlSpecRegistry extends SqlRole implements SpecRegistry {
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
}
