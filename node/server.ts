/**
 * `npm run local`: the same API and dashboard as `npm start`, but trials run on every core
 * in a worker-thread pool and results go to a local SQLite file through the same drizzle
 * schema and queries. For big sweeps on a laptop; `npm start` is the Cloudflare path.
 *
 *   npm run local -- [--port 8788] [--db .data/atomsweep.sqlite] [--threads <cores>]
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { dirname } from 'node:path';
import { parseArgs } from 'node:util';
import type { MiddlewareHandler } from 'hono';
import { createApp } from '../workers/app';
import { ConfigError, parseConfig } from '../workers/config';
import type { AppBindings } from '../workers/context';
import type { AppEnv } from '../workers/context';
import { enqueueTrials, packSize } from '../workers/packing';
import { serve } from './http';
import { TrialPool } from './pool';
import { openSqliteStore } from './sqlite-store';

/** The settings the API reads, from the environment (workers/config.ts lists them). */
export function bindingsFromEnv(env: NodeJS.ProcessEnv): AppBindings {
  const { API_TOKEN, PROTECT_READS, MAX_TRIALS, MAX_PACK, ENGINE, ALLOWED_ORIGINS, ALLOWED_HOSTS } = env;
  return { API_TOKEN, PROTECT_READS, MAX_TRIALS, MAX_PACK, ENGINE, ALLOWED_ORIGINS, ALLOWED_HOSTS };
}

/**
 * Starts the runner; `bindings` default to process.env. Bad settings throw a ConfigError
 * before anything is opened or served.
 */
export async function startLocalRunner(opts: { port: number; db: string; threads: number; buildDashboard?: boolean; bindings?: AppBindings }) {
  const bindings = opts.bindings ?? bindingsFromEnv(process.env);
  parseConfig(bindings);
  if (opts.buildDashboard !== false) {
    const r = spawnSync(process.execPath, ['scripts/build-dashboard.mjs'], { stdio: 'inherit' });
    if (r.status !== 0) throw new Error('dashboard build failed');
  }
  if (opts.db !== ':memory:') mkdirSync(dirname(opts.db), { recursive: true });
  const { store, sqlite } = openSqliteStore(opts.db);
  const pool = new TrialPool(store, opts.db, opts.threads);
  const host: MiddlewareHandler<AppEnv> = async (c, next) => {
    c.set('store', store);
    c.set('enqueue', (packs) => pool.enqueue(packs));
    await next();
  };
  const app = createApp(host);
  const server = await serve((req) => app.fetch(req, bindings), 'dashboard/dist', opts.port);
  const port = (server.address() as { port: number }).port;

  // Resume after a crash or restart: whatever was queued or stale goes back on the pool.
  let resumed = 0;
  for (const s of await store.listSweeps(Date.now(), 1000)) {
    if (!['queued', 'running'].includes(s.status)) continue;
    const trials = await store.requeueUnfinished(s.id, Date.now());
    if (!trials.length) continue;
    resumed += trials.length;
    await enqueueTrials((packs) => pool.enqueue(packs), packSize(bindings), trials);
  }
  return {
    url: `http://127.0.0.1:${port}`,
    resumed,
    pool,
    store,
    close: async () => {
      server.close();
      await pool.close();
      sqlite.close();
    },
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({ options: { port: { type: 'string', default: '8788' }, db: { type: 'string', default: '.data/atomsweep.sqlite' }, threads: { type: 'string', default: String(availableParallelism()) } } });
  let runner: Awaited<ReturnType<typeof startLocalRunner>>;
  try {
    runner = await startLocalRunner({ port: Number(values.port), db: values.db!, threads: Number(values.threads) });
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    console.error(`atomsweep local runner: ${err.message}`);
    process.exit(2);
  }
  console.log(`atomsweep local runner: ${runner.url}/ (SQLite ${values.db}, ${values.threads} training threads${runner.resumed ? `, resumed ${runner.resumed} unfinished trials` : ''})`);
  // A stray rejection (a client gone mid-stream, a bug) is logged; it never ends the server.
  process.on('unhandledRejection', (err) => console.error('unhandled rejection (still serving):', err));
  for (const sig of ['SIGINT', 'SIGTERM'] as const) process.on(sig, () => runner.close().then(() => process.exit(0)));
}
