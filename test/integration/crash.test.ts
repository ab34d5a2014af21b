/**
 * kill -9 of the Node runner (node/server.ts as a child process, its own SQLite file) at
 * three moments: right after sweep creation, mid-pack, just after the first result writes.
 * After a restart on the same file every trial ends done exactly once (one result write
 * per trial, one result set of metric rows), and the trials the dead process was running
 * are released within a minute (the lock file tells the runner they are its
 * predecessor's). The same scenarios run against wrangler dev in `npm run faults`.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { killScenario, nodeHost, type HostProcess, type Moment } from '../../scripts/faults';

let host: HostProcess;
beforeAll(async () => {
  host = await nodeHost();
  await host.start();
}, 120_000);
afterAll(async () => host?.stop());

describe('kill -9 of the Node runner', () => {
  test.each<[Moment]>([['after-create'], ['mid-pack'], ['after-write']])('%s: restart finishes every trial exactly once', async (moment) => {
    const row = await killScenario(host, moment, 240_000);
    expect(row).toMatchObject({ lost: 0, doubled: 0 });
    // A liveness bound, not a benchmark: the dead process's trials must not wait out a lease.
    expect(row.recoverMs).not.toBeNull();
    expect(row.recoverMs!).toBeLessThan(60_000);
    if (moment !== 'after-create') expect(row.note).toMatch(/^[1-9]\d* running/);
  }, 300_000);
});
