/**
 * `npm run faults`: crashes both hosts on purpose and checks that every trial still ends
 * done exactly once. Each host runs as a child process on a throwaway state:
 *
 * - Node runner (`node/server.ts`, SQLite, 2 threads);
 * - Worker (`wrangler dev --persist-to <dir> --test-scheduled`, local D1 and Queue), with
 *   LEASE_MS = 20 s so that expiry and the cron repair (GET /__scheduled) fit in seconds.
 *
 * Scenarios: kill -9 of the whole process tree (a) right after sweep creation, (b) mid-pack
 * while trials run, (c) just after the first result writes, then a restart on the same
 * state; a training thread (Node) or consumer (Worker) crashing mid-pack; a failed result
 * write; a WebAssembly fault ("memory access out of bounds"); a duplicate delivery.
 * Faults other than kill -9 are injected with a plan (core/run/faults.ts), never by default.
 *
 * Prints a markdown table: host, scenario, trials lost, trials doubled, time to recover.
 * "Doubled" counts trials not written exactly once, by their result writes (info.writes, which
 * core/db/store.ts saveResults counts; a done trial must say 1); metric rows cannot tell, since
 * their key (trial, metric, kind) keeps a second write at one result set. "Lost" counts
 * trials not done when the sweep settled.
 *
 *   npm run faults [-- --only node|worker]
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { FaultPlan } from '../core/run/faults';
import { freePort, OFFLINE_ENV } from './local-process';

const ENV = OFFLINE_ENV;
const BIN = join(process.cwd(), 'node_modules', '.bin');
/** A sweep of 16 small exp1 trials in 4 packs of 4, a few seconds of training each. */
const SWEEP = { experiment: 'exp1', repeats: 4, params: { function: 'sin', steps: 4000 }, grid: { width: [2, 3, 4, 5] } };
const TRIALS = 16;
const WORKER_LEASE_MS = 20_000;

export type Moment = 'after-create' | 'mid-pack' | 'after-write';

export interface Row {
  host: string;
  scenario: string;
  lost: number | string;
  doubled: number | string;
  recoverMs: number | null;
  note?: string;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Trial {
  id: string;
  status: string;
  attempts: number;
  info: { writes?: number } | null;
  scalars: Record<string, number>;
  series: Record<string, unknown>;
  traces: Record<string, unknown>;
}
interface Status {
  status: string;
  counts: { total: number; queued: number; running: number; done: number; failed: number };
}

/** One host process: start, kill -9 (the whole process group), restart on the same state. */
export interface HostProcess {
  name: string;
  url: string;
  start(): Promise<void>;
  kill(): void;
  stop(): Promise<void>;
  /** The host's own repair, if it needs a nudge (the Worker's cron under wrangler dev). */
  repair(): Promise<void>;
  log(): string;
}

async function waitUp(url: string, child: ChildProcess, output: () => string, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`host exited early:\n${output()}`);
    try {
      if ((await fetch(`${url}/api/health`)).ok) return;
    } catch {
      /* not up yet */
    }
    if (Date.now() > deadline) throw new Error(`host did not come up:\n${output()}`);
    await sleep(200);
  }
}

function spawnGroup(cmd: string, args: string[], env: NodeJS.ProcessEnv) {
  const child = spawn(cmd, args, { env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  let output = '';
  child.stdout!.on('data', (d) => (output += d));
  child.stderr!.on('data', (d) => (output += d));
  return { child, output: () => output };
}

function killGroup(child: ChildProcess | null, signal: NodeJS.Signals = 'SIGKILL'): void {
  if (!child?.pid) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    /* gone */
  }
}

/**
 * A host as a process group on its own state dir: `command` starts it, kill -9 takes the
 * whole group, a restart reuses the state. The two hosts differ only in their command,
 * how long a graceful stop may take, and how their repair is nudged.
 */
function processHost(name: string, url: string, dir: string, command: () => Promise<[string, string[]]>, opts: { stopGraceMs: number; repair: () => Promise<void> }): HostProcess {
  let proc: ReturnType<typeof spawnGroup> | null = null;
  let all = '';
  return {
    name,
    url,
    async start() {
      const [cmd, args] = await command();
      proc = spawnGroup(cmd, args, ENV);
      await waitUp(url, proc.child, () => all + proc!.output());
    },
    kill() {
      killGroup(proc?.child ?? null);
      all += proc?.output() ?? '';
      proc = null;
    },
    async stop() {
      killGroup(proc?.child ?? null, 'SIGTERM');
      await sleep(opts.stopGraceMs);
      killGroup(proc?.child ?? null);
      rmSync(dir, { recursive: true, force: true });
    },
    repair: opts.repair,
    log: () => all + (proc?.output() ?? ''),
  };
}

/** The Node runner on its own SQLite file; `faults` becomes its --faults plan, `leaseMs` its --lease-ms. */
export async function nodeHost(faults: FaultPlan[] = [], opts: { leaseMs?: number } = {}): Promise<HostProcess> {
  const dir = mkdtempSync(join(tmpdir(), 'atomsweep-faults-node-'));
  const port = await freePort();
  const args = ['node/server.ts', '--port', String(port), '--db', join(dir, 'db.sqlite'), '--threads', '2', '--no-dashboard'];
  if (faults.length) args.push('--faults', JSON.stringify(faults));
  if (opts.leaseMs) args.push('--lease-ms', String(opts.leaseMs));
  return processHost('node', `http://127.0.0.1:${port}`, dir, async () => [join(BIN, 'tsx'), args], {
    stopGraceMs: 300,
    // The runner's own timer and start-up do the repair.
    repair: async () => {},
  });
}

/** wrangler dev on a persisted state dir with --test-scheduled; `faults` becomes the FAULTS var. */
export async function workerHost(faults: FaultPlan[] = []): Promise<HostProcess> {
  const dir = mkdtempSync(join(tmpdir(), 'atomsweep-faults-worker-'));
  if (!existsSync('dashboard/dist/index.html')) spawnSync(process.execPath, ['scripts/build-dashboard.mjs'], { stdio: 'inherit' });
  const migrate = spawnSync(join(BIN, 'wrangler'), ['d1', 'migrations', 'apply', 'DB', '--local', '--persist-to', dir], { env: ENV, encoding: 'utf8' });
  if (migrate.status !== 0) throw new Error(`migrations failed: ${migrate.stdout}\n${migrate.stderr}`);
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const vars = ['--var', `LEASE_MS:${WORKER_LEASE_MS}`, ...(faults.length ? ['--var', `FAULTS:${JSON.stringify(faults)}`] : [])];
  return processHost(
    'worker',
    url,
    dir,
    // A fresh inspector port per start: the killed workerd may still hold the old one.
    async () => [join(BIN, 'wrangler'), ['dev', '--port', String(port), '--ip', '127.0.0.1', '--inspector-port', String(await freePort()), '--persist-to', dir, '--test-scheduled', '--show-interactive-dev-session=false', ...vars]],
    {
      stopGraceMs: 500,
      repair: async () => {
        await fetch(`${url}/__scheduled?cron=*+*+*+*+*`).catch(() => {});
      },
    },
  );
}

async function json<T>(res: Response): Promise<T> {
  if (!res.ok) throw new Error(`${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

async function createSweep(url: string): Promise<string> {
  const res = await fetch(`${url}/api/sweeps`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(SWEEP) });
  return (await json<{ id: string }>(res)).id;
}

/** POST …/retry as the dashboard does (JSON content type, or the API answers 415); anything but 202 stops the run. */
async function retry(url: string, id: string): Promise<void> {
  const res = await fetch(`${url}/api/sweeps/${id}/retry`, { method: 'POST', headers: { 'content-type': 'application/json' } });
  if (res.status !== 202) throw new Error(`retry of ${id} answered ${res.status}: ${await res.text()}`);
}
const status = async (url: string, id: string) => json<Status>(await fetch(`${url}/api/sweeps/${id}`));
const trialsOf = async (url: string, id: string) => (await json<{ trials: Trial[] }>(await fetch(`${url}/api/sweeps/${id}/trials`))).trials;

/** Waits for a condition on the sweep's status, polling every 50 ms. */
async function until(url: string, id: string, ok: (s: Status) => boolean, timeoutMs: number, what: string): Promise<Status> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const s = await status(url, id);
    if (ok(s)) return s;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(s.counts)}`);
    await sleep(50);
  }
}

/**
 * Waits for the sweep to settle while nudging the host's repair; returns when every trial
 * that was in flight at the kill has been taken again (recovered) and when the sweep ended.
 */
async function settle(host: HostProcess, id: string, restartedAt: number, before: Map<string, number>, timeoutMs: number): Promise<{ recoverMs: number | null; settled: boolean }> {
  const deadline = Date.now() + timeoutMs;
  let recoverMs: number | null = before.size ? null : 0;
  let lastRepair = 0;
  for (;;) {
    if (recoverMs === null) {
      // Recovered: every trial the dead process was running is released (queued again),
      // done or leased anew (its attempt count grew); with none running, the first trial
      // has started in the new process.
      const now = new Map((await trialsOf(host.url, id)).map((t) => [t.id, t]));
      const running = [...before].filter(([tid]) => tid.startsWith('!'));
      const released = running.every(([tid, a]) => {
        const t = now.get(tid.slice(1))!;
        return t.status !== 'running' || t.attempts > a;
      });
      const started = running.length > 0 || [...now.values()].some((t) => t.attempts > (before.get(t.id) ?? 0));
      if (released && started) recoverMs = Date.now() - restartedAt;
    }
    const s = await status(host.url, id);
    if (!['queued', 'running'].includes(s.status)) return { recoverMs: recoverMs ?? Date.now() - restartedAt, settled: true };
    if (Date.now() > deadline) return { recoverMs, settled: false };
    if (Date.now() - lastRepair > 5000) {
      lastRepair = Date.now();
      await host.repair();
    }
    await sleep(200);
  }
}

async function verdict(url: string, id: string): Promise<{ lost: number; doubled: number; attempts: number[] }> {
  const trials = await trialsOf(url, id);
  const lost = TRIALS - trials.filter((t) => t.status === 'done').length;
  // Written exactly once, counted by the writes themselves: a done trial whose count is not 1
  // (a missing count proves nothing), or a trial written but not done. The metric rows would
  // hide a second write, their key capping them at one result set.
  const doubled = trials.filter((t) => (t.status === 'done' ? t.info?.writes !== 1 : (t.info?.writes ?? 0) > 0)).length;
  return { lost, doubled, attempts: trials.map((t) => t.attempts) };
}

/** kill -9 at a moment, restart on the same state, wait until every trial is done. */
export async function killScenario(host: HostProcess, moment: Moment, recoverTimeoutMs = 180_000): Promise<Row> {
  const id = await createSweep(host.url);
  // What the process holds when it dies: every trial not done, with its attempt count.
  let snapshot: Array<{ id: string; status: string; attempts: number }> = Array.from({ length: TRIALS }, () => ({ id: '', status: 'queued', attempts: 0 }));
  if (moment !== 'after-create') {
    await until(host.url, id, moment === 'mid-pack' ? (s) => s.counts.running > 0 && s.counts.done === 0 : (s) => s.counts.done > 0, 120_000, moment);
    snapshot = await trialsOf(host.url, id);
  }
  host.kill();
  const restartedAt = Date.now();
  await host.start();
  const left = await trialsOf(host.url, id);
  if (moment === 'after-create') snapshot = left.map((t) => ({ id: t.id, status: t.status === 'done' ? 'done' : 'queued', attempts: 0 }));
  // Keys: trial id, prefixed with '!' for the trials that were running (leased) at the kill.
  const before = new Map(snapshot.filter((t) => t.status !== 'done').map((t) => [t.status === 'running' ? `!${t.id}` : t.id, t.attempts]));
  const inFlight = snapshot.filter((t) => t.status === 'running').length;
  const queued = left.filter((t) => t.status === 'queued').length;
  // The Worker's local queue lived in memory and died with workerd: queued trials' messages
  // are gone, and Retry (as the dashboard offers for a stalled sweep) re-sends them. The
  // Node runner resumes them by itself at start-up.
  if (host.name === 'worker' && queued) await retry(host.url, id);
  const { recoverMs, settled } = await settle(host, id, restartedAt, before, recoverTimeoutMs);
  const v = await verdict(host.url, id);
  return {
    host: host.name,
    scenario: `kill -9 ${moment === 'after-create' ? '(a) right after sweep creation' : moment === 'mid-pack' ? '(b) mid-pack' : '(c) just after result writes'}`,
    lost: v.lost,
    doubled: v.doubled,
    recoverMs,
    note: `${inFlight} running, ${before.size - inFlight} waiting at the kill${settled ? '' : '; did not settle'}; attempts ${summarize(v.attempts)}`,
  };
}

/** A fault plan on a fresh host: the sweep must finish with every trial done once. */
export async function faultScenario(host: HostProcess, scenario: string, started: number, duplicate = false): Promise<Row> {
  const id = await createSweep(host.url);
  if (duplicate) {
    // Re-send every queued trial while the first delivery runs: each pack arrives twice.
    await retry(host.url, id);
  }
  const t0 = Date.now();
  const { settled } = await settle(host, id, t0, new Map(), 240_000);
  const v = await verdict(host.url, id);
  return { host: host.name, scenario, lost: v.lost, doubled: v.doubled, recoverMs: settled ? Date.now() - t0 : null, note: `sweep finished ${settled ? '' : 'NOT '}in ${Math.round((Date.now() - started) / 1000)} s with the host start; attempts ${summarize(v.attempts)}` };
}

function summarize(attempts: number[]): string {
  const counts = new Map<number, number>();
  for (const a of attempts) counts.set(a, (counts.get(a) ?? 0) + 1);
  return [...counts].sort((a, b) => a[0] - b[0]).map(([a, n]) => `${n}×${a}`).join(', ');
}

async function guarded(host: string, scenario: string, fn: () => Promise<Row>): Promise<Row> {
  try {
    return await fn();
  } catch (err) {
    return { host, scenario, lost: `not run: ${String(err).split('\n')[0].slice(0, 160)}`, doubled: '', recoverMs: null };
  }
}

async function withHost(make: () => Promise<HostProcess>, body: (h: HostProcess) => Promise<Row[]>): Promise<Row[]> {
  const h = await make();
  try {
    await h.start();
    return await body(h);
  } finally {
    await h.stop();
  }
}

export async function runAll(only?: string): Promise<Row[]> {
  const rows: Row[] = [];
  const hosts: Array<['node' | 'worker', (f?: FaultPlan[]) => Promise<HostProcess>]> = [
    ['node', nodeHost],
    ['worker', workerHost],
  ];
  for (const [name, make] of hosts) {
    if (only && only !== name) continue;
    const note = (r: Row) => (console.error(`${r.host} | ${r.scenario}: lost ${r.lost}, doubled ${r.doubled}, ${r.recoverMs} ms (${r.note ?? ''})`), r);
    // The three kill moments share one host (each kill restarts it on the same state).
    const killRows = await withHost(
      () => make(),
      async (h) => {
        const out: Row[] = [];
        for (const m of ['after-create', 'mid-pack', 'after-write'] as Moment[]) out.push(note(await guarded(name, `kill -9 ${m}`, () => killScenario(h, m))));
        return out;
      },
    ).catch((err) => [{ host: name, scenario: 'kill -9', lost: `not run: ${String(err).split('\n')[0]}`, doubled: '', recoverMs: null } as Row]);
    rows.push(...killRows);
    const faults: Array<[string, FaultPlan[], boolean]> = [
      [name === 'node' ? 'training thread exits mid-pack (process.exit)' : 'consumer throws mid-pack (uncaught)', [{ kind: name === 'node' ? 'exit' : 'uncaught' }], false],
      ['result write fails (SQLITE_BUSY)', [{ kind: 'save' }], false],
      ['WebAssembly fault (memory access out of bounds)', [{ kind: 'wasm' }], false],
      ['duplicate delivery (every pack sent twice)', [], true],
    ];
    for (const [scenario, plan, duplicate] of faults) {
      const started = Date.now();
      rows.push(note(await guarded(name, scenario, () => withHost(() => make(plan), async (h) => [await faultScenario(h, scenario, started, duplicate)]).then((r) => r[0]))));
    }
  }
  return rows;
}

export function table(rows: Row[]): string {
  const lines = ['| host | scenario | trials lost | trials doubled | time to recover | notes |', '| --- | --- | --- | --- | --- | --- |'];
  for (const r of rows) {
    const t = r.recoverMs === null ? '—' : `${(r.recoverMs / 1000).toFixed(1)} s`;
    lines.push(`| ${r.host} | ${r.scenario} | ${r.lost} | ${r.doubled} | ${t} | ${r.note ?? ''} |`);
  }
  return lines.join('\n');
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({ options: { only: { type: 'string' } } });
  const rows = await runAll(values.only);
  console.log(table(rows));
  console.log(
    `\n${TRIALS} trials per sweep (exp1, 4 packs of 4). "time to recover": kill rows, from the restart command until every trial that was running at the kill is released or leased anew, or (none running) until the first trial starts (Worker: lease ${WORKER_LEASE_MS / 1000} s, then the cron via /__scheduled every 5 s; queued trials re-sent with Retry); other rows, sweep creation to the sweep finishing.`,
  );
  process.exit(0);
}
