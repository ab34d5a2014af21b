/** The store over a local SQLite file (better-sqlite3), migrated with the same SQL files wrangler applies. */
import Database from 'better-sqlite3';
import { drizzle } from 'drizzle-orm/better-sqlite3';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';
import { fileURLToPath } from 'node:url';
import * as schema from '../core/db/schema';
import { Store, type AnyDb } from '../core/db/store';

const MIGRATIONS = fileURLToPath(new URL('../migrations', import.meta.url));

/** Opens (and unless `migrate` is false, migrates) the SQLite file; training threads skip migrating. `leaseMs` defaults to the Store's. */
export function openSqliteStore(file = ':memory:', opts: { migrate?: boolean; leaseMs?: number } = {}): { store: Store; sqlite: Database.Database } {
  const sqlite = new Database(file);
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('foreign_keys = ON');
  sqlite.pragma('busy_timeout = 5000');
  const db = drizzle(sqlite, { schema });
  if (opts.migrate !== false) migrate(db, { migrationsFolder: MIGRATIONS });
  // better-sqlite3 is synchronous: a transaction over the queries is D1's batch().
  const batch = async (queries: Array<{ run: () => unknown }>) => {
    sqlite.transaction(() => queries.forEach((q) => q.run()))();
  };
  return { store: new Store(db as unknown as AnyDb, batch as never, opts.leaseMs), sqlite };
}
