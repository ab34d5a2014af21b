/**
 * `npm run sweep -- <experiment> [options]`: the HTTP API from the shell.
 *
 *   npm run sweep -- exp1 --repeats 5 --seed 1 --param steps=2000 --grid width=2,4,16 --wait
 *   npm run sweep -- exp8 --repeats 10 --dry-run [--effect 0.5]
 *                    (trials, packs, CPU estimates, and per claim the repeats likely to decide it
 *                     for the effect of the latest finished sweep or the given one; nothing starts)
 *   npm run sweep -- --status <id> | --cancel <id> | --retry <id> | --list
 *   npm run sweep -- --settle <id> [--budget N] [--cpu-seconds S]
 *                    (repeats added where claims are undecided, until decided or the budget is spent)
 *
 * Values are parsed as JSON where possible (numbers, lists, strings otherwise).
 * --server (default $ATOMSWEEP_URL or http://127.0.0.1:8787), --token (default $API_TOKEN).
 */
import { parseArgs } from 'node:util';
import { FIGURES, figureFor } from '../dashboard/figures';
import type { ExperimentDescription } from '../dashboard/figures/types';
import { loadFigureData } from '../dashboard/figures/load';
import { isStalled } from '../dashboard/stalled';
import { RESULT_MARK, verdictReport } from '../dashboard/verdict-text';
import { createClient, type SweepRequest, type SweepSummary } from '../client';

// Not strict: scripts/catalogue.ts imports this module with its own flags on the command line.
const { values, positionals } = parseArgs({
  allowPositionals: true,
  strict: false,
  options: {
    server: { type: 'string', default: process.env.ATOMSWEEP_URL ?? 'http://127.0.0.1:8787' },
    token: { type: 'string', default: process.env.API_TOKEN },
    repeats: { type: 'string' },
    seed: { type: 'string' },
    name: { type: 'string' },
    param: { type: 'string', multiple: true, default: [] },
    grid: { type: 'string', multiple: true, default: [] },
    wait: { type: 'boolean', default: false },
    status: { type: 'string' },
    cancel: { type: 'string' },
    retry: { type: 'string' },
    settle: { type: 'string' },
    budget: { type: 'string' },
    'cpu-seconds': { type: 'string' },
    list: { type: 'boolean', default: false },
    'dry-run': { type: 'boolean', default: false },
    effect: { type: 'string' },
  },
});

function parseValue(v: string): unknown {
  try {
    return JSON.parse(v);
  } catch {
    return v;
  }
}

/** The typed API client (client/index.ts); its errors carry the server's {status, error, issues}. */
export const client = createClient(String(values.server), { token: values.token ? String(values.token) : undefined });

export function stalledHint(s: SweepSummary): string {
  return isStalled(s)
    ? `no trial started or finished for ${Math.round(s.stalledMs / 60_000)} min while ${s.counts.queued} wait: if the server restarted, its queue was lost; npm run sweep -- --retry ${s.id}`
    : '';
}

/** The figure's headline lines for a finished sweep, from the same data the dashboard uses. */
export async function headlines(id: string, experimentId: string): Promise<string[]> {
  // Built-ins have their own figure; spec experiments (exp13+, custom ones) the generic one of their hint.
  const figure = FIGURES[experimentId] ?? figureFor(await client.get<ExperimentDescription>(`/api/experiments/${experimentId}`));
  if (!figure) return [];
  return figure.headline(await loadFigureData(client.get, id, experimentId, figure));
}

/** Whether the sweep supports its experiment's claims, as text (dashboard/verdict-text.ts). */
export const verdict = (id: string, format?: 'full' | 'brief' | 'summary') => verdictReport(client.get, id, format);

/** Waits for a settle to stop, printing each round as it is looked at; then the verdict. */
export async function settleReport(id: string, log: (line: string) => void = console.log): Promise<string> {
  let shown = 0;
  const done = await client.waitForSettle(id, {
    intervalMs: 2000,
    onProgress: (s) => {
      for (const r of s.settle?.history.slice(shown) ?? []) {
        log(`  round ${r.round}: ${r.trials.done}/${r.trials.total} trials; ${r.claims.map((c) => `${RESULT_MARK[c.result]}${c.repeats}`).join(' ')}${r.added.trials ? `; +${r.added.trials} trials in ${r.added.cells} cells` : ''}`);
      }
      shown = s.settle?.history.length ?? shown;
    },
  });
  const s = done.settle!;
  log(`settle ${s.status}${s.reason ? ` (${s.reason})` : ''}: spent ${s.spent.trials} trials, ~${Math.round(s.spent.cpuMs / 1000)} s of CPU`);
  for (const line of await verdict(id)) log(`  ${line}`);
  return s.status;
}

async function main() {
  if (values.list) {
    for (const s of await client.allSweeps()) console.log(`${s.id}  ${s.experiment.padEnd(6)} ${s.status.padEnd(9)} ${s.counts.done}/${s.counts.total}`);
    return;
  }
  for (const action of ['cancel', 'retry'] as const) {
    const id = values[action];
    if (id) return console.log(JSON.stringify(await client[action](String(id)), null, 2));
  }
  if (values.settle) {
    const id = String(values.settle);
    const budget = { ...(values.budget ? { trials: Number(values.budget) } : {}), ...(values['cpu-seconds'] ? { cpuSeconds: Number(values['cpu-seconds']) } : {}) };
    const { estimate } = await client.settleStatus(id);
    console.log(`settle ${id}: ${estimate.undecided} undecided claims; about ${estimate.trials} more trials (~${Math.round(estimate.cpuMs / 1000)} s of CPU) would likely decide them${estimate.unreachable ? ` (${estimate.unreachable} show no effect yet)` : ''}`);
    const started = await client.settle(id, budget);
    console.log(`budget ${started.settle.budget.trials} trials${started.settle.budget.cpuMs !== null ? `, ${Math.round(started.settle.budget.cpuMs / 1000)} s of CPU` : ''}; round 1 added ${started.added} trials`);
    const final = await settleReport(id);
    process.exitCode = final === 'running' ? 1 : 0;
    return;
  }
  if (values.status) {
    const s = await client.sweep(String(values.status));
    console.log(`${s.id} ${s.experiment} ${s.status}: ${JSON.stringify(s.counts)}${s.finishedAt ? `, took ${(s.finishedAt - s.createdAt) / 1000} s` : ''}`);
    const hint = stalledHint(s);
    if (hint) console.log(`  ${hint}`);
    for (const line of await headlines(s.id, s.experiment)) console.log(`  ${line}`);
    for (const line of await verdict(s.id)) console.log(`  ${line}`);
    return;
  }
  const [experiment] = positionals;
  if (!experiment) throw new Error('usage: npm run sweep -- <experiment> [--repeats N] [--seed S] [--param k=v]… [--grid k=v1,v2]… [--wait]');
  const body: Record<string, unknown> = { experiment };
  if (values.repeats) body.repeats = Number(values.repeats);
  if (values.seed) body.seed = Number(values.seed);
  if (values.name) body.name = values.name;
  const kv = (arg: string | boolean) => {
    const s = String(arg);
    const i = s.indexOf('=');
    if (i < 0) throw new Error(`expected key=value, got '${s}'`);
    return [s.slice(0, i), s.slice(i + 1)] as const;
  };
  if (values.param!.length) body.params = Object.fromEntries(values.param!.map((p) => kv(p)).map(([k, v]) => [k, parseValue(v)]));
  if (values.grid!.length) body.grid = Object.fromEntries(values.grid!.map((g) => kv(g)).map(([k, v]) => [k, v.startsWith('[') ? parseValue(v) : v.split(',').map(parseValue)]));
  if (values['dry-run']) {
    const plan = await client.planSweep(body as SweepRequest, values.effect ? String(values.effect) : undefined);
    const s = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
    console.log(`${plan.experiment}: ${plan.trials} trials in ${plan.packs} packs; estimated CPU ${s(plan.estimate.cpuMs)} in all, longest pack ${s(plan.estimate.longestPackMs)}, longest trial ${s(plan.estimate.longestTrialMs)} (nothing started)`);
    for (const c of plan.power) {
      const need = c.repeatsNeeded === null ? (c.effect === null ? 'no effect to go by (run once, or give --effect d)' : 'no effect seen') : `~${c.repeatsNeeded} repeats per cell likely decide it (${c.planned} planned)`;
      console.log(`  ${c.statement}: ${need}${c.basis ? `; d = ${c.effect === null ? '–' : c.effect.toPrecision(2)} from ${c.basis}` : ''}`);
    }
    return;
  }
  const created = await client.createSweep(body as SweepRequest);
  console.log(`sweep ${created.id}: ${created.trials} trials → ${values.server}/#/sweeps/${created.id}`);
  if (!values.wait) return;
  const done = await client.waitForSweep(created.id, {
    onProgress: (s) => {
      const hint = stalledHint(s);
      process.stderr.write(`\r${s.status} ${s.counts.done}/${s.counts.total} done, ${s.counts.failed} failed${s.etaMs ? `, ETA ${Math.round(s.etaMs / 1000)} s` : ''}${hint ? ` (${hint})` : ''}   `);
    },
  });
  process.stderr.write('\n');
  console.log(`${done.status} in ${((done.finishedAt ?? Date.now()) - done.createdAt) / 1000} s`);
  for (const line of await headlines(created.id, experiment)) console.log(`  ${line}`);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main().catch((err) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  });
}
