import type { MiddlewareHandler } from 'hono';
import { bearerAuth } from 'hono/bearer-auth';
import { HTTPException } from 'hono/http-exception';
import type { AppEnv } from '../context';
import { apiError } from '../errors';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
const guards = new Map<string, MiddlewareHandler>();

/** Hosts that only this machine reaches: without a token, mutations are taken from these alone. */
const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]']);

/**
 * With API_TOKEN set, mutating requests need `Authorization: Bearer <token>` (hono's
 * bearerAuth, which compares in constant time); reads stay open unless PROTECT_READS is
 * set. Without API_TOKEN, mutating requests are taken on loopback hosts only (local use,
 * `npm start`, `npm run local`): a Worker deployed without its secret refuses them with a
 * 403 that says how to set it, rather than letting anyone on *.workers.dev spend the
 * account's CPU; ALLOW_OPEN=true opens it on purpose. Every token failure, a malformed
 * header included, is a 401 naming headers.authorization, with bearerAuth's challenge.
 */
export const requireToken: MiddlewareHandler<AppEnv> = async (c, next) => {
  const { API_TOKEN: token, PROTECT_READS, ALLOW_OPEN } = c.var.config;
  if (!token) {
    const host = new URL(c.req.url).hostname.toLowerCase();
    if (SAFE_METHODS.has(c.req.method) || ALLOW_OPEN || LOOPBACK.has(host)) return next();
    throw apiError(403, 'open_api', {
      field: 'API_TOKEN',
      message: `this server has no API_TOKEN and is reached as '${host.slice(0, 100)}', not from this machine: set one (npx wrangler secret put API_TOKEN), or set ALLOW_OPEN=true to let anyone start sweeps`,
    });
  }
  if (SAFE_METHODS.has(c.req.method) && !PROTECT_READS) return next();
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
