/**
 * The API's one error shape: `{error, issues: [{field, message}]}`. Routes and middleware
 * throw `apiError(...)`; `onError` (api/app.ts) turns it, any other HTTPException (from
 * hono's own middleware) and any unexpected failure into that JSON. A 500 never carries
 * the internal message (it may hold SQL or paths): it is logged with the request id,
 * which the answer names.
 */
import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { FieldIssue } from '../core/sweep/request';

export type { FieldIssue };

export interface ErrorBody {
  error: string;
  issues: FieldIssue[];
}

export class ApiError extends HTTPException {
  constructor(
    status: ContentfulStatusCode,
    readonly error: string,
    readonly issues: FieldIssue[],
  ) {
    super(status, { message: `${error}: ${issues.map((i) => `${i.field}: ${i.message}`).join('; ')}` });
  }
}

export function apiError(status: ContentfulStatusCode, error: string, issues: FieldIssue[] | FieldIssue): ApiError {
  return new ApiError(status, error, Array.isArray(issues) ? issues : [issues]);
}

/** What hono's own middleware throws (bearerAuth, bodyLimit, validator's JSON parse), in our shape. */
const HTTP_EXCEPTIONS: Partial<Record<number, { error: string; field: string; message: string }>> = {
  400: { error: 'invalid_request', field: '(body)', message: 'malformed request' },
  401: { error: 'unauthorized', field: 'headers.authorization', message: 'a valid Bearer token is required' },
  413: { error: 'payload_too_large', field: '(body)', message: 'request body too large' },
};

export function errorResponse(err: Error, c: Context): Response {
  if (err instanceof ApiError) return c.json({ error: err.error, issues: err.issues } satisfies ErrorBody, err.status as ContentfulStatusCode);
  if (err instanceof HTTPException && err.status < 500) {
    const known = HTTP_EXCEPTIONS[err.status];
    // Keep headers such as bearerAuth's WWW-Authenticate challenge; replace the body.
    const challenge = err.res?.headers.get('www-authenticate');
    if (challenge) c.header('www-authenticate', challenge);
    // Hono's validator says "Malformed JSON in request body": safe and useful to pass on.
    const message = err.status === 400 && err.message ? err.message : (known?.message ?? err.message);
    return c.json({ error: known?.error ?? 'invalid_request', issues: [{ field: known?.field ?? '(request)', message }] } satisfies ErrorBody, err.status as ContentfulStatusCode);
  }
  const id = (c.get('requestId' as never) as string | undefined) ?? crypto.randomUUID();
  console.error(`request ${id} ${c.req.method} ${c.req.path} failed:`, err);
  return c.json({ error: 'internal_error', issues: [{ field: '(server)', message: `internal error (request id ${id}; the server log has the details)` }] } satisfies ErrorBody, 500);
}
