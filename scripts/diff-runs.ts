/**
 * `npm run diff-runs -- <before.sqlite> <after.sqlite> [--name "default catalogue"]`
 *
 * Proves a change left the numbers alone: for every experiment, takes the newest sweep with
 * that name in each SQLite file (the Node runner's store, `npm run local -- --db …`; the
 * catalogue names its sweeps "default catalogue"), matches trials by (config, repeat), and
 * compares every stored metric (scalars, series and traces) bit for bit. Prints one line per
 * experiment (identical / how many values differ, and the largest difference) and exits 1
 * when anything differs. Run-time metrics measure the machine, not the maths, and are
 * listed separately (`--timing-metrics`, default runtime_s and seconds_to_target, Exp 8's clock readings).
 * `--added-ok`: trials only in the after file (repeats a Settle added) are counted apart
 * instead of as differences; every trial of the before file must still match.
 * `--steps-as-updates exp7,exp9,…`: these experiments' before file stored a series' steps as
 * the 0-based index of the update after which each value was measured; `step` now counts the
 * updates applied (core/blocks/recorders.ts), so their before steps + 1 are compared with
 * the after steps (the relabelling, and every value under it, must match exactly). Traces
 * are relabelled too for the experiments whose traces' steps are training steps
 * (TRAINING_STEP_TRACES: Exp 11's and 12's weight trajectories); other traces' steps (Exp 4's
 * decision-boundary grids) are compared as stored. `exp1:mse` relabels only that
 * experiment's series `mse` (its other series run over a point index, not over training);
 * `exp1:mse+loss` lists several.
 * `--step-scalars exp11:steps_to_converge_layer0+…,…`: scalars of these experiments that
 * count steps (a step found on a relabelled series, like Exp 11's steps to converge): their
 * before value + 1 is compared, as the series' steps are (the experiment must also be in
 * `--steps-as-updates`).
 * `--renamed-params exp1:n_hidden=width,…`: a parameter the experiment now calls otherwise
 * (a built-in rewritten as a spec takes its blocks' names): the before file's config keys
 * are read with the new name, so trials match by (config, repeat) as before.
 * `--added-metrics n_params,…`: these metrics, where the before file's trial lacks them, are
 * counted apart as new (a built-in rewritten as a spec stores `n_params` as every spec
 * does); every value the before file holds must still match.
 */
import Database from 'better-sqlite3';
import { parseArgs } from 'node:util';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    name: { type: 'string', default: 'default catalogue' },
    'timing-metrics': { type: 'string', default: 'runtime_s,seconds_to_target' },
    'added-ok': { type: 'boolean', default: false },
    'added-metrics': { type: 'string', default: '' },
    'steps-as-updates': { type: 'string', default: '' },
    'renamed-params': { type: 'string', default: '' },
    'step-scalars': { type: 'string', default: '' },
  },
});
if (positionals.length !== 2) {
  console.error('usage: npm run diff-runs -- <before.sqlite> <after.sqlite> [--name "default catalogue"]');
  process.exit(2);
}
const timing = new Set(values['timing-metrics']!.split(','));
const addedMetrics = new Set(values['added-metrics']!.split(',').filter(Boolean));
/** Experiment → the series relabelled (null: every series). */
const relabelled = new Map<string, Set<string> | null>(
  values['steps-as-updates']!
    .split(',')
    .filter(Boolean)
    .map((entry) => {
      const [experiment, metrics] = entry.split(':');
      return [experiment, metrics ? new Set(metrics.split('+')) : null];
    }),
);
const stepShiftOf = (experiment: string, metric: string) => (relabelled.has(experiment) && (relabelled.get(experiment) === null || relabelled.get(experiment)!.has(metric)) ? 1 : 0);
/** Experiment → its scalars that count steps. */
const stepScalars = new Map<string, Set<string>>();
for (const entry of values['step-scalars']!.split(',').filter(Boolean)) {
  const [experiment, metrics] = entry.split(':');
  if (!metrics || !relabelled.has(experiment)) {
    console.error(`--step-scalars takes experiment:metric+metric for an experiment of --steps-as-updates, not ${entry}`);
    process.exit(2);
  }
  stepScalars.set(experiment, new Set(metrics.split('+')));
}
/** Experiment → old parameter name → new one. */
const renamed = new Map<string, Map<string, string>>();
for (const entry of values['renamed-params']!.split(',').filter(Boolean)) {
  const [experiment, pair] = entry.split(':');
  const [from, to] = (pair ?? '').split('=');
  if (!from || !to) {
    console.error(`--renamed-params takes experiment:old=new, not ${entry}`);
    process.exit(2);
  }
  renamed.set(experiment, (renamed.get(experiment) ?? new Map()).set(from, to));
}
const renameKey = (experiment: string, key: string) => {
  const names = renamed.get(experiment);
  return names ? key.replace(/(^|,)([A-Za-z0-9_]+)=/g, (_, lead: string, name: string) => `${lead}${names.get(name) ?? name}=`) : key;
};
/** Experiments whose stored traces hold training steps in `steps` (relabelled with their series). */
const TRAINING_STEP_TRACES = new Set(['exp11', 'exp12']);

interface Row {
  experiment: string;
  key: string;
  metric: string;
  kind: string;
  value: number | null;
  steps: string | null;
  points: string | null;
}

function load(file: string, rename = false): Map<string, Map<string, Row>> {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  const rows = db
    .prepare(
      `WITH newest AS (
         SELECT experiment, id FROM (SELECT experiment, id, row_number() OVER (PARTITION BY experiment ORDER BY created_at DESC) AS r FROM sweeps WHERE name = ?) WHERE r = 1
       )
       SELECT n.experiment, t.config_key || '#' || t.repeat AS key, m.metric, m.kind, m.value, m.steps, m.points
       FROM newest n JOIN trials t ON t.sweep_id = n.id JOIN metrics m ON m.trial_id = t.id`,
    )
    .all(values.name) as Row[];
  db.close();
  const byExperiment = new Map<string, Map<string, Row>>();
  for (const r of rows) {
    const m = byExperiment.get(r.experiment) ?? new Map<string, Row>();
    m.set(`${rename ? renameKey(r.experiment, r.key) : r.key}|${r.metric}|${r.kind}`, r);
    byExperiment.set(r.experiment, m);
  }
  return byExperiment;
}

/** Numbers of a stored row: the scalar, or the series' (and training-step traces') steps shifted by `stepShift`, and points. */
const numbersOf = (r: Row, stepShift = 0): number[] => {
  if (r.kind === 'scalar') return [(r.value ?? NaN) + (stepScalars.get(r.experiment)?.has(r.metric) ? stepShift : 0)];
  const shift = r.kind === 'series' || (r.kind === 'trace' && TRAINING_STEP_TRACES.has(r.experiment)) ? stepShift : 0;
  return [...(JSON.parse(r.steps ?? '[]') as number[]).map((s) => s + shift), ...(JSON.parse(r.points ?? '[]') as number[])];
};

const before = load(positionals[0], true);
const after = load(positionals[1]);
let differs = false;
const experiments = [...new Set([...before.keys(), ...after.keys()])].sort((a, b) => Number(a.slice(3)) - Number(b.slice(3)));
const extraColumns = [values['added-ok'] ? ' values only after (added repeats) |' : '', addedMetrics.size ? ` values of new metrics (${[...addedMetrics].join(', ')}) |` : ''].join('');
console.log(`| experiment | values compared | differing | largest difference | timing values differing |${extraColumns}`);
console.log(`|:--|--:|--:|:--|--:|${extraColumns.replace(/[^|]+\|/g, '--:|')}`);
for (const e of experiments) {
  const b = before.get(e);
  const a = after.get(e);
  if (!b || !a) {
    console.log(`| ${e} | missing in ${b ? 'after' : 'before'} | | | |`);
    differs = true;
    continue;
  }
  let compared = 0;
  let different = 0;
  let timingDifferent = 0;
  let worst = { delta: 0, where: '' };
  let added = 0;
  let newMetricValues = 0;
  for (const key of new Set([...b.keys(), ...a.keys()])) {
    const x = b.get(key);
    const y = a.get(key);
    if (!x && addedMetrics.has(key.split('|')[1])) {
      newMetricValues += numbersOf(y!).length;
      continue;
    }
    if (!x && values['added-ok']) {
      added += numbersOf(y!).length;
      continue;
    }
    const metric = key.split('|')[1];
    const xs = x ? numbersOf(x, x.kind === 'scalar' ? (relabelled.has(e) ? 1 : 0) : stepShiftOf(e, metric)) : [];
    const ys = y ? numbersOf(y) : [];
    const n = Math.max(xs.length, ys.length);
    for (let i = 0; i < n; i++) {
      compared++;
      // Bit for bit: Object.is also tells -0 from 0 (and NaN equals NaN).
      if (Object.is(xs[i], ys[i])) continue;
      if (timing.has(metric)) {
        timingDifferent++;
        continue;
      }
      different++;
      const delta = Math.abs((xs[i] ?? NaN) - (ys[i] ?? NaN));
      if (!(delta <= worst.delta)) worst = { delta, where: `${key.replace(/\|/g, ' ')}[${i}]: ${xs[i]} → ${ys[i]}` };
    }
  }
  differs ||= different > 0;
  console.log(`| ${e} | ${compared} | ${different ? different : 'identical'} | ${different ? worst.where : ''} | ${timingDifferent} |${values['added-ok'] ? ` ${added} |` : ''}${addedMetrics.size ? ` ${newMetricValues} |` : ''}`);
}
process.exit(differs ? 1 : 0);
