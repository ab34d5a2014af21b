import { Hono } from 'hono';
import { sweepVerdict } from '../../core/verdict/sweep-verdict';
import type { AppEnv } from '../context';
import { apiError } from '../errors';
import { idParam } from '../schemas';
import { validate } from '../validate';

/**
 * `GET /api/sweeps/:id/verdict`: whether the sweep's evidence supports each claim of its
 * experiment's hypothesis (core/verdict), provisional while trials are still running.
 */
export const verdictRoutes = new Hono<AppEnv>().get('/:id/verdict', validate('param', idParam), async (c) => {
  const { id } = c.req.valid('param');
  const verdict = await sweepVerdict(c.var.store, id, Date.now());
  if (!verdict) throw apiError(404, 'not_found', { field: 'id', message: `no sweep '${id}'` });
  return c.json(verdict);
});
