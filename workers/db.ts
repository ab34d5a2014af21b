import { drizzle } from 'drizzle-orm/d1';
import * as schema from '../core/db/schema';
import { Store, type AnyDb } from '../core/db/store';
import { configFor } from './config';
import type { Env } from './env';

/** The store over D1; D1's batch() is its only way to write several statements atomically. */
export function storeFor(env: Env): Store {
  const db = drizzle(env.DB, { schema });
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  // Parsed strictly (workers/config.ts): a malformed LEASE_MS is an error naming it, not a silent default.
  const leaseMs = configFor(env).LEASE_MS;
  return new Store(db as unknown as AnyDb, (queries) => (queries.length ? db.batch(queries as [any, ...any[]]) : Promise.resolve()), leaseMs);
}
