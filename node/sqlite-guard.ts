/**
 * better-sqlite3 with D1's production limits checked on every statement
 * (core/limits/guard.ts): SQLite takes 32,766 bound parameters and rows of a gigabyte, so
 * without this the Node runner and every test on it would accept what D1 refuses. The same
 * store code runs on both hosts; this keeps them refusing the same things.
 */
import type Database from 'better-sqlite3';
import { checkRows, checkStatement, checkValues, InvocationBudget } from '../core/limits/guard';

/** Statement methods that return the statement itself (chainable). */
const CHAINABLE = new Set(['raw', 'pluck', 'expand', 'safeIntegers', 'bind']);

function guardStatement(real: Database.Statement, sql: string, budget: InvocationBudget): Database.Statement {
  const proxy: Database.Statement = new Proxy(real, {
    get(target, prop) {
      const value = Reflect.get(target, prop, target);
      if (typeof value !== 'function') return value;
      if (CHAINABLE.has(prop as string)) {
        return (...args: unknown[]) => {
          if (prop === 'bind') checkValues(args.flat(), sql);
          value.apply(target, args);
          return proxy;
        };
      }
      if (prop === 'run' || prop === 'get' || prop === 'all' || prop === 'iterate') {
        return (...args: unknown[]) => {
          budget.count();
          checkValues(args, sql);
          const out = value.apply(target, args);
          if (prop === 'all') checkRows(out as unknown[], sql);
          else if (prop === 'get' && out !== undefined) checkRows([out], sql);
          return out;
        };
      }
      return value.bind(target);
    },
  });
  return proxy;
}

/** The database with every prepared statement guarded; `budget` counts queries of one invocation. */
export function guardSqlite(db: Database.Database, budget = new InvocationBudget(Infinity)): Database.Database {
  return new Proxy(db, {
    get(target, prop) {
      const value = Reflect.get(target, prop, target);
      if (prop === 'prepare') {
        return (sql: string) => {
          checkStatement(sql);
          return guardStatement(target.prepare(sql), sql, budget);
        };
      }
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}
