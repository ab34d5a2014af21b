import { Hono, type MiddlewareHandler } from 'hono';
import { requestId } from 'hono/request-id';
import { secureHeaders } from 'hono/secure-headers';
import type { AppEnv } from './context';
import { apiError, errorResponse } from './errors';
import { requireToken } from './middleware/auth';
import { limitBody } from './middleware/body';
import { settings } from './middleware/config';
import { allowedOrigins, crossSite } from './middleware/cross-site';
import { openApiDocument } from './openapi';
import { packSize } from './packing';
import { experimentRoutes } from './routes/experiments';
import { sweepRoutes } from './routes/sweeps';
import { verdictRoutes } from './routes/verdict';
import { settleRoutes } from './routes/settle';

/**
 * The HTTP API over web-standard Request/Response. `host` puts the store and queue of the
 * runtime on the context (D1 + Queues in the Worker, SQLite + threads in Node). Order:
 * settings (500 if misconfigured) → cross-site checks (403/415) → CORS for ALLOWED_ORIGINS
 * (preflights answered) → token (401; 403 for mutations of an open non-local server) → body
 * limit (413, before anything is read) → host → the route's validators (400).
 */
export function createApp(host: MiddlewareHandler<AppEnv>) {
  const app = new Hono<AppEnv>();
  // Always our own id (hono's requestId would adopt a client's X-Request-Id, letting a
  // client choose what the logs say about its request).
  app.use('*', requestId({ generator: () => crypto.randomUUID(), headerName: '' }));
  app.use('*', async (c, next) => {
    c.header('X-Request-Id', c.var.requestId);
    await next();
  });
  // JSON only: nothing in an API answer may load or run anything.
  app.use('*', secureHeaders({ contentSecurityPolicy: { defaultSrc: ["'none'"], frameAncestors: ["'none'"] } }));
  app.use('/api/*', settings, crossSite, allowedOrigins, requireToken, limitBody, host);
  app.onError(errorResponse);
  app.notFound((c) => errorResponse(apiError(404, 'not_found', { field: 'path', message: `no route ${c.req.method} ${c.req.path}` }), c));
  return app
    .route('/api/experiments', experimentRoutes)
    .route('/api/sweeps', sweepRoutes)
    .route('/api/sweeps', verdictRoutes)
    .route('/api/sweeps', settleRoutes)
    .get('/api/health', (c) =>
      c.json({
        ok: true as const,
        engine: c.var.config.ENGINE,
        maxPack: packSize(c.env ?? {}),
        // Who may start sweeps (api/middleware/auth.ts): say so, rather than be open silently.
        auth: c.var.config.API_TOKEN ? (c.var.config.PROTECT_READS ? ('token' as const) : ('token-for-writes' as const)) : c.var.config.ALLOW_OPEN ? ('open' as const) : ('this-machine-only' as const),
        ...(c.var.hostStats ? { pool: c.var.hostStats() } : {}),
      }),
    )
    .get('/api/openapi.json', (c) => c.json(openApiDocument()));
}

/** The API's routes and types, for the typed client (client/index.ts). */
export type AppType = ReturnType<typeof createApp>;
