/**
 * Request bodies: at most 64 KB, refused from Content-Length before anything is read and
 * counted while streaming otherwise (hono's bodyLimit); then parsed JSON is checked for
 * prototype-reaching keys and excess nesting before any validator walks it.
 */
import type { MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { jsonShapeIssues, MAX_REQUEST_DEPTH } from '../../core/sweep/request';
import type { AppEnv } from '../context';
import { apiError } from '../errors';

export const MAX_BODY = 64 * 1024;

export const limitBody = bodyLimit({
  maxSize: MAX_BODY,
  onError: () => {
    throw apiError(413, 'payload_too_large', { field: '(body)', message: `request body above ${MAX_BODY} bytes` });
  },
});

/** A JSON body whose containers nest at most `maxDepth` deep (experiment specs need more than sweep requests). */
export const jsonBody = (maxDepth: number): MiddlewareHandler<AppEnv> => async (c, next) => {
  let body: unknown;
  try {
    // Cached by hono: the json validator after this reads the same parsed value.
    body = await c.req.json();
  } catch {
    throw apiError(400, 'invalid_request', { field: '(body)', message: 'body must be a JSON object (malformed JSON)' });
  }
  const issues = jsonShapeIssues(body, maxDepth);
  if (issues.length) throw apiError(400, 'invalid_request', issues);
  await next();
};

export const safeJson = jsonBody(MAX_REQUEST_DEPTH);
