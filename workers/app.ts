import { Hono } from 'hono';
import { secureHeaders } from 'hono/secure-headers';
import type { Env } from './env';
import { requireToken } from './middleware/auth';
import { experimentRoutes } from './routes/experiments';
import { sweepRoutes } from './routes/sweeps';

/** The HTTP API; static dashboard files are served by the assets binding before this runs. */
export const app = new Hono<{ Bindings: Env }>();

app.use('*', secureHeaders());
app.use('/api/*', requireToken);
app.route('/api/experiments', experimentRoutes);
app.route('/api/sweeps', sweepRoutes);
app.get('/api/health', (c) => c.json({ ok: true }));
app.notFound((c) => c.json({ error: 'not_found', issues: [{ field: 'path', message: `no route ${c.req.method} ${new URL(c.req.url).pathname}` }] }, 404));
app.onError((err, c) => {
  console.error(err);
  return c.json({ error: 'internal_error', message: err.message }, 500);
});
