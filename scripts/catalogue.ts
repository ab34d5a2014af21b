/**
 * `npm run catalogue [-- --server URL] [--only exp1,exp2] [--repeats N] [--one-by-one] [--settle [--settle-budget N]]`:
 * runs every built-in experiment's default sweep (as many as GET /api/experiments lists;
 * custom ones only when named in --only) against a running server (npm start or npm run
 * local) and prints per experiment: trials, wall time, the headline numbers and the verdict
 * on its hypothesis. By default every sweep is submitted at once, so the server's queue
 * always has work for every core (the Node runner takes the longest packs first); an
 * experiment's time is then from the common start to its last trial. `--one-by-one` runs
 * them in turn and times each alone. On the Node runner the report also gives the thread
 * pool's busy share over the run (/api/health `pool`).
 * `--settle` then settles every sweep whose claims are not all decided (POST
 * /api/sweeps/:id/settle, budget --settle-budget trials per sweep, default as many as the
 * sweep has) and reports per claim the default-repeats verdict beside the settled one, the
 * repeats it took, and the trials and CPU the settle spent.
 * Writes the same as JSON to bench/reports/catalogue-<time>.json.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { AtomsweepError, type SweepSummary } from '../client';
import { RESULT_MARK } from '../dashboard/verdict-text';

const { values } = parseArgs({
  options: {
    server: { type: 'string', default: process.env.ATOMSWEEP_URL ?? 'http://127.0.0.1:8787' },
    only: { type: 'string' },
    repeats: { type: 'string' },
    'one-by-one': { type: 'boolean', default: false },
    settle: { type: 'boolean', default: false },
    'settle-budget': { type: 'string' },
  },
});
process.env.ATOMSWEEP_URL = values.server;
const { client, headlines, stalledHint, verdict } = await import('./cli');

type Pool = { threads: number; busyMs: number; wallMs: number };
const poolOf = (h: unknown) => (h as { pool?: Pool }).pool;
const health = await client.health();
console.log(`server ${values.server}: ${JSON.stringify(health)}`);
// The catalogue is the server's own experiments (built-ins, code or spec); custom ones posted
// through POST /api/experiments run only when named with --only.
const only = values.only?.split(',');
const experiments = (await client.experiments()).filter((x) => (only ? only.includes(x.id) : !x.custom));
const report: Array<Record<string, unknown>> = [];
const started = Date.now();

async function submit(e: { id: string }): Promise<{ id: string; trials: number } | null> {
  const body: Record<string, unknown> = { experiment: e.id, name: 'default catalogue' };
  if (values.repeats) body.repeats = Number(values.repeats);
  try {
    return await client.createSweep(body as { experiment: string });
  } catch (err) {
    if (!(err instanceof AtomsweepError)) throw err;
    const refused = { status: err.status, error: err.error, issues: err.issues };
    console.log(`${e.id}: refused: ${JSON.stringify(refused)}`);
    report.push({ experiment: e.id, refused });
    return null;
  }
}

// When every sweep is submitted at once, the runner trains the longest packs first, so a
// sweep can wait many minutes behind the others while the server is busy: a sweep is only
// reported stalled when no trial of the whole catalogue has finished for as long.
const finishedBySweep = new Map<string, number>();
let lastProgressAt = Date.now();

function wait(experiment: string, id: string): Promise<SweepSummary> {
  let warned = false;
  return client.waitForSweep(id, {
    intervalMs: 2000,
    onProgress: (s) => {
      const finished = s.counts.done + s.counts.failed + s.counts.cancelled;
      if (finished !== finishedBySweep.get(id)) {
        finishedBySweep.set(id, finished);
        lastProgressAt = Date.now();
      }
      // An unattended run should not wait silently on a lost queue.
      const catalogueStalled = s.stalledMs !== null && Date.now() - lastProgressAt >= s.stalledMs;
      const hint = catalogueStalled ? stalledHint(s) : '';
      if (hint && !warned) console.log(`${experiment}: ${hint}`);
      warned ||= Boolean(hint);
    },
  });
}

async function summarise(e: { id: string; title: string }, created: { id: string; trials: number }, done: SweepSummary, wallS: number) {
  const lines = await headlines(created.id, e.id);
  const verdictLines = await verdict(created.id, 'brief');
  console.log(`\n${e.id} (${e.title}): ${created.trials} trials, ${done.status}, ${wallS.toFixed(1)} s  [sweep ${created.id}]`);
  for (const l of [...lines, ...verdictLines]) console.log(`  ${l}`);
  report.push({ experiment: e.id, sweep: created.id, trials: created.trials, status: done.status, counts: done.counts, wallSeconds: wallS, headlines: lines, verdict: verdictLines });
}

if (values['one-by-one']) {
  for (const e of experiments) {
    const created = await submit(e);
    if (!created) continue;
    const t0 = Date.now();
    const done = await wait(e.id, created.id);
    await summarise(e, created, done, (Date.now() - t0) / 1000);
  }
} else {
  const sweeps: Array<{ e: (typeof experiments)[number]; created: { id: string; trials: number } }> = [];
  for (const e of experiments) {
    const created = await submit(e);
    if (created) sweeps.push({ e, created });
  }
  console.log(`submitted ${sweeps.length} sweeps, ${sweeps.reduce((a, s) => a + s.created.trials, 0)} trials`);
  const finished = await Promise.all(
    sweeps.map(async ({ e, created }) => {
      const done = await wait(e.id, created.id);
      const wallS = (Date.now() - started) / 1000;
      console.log(`${e.id}: ${done.status} after ${wallS.toFixed(1)} s`);
      return { done, wallS };
    }),
  );
  for (const [i, { e, created }] of sweeps.entries()) await summarise(e, created, finished[i].done, finished[i].wallS);
}
if (values.settle) await settleAll();

/** Settles every reported sweep that has undecided claims, all at once, and reports claim by claim. */
async function settleAll() {
  const settling: Array<{ entry: Record<string, unknown>; id: string; before: Awaited<ReturnType<typeof client.verdict>> }> = [];
  for (const entry of report) {
    const id = entry.sweep as string | undefined;
    if (!id || entry.status !== 'done') continue;
    const before = await client.verdict(id);
    if (!before.claims.some((c) => c.result === 'inconclusive')) {
      entry.settle = { skipped: 'every claim decided at the default repeats' };
      continue;
    }
    try {
      await client.settle(id, values['settle-budget'] ? { trials: Number(values['settle-budget']) } : {});
      settling.push({ entry, id, before });
    } catch (err) {
      if (!(err instanceof AtomsweepError)) throw err;
      entry.settle = { refused: { status: err.status, error: err.error, issues: err.issues } };
    }
  }
  console.log(`
settling ${settling.length} sweeps`);
  const t0 = Date.now();
  await Promise.all(
    settling.map(async ({ entry, id, before }) => {
      const { settle } = await client.waitForSettle(id, { intervalMs: 3000 });
      const after = await client.verdict(id);
      const claims = after.claims.map((c, i) => ({
        statement: c.statement,
        atDefault: before.claims[i].result,
        settled: c.result,
        repeats: c.repeats,
        p: c.p,
        notebook: c.notebookFound,
      }));
      entry.settle = { status: settle!.status, reason: settle!.reason, rounds: settle!.history.length, spentTrials: settle!.spent.trials, spentCpuMs: settle!.spent.cpuMs, wallSeconds: (Date.now() - t0) / 1000, claims };
      console.log(`
${entry.experiment}: settle ${settle!.status}${settle!.reason ? ` (${settle!.reason})` : ''}, +${settle!.spent.trials} trials, ~${Math.round(settle!.spent.cpuMs / 1000)} s CPU (estimated), ${settle!.history.length} looks`);
      for (const c of claims) console.log(`  ${RESULT_MARK[c.atDefault]} → ${RESULT_MARK[c.settled]} ${c.settled.padEnd(12)} at ${c.repeats} repeats  ${c.statement}${c.notebook ? ` (notebook: ${c.notebook})` : ''}`);
    }),
  );
}

const totalS = (Date.now() - started) / 1000;
const after = await client.health();
const [p0, p1] = [poolOf(health), poolOf(after)];
// Busy share over this run only: the pool's counters are cumulative since it started.
const busyFraction = p0 && p1 ? (p1.busyMs - p0.busyMs) / (p1.threads * (p1.wallMs - p0.wallMs)) : null;
console.log(`\nwhole catalogue: ${totalS.toFixed(1)} s${busyFraction === null ? '' : `; training threads busy ${(100 * busyFraction).toFixed(1)}% of the run (${p1!.threads} threads)`}`);
mkdirSync('bench/reports', { recursive: true });
const file = `bench/reports/catalogue-${new Date().toISOString().replace(/[:.]/g, '-')}.json`;
writeFileSync(
  file,
  JSON.stringify({ server: values.server, health, healthAfter: after, mode: values['one-by-one'] ? 'one-by-one' : 'all-at-once', repeats: values.repeats ? Number(values.repeats) : 'default', totalSeconds: totalS, busyFraction, experiments: report }, null, 2),
);
console.log(`report: ${file}`);
