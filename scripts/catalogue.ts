/**
 * `npm run catalogue [-- --server URL] [--only exp1,exp2]`: runs every experiment's default
 * sweep against a running server (npm start or npm run local), one after another, and
 * prints per experiment: trials, wall time and the headline numbers (mean ± std).
 * Writes the same as JSON to bench/reports/catalogue-<time>.json.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { AtomsweepError } from '../client';

const { values } = parseArgs({
  options: {
    server: { type: 'string', default: process.env.ATOMSWEEP_URL ?? 'http://127.0.0.1:8787' },
    only: { type: 'string' },
    repeats: { type: 'string' },
  },
});
process.env.ATOMSWEEP_URL = values.server;
const { client, headlines, stalledHint, verdict } = await import('./cli');

const health = await client.health();
console.log(`server ${values.server}: ${JSON.stringify(health)}`);
const experiments = await client.experiments();
const only = values.only?.split(',');
const report: Array<Record<string, unknown>> = [];
const started = Date.now();
for (const e of experiments.filter((x) => !only || only.includes(x.id))) {
  const body: Record<string, unknown> = { experiment: e.id, name: 'default catalogue' };
  if (values.repeats) body.repeats = Number(values.repeats);
  let created: { id: string; trials: number };
  try {
    created = await client.createSweep(body as { experiment: string });
  } catch (err) {
    if (!(err instanceof AtomsweepError)) throw err;
    const refused = { status: err.status, error: err.error, issues: err.issues };
    console.log(`${e.id}: refused: ${JSON.stringify(refused)}`);
    report.push({ experiment: e.id, refused });
    continue;
  }
  const t0 = Date.now();
  let warned = false;
  const done = await client.waitForSweep(created.id, {
    onProgress: (s) => {
      // An unattended run should not wait silently on a lost queue.
      const hint = stalledHint(s);
      if (hint && !warned) console.log(`${e.id}: ${hint}`);
      warned ||= Boolean(hint);
    },
  });
  const wallS = (Date.now() - t0) / 1000;
  const lines = await headlines(created.id, e.id);
  console.log(`\n${e.id} (${e.title}): ${created.trials} trials, ${done.status}, ${wallS.toFixed(1)} s  [sweep ${created.id}]`);
  for (const l of lines) console.log(`  ${l}`);
  for (const l of await verdict(created.id, 'brief')) console.log(`  ${l}`);
  report.push({ experiment: e.id, sweep: created.id, trials: created.trials, status: done.status, counts: done.counts, wallSeconds: wallS, headlines: lines });
}
const totalS = (Date.now() - started) / 1000;
console.log(`\nwhole catalogue: ${totalS.toFixed(1)} s`);
mkdirSync('bench/reports', { recursive: true });
const file = `bench/reports/catalogue-${new Date().toISOString().replace(/[:.]/g, '-')}.json`;
writeFileSync(file, JSON.stringify({ server: values.server, health, repeats: values.repeats ? Number(values.repeats) : 'default', totalSeconds: totalS, experiments: report }, null, 2));
console.log(`report: ${file}`);
