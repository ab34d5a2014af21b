/**
 * The storage modes every storage test runs over: the same Store on better-sqlite3 (the
 * Node runner's) and on local D1 through miniflare (the Worker's), both behind the D1
 * limit guards the hosts install (node/sqlite-guard.ts, workers/d1-guard.ts).
 * `invocation()` is a store for one invocation, as a host makes per request or pack.
 */
import type { Store } from '../../core/db/store';
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
