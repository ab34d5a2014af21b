import type { MiddlewareHandler } from 'hono';
import type { AppEnv } from '../context';

/** Compares in time independent of where the strings differ (no early exit). */
export function timingSafeEqual(a: string, b: string): boolean {
  const enc = new TextEncoder();
  const x = enc.encode(a);
  const y = enc.encode(b);
  let diff = x.length ^ y.length;
  for (let i = 0; i < Math.max(x.length, y.length); i++) diff |= (x[i % (x.length || 1)] ?? 0) ^ (y[i % (y.length || 1)] ?? 0);
  return diff === 0;
}

/**
 * With API_TOKEN set, mutating requests need `Authorization: Bearer <token>`; reads stay
 * open unless PROTECT_READS is set. Without API_TOKEN (local use) everything is open.
 */
export const requireToken: MiddlewareHandler<AppEnv> = async (c, next) => {
  const token = c.env.API_TOKEN;
  const mutating = !['GET', 'HEAD', 'OPTIONS'].includes(c.req.method);
  if (token && (mutating || c.env.PROTECT_READS)) {
    const header = c.req.header('authorization') ?? '';
    const given = header.startsWith('Bearer ') ? header.slice(7) : '';
    if (!timingSafeEqual(given, token)) {
      return c.json({ error: 'unauthorized', issues: [{ field: 'headers.authorization', message: 'a valid Bearer token is required' }] }, 401);
    }
  }
  await next();
};
