/**
 * `npx node scripts/run-ts.mjs bench/pack-timing.ts <experiment> [--params JSON] [--config N] [--sizes 1,2,4,5]
 *   [--scale S] [--check]`
 *
 * CPU time of one pack of an experiment's default sweep at several pack sizes, on one
 * thread with the production engine (tfjs WASM SIMD, as test/tf-node.ts sets it up). It
 * answers "what does a smaller pack cost per trial" for choosing the pack budget
 * (core/sweep/pack-budget.ts). Trials are the first `size` repeats of grid cell `--config`
 * (default 0) of the default sweep with `--params` fixed; CPU time is process.cpuUsage
 * (user + system) around `runPack`, which on a shared machine is steadier than wall time.
 * `--scale S` multiplies the printed times (e.g. run 1/10 of the steps, scale 10).
 * `--check` also verifies that every trial's numbers are identical at every pack size.
 * With two or more distinct sizes it fits the pack-time model of core/sweep/pack-budget.ts,
 * CPU ≈ msPerCostUnit × cost × (K + overheadTrials), by least squares on the sizes.
 */
import { parseArgs } from 'node:util';
import "@tensorflow/tfjs-core/dist/register_all_gradients";
import { nodeLibsvm } from "../node/libsvm-node";
import { useWasmBackend } from "../node/kernels";
import { getExperiment } from '../core/experiments';
import { expandSweep } from '../core/sweep/expand';
import type { TrialResult } from '../core/experiments/types';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    params: { type: 'string', default: '{}' },
    config: { type: 'string', default: '0' },
    sizes: { type: 'string', default: '1,2,4,5' },
    scale: { type: 'string', default: '1' },
    check: { type: 'boolean', default: false },
  },
});
const id = positionals[0];
const experiment = id ? getExperiment(id) : undefined;
if (!experiment) {
  console.error('usage: npx node scripts/run-ts.mjs bench/pack-timing.ts <experiment> [--params JSON] [--config N] [--sizes 1,2,4,5] [--scale S] [--check]');
  process.exit(2);
}
async function main(): Promise<void> {
await useWasmBackend();
const sizes = values.sizes!.split(',').map(Number);
const scale = Number(values.scale);
const sweep = expandSweep({ experiment: id, params: JSON.parse(values.params!), repeats: Math.max(...sizes) }, 'timing');
const configs = [...new Set(sweep.trials.map((t) => t.configKey))];
const configKey = configs[Number(values.config)];
const cell = sweep.trials.filter((t) => t.configKey === configKey);
console.log(`${id} ${configKey} params ${values.params}; CPU ms ×${scale}`);
console.log('| pack size | pack CPU s | CPU s per trial | wall s |');
console.log('|--:|--:|--:|--:|');
const reference = new Map<string, string>();
let identical = true;
const points: { K: number; ms: number }[] = [];
for (const size of sizes) {
  const trials = cell.slice(0, size);
  const cpu0 = process.cpuUsage();
  const wall0 = performance.now();
  const results: TrialResult[] = await experiment!.runPack(trials, { backend: 'wasm', libsvm: nodeLibsvm });
  const cpu = process.cpuUsage(cpu0);
  const wall = performance.now() - wall0;
  const cpuS = ((cpu.user + cpu.system) / 1e6) * scale;
  console.log(`| ${size} | ${cpuS.toFixed(2)} | ${(cpuS / size).toFixed(2)} | ${((wall / 1000) * scale).toFixed(2)} |`);
  points.push({ K: size, ms: cpuS * 1000 });
  if (values.check) {
    for (const r of results) {
      // runtime_s is a measured time, not a trained number.
      const { runtime_s: _runtime, seconds_to_target: _seconds, ...scalars } = r.scalars;
      const key = JSON.stringify({ scalars, series: r.series, traces: r.traces });
      const before = reference.get(r.trialId);
      if (before === undefined) reference.set(r.trialId, key);
      else if (before !== key) identical = false;
    }
  }
}
if (values.check) console.log(`numbers identical across pack sizes: ${identical}`);
if (new Set(points.map((p) => p.K)).size >= 2) {
  // Least squares ms = slope·K + intercept; the model's rate is the slope per cost unit.
  const n = points.length;
  const mk = points.reduce((s, p) => s + p.K, 0) / n;
  const mm = points.reduce((s, p) => s + p.ms, 0) / n;
  const slope = points.reduce((s, p) => s + (p.K - mk) * (p.ms - mm), 0) / points.reduce((s, p) => s + (p.K - mk) ** 2, 0);
  const intercept = mm - slope * mk;
  const cost = cell[0] ? experiment!.cost(cell[0].params as never) : NaN;
  console.log(`fit: cost ${cost.toExponential(3)} per trial; msPerCostUnit ${(slope / cost).toExponential(3)}, overheadTrials ${(intercept / slope).toFixed(2)}`);
}
}
void main();
