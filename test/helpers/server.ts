/**
 * Starts the real Worker locally the way `npm start` does (wrangler dev with local D1 and
 * Queues, migrations applied) on free ports and a throwaway state dir. The dashboard is
 * built once by test/global-setup.ts.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClient } from '../../client';
import { freePort, OFFLINE_ENV } from '../../scripts/local-process';

const ENV = OFFLINE_ENV;
const WRANGLER = join(process.cwd(), 'node_modules', '.bin', 'wrangler');


export interface LocalServer {
  url: string;
  log: () => string;
  stop: () => Promise<void>;
}

/** `upWhen: 'answering'` waits for any answer from /api/health (a misconfigured server answers 500). */
export async function startLocalServer(vars: Record<string, string> = {}, opts: { upWhen?: 'healthy' | 'answering' } = {}): Promise<LocalServer> {
  const state = mkdtempSync(join(tmpdir(), 'atomsweep-test-'));
  const migrate = spawnSync(WRANGLER, ['d1', 'migrations', 'apply', 'DB', '--local', '--persist-to', state], { env: ENV, encoding: 'utf8' });
  if (migrate.status !== 0) throw new Error(`migrations failed: ${migrate.stdout}\n${migrate.stderr}`);
  // A free port can be taken between our probe and wrangler's bind (a server another test
  // starts at the same moment picks ephemeral ports too): then try again on fresh ports.
  for (let attempt = 1; ; attempt++) {
    try {
      return await startOn(state, vars, opts);
    } catch (err) {
      if (attempt >= 3 || !String(err).includes('Address already in use')) throw err;
    }
  }
}

async function startOn(state: string, vars: Record<string, string>, opts: { upWhen?: 'healthy' | 'answering' }): Promise<LocalServer> {
  const port = await freePort();
  const inspector = await freePort();
  const varArgs = Object.entries(vars).flatMap(([k, v]) => ['--var', `${k}:${v}`]);
  const child: ChildProcess = spawn(
    WRANGLER,
    ['dev', '--port', String(port), '--ip', '127.0.0.1', '--inspector-port', String(inspector), '--persist-to', state, '--show-interactive-dev-session=false', ...varArgs],
    { env: ENV, stdio: ['ignore', 'pipe', 'pipe'], detached: true },
  );
  let output = '';
  child.stdout!.on('data', (d) => (output += d));
  child.stderr!.on('data', (d) => (output += d));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 120_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`wrangler dev exited early:\n${output}`);
    try {
      const res = await fetch(`${url}/api/health`);
      if (res.ok || (opts.upWhen === 'answering' && res.headers.get('content-type')?.startsWith('application/json'))) break;
    } catch {
      /* not up yet */
    }
    if (Date.now() > deadline) throw new Error(`wrangler dev did not come up:\n${output}`);
    await new Promise((r) => setTimeout(r, 500));
  }
  return {
    url,
    log: () => output,
    stop: async () => {
      try {
        process.kill(-child.pid!, 'SIGTERM');
      } catch {
        /* already gone */
      }
      await new Promise((r) => setTimeout(r, 500));
      rmSync(state, { recursive: true, force: true });
    },
  };
}

/** Polls through the typed client (client/index.ts) until the sweep settles. */
export async function waitForSweep(url: string, id: string, timeoutMs = 240_000) {
  return createClient(url).waitForSweep(id, { intervalMs: 500, timeoutMs });
}
