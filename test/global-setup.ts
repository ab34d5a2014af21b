import { spawnSync } from 'node:child_process';

/**
 * Builds the dashboard once before any test. Servers started by tests only read it: a
 * rebuild while another test's `wrangler dev` runs would make that server reload and drop
 * its in-memory local queue.
 */
export default function setup(): void {
  const r = spawnSync(process.execPath, ['scripts/build-dashboard.mjs'], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`dashboard build failed: ${r.stderr}`);
}
