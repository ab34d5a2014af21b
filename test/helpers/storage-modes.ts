/**
 * The storage modes every storage test runs over: the same Store on better-sqlite3 (the
 * Node runner's) and on local D1 through miniflare (the Worker's), both behind the D1
 * limit guards the hosts install (node/sqlite-guard.ts, workers/d1-guard.ts).
 * `invocation()` is a store for one invocation, as a host makes per request or pack.
 */
import type { MiddlewareHandler } from 'hono';
import type { Store } from '../../core/db/store';
import { createApp } from '../../api/app';
import type { AppEnv } from '../../api/context';
import { app as workerApp } from '../../workers/worker-app';
import { openSqliteStore } from '../../node/sqlite-store';
import { storeFor } from '../../workers/db';
import type { Env } from '../../workers/env';
import { localPlatform } from './platform';

export interface StorageMode {
  name: 'sqlite' | 'd1';
  open: () => Promise<{ invocation: () => Store; env?: Env; dispose: () => Promise<void> }>;
}

export const STORAGE_MODES: StorageMode[] = [
  {
    name: 'sqlite',
    open: async () => {
      const opened = openSqliteStore();
      return {
        invocation: opened.invocation,
        dispose: async () => {
          opened.sqlite.close();
        },
      };
    },
  },
  {
    name: 'd1',
    open: async () => {
      const platform = await localPlatform<Env>();
      const env = platform.env as unknown as Env;
      return { invocation: () => storeFor(env), env, dispose: platform.dispose };
    },
  },
];

/**
 * The HTTP API over an opened mode: the Worker's app on D1 (its queue as wrangler.toml
 * binds it), or the Node runner's app over the SQLite store with a queue that trains
 * nothing. One store per request, as both hosts make.
 */
export function apiOver(opened: Awaited<ReturnType<StorageMode['open']>>): (path: string, init?: RequestInit) => Promise<Response> {
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
