import type { MiddlewareHandler } from 'hono';
import { ConfigError, configFor } from '../config';
import type { AppEnv } from '../context';
import { apiError } from '../errors';

/** Puts the parsed settings on the context; bad settings answer 500 `misconfigured` before anything runs. */
export const settings: MiddlewareHandler<AppEnv> = async (c, next) => {
  try {
    c.set('config', configFor(c.env ?? {}));
  } catch (err) {
    if (err instanceof ConfigError) throw apiError(500, 'misconfigured', err.issues);
    throw err;
  }
  await next();
};
