import { drizzle } from 'drizzle-orm/d1';
import * as schema from '../core/db/schema';
import { Store, type AnyDb } from '../core/db/store';
import { configFor } from '../api/config';
import { guardD1 } from './d1-guard';
import type { Env } from './env';

/**
 * The store over D1 for one invocation (a request, a queue batch, a cron tick): every
 * statement checked against D1's production limits and the invocation's queries counted
 * (workers/d1-guard.ts). D1's batch() is its only way to write several statements atomically.
 */
export function storeFor(env: Env): Store {
  const db = drizzle(guardD1(env.DB), { schema });
  // Parsed strictly (api/config.ts): a malformed LEASE_MS is an error naming it, not a silent default.
  const leaseMs = configFor(env).LEASE_MS;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  return new Store(db as unknown as AnyDb, (queries) => (queries.length ? db.batch(queries as [any, ...any[]]) : Promise.resolve()), leaseMs);
}
