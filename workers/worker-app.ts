import type { MiddlewareHandler } from 'hono';
import { createApp } from '../api/app';
import type { AppEnv } from '../api/context';
import { storeFor } from './db';
import type { Env } from './env';
import { enqueuePacks } from './queue-producer';

/** D1 for storage, the TRIALS queue for work. */
const cloudflareHost: MiddlewareHandler<AppEnv> = async (c, next) => {
  const env = c.env as unknown as Env;
  c.set('store', storeFor(env));
  c.set('enqueue', (packs) => enqueuePacks(env.TRIALS, packs));
  await next();
};

export const app = createApp(cloudflareHost);
