/**
 * `npm run account -- <db.sqlite> [--report bench/reports/<bench report>.json]`
 *
 * Where does a catalogue's training time go? For each experiment in a run's database
 * (opened read-only), compares the measured time of its done trials (each pack's `packMs`
 * from trial info, counted once per pack) with what its training steps alone should take:
 * Σ over trials of steps × the bench's CPU ms per trial-step for that network shape at that
 * pack size. The rest ("unexplained") is time outside the step: data generation,
 * checkpoint and final evaluations, decision grids, classical baselines, result writes, and
 * on a loaded machine the wait for a core (packMs is wall time).
 *
 * Per-step cost is computed from the trial's layer sizes and training rows, not looked up
 * by name: the bench report (`npm run bench`, default bench/reports/latest.json) measures
 * ms per trial-step for shapes A–D at pack sizes 1 and 16 (engine 'wasm'); a trial's
 * multiply-adds per step (bench/cases.ts macsPerStep) places it on that curve,
 * interpolated log–log between the two shapes around it, flat below A (dispatch-bound) and
 * proportional to multiply-adds above D (arithmetic-bound); pack size K is interpolated in
 * 1/K between K = 1 and K = 16. Steps and shapes come from each trial's plan (trialSteps
 * below); a trial with no network step (Exp 3's SVM and tree) predicts 0, so all of its
 * time is "unexplained".
 *
 * "Unexplained" is a model's remainder: it also holds the step model's own error. The
 * measured split comes from scripts/profile-trial.ts, which times each phase of single
 * packs; `--profile <its --json output>` prints those measurements after the table.
 */
import Database from 'better-sqlite3';
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { pathToFileURL } from 'node:url';
import { macsPerStep } from '../core/nn/macs';
import { trialPlan, type SpecExperiment, type TrialPlan } from '../core/custom/compile';
import { layerSizes as sklearnLayerSizes, resolveBatchSize } from '../core/classical/sklearn-mlp';
import type { Values } from '../core/blocks/types';
import { getExperiment } from '../core/experiments';

/** What one trial trains: layer widths (input … output), rows per step, and steps. */
export interface StepShape {
  sizes: number[];
  rows: number;
  steps: number;
}

type Params = Record<string, unknown>;

/**
 * What one trial trains, phase by phase, read from its experiment's own plan
 * (core/custom/compile.ts trialPlan: the model, the updates and the rows of each phase), so
 * that this tool follows every experiment, forks included, instead of a table of them.
 * A classical model trains no network, except the sklearn-style MLP, which stops early:
 * its updates are its stored n_iter epochs of batches. A conv net's step is not on the
 * bench's curve of MLP steps, and stored parameters that no longer make a plan (a sweep
 * from before an experiment's parameters were renamed) give none: their time stays unexplained.
 */
export function trialSteps(experiment: string, params: Params, scalars: Record<string, number>): StepShape[] {
  const spec = (getExperiment(experiment) as SpecExperiment | undefined)?.spec;
  if (!spec) return [];
  let plan: TrialPlan;
  try {
    plan = trialPlan(spec, params as Values);
  } catch {
    return [];
  }
  if (plan.classical) {
    if (plan.classical.block.kind !== 'sklearn_mlp') return [];
    const v = plan.classical.values;
    const train = scalars.train_size ?? plan.data.trainRows;
    const batch = scalars.batch_size ?? resolveBatchSize(v.sklearn_batch_size as number | 'auto', train);
    const epochs = scalars.n_iter ?? Number(v.sklearn_max_iter);
    return [{ sizes: sklearnLayerSizes(plan.data.input, v.sklearn_hidden as number[]), rows: batch, steps: epochs * Math.ceil(train / batch) }];
  }
  return plan.phases.flatMap((phase): StepShape[] => {
    const m = phase.model;
    if (m.kind === 'mlp') return [{ sizes: [m.input, ...m.hidden, m.output], rows: phase.batchRows, steps: phase.steps }];
    // A shared net: its input layer, depth + 1 layers of width, its output.
    if (m.kind === 'shared') return [{ sizes: [m.input, ...Array<number>(m.depth + 1).fill(m.width), m.output], rows: phase.batchRows, steps: phase.steps }];
    return [];
  });
}

/** One bench shape's measured CPU ms per trial-step at pack sizes 1 and 16. */
export interface StepCostPoint {
  shape: string;
  macs: number;
  k1: number;
  k16: number;
}

/** The per-step curve of a bench report (`npm run bench`): engine 'wasm', K = 1 and 16. */
export function stepCurve(report: { shapes: Array<{ id: string; macsPerStep: number }>; results: Array<{ shape: string; engine: string; K: number; cpuMsPerTrialStep: number }> }): StepCostPoint[] {
  return report.shapes
    .map((s) => {
      const at = (K: number) => report.results.find((r) => r.shape === s.id && r.engine === 'wasm' && r.K === K)?.cpuMsPerTrialStep;
      return { shape: s.id, macs: s.macsPerStep, k1: at(1)!, k16: at(16)! };
    })
    .filter((p) => p.k1 != null && p.k16 != null)
    .sort((a, b) => a.macs - b.macs);
}

/** CPU ms of one trial-step of `macs` multiply-adds in a pack of K (see the header). */
export function stepMs(curve: StepCostPoint[], macs: number, K: number): { ms: number; near: string } {
  const atK = (p: StepCostPoint) => (K >= 16 ? p.k16 : K <= 1 ? p.k1 : p.k16 + ((p.k1 - p.k16) * (1 / K - 1 / 16)) / (1 - 1 / 16));
  const first = curve[0];
  const last = curve[curve.length - 1];
  if (macs <= first.macs) return { ms: atK(first), near: first.shape };
  if (macs >= last.macs) return { ms: (atK(last) * macs) / last.macs, near: last.shape };
  const i = curve.findIndex((p) => p.macs >= macs);
  const [a, b] = [curve[i - 1], curve[i]];
  const f = Math.log(macs / a.macs) / Math.log(b.macs / a.macs);
  const ms = Math.exp(Math.log(atK(a)) + f * (Math.log(atK(b)) - Math.log(atK(a))));
  return { ms, near: f < 0.5 ? a.shape : b.shape };
}

export interface AccountRow {
  experiment: string;
  trials: number;
  packs: number;
  measuredS: number;
  predictedS: number;
  unexplainedS: number;
  /** unexplained ÷ measured. */
  share: number;
  /** Bench shapes nearest to its trials (by multiply-adds per step). */
  near: string;
}

interface TrialRecord {
  experiment: string;
  params: Params;
  info: { packMs?: number; packSize?: number } | null;
  scalars: Record<string, number>;
}

export function readTrials(file: string): TrialRecord[] {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    const rows = db
      .prepare(
        `select s.experiment as experiment, t.id as id, t.params as params, t.info as info
         from trials t join sweeps s on s.id = t.sweep_id where t.status = 'done' order by t.id`,
      )
      .all() as Array<{ experiment: string; id: string; params: string; info: string | null }>;
    const scalars = new Map<string, Record<string, number>>();
    for (const m of db.prepare(`select trial_id, metric, value from metrics where kind = 'scalar'`).all() as Array<{ trial_id: string; metric: string; value: number }>) {
      const s = scalars.get(m.trial_id) ?? {};
      s[m.metric] = m.value;
      scalars.set(m.trial_id, s);
    }
    return rows.map((r) => ({ experiment: r.experiment, params: JSON.parse(r.params), info: r.info ? JSON.parse(r.info) : null, scalars: scalars.get(r.id) ?? {} }));
  } finally {
    db.close();
  }
}

/**
 * The table: per experiment, measured time (Σ packMs over its packs, a pack being the trials
 * that share packMs and packSize, split in packSize groups), predicted step time, the rest.
 */
export function account(trials: TrialRecord[], curve: StepCostPoint[]): AccountRow[] {
  const byExperiment = new Map<string, TrialRecord[]>();
  for (const t of trials) byExperiment.set(t.experiment, [...(byExperiment.get(t.experiment) ?? []), t]);
  const rows: AccountRow[] = [];
  for (const [experiment, list] of byExperiment) {
    let measuredMs = 0;
    let packs = 0;
    const perPack = new Map<string, number>();
    for (const t of list) {
      if (t.info?.packMs == null || !t.info.packSize) continue;
      const key = `${t.info.packMs}|${t.info.packSize}`;
      perPack.set(key, (perPack.get(key) ?? 0) + 1);
    }
    for (const [key, count] of perPack) {
      const [ms, size] = key.split('|').map(Number);
      const n = Math.ceil(count / size);
      measuredMs += n * ms;
      packs += n;
    }
    let predictedMs = 0;
    const near = new Map<string, number>();
    for (const t of list) {
      if (!t.info?.packSize) continue;
      for (const shape of trialSteps(experiment, t.params, t.scalars)) {
        const macs = macsPerStep({ sizes: shape.sizes, n: shape.rows, batchSize: shape.rows });
        if (!Number.isFinite(macs) || !Number.isFinite(shape.steps)) throw new Error(`${experiment}: cannot read steps and shape from params ${JSON.stringify(t.params)}`);
        const step = stepMs(curve, macs, t.info.packSize);
        predictedMs += shape.steps * step.ms;
        near.set(step.near, (near.get(step.near) ?? 0) + 1);
      }
    }
    rows.push({
      experiment,
      trials: list.length,
      packs,
      measuredS: measuredMs / 1000,
      predictedS: predictedMs / 1000,
      unexplainedS: (measuredMs - predictedMs) / 1000,
      share: measuredMs > 0 ? (measuredMs - predictedMs) / measuredMs : 0,
      near: [...near.keys()].sort().join(','),
    });
  }
  return rows.sort((a, b) => Number(a.experiment.slice(3)) - Number(b.experiment.slice(3)) || a.experiment.localeCompare(b.experiment));
}

export function formatTable(rows: AccountRow[]): string {
  const lines = ['| experiment | trials | packs | measured s | predicted step s | unexplained s | share | bench shapes |', '|:--|--:|--:|--:|--:|--:|--:|:--|'];
  for (const r of rows) {
    lines.push(`| ${r.experiment} | ${r.trials} | ${r.packs} | ${r.measuredS.toFixed(1)} | ${r.predictedS.toFixed(1)} | ${r.unexplainedS.toFixed(1)} | ${(100 * r.share).toFixed(0)}% | ${r.near || '—'} |`);
  }
  const sum = (f: (r: AccountRow) => number) => rows.reduce((a, r) => a + f(r), 0);
  const m = sum((r) => r.measuredS);
  lines.push(`| all | ${sum((r) => r.trials)} | ${sum((r) => r.packs)} | ${m.toFixed(1)} | ${sum((r) => r.predictedS).toFixed(1)} | ${sum((r) => r.unexplainedS).toFixed(1)} | ${m > 0 ? ((100 * sum((r) => r.unexplainedS)) / m).toFixed(0) : 0}% | |`);
  return lines.join('\n');
}

/** One pack's phases as scripts/profile-trial.ts --json writes them (median ms per trial). */
export interface PackPhases {
  pack: string;
  trials: number;
  median: Record<string, number>;
}

/**
 * The measured split of profiled packs: ms per trial, the share of the training phase
 * (steps, with checkpoint evaluations apart where they are their own phase), and the two
 * largest other phases ('other' is what no phase covers).
 */
export function profileTable(packs: PackPhases[]): string {
  const lines = ['| pack | trials | ms per trial | training | largest other phases |', '|:--|--:|--:|--:|:--|'];
  for (const p of packs) {
    const total = p.median.total;
    const pct = (v: number) => `${((100 * v) / total).toFixed(1)}%`;
    const others = Object.entries(p.median)
      .filter(([k]) => k !== 'total' && k !== 'training')
      .sort((a, b) => b[1] - a[1])
      .slice(0, 2)
      .map(([k, v]) => `${k} ${pct(v)}`);
    lines.push(`| ${p.pack} | ${p.trials} | ${total.toFixed(1)} | ${p.median.training == null ? '—' : pct(p.median.training)} | ${others.join(', ')} |`);
  }
  return lines.join('\n');
}

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({ allowPositionals: true, options: { report: { type: 'string', default: 'bench/reports/latest.json' }, profile: { type: 'string' } } });
  if (!positionals[0]) {
    console.error('usage: npm run account -- <db.sqlite> [--report bench/reports/<bench report>.json] [--profile <scripts/profile-trial.ts --json output>]');
    process.exit(2);
  }
  const curve = stepCurve(JSON.parse(readFileSync(values.report!, 'utf8')));
  console.log(`per-step CPU from ${values.report}: ${curve.map((p) => `${p.shape} ${p.macs.toExponential(1)} MAC: ${p.k1} ms (K=1) / ${p.k16} ms (K=16)`).join('; ')}`);
  console.log(`measured: Σ packMs of done trials in ${positionals[0]} (wall time of each pack)\n`);
  console.log(formatTable(account(readTrials(positionals[0]), curve)));
  if (values.profile) {
    console.log(`\nmeasured phases of single packs (${values.profile}, scripts/profile-trial.ts; median ms per trial):\n`);
    console.log(profileTable(JSON.parse(readFileSync(values.profile, 'utf8'))));
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await main();
