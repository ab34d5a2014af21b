import type { MiddlewareHandler } from 'hono';
import { bearerAuth } from 'hono/bearer-auth';
import type { AppEnv } from '../context';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
const guards = new Map<string, MiddlewareHandler>();

/**
 * With API_TOKEN set, mutating requests need `Authorization: Bearer <token>` (hono's
 * bearerAuth, which compares in constant time); reads stay open unless PROTECT_READS is
 * set. Without API_TOKEN (local use) everything is open. Failures reach onError
 * (workers/errors.ts) as a 401 naming headers.authorization.
 */
export const requireToken: MiddlewareHandler<AppEnv> = async (c, next) => {
  const { API_TOKEN: token, PROTECT_READS } = c.var.config;
  if (!token || (SAFE_METHODS.has(c.req.method) && !PROTECT_READS)) return next();
  let guard = guards.get(token);
  if (!guard) guards.set(token, (guard = bearerAuth({ token })));
  return guard(c, next);
};
