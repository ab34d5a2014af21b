/**
 * The hostile-request table (scripts/hostile-table.ts, also `npm run hostile`) against both
 * hosts: the Worker under wrangler dev and the Node runner. Every row must get its clean
 * 4xx `{error, issues}` naming the field (or, on wrangler dev, the documented answer of its
 * own dev proxy for requests that never reach the Worker), write nothing (sweep and trial
 * counts through the API) and leave the server answering /api/health. Then bad settings:
 * a non-numeric MAX_TRIALS stops the Node runner at start and makes the Worker answer 500
 * `misconfigured` naming MAX_TRIALS.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startLocalRunner } from '../../node/server';
import { ConfigError } from '../../api/config';
import { HOSTILE_ROWS, rawRequest, runHostileTable, type HostileRow, type RowResult } from '../../scripts/hostile-table';
import { createClient } from '../../client';
import { startLocalServer } from '../helpers/server';

const TOKEN = 'hostile-test-token';

interface Host {
  url: string;
  stop: () => Promise<void>;
  log?: () => string;
}

let workerLog = () => '';

const hosts: Record<'worker' | 'node', () => Promise<Host>> = {
  worker: async () => {
    const server = await startLocalServer({ API_TOKEN: TOKEN });
    workerLog = server.log;
    return server;
  },
  node: async () => {
    const dir = mkdtempSync(join(tmpdir(), 'atomsweep-hostile-'));
    const runner = await startLocalRunner({ port: 0, db: join(dir, 'db.sqlite'), threads: 1, buildDashboard: false, bindings: { API_TOKEN: TOKEN } });
    return {
      url: runner.url,
      stop: async () => {
        await runner.close();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  },
};

const worker413s = () => workerLog().match(/POST \/api\/sweeps 413 Payload Too Large/g)?.length ?? 0;

/**
 * wrangler dev's proxy may drop a chunked upload before it reaches the Worker at all (then
 * nothing logs a 413 for it): re-send the row (at most three times) until the Worker's own
 * 413 shows in its log, and check that the re-sends wrote nothing either.
 */
async function worker413sAfterResending(url: string, row: HostileRow): Promise<number> {
  const client = createClient(url, { token: TOKEN });
  const sweepsBefore = (await client.allSweeps()).length;
  for (let attempt = 0; attempt < 3 && worker413s() < 2; attempt++) {
    await rawRequest(url, { ...row, headers: { ...row.headers, authorization: `Bearer ${TOKEN}` } }).catch(() => null);
    // wrangler writes its request log asynchronously.
    for (let waited = 0; waited < 3000 && worker413s() < 2; waited += 200) await new Promise((r) => setTimeout(r, 200));
  }
  expect((await client.allSweeps()).length).toBe(sweepsBefore);
  return worker413s();
}

describe.each(['worker', 'node'] as const)('hostile requests: %s host', (kind) => {
  let host: Host;
  let results: RowResult[] = [];
  beforeAll(async () => {
    host = await hosts[kind]();
    results = await runHostileTable(host.url, { token: TOKEN, host: kind });
  }, 400_000);
  afterAll(async () => host?.stop());

  test.each(HOSTILE_ROWS.map((row) => ({ name: row.name, row })))('$name', async ({ row }) => {
    const r = results.find((x) => x.row === row);
    expect(r, 'row was not run (an earlier row crashed the server?)').toBeTruthy();
    expect(r!.crashed).toBe(false);
    expect(r!.wrote).toBe(false);
    const exception = kind === 'worker' ? row.worker : undefined;
    if (exception && r!.status !== row.expect.status) {
      // wrangler dev's own proxy answered (or dropped the connection) for the Worker.
      expect(exception.status).toContain(r!.status);
      // The Worker itself answered 413: once for the plain 2 MB row, at least once for this one.
      if (row.chunked) expect(await worker413sAfterResending(host.url, row)).toBeGreaterThanOrEqual(2);
      return;
    }
    expect({ status: r!.status, error: r!.error, note: r!.note }).toEqual({ status: row.expect.status, error: row.expect.error, note: expect.any(String) });
    expect(r!.fields).toContain(row.expect.field);
  });
});

describe('bad settings', () => {
  test('Node runner: a non-numeric MAX_TRIALS stops it at start, naming the setting, before anything is opened', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'atomsweep-badcfg-'));
    try {
      const start = startLocalRunner({ port: 0, db: join(dir, 'db.sqlite'), threads: 1, buildDashboard: false, bindings: { MAX_TRIALS: '5k' } });
      await expect(start).rejects.toBeInstanceOf(ConfigError);
      await expect(start).rejects.toMatchObject({ issues: [{ field: 'MAX_TRIALS', message: expect.stringMatching(/decimal integer, got '5k'/) }] });
      expect(existsSync(join(dir, 'db.sqlite'))).toBe(false);
      // The command itself exits with the message (and never starts serving).
      const cli = spawnSync(join('node_modules', '.bin', 'tsx'), ['node/server.ts', '--port', '0', '--db', join(dir, 'cli.sqlite')], { env: { ...process.env, MAX_TRIALS: 'abc' }, encoding: 'utf8', timeout: 60_000 });
      expect(cli.status).toBe(2);
      expect(cli.stderr).toMatch(/MAX_TRIALS: MAX_TRIALS must be a decimal integer, got 'abc'/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 90_000);

  test('Worker: a non-numeric MAX_TRIALS answers 500 misconfigured naming it, and a sweep request is not taken', async () => {
    const server = await startLocalServer({ MAX_TRIALS: 'abc' }, { upWhen: 'answering' });
    try {
      const post = await fetch(`${server.url}/api/sweeps`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ experiment: 'exp1', repeats: 1, params: { steps: 1 } }) });
      expect(post.status).toBe(500);
      expect(await post.json()).toEqual({ error: 'misconfigured', issues: [{ field: 'MAX_TRIALS', message: "MAX_TRIALS must be a decimal integer, got 'abc'" }] });
      const list = await fetch(`${server.url}/api/sweeps`);
      expect(list.status).toBe(500);
    } finally {
      await server.stop();
    }
  }, 200_000);
});
