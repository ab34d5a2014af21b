/**
 * `npm run spec-sweep -- exp13 [exp14 …] [--repeats N] [--seed S] [--params JSON] [--grid JSON]`
 * (bundled and run by scripts/run-ts.mjs, since tfjs-core's gradients cannot be loaded by tsx).
 *
 * Runs the default sweep of built-in spec experiments (core/experiments/specs) in this
 * process on tfjs WASM, pack by pack as the runners cut them (core/sweep/expand.ts
 * packTrials), without a server or a store. Prints, per experiment, the CPU time, the mean
 * (± sample std) of every scalar per grid cell, and the verdict of each claim
 * (core/verdict/evaluate.ts): what a spec's `note` should be written from.
 */
import { parseArgs } from 'node:util';
import { builtinSpecExperiments } from '../core/experiments/specs';
import type { TrialResult } from '../core/experiments/types';
import { mean, sampleSd } from '../core/stats/describe';
import { expandSweep, packTrials } from '../core/sweep/expand';
import { DEFAULT_LIMITS } from '../core/sweep/request';
import { evaluateClaims, type TrialValues } from '../core/verdict/evaluate';
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import { useWasmBackend } from '../node/kernels';
import { nodeLibsvm } from '../node/libsvm-node';

const { values, positionals } = parseArgs({ allowPositionals: true, options: { repeats: { type: 'string' }, seed: { type: 'string', default: '0' }, params: { type: 'string' }, grid: { type: 'string' } } });
const experiments = builtinSpecExperiments();
const chosen = positionals.length ? positionals : experiments.map((e) => e.id);

async function main(): Promise<void> {
  await useWasmBackend();
  for (const id of chosen) {
    const e = experiments.find((x) => x.id === id);
    if (!e) throw new Error(`unknown spec experiment ${id}`);
    const request = { experiment: id, seed: Number(values.seed), ...(values.repeats ? { repeats: Number(values.repeats) } : {}), ...(values.params ? { params: JSON.parse(values.params) } : {}), ...(values.grid ? { grid: JSON.parse(values.grid) } : {}) };
    const sweep = expandSweep(request, id, undefined, (x) => (x === id ? e : undefined));
    const packs = packTrials(e, sweep.trials, 16, DEFAULT_LIMITS.maxTrialCost, DEFAULT_LIMITS.maxPackBytes);
    const cpu0 = process.cpuUsage();
    const wall0 = performance.now();
    const results: TrialResult[] = [];
    let longest = 0;
    for (const pack of packs) {
      const c0 = process.cpuUsage();
      results.push(...(await e.runPack(pack, { libsvm: nodeLibsvm })));
      const c = process.cpuUsage(c0);
      longest = Math.max(longest, (c.user + c.system) / 1e6);
    }
    const cpu = process.cpuUsage(cpu0);
    console.log(`\n## ${id}: ${e.title}`);
    console.log(`${sweep.trials.length} trials in ${packs.length} packs; CPU ${((cpu.user + cpu.system) / 1e6).toFixed(1)} s (longest pack ${longest.toFixed(1)} s), wall ${((performance.now() - wall0) / 1000).toFixed(1)} s; peak memory estimate of a full pack ${(Math.max(...sweep.trials.map((t) => e.memory(t.params, 16))) / 2 ** 20).toFixed(1)} MiB`);
    const byId = new Map(results.map((r) => [r.trialId, r]));
    const trials: TrialValues[] = sweep.trials.map((t) => ({ id: t.id, repeat: t.repeat, params: t.params, scalars: byId.get(t.id)!.scalars, series: byId.get(t.id)!.series }));
    const metrics = Object.keys(trials[0].scalars).filter((m) => m !== 'n_params');
    console.log(`| config | ${metrics.join(' | ')} |`);
    console.log(`|---|${metrics.map(() => '---').join('|')}|`);
    for (const config of [...new Set(sweep.trials.map((t) => t.configKey))]) {
      const rows = trials.filter((t) => sweep.trials.find((s) => s.id === t.id)!.configKey === config);
      const cells = metrics.map((m) => {
        const xs = rows.map((r) => r.scalars[m]).filter((x) => x !== undefined);
        return `${mean(xs).toFixed(3)} ± ${xs.length > 1 ? sampleSd(xs).toFixed(3) : '-'}`;
      });
      console.log(`| ${config} (n_params ${rows[0].scalars.n_params}) | ${cells.join(' | ')} |`);
    }
    for (const v of evaluateClaims(e.claims ?? [], trials)) {
      console.log(`- ${v.result.toUpperCase()}: ${v.statement} (effect ${v.effect?.toFixed(4) ?? '-'}, 95% CI ${v.ci ? `[${v.ci[0].toFixed(4)}, ${v.ci[1].toFixed(4)}]` : '-'})`);
    }
  }
}

// The bundle is CommonJS (scripts/run-ts.mjs), which has no top-level await.
main().catch((err) => {
  console.error(err);
  process.exit(1);
});
