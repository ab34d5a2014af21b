/** What scripts and tests that start local servers (wrangler dev, the Node runner) share. */
import { createServer } from 'node:net';

/** wrangler offline: no metrics, no fetches to Cloudflare. */
export const OFFLINE_ENV = { ...process.env, CI: '1', WRANGLER_SEND_METRICS: 'false', CLOUDFLARE_CF_FETCH_ENABLED: 'false' };

/** A port the OS says is free right now (bind to 0, read it, close). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}
