/**
 * Conditional reads: a sweep's results change only when its `version` does
 * (core/db/roles.ts SweepSummary.version), so reads of them carry it as their ETag and a
 * client that already holds that version (the dashboard polls every 2 s; browsers revalidate
 * with If-None-Match) gets 304 with no body, and nothing is computed.
 */
import type { Context } from 'hono';

/** The strong ETag of a sweep read at this version. */
export const etagOf = (version: string) => `"${version}"`;

/**
 * Sets ETag and `Cache-Control: no-cache` (store, but revalidate each time) and answers 304
 * when the request's If-None-Match names this version; otherwise null, and the route answers.
 */
export function notModified(c: Context, version: string) {
  const tag = etagOf(version);
  c.header('ETag', tag);
  c.header('Cache-Control', 'private, no-cache');
  const held = c.req.header('if-none-match');
  if (held && held.split(',').some((t) => t.trim().replace(/^W\//, '') === tag)) return c.body(null, 304);
  return null;
}
