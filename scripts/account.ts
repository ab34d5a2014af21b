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
 * 1/K between K = 1 and K = 16. Steps and shapes come from each experiment's own
 * parameters (STEP_SHAPES below); a trial with no network step (Exp 3's SVM and tree)
 * predicts 0, so all of its time is "unexplained".
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
import { trialModel, type SpecExperiment } from '../core/custom/compile';
import { getExperiment } from '../core/experiments';

/** What one trial trains: layer widths (input … output), rows per step, and steps. */
export interface StepShape {
  sizes: number[];
  rows: number;
  steps: number;
}

type Params = Record<string, unknown>;
const num = (p: Params, k: string): number => Number(p[k]);
const list = (p: Params, k: string): number[] => (p[k] as number[]).map(Number);
const testRows = (p: Params) => Math.ceil(num(p, 'test_size') * num(p, 'n'));

/**
 * Steps and network shape of one trial from its stored parameters (the experiments'
 * protocol, core/experiments/expNN-*.ts headers); `scalars` are the trial's stored scalar
 * metrics (Exp 3's MLPs stop early: their step count is n_iter epochs of batches).
 */
export const STEP_SHAPES: Record<string, (p: Params, scalars: Record<string, number>) => StepShape | null> = {
  // Stored as a spec (width, n) since Exp 1 became one, as its code before (n_hidden, num_values).
  exp1: (p) => ({ sizes: [1, num(p, 'width' in p ? 'width' : 'n_hidden'), 1], rows: num(p, 'n' in p ? 'n' : 'num_values'), steps: num(p, 'steps') }),
  exp2: (p) => ({ sizes: [1, ...Array(num(p, 'depth') + 1).fill(num(p, 'width')), 2], rows: Math.min(num(p, 'batch_size'), num(p, 'n')), steps: num(p, 'steps') }),
  exp3: (p, s) => {
    if (p.classifier !== 'deep' && p.classifier !== 'shallow') return null;
    // Stored by the TypeScript module (shallow_hidden, deep_hidden) or by the spec (the cell's sklearn_hidden).
    const own = p.classifier === 'deep' ? 'deep_hidden' : 'shallow_hidden';
    const hidden = p[own] !== undefined ? list(p, own) : (trialModel((getExperiment('exp3') as SpecExperiment).spec, p).values.sklearn_hidden as number[]);
    const m = s.train_size ?? Math.floor(num(p, 'n') * num(p, 'train_fraction'));
    const batch = s.batch_size ?? Math.min(200, m);
    return { sizes: [num(p, 'd'), ...hidden, 1], rows: batch, steps: (s.n_iter ?? num(p, 'max_iter')) * Math.ceil(m / batch) };
  },
  exp4: (p) => {
    const minority = Math.floor(num(p, 'n') / (num(p, 'class_ratio') + 1));
    const majority = num(p, 'n') - minority;
    const rows = p.resample === 'none' ? minority + majority : 2 * majority;
    return { sizes: [num(p, 'd'), ...list(p, 'hidden'), 2], rows, steps: num(p, 'steps') };
  },
  exp5: (p) => ({ sizes: [num(p, 'd'), ...list(p, 'hidden'), 2], rows: Math.min(num(p, 'batch_size'), num(p, 'n')), steps: num(p, 'steps') }),
  exp6: (p) => {
    const input = p.pca_dim === 'none' ? num(p, 'd') + num(p, 'dummy_dim') : num(p, 'pca_dim');
    // A spec: the mlp block's width × depth hidden layers.
    return { sizes: [input, ...Array<number>(num(p, 'depth')).fill(num(p, 'width')), 2], rows: num(p, 'n') - testRows(p), steps: num(p, 'steps') };
  },
  exp7: (p) => ({ sizes: [2, ...list(p, 'hidden'), 2], rows: Math.min(num(p, 'batch_size'), num(p, 'n') - testRows(p)), steps: num(p, 'steps') }),
  exp8: (p) => {
    const train = num(p, 'n') - testRows(p);
    const rows = Math.min(num(p, 'batch_size'), train);
    // Sweeps from before it was a spec name its parameters num_epochs, hidden and epoch_rows 'n'.
    if (p.num_epochs !== undefined) return { sizes: [num(p, 'd'), ...list(p, 'hidden'), 2], rows, steps: Math.trunc((num(p, 'num_epochs') * (p.epoch_rows === 'train' ? train : num(p, 'n'))) / num(p, 'batch_size')) };
    // A spec (core/experiments/specs/exp08-batch-size.ts): the adam block's epochs (core/blocks/train-adam.ts phaseSteps).
    const quotient = (num(p, 'epochs') * (p.epoch_rows === 'all' ? num(p, 'n') : train)) / rows;
    const steps = Math.max(1, p.epoch_rounding === 'floor' ? Math.trunc(quotient) : Math.ceil(quotient));
    return { sizes: [num(p, 'd'), ...Array<number>(num(p, 'depth')).fill(num(p, 'width')), 2], rows, steps };
  },
  exp9: (p) => ({ sizes: [num(p, 'd'), ...list(p, 'hidden'), 2], rows: Math.min(num(p, 'batch_size'), num(p, 'n') - testRows(p)), steps: num(p, 'steps') }),
  exp10: (p) => ({ sizes: [num(p, 'd'), ...list(p, 'hidden'), 2], rows: Math.min(num(p, 'batch_size'), num(p, 'n') - testRows(p)), steps: num(p, 'steps') }),
  // Specs (core/experiments/specs/exp11-…, exp12-…): width × depth hidden units.
  exp11: (p) => ({ sizes: [num(p, 'd'), ...Array<number>(num(p, 'depth')).fill(num(p, 'width')), 2], rows: Math.min(num(p, 'batch_size'), Math.floor(num(p, 'n') * (1 - num(p, 'test_size')))), steps: num(p, 'steps') }),
  exp12: (p) => ({ sizes: [num(p, 'd'), ...Array<number>(num(p, 'depth')).fill(num(p, 'width')), 2], rows: Math.min(num(p, 'batch_size'), num(p, 'n')), steps: num(p, 'steps') }),
};

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
    const shapeOf = STEP_SHAPES[experiment];
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
      const shape = shapeOf?.(t.params, t.scalars);
      if (!shape || !t.info?.packSize) continue;
      const macs = macsPerStep({ sizes: shape.sizes, n: shape.rows, batchSize: shape.rows });
      if (!Number.isFinite(macs) || !Number.isFinite(shape.steps)) throw new Error(`${experiment}: cannot read steps and shape from params ${JSON.stringify(t.params)}`);
      const step = stepMs(curve, macs, t.info.packSize);
      predictedMs += shape.steps * step.ms;
      near.set(step.near, (near.get(step.near) ?? 0) + 1);
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
