/**
 * `npm run profile-trial -- [--packs exp3:svm@2000,exp6:2000/10,…] [--runs 3] [--cold] [--json out.json]`
 *
 * Where one pack's time goes, phase by phase: data generation, feature pipelines (Exp 6's
 * dummy columns, mixing and PCA), training steps, checkpoint and final evaluations,
 * decision grids, the classical fits (Exp 3's SVM and tree), result assembly. It complements
 * `npm run account` (scripts/account.ts), which splits a catalogue's measured pack time into
 * "steps" and "unexplained" from a model of the step: here the phases are timed.
 *
 * Each pack is one pack of an experiment's default sweep, cut as the hosts cut them
 * (core/sweep/expand.ts packTrials, 16 networks at most, the default budgets), trained by
 * the experiment's own runPack on one thread with the production engine (tfjs WASM SIMD
 * with atomsweep's kernels, as node/trial-thread.ts sets it up). The phases come from V8's
 * sampling CPU profiler (node:inspector, a sample every 100 µs), with no hook in the code
 * under test: a sample belongs to the phase of the innermost function on its stack that
 * PHASES names (so a phase leaves out the phases called inside it: the evaluations inside
 * the training loop are evaluation, not training); what no phase covers is "other". Times are
 * ms per trial (pack CPU ms ÷ trials), the median over
 * `--runs` runs, the packs run in the listed order in one process each run. Data kept
 * between packs (core/experiments/common.ts sharedData) is emptied at the start of each
 * run, so a pack reads what the packs listed before it computed, as on a thread that
 * trained them in that order; `--cold` empties it before every pack. `digest` is a hash of
 * every stored number of the pack's results, to compare two builds' outputs.
 *
 * A pack is `<experiment>:<selector>`:
 *   exp3:<classifier>@<n>      e.g. exp3:svm@2000, exp3:deep@10000
 *   exp4:<resample>@<ratio>    e.g. exp4:tile@10
 *   exp5:<labels>@<n>          e.g. exp5:random@150
 *   exp6:<dummy_dim>/<pca_dim> e.g. exp6:2000/none, exp6:200/5
 * optionally followed by #i for the i-th pack of that cell (default the first).
 */
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import { nodeLibsvm } from '../node/libsvm-node';
import { useWasmBackend } from '../node/kernels';
import { getExperiment } from '../core/experiments';
import { expandSweep, packTrials } from '../core/sweep/expand';
import type { TrialResult, TrialSpec } from '../core/experiments/types';
import { DEFAULT_ENGINE } from '../core/engine';
import { hashString } from '../core/rng';
import { Session } from 'node:inspector/promises';
import type { Profiler } from 'node:inspector';
import { phaseTimes } from './cpu-phases';
import { sharedData } from '../core/experiments/common';

/**
 * One pack per kind of trial of Exp 3–6, in an order a thread could train them: Exp 3's
 * repeats drawn by the first pack and read by the rest, Exp 6's dummy_dim 2000 mixed by
 * the pca_dim 'none' pack and read by the three PCA packs.
 */
export const DEFAULT_PACKS = ['exp3:tree@20', 'exp3:tree@10000', 'exp3:svm@2000', 'exp3:shallow@2000', 'exp3:deep@2000', 'exp4:tile@10', 'exp4:none@10', 'exp5:random@150', 'exp6:2000/none', 'exp6:2000/10', 'exp6:2000/5', 'exp6:2000/1', 'exp6:200/5'];

/** The parameters a selector fixes. */
function selectorParams(experiment: string, selector: string): Record<string, unknown> {
  const num = (s: string) => (s === 'none' ? 'none' : Number(s));
  if (experiment === 'exp3') {
    const [classifier, n] = selector.split('@');
    return { classifier, n: Number(n) };
  }
  if (experiment === 'exp4') {
    const [resample, ratio] = selector.split('@');
    return { resample, class_ratio: Number(ratio) };
  }
  if (experiment === 'exp5') {
    const [labels, n] = selector.split('@');
    return { labels, n: Number(n) };
  }
  if (experiment === 'exp6') {
    const [dummy, pca] = selector.split('/');
    return { dummy_dim: Number(dummy), pca_dim: num(pca) };
  }
  throw new Error(`no selector for ${experiment}`);
}

/** The trials of one pack of the experiment's default sweep. */
export function selectPack(spec: string): { experiment: string; trials: TrialSpec[] } {
  const [experiment, rest] = spec.split(':');
  const [selector, index] = rest.split('#');
  const exp = getExperiment(experiment);
  if (!exp) throw new Error(`unknown experiment ${experiment}`);
  const want = selectorParams(experiment, selector);
  const sweep = expandSweep({ experiment }, 'profile');
  const cell = sweep.trials.filter((t) => Object.entries(want).every(([k, v]) => (t.params as Record<string, unknown>)[k] === v));
  if (!cell.length) throw new Error(`${spec}: no trial of the default sweep has ${JSON.stringify(want)}`);
  const packs = packTrials(exp, cell, 16);
  const trials = packs[Number(index ?? 0)];
  if (!trials) throw new Error(`${spec}: the cell has ${packs.length} packs`);
  return { experiment, trials };
}

/** A hash of every number a pack stores (scalars, series, traces), ignoring how it ran. */
export function digest(results: TrialResult[]): string {
  return hashString(JSON.stringify(results.map((r) => [r.trialId, r.scalars, r.series, r.traces ?? {}]))).toString(16).padStart(8, '0');
}

export interface PackProfile {
  pack: string;
  trials: number;
  /** ms per trial, per phase, plus 'other' and 'total'. */
  ms: Record<string, number>;
  digest: string;
}


export async function profilePack(spec: string, session: Session): Promise<PackProfile> {
  const { experiment, trials } = selectPack(spec);
  await session.post('Profiler.start');
  let results: TrialResult[];
  let profile: Profiler.Profile;
  try {
    results = await getExperiment(experiment)!.runPack(trials, { backend: 'wasm', engine: DEFAULT_ENGINE, libsvm: nodeLibsvm });
  } finally {
    profile = (await session.post('Profiler.stop')).profile;
  }
  const { ms: phases, total } = phaseTimes(profile);
  const K = trials.length;
  const ms: Record<string, number> = {};
  for (const [name, v] of phases) ms[name] = v / K;
  ms.total = total / K;
  return { pack: spec, trials: K, ms, digest: digest(results) };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { packs: { type: 'string' }, runs: { type: 'string', default: '3' }, json: { type: 'string' }, cold: { type: 'boolean', default: false } } });
  const packs = values.packs ? values.packs.split(',') : DEFAULT_PACKS;
  const runs = Number(values.runs);
  await useWasmBackend();
  // libsvm's module loads once per process; load it before timing anything.
  await nodeLibsvm();
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.setSamplingInterval', { interval: 100 });
  const all: PackProfile[][] = packs.map(() => []);
  for (let r = 0; r < runs; r++) {
    sharedData.clear();
    for (let i = 0; i < packs.length; i++) {
      if (values.cold) sharedData.clear();
      const p = await profilePack(packs[i], session);
      all[i].push(p);
      console.error(`run ${r + 1}/${runs} ${p.pack} (${p.trials} trials): ${p.ms.total.toFixed(0)} ms per trial, digest ${p.digest}`);
    }
  }
  const summary = all.map((list) => {
    const names = [...new Set(list.flatMap((p) => Object.keys(p.ms)))];
    return {
      pack: list[0].pack,
      trials: list[0].trials,
      digest: [...new Set(list.map((p) => p.digest))].join('/'),
      median: Object.fromEntries(names.map((n) => [n, median(list.map((p) => p.ms[n] ?? 0))])),
      runs: list.map((p) => p.ms),
    };
  });
  for (const s of summary) {
    console.log(`\n${s.pack}: ${s.trials} trials, digest ${s.digest}, median of ${runs} runs, ms per trial`);
    console.log('| phase | ms per trial | share |');
    console.log('|:--|--:|--:|');
    for (const [name, v] of Object.entries(s.median)) {
      if (name === 'total') continue;
      console.log(`| ${name} | ${v.toFixed(1)} | ${((100 * v) / s.median.total).toFixed(1)}% |`);
    }
    console.log(`| total | ${s.median.total.toFixed(1)} | |`);
  }
  if (values.json) writeFileSync(values.json, JSON.stringify(summary, null, 2));
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
