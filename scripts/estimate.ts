/**
 * `npm run estimate -- <catalogue report | sweep id ...> [--server URL] [--concurrency 1,10,50,250]
 *   [--overhead-ms 500] [--retry-rate 0] [--retry-delay-s 5]`
 *
 * Replays the packs a run really trained (their measured times, read back from the server
 * that ran them) under Cloudflare Queues semantics (scripts/queue-model.ts) and prints, per
 * consumer concurrency limit, the predicted wall time and the bill at Cloudflare's published
 * Workers, Queues and D1 prices; plus the longest pack per experiment, which bounds the wall
 * time however many consumers run.
 *
 * Pack times are wall times measured on the machine that ran the sweep (each trial's info
 * carries its pack's `packMs` and `packSize`); on an otherwise idle core that is its CPU
 * time. A catalogue report is bench/reports/catalogue-*.json from `npm run catalogue`.
 *
 * `--db <file.sqlite>` reads the trials from the Node runner's database (read-only) instead
 * of a server. `--repack` replays the same trials cut into the packs packTrials makes now
 * (core/sweep/expand.ts, with the CPU budget of core/sweep/pack-budget.ts) instead of the
 * packs that ran: a new pack's time is the sum of its trials' measured times (packMs ÷
 * packSize of the pack each ran in), each scaled by the pack-time model's amortisation,
 * (1 + overhead/K_new) ÷ (1 + overhead/K_old). That is a prediction, not a measurement.
 * `--model` takes each re-cut pack's time from the CPU model instead (estimatePackMs,
 * calibrated on one idle thread: use it when the run's wall times carry a loaded machine),
 * and `--budget-ms N` sets the cut (default DEFAULT_LIMITS.maxPackCpuMs; 0 = no CPU cut,
 * the packs as they were cut before the budget).
 */
import Database from 'better-sqlite3';
import { existsSync, readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { simulate, type MeasuredPack } from './queue-model';
import { AtomsweepError, createClient } from '../client';
import { getExperiment } from '../core/experiments';
import type { TrialSpec } from '../core/experiments/types';
import { packTrials } from '../core/sweep/expand';
import { estimatePackMs, packTimeModel } from '../core/sweep/pack-budget';
import { DEFAULT_LIMITS } from '../core/sweep/request';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    server: { type: 'string', default: process.env.ATOMSWEEP_URL ?? 'http://127.0.0.1:8787' },
    concurrency: { type: 'string', default: '1,2,10,50,250' },
    'overhead-ms': { type: 'string', default: '500' },
    'retry-rate': { type: 'string', default: '0' },
    'retry-delay-s': { type: 'string', default: '5' },
    db: { type: 'string' },
    repack: { type: 'boolean', default: false },
    model: { type: 'boolean', default: false },
    'budget-ms': { type: 'string' },
  },
});
if (!positionals.length) {
  console.error('usage: npm run estimate -- <bench/reports/catalogue-….json | sweep id …> [--server URL | --db file.sqlite [--repack]]');
  process.exit(2);
}

/** What the estimate reads of a trial: its status, its pack's time and size, its metrics. */
type TrialRow = Pick<Awaited<ReturnType<ReturnType<typeof createClient>['trials']>>['trials'][number], 'status' | 'info' | 'scalars' | 'series' | 'traces'> & {
  id?: string;
  configKey?: string;
  params?: Record<string, unknown>;
};

/** The experiment of a sweep in a runner database (the sweep id itself when unknown). */
function experimentOf(file: string, sweep: string): string {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    return (db.prepare(`select experiment from sweeps where id = ?`).get(sweep) as { experiment: string } | undefined)?.experiment ?? sweep;
  } finally {
    db.close();
  }
}

/** One sweep's trials from a runner database, in the shape the API returns (metrics only counted). */
function trialsFromDb(file: string, sweep: string): TrialRow[] {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    const rows = db.prepare(`select id, config_key, params, status, info from trials where sweep_id = ? order by id`).all(sweep) as Array<{ id: string; config_key: string; params: string; status: string; info: string | null }>;
    const kinds = db.prepare(`select m.trial_id as id, m.metric as metric, m.kind as kind from metrics m join trials t on t.id = m.trial_id where t.sweep_id = ?`).all(sweep) as Array<{ id: string; metric: string; kind: string }>;
    const out = new Map(rows.map((r) => [r.id, { id: r.id, configKey: r.config_key, params: JSON.parse(r.params), status: r.status, info: r.info ? JSON.parse(r.info) : null, scalars: {}, series: {}, traces: {} } as unknown as TrialRow]));
    for (const k of kinds) {
      const t = out.get(k.id) as unknown as Record<string, Record<string, unknown>>;
      const bucket = k.kind === 'scalar' ? 'scalars' : k.kind === 'series' ? 'series' : 'traces';
      if (t) t[bucket][k.metric] = 0;
    }
    return [...out.values()];
  } finally {
    db.close();
  }
}

/**
 * The same trials in the packs packTrials makes now, each pack's time predicted from its
 * trials' measured times (see the header).
 */
function repacked(experiment: string, trials: TrialRow[]): MeasuredPack[] {
  const e = getExperiment(experiment);
  const done = trials.filter((t) => t.status === 'done' && t.info?.packMs != null && t.info.packSize && t.params);
  if (!e || !done.length) return [];
  const overhead = packTimeModel(e).overheadTrials;
  const byId = new Map(done.map((t) => [t.id!, t]));
  const specs: TrialSpec[] = done.map((t) => ({ id: t.id!, sweepId: '', experiment, configKey: t.configKey ?? '', repeat: 0, seed: 0, params: t.params! }));
  const budget = values['budget-ms'] === undefined ? DEFAULT_LIMITS.maxPackCpuMs : Number(values['budget-ms']) || Infinity;
  return packTrials(e, specs, 16, undefined, undefined, budget).map((pack) => {
    const kNew = pack.length;
    let cpuMs = 0;
    let rows = 0;
    for (const spec of pack) {
      const t = byId.get(spec.id)!;
      const kOld = t.info!.packSize!;
      cpuMs += (t.info!.packMs! / kOld) * ((1 + overhead / kNew) / (1 + overhead / kOld));
      rows += 2 + Object.keys(t.scalars).length + Object.keys(t.series).length + Object.keys(t.traces).length;
    }
    return { group: experiment, cpuMs: values.model ? estimatePackMs(e, pack) : cpuMs, trials: kNew, rowsWritten: rows };
  });
}

/** (experiment, sweep) pairs named on the command line. */
function sweepsFrom(args: string[]): Array<{ experiment: string; sweep: string }> {
  return args.flatMap((a) => {
    if (!existsSync(a)) return [{ experiment: values.db ? experimentOf(values.db, a) : a, sweep: a }];
    const report = JSON.parse(readFileSync(a, 'utf8')) as { experiments: Array<{ experiment: string; sweep?: string }> };
    return report.experiments.filter((e) => e.sweep).map((e) => ({ experiment: e.experiment, sweep: e.sweep! }));
  });
}

/**
 * The packs of one sweep: trials of one pack share its packMs and packSize, so grouping
 * on both recovers them (two packs that took exactly as long fall into one group of
 * k·packSize trials and are split back into k).
 */
function packsOf(experiment: string, trials: TrialRow[]): MeasuredPack[] {
  const groups = new Map<string, TrialRow[]>();
  for (const t of trials) {
    if (t.status !== 'done' || t.info?.packMs == null || !t.info.packSize) continue;
    const key = `${t.info.packMs}|${t.info.packSize}`;
    groups.set(key, [...(groups.get(key) ?? []), t]);
  }
  const packs: MeasuredPack[] = [];
  for (const list of groups.values()) {
    const size = list[0].info!.packSize!;
    for (let i = 0; i < list.length; i += size) {
      const members = list.slice(i, i + size);
      // D1 rows one delivery writes: the lease and done updates, and one row per metric.
      const rows = members.reduce((a, t) => a + 2 + Object.keys(t.scalars).length + Object.keys(t.series).length + Object.keys(t.traces).length, 0);
      packs.push({ group: experiment, cpuMs: list[0].info!.packMs!, trials: members.length, rowsWritten: rows });
    }
  }
  return packs;
}

if (values.model || values['budget-ms'] !== undefined) values.repack = true;
if (values.repack && !values.db) {
  console.error('--repack needs --db: it re-cuts the trials by their parameters, read from the database');
  process.exit(2);
}
const server = values.server!.replace(/\/+$/, '');
const client = createClient(server);
const all: MeasuredPack[] = [];
const cut = values['budget-ms'] === undefined ? 'now' : `with a CPU budget of ${Number(values['budget-ms']) || 'no'} ms`;
const how = values.model ? ', times from the CPU model (core/sweep/pack-budget.ts)' : ' (times predicted from the measured ones)';
console.log(values.db ? `packs measured in ${values.db}${values.repack ? `, re-cut into the packs packTrials makes ${cut}${how}` : ''}\n` : `packs measured by ${server}\n`);
console.log('| experiment | trials | packs | Σ pack s | longest pack s |');
console.log('|:--|--:|--:|--:|--:|');
for (const { experiment, sweep } of sweepsFrom(positionals)) {
  let trials: TrialRow[];
  try {
    if (values.db) trials = trialsFromDb(values.db, sweep);
    else ({ trials } = await client.allTrials(sweep));
  } catch (err) {
    if (!(err instanceof AtomsweepError)) throw err;
    console.log(`| ${experiment} | sweep ${sweep}: HTTP ${err.status} ${err.error} | | | |`);
    continue;
  }
  const packs = values.repack ? repacked(experiment, trials) : packsOf(experiment, trials);
  all.push(...packs);
  const sum = packs.reduce((a, p) => a + p.cpuMs, 0);
  const longest = Math.max(0, ...packs.map((p) => p.cpuMs));
  console.log(`| ${experiment} | ${packs.reduce((a, p) => a + p.trials, 0)} | ${packs.length} | ${(sum / 1000).toFixed(1)} | ${(longest / 1000).toFixed(1)} |`);
}
const longest = all.reduce((a, p) => (p.cpuMs > a.cpuMs ? p : a), all[0] ?? { cpuMs: 0, group: '—' });
console.log(`\nlongest pack of all: ${(longest.cpuMs / 1000).toFixed(1)} s (${longest.group}); Σ ${(all.reduce((a, p) => a + p.cpuMs, 0) / 1000).toFixed(0)} s of packs`);

const settings = { overheadMs: Number(values['overhead-ms']), retryRate: Number(values['retry-rate']), retryDelayMs: Number(values['retry-delay-s']) * 1000 };
console.log(`\nCloudflare Queues replay (one pack per invocation, +${settings.overheadMs} ms per invocation, retry rate ${settings.retryRate}), cost beyond the Workers Paid plan's monthly inclusions:\n`);
console.log('| consumers | predicted wall | deliveries | consumer busy | Workers $ | Queues $ | D1 $ | total $ |');
console.log('|--:|--:|--:|--:|--:|--:|--:|--:|');
for (const concurrency of values.concurrency!.split(',').map(Number)) {
  const e = simulate(all, { concurrency, ...settings });
  const wall = e.wallMs / 1000;
  console.log(
    `| ${concurrency} | ${wall >= 120 ? `${(wall / 60).toFixed(1)} min` : `${wall.toFixed(1)} s`} | ${e.deliveries} | ${(100 * e.utilisation).toFixed(0)}% | ${e.costUsd.workers.toFixed(4)} | ${e.costUsd.queues.toFixed(4)} | ${e.costUsd.d1.toFixed(4)} | ${e.costUsd.total.toFixed(4)} |`,
  );
}
