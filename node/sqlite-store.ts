/** The store over a local SQLite file (better-sqlite3), migrated with the same SQL files wrangler applies. */
import Database from 'better-sqlite3';
import { drizzle } from 'drizzle-orm/better-sqlite3';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';
import { fileURLToPath } from 'node:url';
import * as schema from '../core/db/schema';
import { Store, type AnyDb } from '../core/db/store';
import { InvocationBudget } from '../core/limits/guard';
import { guardSqlite } from './sqlite-guard';

const MIGRATIONS = fileURLToPath(new URL('../migrations', import.meta.url));

export interface SqliteStore {
  /** The store for work outside any one invocation (start-up, the repair timer, tests); D1's statement limits still apply. */
  store: Store;
  sqlite: Database.Database;
  /**
   * A store for one invocation (an API request, a pack): on top of the statement limits it
   * counts queries against D1's 1,000 per invocation, as the Worker's storeFor does.
   */
  invocation: () => Store;
}

/** Opens (and unless `migrate` is false, migrates) the SQLite file; training threads skip migrating. `leaseMs` defaults to the Store's. */
export function openSqliteStore(file = ':memory:', opts: { migrate?: boolean; leaseMs?: number } = {}): SqliteStore {
  const sqlite = new Database(file);
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('foreign_keys = ON');
  sqlite.pragma('busy_timeout = 5000');
  if (opts.migrate !== false) migrate(drizzle(sqlite, { schema }), { migrationsFolder: MIGRATIONS });
  // better-sqlite3 is synchronous: a transaction over the queries is D1's batch().
  const batch = async (queries: Array<{ run: () => unknown }>) => {
    sqlite.transaction(() => queries.forEach((q) => q.run()))();
  };
  const storeOver = (budget: InvocationBudget) => new Store(drizzle(guardSqlite(sqlite, budget), { schema }) as unknown as AnyDb, batch as never, opts.leaseMs);
  return { store: storeOver(new InvocationBudget(Infinity)), sqlite, invocation: () => storeOver(new InvocationBudget()) };
}
