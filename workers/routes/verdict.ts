import { Hono } from 'hono';
import { sweepVerdict } from '../../core/verdict/sweep-verdict';
import type { AppEnv } from '../context';

/**
 * `GET /api/sweeps/:id/verdict`: whether the sweep's evidence supports each claim of its
 * experiment's hypothesis (core/verdict), provisional while trials are still running.
 */
export const verdictRoutes = new Hono<AppEnv>().get('/:id/verdict', async (c) => {
  const id = c.req.param('id');
  const verdict = await sweepVerdict(c.var.store, id, Date.now());
  if (!verdict) return c.json({ error: 'not_found', issues: [{ field: 'id', message: `no sweep '${id}'` }] }, 404);
  return c.json(verdict);
});
