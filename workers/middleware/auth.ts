import type { MiddlewareHandler } from 'hono';
import { bearerAuth } from 'hono/bearer-auth';
import { HTTPException } from 'hono/http-exception';
import type { AppEnv } from '../context';
import { apiError } from '../errors';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
const guards = new Map<string, MiddlewareHandler>();

/**
 * With API_TOKEN set, mutating requests need `Authorization: Bearer <token>` (hono's
 * bearerAuth, which compares in constant time); reads stay open unless PROTECT_READS is
 * set. Without API_TOKEN (local use) everything is open. Every failure, a malformed
 * header included, is a 401 naming headers.authorization, with bearerAuth's challenge.
 */
export const requireToken: MiddlewareHandler<AppEnv> = async (c, next) => {
  const { API_TOKEN: token, PROTECT_READS } = c.var.config;
  if (!token || (SAFE_METHODS.has(c.req.method) && !PROTECT_READS)) return next();
  let guard = guards.get(token);
  if (!guard) guards.set(token, (guard = bearerAuth({ token })));
  try {
    await guard(c, next);
  } catch (err) {
    if (!(err instanceof HTTPException) || err.status >= 500 || !err.res?.headers.has('www-authenticate')) throw err;
    c.header('www-authenticate', err.res.headers.get('www-authenticate')!);
    const given = c.req.header('authorization');
    throw apiError(401, 'unauthorized', { field: 'headers.authorization', message: given ? 'invalid Bearer token' : 'a Bearer token is required (the server has API_TOKEN set)' });
  }
};
