/**
 * The storage modes every storage test runs over: the same Store on better-sqlite3 (the
 * Node runner's) and on local D1 through miniflare (the Worker's), both behind the D1
 * limit guards the hosts install (node/sqlite-guard.ts, workers/d1-guard.ts).
 * `invocation()` is a store for one invocation, as a host makes per request or pack. Every
 * test of a store runs over this one list (test/storage, test/workers).
 */
import type { MiddlewareHandler } from 'hono';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Store } from '../../core/db/store';
import { createApp } from '../../api/app';
import type { AppEnv } from '../../api/context';
import { app as workerApp } from '../../workers/worker-app';
import { openSqliteStore, type SqliteStore } from '../../node/sqlite-store';
import { storeFor } from '../../workers/db';
import type { Env } from '../../workers/env';
import { localPlatform } from './platform';

export interface OpenedStorage {
  /** A store for one invocation (its own D1 query budget), as a host makes per request or pack. */
  invocation: () => Store;
  /** Runs a `SELECT count(*) AS n …` on the database itself, past the store and its guards. */
  count: (sql: string, ...binds: unknown[]) => Promise<number>;
  /** D1: the Worker's bindings (its DB, and its queues as wrangler.toml binds them). */
  env?: Env;
  /** SQLite: the opened database (node/sqlite-store.ts), for what the Node runner does outside invocations (its pool). */
  sqlite?: SqliteStore;
  /** SQLite opened `onDisk`: its file, which the Node runner's training threads open too. */
  file?: string;
  dispose: () => Promise<void>;
}

export interface StorageMode {
  name: 'sqlite' | 'd1';
  /** `onDisk`: SQLite in a file of a fresh temporary folder rather than in memory (local D1 is always on disk). */
  open: (opts?: { onDisk?: boolean }) => Promise<OpenedStorage>;
}

export const STORAGE_MODES: StorageMode[] = [
  {
    name: 'sqlite',
    open: async (opts = {}) => {
      const dir = opts.onDisk ? mkdtempSync(join(tmpdir(), 'atomsweep-sqlite-')) : undefined;
      const file = dir ? join(dir, 'db.sqlite') : undefined;
      const opened = openSqliteStore(file);
      return {
        invocation: opened.invocation,
        count: async (sql, ...binds) => Number((opened.sqlite.prepare(sql).get(...binds) as { n: number }).n),
        sqlite: opened,
        file,
        dispose: async () => {
          opened.sqlite.close();
          if (dir) rmSync(dir, { recursive: true, force: true });
        },
      };
    },
  },
  {
    name: 'd1',
    open: async () => {
      const platform = await localPlatform<Env>();
      const env = platform.env as unknown as Env;
      return { invocation: () => storeFor(env), count: platform.count, env, dispose: platform.dispose };
    },
  },
];

/**
 * The HTTP API over an opened mode: the Worker's app on D1 (its queue as wrangler.toml
 * binds it), or the Node runner's app over the SQLite store with a queue that trains
 * nothing. One store per request, as both hosts make.
 */
export function apiOver(opened: OpenedStorage): (path: string, init?: RequestInit) => Promise<Response> {
  if (opened.env) {
    const env = opened.env;
    return async (path, init) => workerApp.request(path, init, env);
  }
  const host: MiddlewareHandler<AppEnv> = async (c, next) => {
    c.set('store', opened.invocation());
    c.set('enqueue', async () => {});
    await next();
  };
  const app = createApp(host);
  return async (path, init) => app.request(path, init, {});
}
