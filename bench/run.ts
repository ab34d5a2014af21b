/**
 * `npm run bench`: where does training time go, and how far is the engine from the
 * arithmetic? In one process on this machine it measures
 *
 * 1. ms per trial-step (one Adam step of one network, amortised over the pack) for four
 *    representative shapes (bench/cases.ts), for
 *    (a) trainPack on tfjs WASM SIMD (the production engine) at pack sizes K = 1, 5, 16, 64,
 *        and the same with ENGINE=baseline (core/engine.ts: one network, stock tf.matMul, no
 *        twin), the engine before packs and the per-network kernel, as the "before" column,
 *    and the packed engine without atomsweep's kernels (core/nn/wasm-kernels.ts), its
 *        products per network on XNNPACK as before them ('before: XNNPACK' columns,
 *        --no-before skips them),
 *    (b) trainPack on tfjs cpu at K = 1, 16,
 *    (c) the hand-written Float32Array loop (bench/reference-loop.ts), one network;
 *    (d) the native peer: PyTorch on one thread (bench/torch_peer.py via bench/native-peer.ts),
 *        one network, the same step and batch sampling, run right after each shape's own
 *        measurements; atomsweep ÷ PyTorch per trial-step is the headline table (--no-peer
 *        skips it);
 *    with a per-step kernel profile (kernel count, Σ kernel time, peak tensor bytes) of (a);
 * 2. end-to-end trials per second through the local queue (`npm start`), when a server
 *    answers, and with --catalogue the wall time of every experiment's default sweep;
 * 3. machine and tfjs facts.
 *
 * Writes bench/reports/<timestamp>.json and bench/reports/latest.json and prints tables.
 * Flags: --server URL (default http://127.0.0.1:8787) | --no-server, --catalogue,
 * --shapes A,B,C,D, --ks 1,5,16,64, --cpu-ks 1,16, --target-ms 1000, --repeats 3,
 * --max-config-s 45 (fewer repeats beyond it), --max-peak-mb 1500 (skip bigger packs),
 * --quick (smoke run: short timings, one repeat), --sweep-timeout-s 900, --out DIR.
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import { getThreadsCount, setWasmPaths, version_wasm } from '@tensorflow/tfjs-backend-wasm';
import { version_cpu } from '@tensorflow/tfjs-backend-cpu';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { SHAPES, macsPerStep, type BenchShape } from './cases';
import { dataFor, median, profileTrainPack, round, timeMatMul, timeReference, timeTrainPack, type KernelProfile, type MatMulTiming, type TimedRun } from './engines';
import { listExperiments, runSweep, serverProblem, type SweepRun } from './server';
import { engineNamed } from '../core/engine';
import { timePyTorch, type PeerReport } from './native-peer';
import { installKernelsInNode } from '../node/kernels';
import { uninstallWasmKernels } from '../core/nn/wasm-kernels';

const { values: args } = parseArgs({
  options: {
    server: { type: 'string', default: 'http://127.0.0.1:8787' },
    'no-server': { type: 'boolean', default: false },
    'no-peer': { type: 'boolean', default: false },
    // Skip the "before" engine (per-network XNNPACK products, no atomsweep kernels).
    'no-before': { type: 'boolean', default: false },
    catalogue: { type: 'boolean', default: false },
    shapes: { type: 'string', default: SHAPES.map((s) => s.id).join(',') },
    ks: { type: 'string', default: '1,5,16,64' },
    'cpu-ks': { type: 'string', default: '1,16' },
    'target-ms': { type: 'string', default: '1000' },
    repeats: { type: 'string', default: '3' },
    quick: { type: 'boolean', default: false },
    'sweep-timeout-s': { type: 'string', default: '900' },
    'max-peak-mb': { type: 'string', default: '1500' },
    'max-config-s': { type: 'string', default: '45' },
    out: { type: 'string', default: 'bench/reports' },
  },
  strict: true,
});

const TARGET_MS = args.quick ? 150 : Number(args['target-ms']);
const REPEATS = args.quick ? 1 : Number(args.repeats);
const WARM_MS = args.quick ? 100 : 1000;
const WARM_MAX_MS = args.quick ? 1000 : 8000;
const MAX_PEAK_BYTES = Number(args['max-peak-mb']) * 1e6;
/** Budget for one configuration's timed repeats; beyond it, fewer repeats (recorded). */
const MAX_CONFIG_MS = args.quick ? 5_000 : Number(args['max-config-s']) * 1000;
const ints = (s: string) => s.split(',').filter(Boolean).map(Number);
const log = (s: string) => process.stderr.write(`${s}\n`);

/**
 * 'wasm-xnnpack' is the packed engine without atomsweep's kernels (core/nn/wasm-kernels.ts):
 * its per-network products go through XNNPACK and Adam through tfjs's kernels, as before
 * those kernels; same numbers.
 */
type Engine = 'reference' | 'baseline' | 'wasm' | 'wasm-xnnpack' | 'cpu';

interface Measurement {
  shape: string;
  engine: Engine;
  K: number;
  /** Median over repeats of ms per trial-step = stepping wall / (steps · K). */
  msPerTrialStep?: number;
  /** ms per training step of the whole pack. */
  msPerPackStep?: number;
  /** Headline: msPerTrialStep / the reference loop's ms per step. */
  timesReference?: number;
  /** The same from process CPU time, which a busy machine inflates less than wall time. */
  cpuMsPerTrialStep?: number;
  timesReferenceCpu?: number;
  /** Process CPU time / wall time over the timed windows (≈ 1 on an idle core). */
  cpuShare?: number;
  /** Useful multiply-adds (the K trials' forward + backward matmuls) per wall second. */
  gmacPerSecond?: number;
  /** The same per CPU second. */
  gmacPerSecondCpu?: number;
  /** Networks trainPack actually stacked: K, or 2 for K=1 when it adds a shadow twin. */
  networksComputed?: number;
  stepsPerRepeat?: number;
  /** The warm-up runs (doubling step counts): how per-step time fell as V8 optimised. */
  warmup?: { steps: number; msPerStep: number; cpuMsPerStep: number }[];
  repeats?: number;
  samplesMsPerTrialStep?: number[];
  /** Per-call cost outside the timed steps (set-up, first step, disposal), median, ms. */
  setupMs?: number;
  profile?: KernelProfile & { dispatchMsPerKernel: number };
  skipped?: string;
}

type Timing = Omit<Measurement, 'shape' | 'engine' | 'K'>;

async function useBackend(name: 'wasm' | 'wasm-xnnpack' | 'cpu'): Promise<void> {
  const backend = name === 'cpu' ? 'cpu' : 'wasm';
  if (tf.getBackend() !== backend && !(await tf.setBackend(backend))) throw new Error(`tfjs backend ${backend} failed to initialise`);
  await tf.ready();
  if (name === 'wasm') installKernelsInNode();
  if (name === 'wasm-xnnpack') uninstallWasmKernels(tf.backend());
}

/**
 * Warm up, calibrate the step count to ~TARGET_MS, then take the median of REPEATS runs.
 * Slow cases (one step above the target) time a single step per run.
 */
async function measure(label: string, run: (steps: number) => Promise<TimedRun> | TimedRun, K: number, macs: number): Promise<Timing> {
  // Warm-up: compiles kernels, grows the heap, and lets V8 optimise the hot JS. tfjs runs
  // a lot of JS per kernel and small shapes keep speeding up for ~1,000+ steps, so warm
  // with doubling runs until the CPU time per step stops improving (≥ WARM_MS spent), or
  // the warm-up budget would be exceeded. The last warm run calibrates the step count.
  let n = 1;
  let spent = 0;
  let prevCpu = Infinity;
  let est = 1e-4;
  const warmup: { steps: number; msPerStep: number; cpuMsPerStep: number }[] = [];
  for (;;) {
    const w = await run(n);
    warmup.push({ steps: n, msPerStep: round(w.ms / n, 4), cpuMsPerStep: round(w.cpuMs / n, 4) });
    spent += w.ms + w.otherMs;
    est = Math.max(w.ms / w.steps, 1e-4);
    const cpu = w.cpuMs / w.steps;
    const improving = cpu < 0.93 * prevCpu;
    prevCpu = cpu;
    if (spent >= WARM_MS && !improving) break;
    if (spent + 2 * n * est > WARM_MAX_MS) break;
    n *= 2;
  }
  const steps = est >= TARGET_MS ? 1 : Math.max(2, Math.min(500_000, Math.ceil(TARGET_MS / est)));
  // Each run also pays set-up and an untimed first step; cap one configuration's time.
  const perRun = est * (steps + 1);
  const repeats = Math.max(1, Math.min(REPEATS, Math.floor(MAX_CONFIG_MS / perRun)));
  const runs: TimedRun[] = [];
  for (let r = 0; r < repeats; r++) runs.push(await run(steps));
  const perTrial = runs.map((x) => x.ms / (x.steps * K));
  const msPerTrialStep = median(perTrial);
  const cpuPerTrial = median(runs.map((x) => x.cpuMs / (x.steps * K)));
  const m = {
    msPerTrialStep: round(msPerTrialStep, 4),
    msPerPackStep: round(msPerTrialStep * K, 4),
    cpuMsPerTrialStep: round(cpuPerTrial, 4),
    cpuShare: round(runs.reduce((s, x) => s + x.cpuMs, 0) / runs.reduce((s, x) => s + x.ms, 0), 3),
    gmacPerSecond: round(macs / (msPerTrialStep * 1e6), 3),
    gmacPerSecondCpu: round(macs / (cpuPerTrial * 1e6), 3),
    networksComputed: runs[0].networks,
    stepsPerRepeat: steps,
    repeats,
    samplesMsPerTrialStep: perTrial.map((x) => round(x, 4)),
    setupMs: round(median(runs.map((x) => x.otherMs)), 3),
    warmup,
  };
  log(`  ${label.padEnd(12)} ${fmtMs(m.msPerTrialStep).padStart(8)} ms/trial-step (cpu ${fmtMs(m.cpuMsPerTrialStep)}), ${steps} steps × ${repeats}`);
  return m;
}

async function benchShape(shape: BenchShape): Promise<Measurement[]> {
  const macs = macsPerStep(shape);
  const out: Measurement[] = [];
  log(`shape ${shape.id}: ${shape.note}`);
  const maxK = Math.max(...ints(args.ks), ...ints(args['cpu-ks']));
  const data = dataFor(shape, maxK);

  const ref = await measure('reference', (steps) => timeReference(shape, data[0], steps), 1, macs);
  out.push({ shape: shape.id, engine: 'reference', K: 1, ...ref, timesReference: 1, timesReferenceCpu: 1 });
  const refMs = ref.msPerTrialStep!;
  const refCpuMs = ref.cpuMsPerTrialStep!;

  // The "before": the baseline engine, one trial at a time on plain tfjs wasm.
  // The baseline engine runs tfjs's own kernels: none of atomsweep's installed meanwhile.
  await useBackend('wasm-xnnpack');
  try {
    const base = await measure('baseline K=1', (steps) => timeTrainPack(shape, data.slice(0, 1), steps, engineNamed('baseline')), 1, macs);
    out.push({ shape: shape.id, engine: 'baseline', K: 1, ...base, timesReference: round(base.msPerTrialStep! / refMs, 3), timesReferenceCpu: round(base.cpuMsPerTrialStep! / refCpuMs, 3) });
  } finally {
    await useBackend('wasm');
  }

  for (const [engine, ks] of [
    ['wasm', ints(args.ks)],
    ['wasm-xnnpack', args['no-before'] ? [] : ints(args.ks)],
    ['cpu', ints(args['cpu-ks'])],
  ] as const) {
    await useBackend(engine);
    let bytesPerNet = 0;
    for (const K of ks) {
      const label = `${engine} K=${K}`;
      // "Where memory allows": extrapolate peak tensor bytes linearly from the last pack size.
      if (bytesPerNet && bytesPerNet * K > MAX_PEAK_BYTES) {
        const skipped = `predicted peak ${(bytesPerNet * K / 1e6).toFixed(0)} MB > --max-peak-mb ${MAX_PEAK_BYTES / 1e6}`;
        log(`  ${label.padEnd(18)} skipped: ${skipped}`);
        out.push({ shape: shape.id, engine, K, skipped });
        continue;
      }
      try {
        const nets = data.slice(0, K);
        const m = await measure(label, (steps) => timeTrainPack(shape, nets, steps), K, macs);
        // Kernel profile for every wasm pack size; for cpu only at K=1 (same kernels, slower).
        if (engine !== 'cpu' || K === 1) {
          const p = await profileTrainPack(shape, nets, m.msPerPackStep! > 300 ? 1 : Math.min(20, Math.max(2, Math.ceil(100 / m.msPerPackStep!))));
          bytesPerNet = p.peakBytes / K;
          m.profile = {
            ...p,
            kernelMsPerStep: round(p.kernelMsPerStep, 4),
            profiledWallMsPerStep: round(p.profiledWallMsPerStep, 4),
            // What a step costs beyond its kernels, per kernel dispatched (engine bookkeeping,
            // tape, tensor tracking, batch sampling, profiler), both from the same profiled run.
            dispatchMsPerKernel: round((p.profiledWallMsPerStep - p.kernelMsPerStep) / p.kernelsPerStep, 4),
          };
        }
        out.push({ shape: shape.id, engine, K, ...m, timesReference: round(m.msPerTrialStep! / refMs, 3), timesReferenceCpu: round(m.cpuMsPerTrialStep! / refCpuMs, 3) });
      } catch (err) {
        const skipped = `error: ${String((err as Error)?.message ?? err).slice(0, 300)}`;
        log(`  ${label.padEnd(18)} ${skipped}`);
        out.push({ shape: shape.id, engine, K, skipped });
      }
    }
  }
  return out;
}

/**
 * Where the big shapes' time goes: the BatchMatMul kernel alone, in the three forms a step
 * uses, for each shape's widest hidden layer (rows = its batch), at K = 1, 2 and 16.
 */
async function matMulSection(shapes: BenchShape[]): Promise<(MatMulTiming & { shapeId: string; form: string })[]> {
  await useBackend('wasm');
  const out: (MatMulTiming & { shapeId: string; form: string })[] = [];
  for (const shape of shapes) {
    const h = Math.max(...shape.sizes.slice(1, -1));
    if (h < 50) continue; // tiny layers: dispatch-bound, nothing to learn here
    const rows = Math.min(shape.n, shape.batchSize);
    for (const [form, ta, tb] of [
      ['a·W (forward)', false, false],
      ['dz·Wᵀ (backward, dA)', false, true],
      ['aᵀ·dz (backward, dW)', true, false],
    ] as const) {
      for (const K of [1, 2, 16]) {
        // aᵀ·dz contracts over the batch rows: out [h×h] from a [rows×h] and dz [rows×h].
        const t = ta ? timeMatMul(K, h, rows, h, ta, tb) : timeMatMul(K, rows, h, h, ta, tb);
        out.push({ shapeId: shape.id, form, ...t });
      }
    }
  }
  log(`  ${out.length} kernel timings`);
  return out;
}

async function endToEnd(): Promise<Record<string, unknown>> {
  if (args['no-server']) return { skipped: 'skipped: --no-server' };
  const base = args.server!.replace(/\/+$/, '');
  const problem = await serverProblem(base);
  if (problem) {
    log(`end-to-end: skipped: no server at ${base} (${problem})`);
    return { server: base, skipped: 'skipped: no server', detail: problem };
  }
  const timeoutMs = Number(args['sweep-timeout-s']) * 1000;
  log(`end-to-end: server ${base}`);
  const request = { experiment: 'exp1', repeats: 5, params: { steps: 500 } };
  const sweep = await runSweep(base, request, { timeoutMs, log });
  log(`  exp1 (5 repeats, 500 steps): ${sweep.status}, ${sweep.trials} trials in ${sweep.packs} packs, ${sweep.trialsPerSecond ?? '—'} trials/s`);
  const result: Record<string, unknown> = { server: base, sweep };
  if (args.catalogue) {
    const experiments = await listExperiments(base);
    const runs: SweepRun[] = [];
    const t0 = performance.now();
    for (const e of experiments) {
      log(`  catalogue: ${e.id} …`);
      const r = await runSweep(base, { experiment: e.id }, { timeoutMs, log, pollMs: 1000 });
      log(`  catalogue: ${e.id}: ${r.status}, ${r.trials} trials, ${((r.serverWallMs ?? r.clientWallMs ?? 0) / 1000).toFixed(1)} s`);
      runs.push(r);
    }
    result.catalogue = { experiments: runs, totalWallMs: Math.round(performance.now() - t0) };
  }
  return result;
}

function fmtMs(x: number | undefined): string {
  if (x === undefined) return '—';
  return x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x >= 1 ? x.toFixed(2) : x >= 0.01 ? x.toFixed(3) : x.toExponential(1);
}
const fmtX = (x: number | undefined) => (x === undefined ? '—' : x >= 10 ? `${x.toFixed(0)}×` : `${x.toFixed(2)}×`);

/**
 * The headline: atomsweep's packed engine ÷ PyTorch on one thread, per trial-step, in CPU
 * ms (both processes single-threaded, so CPU time is what a busy machine distorts least),
 * for every pack size K; below 1 atomsweep is faster.
 */
function peerLines(results: Measurement[], peer: PeerReport): string[] {
  if ('skipped' in peer) return ['', `atomsweep ÷ PyTorch: ${peer.skipped}`];
  const ks = ints(args.ks);
  const blasNote = peer.blas === 'openblas' ? 'OpenBLAS' : `BLAS '${peer.blas}': not OpenBLAS, so PyTorch runs slower than it can (apt-get install -y libopenblas0-pthread)`;
  const lines = ['', `atomsweep ÷ PyTorch ${peer.torch} (one thread, ${peer.python}, ${blasNote}) per trial-step, CPU ms; below 1× atomsweep is faster`, ''];
  // The "before" columns (per-network XNNPACK products) sit beside each K when measured.
  const engines: Engine[] = args['no-before'] ? ['wasm'] : ['wasm', 'wasm-xnnpack'];
  const columns = ks.flatMap((K) => engines.map((engine) => ({ engine, K })));
  const title = (c: { engine: Engine; K: number }) => (c.engine === 'wasm' ? `wasm K=${c.K}` : `before: XNNPACK K=${c.K}`);
  lines.push(`| shape | PyTorch ms | ${columns.map(title).join(' | ')} |`);
  lines.push(`|:--|--:|${columns.map(() => '--:').join('|')}|`);
  for (const p of peer.results) {
    const shape = SHAPES.find((s) => s.id === p.shape)!;
    const cells = columns.map(({ engine, K }) => {
      const m = results.find((r) => r.shape === p.shape && r.engine === engine && r.K === K && !r.skipped);
      return m ? `${fmtMs(m.cpuMsPerTrialStep)} (${fmtX(m.cpuMsPerTrialStep! / p.cpuMsPerStep)})` : '—';
    });
    lines.push(`| ${p.shape} ${shape.sizes.join('-')} B=${Math.min(shape.n, shape.batchSize)} | ${fmtMs(p.cpuMsPerStep)} | ${cells.join(' | ')} |`);
  }
  return lines;
}

function printTables(results: Measurement[], matmul: (MatMulTiming & { shapeId: string; form: string })[], e2e: Record<string, unknown>, peer: PeerReport): void {
  const shapes = [...new Set(results.map((r) => r.shape))];
  const cols = [
    ['baseline', 1],
    ['wasm', ...ints(args.ks)],
    ['wasm-xnnpack', ...(args['no-before'] ? [] : ints(args.ks))],
    ['cpu', ...ints(args['cpu-ks'])],
  ].flatMap(([engine, ...ks]) => ks.map((K) => ({ engine: engine as Engine, K: K as number })));
  const lines: string[] = [];
  // The headline first: against the native peer.
  lines.push(...peerLines(results, peer));
  lines.push('');
  const head = ['shape', 'reference', ...cols.map((c) => `${c.engine} K=${c.K}`)];
  const matrix = (title: string, ms: (m: Measurement) => number | undefined, x: (m: Measurement) => number | undefined) => {
    const rows = shapes.map((id) => {
      const shape = SHAPES.find((s) => s.id === id)!;
      const ref = results.find((r) => r.shape === id && r.engine === 'reference');
      return [
        `${id} ${shape.sizes.join('-')} B=${Math.min(shape.n, shape.batchSize)}`,
        ref ? `${fmtMs(ms(ref))} ms` : '',
        ...cols.map((c) => {
          const m = results.find((r) => r.shape === id && r.engine === c.engine && r.K === c.K);
          if (!m) return '';
          if (m.skipped) return 'skipped';
          return `${fmtMs(ms(m))} (${fmtX(x(m))})`;
        }),
      ];
    });
    const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
    const fmtRow = (r: string[]) => `| ${r.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join(' | ')} |`;
    lines.push('');
    lines.push(title);
    lines.push('');
    lines.push(fmtRow(head));
    lines.push(`|${widths.map((w, i) => (i === 0 ? `:${'-'.repeat(w + 1)}` : `${'-'.repeat(w + 1)}:`)).join('|')}|`);
    rows.forEach((r) => lines.push(fmtRow(r)));
  };
  matrix(
    'Wall ms per trial-step (one Adam step of one network, amortised over the pack K), and × the reference loop',
    (m) => m.msPerTrialStep,
    (m) => m.timesReference,
  );
  if (results.some((m) => m.K === 1 && (m.networksComputed ?? 1) > 1)) {
    lines.push('');
    lines.push('K=1: trainPack trains a lone trial beside a shadow twin (2 networks computed, 1 kept), so K=1 pays for two networks.');
  }
  matrix(
    'The same in process CPU ms (what a busy machine distorts least), and × the reference loop',
    (m) => m.cpuMsPerTrialStep,
    (m) => m.timesReferenceCpu,
  );
  lines.push('');
  lines.push('Speed-up of the packed engine over the baseline engine (before packs and the per-network kernel), per trial-step, CPU ms: baseline K=1 / wasm K');
  lines.push('');
  lines.push(`| shape | ${ints(args.ks).map((K) => `K=${K}`).join(' | ')} |`);
  lines.push(`|:--|${ints(args.ks).map(() => '--:').join('|')}|`);
  for (const id of shapes) {
    const base = results.find((r) => r.shape === id && r.engine === 'baseline' && !r.skipped);
    const cells = ints(args.ks).map((K) => {
      const m = results.find((r) => r.shape === id && r.engine === 'wasm' && r.K === K && !r.skipped);
      return base && m ? fmtX(base.cpuMsPerTrialStep! / m.cpuMsPerTrialStep!) : '—';
    });
    lines.push(`| ${id} | ${cells.join(' | ')} |`);
  }
  lines.push('');
  lines.push('Per configuration: wall and CPU ms per pack-step, CPU share of wall, throughput, and (profiled) kernels per step, Σ kernel time,');
  lines.push('engine overhead per kernel = (profiled wall − Σkernel)/kernels, peak tensor memory above baseline, set-up ms per call');
  lines.push('');
  const h2 = ['shape', 'engine', 'K', 'ms/pack-step', 'cpu ms', 'cpu/wall', '×ref cpu', 'GMAC/s cpu', 'kernels/step', 'Σkernel ms', 'ovh ms/kernel', 'peak MB', 'setup ms', 'steps×reps'];
  const r2 = results.map((m) =>
    m.skipped
      ? [m.shape, m.engine, String(m.K), m.skipped, ...h2.slice(4).map(() => '')]
      : [
          m.shape,
          m.engine,
          m.networksComputed && m.networksComputed !== m.K ? `${m.K} (${m.networksComputed} nets)` : String(m.K),
          fmtMs(m.msPerPackStep),
          fmtMs(m.cpuMsPerTrialStep! * m.K),
          m.cpuShare!.toFixed(2),
          fmtX(m.timesReferenceCpu),
          m.gmacPerSecondCpu!.toFixed(3),
          m.profile ? String(m.profile.kernelsPerStep) : '',
          m.profile ? fmtMs(m.profile.kernelMsPerStep) : '',
          m.profile ? m.profile.dispatchMsPerKernel.toFixed(3) : '',
          m.profile ? (m.profile.peakBytes / 1e6).toFixed(1) : '',
          fmtMs(m.setupMs),
          `${m.stepsPerRepeat}×${m.repeats}`,
        ],
  );
  const w2 = h2.map((h, i) => Math.max(h.length, ...r2.map((r) => (r[3].startsWith('predicted') || r[3].startsWith('error') ? (i === 3 ? 0 : r[i].length) : r[i].length))));
  const f2 = (r: string[]) => `| ${r.map((c, i) => (i < 2 ? c.padEnd(w2[i]) : c.padStart(w2[i]))).join(' | ')} |`;
  lines.push(f2(h2));
  lines.push(`|${w2.map((w, i) => (i < 2 ? `:${'-'.repeat(w + 1)}` : `${'-'.repeat(w + 1)}:`)).join('|')}|`);
  r2.forEach((r) => lines.push(f2(r)));
  const leaks = results.filter((m) => m.profile?.leakPerCall.tensors);
  if (leaks.length) {
    const l = leaks.reduce((a, b) => (b.profile!.leakPerCall.bytes > a.profile!.leakPerCall.bytes ? b : a));
    lines.push('');
    lines.push(
      `Note: trainPack + pack.dispose() leaves tensors alive on every call (largest: ${l.shape} ${l.engine} K=${l.K}: ${l.profile!.leakPerCall.tensors} tensors, ` +
        `${(l.profile!.leakPerCall.bytes / 1e6).toFixed(2)} MB); the bench frees them with an engine scope per call.`,
    );
  }

  if (matmul.length) {
    lines.push('');
    lines.push('tfjs-wasm BatchMatMul kernel alone, GMAC/s of CPU time, for each shape\'s widest hidden layer (rows = batch); K = stacked networks');
    lines.push('');
    const hm = ['shape', 'layer', 'form', 'K=1', 'K=2', 'K=16'];
    const rm = [...new Set(matmul.map((r) => `${r.shapeId}|${r.form}`))].map((key) => {
      const [id, form] = key.split('|');
      const of = (K: number) => matmul.find((r) => r.shapeId === id && r.form === form && r.shape[0] === K)!;
      const s1 = of(1).shape;
      return [id, `${s1[1]}×${s1[2]}×${s1[3]}`, form, ...[1, 2, 16].map((K) => of(K).gmacPerSecondCpu.toFixed(2))];
    });
    const wm = hm.map((h, i) => Math.max(h.length, ...rm.map((r) => r[i].length)));
    const fm = (r: string[]) => `| ${r.map((c, i) => (i < 3 ? c.padEnd(wm[i]) : c.padStart(wm[i]))).join(' | ')} |`;
    lines.push(fm(hm));
    lines.push(`|${wm.map((w, i) => (i < 3 ? `:${'-'.repeat(w + 1)}` : `${'-'.repeat(w + 1)}:`)).join('|')}|`);
    rm.forEach((r) => lines.push(fm(r)));
  }
  const shares = results.filter((m) => m.cpuShare !== undefined).map((m) => m.cpuShare!);
  if (shares.length && median(shares) < 0.85) {
    lines.push('');
    lines.push(
      `Warning: the machine was busy: this process got a median ${(median(shares) * 100).toFixed(0)}% of a core during the timed windows ` +
        `(load average ${os.loadavg().map((x) => x.toFixed(1)).join(', ')} on ${os.cpus().length} CPUs), so wall times are inflated; compare the CPU-time table.`,
    );
  }
  lines.push('');
  const sweep = e2e.sweep as SweepRun | undefined;
  if (sweep) {
    lines.push(
      `End-to-end (${e2e.server}): exp1, 5 repeats, 500 steps: ${sweep.status}; ${sweep.trials} trials in ${sweep.packs} packs; ` +
        `server wall ${sweep.serverWallMs ?? '—'} ms, client wall ${sweep.clientWallMs ?? '—'} ms; ${sweep.trialsPerSecond ?? '—'} trials/s`,
    );
  } else lines.push(`End-to-end: ${e2e.skipped}${e2e.detail ? ` (${e2e.detail})` : ''}`);
  const cat = e2e.catalogue as { experiments: SweepRun[]; totalWallMs: number } | undefined;
  if (cat) {
    lines.push(`Catalogue (default sweeps), total ${(cat.totalWallMs / 1000).toFixed(0)} s:`);
    for (const r of cat.experiments) lines.push(`  ${r.experiment.padEnd(8)} ${r.status.padEnd(10)} ${String(r.trials ?? '—').padStart(5)} trials  ${((r.serverWallMs ?? r.clientWallMs ?? 0) / 1000).toFixed(1)} s`);
  }
  console.log(lines.join('\n'));
}

/** One report from the per-shape PyTorch runs (the first one skipped, if any, stands for all). */
function mergePeers(peers: PeerReport[]): PeerReport {
  const skipped = peers.find((p) => 'skipped' in p);
  if (skipped || peers.length === 0) return skipped ?? { skipped: 'no shapes' };
  const ran = peers as Exclude<PeerReport, { skipped: string }>[];
  return { ...ran[0], results: ran.flatMap((p) => p.results) };
}

async function main(): Promise<void> {
  const started = new Date();
  // The emscripten glue looks for its .wasm next to the running script; in the bench
  // bundle that is not the package directory, so point it there explicitly.
  const wasmDir = path.resolve(process.env.TFJS_WASM_DIR ?? 'node_modules/@tensorflow/tfjs-backend-wasm/dist');
  if (!existsSync(path.join(wasmDir, 'tfjs-backend-wasm-simd.wasm'))) throw new Error(`no tfjs wasm binaries in ${wasmDir}; run from the repository root`);
  setWasmPaths(`${wasmDir}/`);
  await useBackend('wasm');
  const machine = {
    cpus: os.cpus().length,
    cpuModel: os.cpus()[0]?.model,
    totalMemGB: round(os.totalmem() / 2 ** 30, 3),
    platform: `${os.platform()} ${os.release()} ${os.arch()}`,
    node: process.version,
    loadAverageAtStart: os.loadavg().map((x) => round(x, 3)),
    v8: process.versions.v8,
    tfjs: { core: tf.version_core, wasm: version_wasm, cpu: version_cpu },
    flags: {
      WASM_HAS_SIMD_SUPPORT: await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT'),
      WASM_HAS_MULTITHREAD_SUPPORT: await tf.env().getAsync('WASM_HAS_MULTITHREAD_SUPPORT'),
      wasmThreads: getThreadsCount(),
      PROD: tf.env().getBool('PROD'),
      DEBUG: tf.env().getBool('DEBUG'),
    },
  };
  log(`bench: ${machine.cpus}× ${machine.cpuModel}, node ${machine.node}, tfjs ${tf.version_core}, wasm SIMD ${machine.flags.WASM_HAS_SIMD_SUPPORT}, threads ${machine.flags.wasmThreads}`);
  log(`target ${TARGET_MS} ms per measurement, median of ${REPEATS}`);

  const shapes = args.shapes!.split(',').filter((id) => id.trim()).map((id) => {
    const s = SHAPES.find((x) => x.id === id.trim());
    if (!s) throw new Error(`unknown shape '${id}' (have ${SHAPES.map((x) => x.id).join(', ')})`);
    return s;
  });
  const results: Measurement[] = [];
  // PyTorch right after each shape's own measurements, so the ratio's two sides see the
  // machine at the same moment (its speed drifts by a fifth or more within an hour).
  const peers: PeerReport[] = [];
  for (const shape of shapes) {
    results.push(...(await benchShape(shape)));
    if (!args['no-peer']) peers.push(timePyTorch([shape], TARGET_MS, REPEATS, log));
  }
  const peer: PeerReport = args['no-peer'] ? { skipped: 'skipped: --no-peer' } : mergePeers(peers);
  log('tfjs-wasm BatchMatMul alone (CPU time), widest hidden layer of each shape:');
  const matmul = await matMulSection(shapes);
  const microMs = Date.now() - started.getTime();
  const e2e = await endToEnd();

  const report = {
    kind: 'atomsweep-bench',
    version: 1,
    startedAt: started.toISOString(),
    durationMs: Date.now() - started.getTime(),
    microDurationMs: microMs,
    settings: { targetMs: TARGET_MS, warmMs: WARM_MS, warmMaxMs: WARM_MAX_MS, repeats: REPEATS, maxConfigMs: MAX_CONFIG_MS, quick: args.quick, maxPeakMB: MAX_PEAK_BYTES / 1e6, ks: ints(args.ks), cpuKs: ints(args['cpu-ks']) },
    machine: { ...machine, loadAverageAtEnd: os.loadavg().map((x) => round(x, 3)) },
    shapes: shapes.map((s) => ({ ...s, macsPerStep: macsPerStep(s) })),
    results,
    matmul,
    nativePeer: peer,
    endToEnd: e2e,
  };
  printTables(results, matmul, e2e, peer);
  mkdirSync(args.out!, { recursive: true });
  const stamp = started.toISOString().replace(/[:]/g, '-').replace(/\.\d+Z$/, 'Z');
  const file = path.join(args.out!, `${stamp}.json`);
  const json = `${JSON.stringify(report, null, 2)}\n`;
  writeFileSync(file, json);
  writeFileSync(path.join(args.out!, 'latest.json'), json);
  console.log(`\nreport: ${file} (and ${path.join(args.out!, 'latest.json')}); total ${(report.durationMs / 1000).toFixed(0)} s`);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
