/**
 * Cross-site protection for a server on localhost (and harmless in production):
 *
 * - Host must be one the server is meant to be reached by (ALLOWED_HOSTS; default
 *   localhost, 127.0.0.1, [::1] and *.workers.dev). A DNS-rebinding page reaches
 *   127.0.0.1 under its own domain name, so its requests carry Host = that domain; checking
 *   Host against the request URL would always pass, hence a list.
 * - Origin, when a browser sends one, must be the server's own origin (that of the request
 *   URL) or listed in ALLOWED_ORIGINS. Another site's page cannot pass.
 * - Mutating requests must be `content-type: application/json`: an HTML form or a "simple"
 *   cross-site fetch cannot send that without a CORS preflight, which this API never grants.
 */
import type { MiddlewareHandler } from 'hono';
import { cors } from 'hono/cors';
import type { AppEnv } from '../context';
import { apiError } from '../errors';

export function hostAllowed(hostname: string, allowed: string[]): boolean {
  const h = hostname.toLowerCase();
  return allowed.some((a) => a === '*' || a === h || (a.startsWith('*.') && h.endsWith(a.slice(1))));
}

const JSON_TYPE = /^application\/json\s*(;|$)/i;
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

const shown = (s: string) => (s.length > 100 ? `${s.slice(0, 100)}…` : s);

export const crossSite: MiddlewareHandler<AppEnv> = async (c, next) => {
  const { ALLOWED_HOSTS, ALLOWED_ORIGINS } = c.var.config;
  const url = new URL(c.req.url);
  if (!hostAllowed(url.hostname, ALLOWED_HOSTS)) {
    throw apiError(403, 'forbidden', { field: 'headers.host', message: `host '${shown(url.host)}' is not one this server answers to; add it to ALLOWED_HOSTS` });
  }
  const origin = c.req.header('origin');
  if (origin !== undefined && origin !== url.origin && !ALLOWED_ORIGINS.includes(origin)) {
    throw apiError(403, 'forbidden', { field: 'headers.origin', message: `cross-site request from '${shown(origin)}' refused; add it to ALLOWED_ORIGINS to allow it` });
  }
  if (!SAFE_METHODS.has(c.req.method) && !JSON_TYPE.test(c.req.header('content-type') ?? '')) {
    throw apiError(415, 'unsupported_media_type', { field: 'headers.content-type', message: `${c.req.method} requests must be sent as content-type: application/json` });
  }
  await next();
};

const corsByList = new Map<string, MiddlewareHandler>();

/**
 * CORS for the origins in ALLOWED_ORIGINS (crossSite has already refused any other): their
 * pages may read answers and send the headers the API needs, and preflights are answered.
 * Without ALLOWED_ORIGINS nothing is added: the dashboard is same-origin.
 */
export const allowedOrigins: MiddlewareHandler<AppEnv> = async (c, next) => {
  const origins = c.var.config.ALLOWED_ORIGINS;
  if (!origins.length) return next();
  const key = origins.join(',');
  let handler = corsByList.get(key);
  if (!handler) {
    handler = cors({
      origin: origins,
      allowMethods: ['GET', 'HEAD', 'POST', 'DELETE', 'OPTIONS'],
      allowHeaders: ['content-type', 'authorization', 'if-none-match'],
      exposeHeaders: ['etag', 'x-request-id', 'content-disposition'],
      maxAge: 600,
    });
    corsByList.set(key, handler);
  }
  return handler(c, next);
};
