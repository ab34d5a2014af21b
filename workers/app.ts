import { Hono, type MiddlewareHandler } from 'hono';
import { secureHeaders } from 'hono/secure-headers';
import type { AppEnv } from './context';
import { requireToken } from './middleware/auth';
import { experimentRoutes } from './routes/experiments';
import { parseEngine } from '../core/engine';
import { packSize } from './packing';
import { sweepRoutes } from './routes/sweeps';
import { verdictRoutes } from './routes/verdict';

/**
 * The HTTP API over web-standard Request/Response. `host` puts the store and queue of the
 * runtime on the context (D1 + Queues in the Worker, SQLite + threads in Node).
 */
export function createApp(host: MiddlewareHandler<AppEnv>) {
  const app = new Hono<AppEnv>();
  app.use('*', secureHeaders());
  app.use('/api/*', requireToken, host);
  app.route('/api/experiments', experimentRoutes);
  app.route('/api/sweeps', sweepRoutes);
  app.route('/api/sweeps', verdictRoutes);
  app.get('/api/health', (c) => c.json({ ok: true, engine: parseEngine(c.env.ENGINE), maxPack: packSize(c.env) }));
  app.notFound((c) => c.json({ error: 'not_found', issues: [{ field: 'path', message: `no route ${c.req.method} ${new URL(c.req.url).pathname}` }] }, 404));
  app.onError((err, c) => {
    console.error(err);
    return c.json({ error: 'internal_error', message: err.message }, 500);
  });
  return app;
}
