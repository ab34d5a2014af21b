/**
 * A real local D1 and Queue binding (miniflare, as under wrangler dev) for tests that
 * exercise the Worker's own consumer and routes from Node, with the migrations applied.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { getPlatformProxy } from 'wrangler';

export async function localPlatform<E>() {
  const dir = mkdtempSync(join(tmpdir(), 'atomsweep-d1-'));
  process.env.WRANGLER_SEND_METRICS = 'false';
  process.env.CLOUDFLARE_CF_FETCH_ENABLED = 'false';
  const proxy = await getPlatformProxy<E & { DB: D1Database }>({ persist: { path: dir } });
  for (const file of readdirSync('migrations').filter((f) => f.endsWith('.sql')).sort()) {
    const statements = readFileSync(join('migrations', file), 'utf8').split('--> statement-breakpoint');
    for (const st of statements) if (st.trim()) await proxy.env.DB.prepare(st).run();
  }
  const count = async (sql: string, ...binds: unknown[]) => Number(((await proxy.env.DB.prepare(sql).bind(...binds).first()) as { n: number }).n);
  return {
    env: proxy.env,
    count,
    dispose: async () => {
      await proxy.dispose();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
