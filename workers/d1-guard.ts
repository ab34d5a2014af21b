/**
 * D1 with its production limits checked on every statement (core/limits/guard.ts): local
 * D1 under wrangler dev and miniflare accept statements, values and query counts that D1
 * refuses in production, so the Worker always runs through this. One guard per
 * invocation: its budget counts that invocation's queries.
 */
import { checkRows, checkStatement, checkValues, InvocationBudget } from '../core/limits/guard';

const REAL = Symbol('d1-statement');

type Guarded = D1PreparedStatement & { [REAL]: D1PreparedStatement };

function guardStatement(real: D1PreparedStatement, sql: string, budget: InvocationBudget): Guarded {
  const statement = {
    [REAL]: real,
    bind: (...values: unknown[]) => {
      checkStatement(sql, values);
      checkValues(values, sql);
      return guardStatement(real.bind(...values), sql, budget);
    },
    first: (column?: string) => {
      budget.count();
      return column === undefined ? real.first() : real.first(column);
    },
    run: () => {
      budget.count();
      return real.run();
    },
    all: async () => {
      budget.count();
      const result = await real.all();
      checkRows(result.results, sql);
      return result;
    },
    raw: async (options?: { columnNames?: boolean }) => {
      budget.count();
      const rows = await (options?.columnNames ? real.raw({ columnNames: true }) : real.raw());
      checkRows(rows as unknown[], sql);
      return rows;
    },
  };
  return statement as unknown as Guarded;
}

export function guardD1(db: D1Database, budget = new InvocationBudget()): D1Database {
  const guarded = {
    prepare: (sql: string) => {
      checkStatement(sql, []);
      return guardStatement(db.prepare(sql), sql, budget);
    },
    batch: async <T>(statements: D1PreparedStatement[]) => {
      budget.count(statements.length);
      return db.batch<T>(statements.map((s) => (s as Guarded)[REAL] ?? s));
    },
    exec: (query: string) => {
      budget.count();
      return db.exec(query);
    },
    dump: () => db.dump(),
    withSession: (constraint?: string) => db.withSession(constraint as never),
  };
  return guarded as unknown as D1Database;
}
