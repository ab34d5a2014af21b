/**
 * `npm run bench`: how fast is atomsweep's training step, against PyTorch and against its
 * own matrix products? In one process on this machine, per shape (bench/cases.ts: A–D, and
 * Exp 4's step at class ratios 10 and 100, E10 and E100):
 *
 * 1. The headline, interleaved: for each pack size of `--k` (default 16), `--rounds` rounds
 *    (default 3) of, in turn,
 *      A  atomsweep: trainPack on tfjs WASM SIMD with atomsweep's kernels, K networks;
 *      G  GEMM-only: the matrix products that one such step performs, alone, through the
 *         same pack GEMM with the same shapes, pack size, order and path (bench/gemm-only.ts);
 *      B  PyTorch on one thread, one network (bench/torch_peer.py, a long-lived child
 *         process started by bench/native-peer.ts, warm across rounds);
 *    each run ~`--target-ms` long after a warm-up and calibration. Per shape it reports the
 *    median ms per trial-step of A, G and B, and the median and range (min–max) over the
 *    rounds of the per-round ratios A ÷ B (atomsweep ÷ PyTorch; below 1× atomsweep is
 *    faster) and A ÷ G (step ÷ GEMM-only: what the step costs beyond its products; the
 *    target is ≤ 1.10), and the GEMM's GMAC/s. Ratios are taken within a round, so both
 *    sides see the machine at the same moment (its speed drifts by a fifth or more within
 *    an hour on a shared machine); the range says how much that still moves them.
 * 2. The detail (`--no-detail` skips it), each configuration a median of `--repeats` runs,
 *    not interleaved: ms per trial-step of
 *    (a) trainPack on tfjs WASM SIMD at pack sizes `--ks`, with the GEMM-only time of the
 *        same step beside it and a per-step kernel profile (kernel count, Σ kernel time,
 *        peak tensor bytes);
 *    (b) the baseline engine (core/engine.ts ENGINE=baseline: one network, stock tf.matMul,
 *        no twin), the engine before packs and the per-network kernel;
 *    (c) the packed engine without atomsweep's kernels ('before: XNNPACK', `--no-before`
 *        skips it), its products per network on XNNPACK as before them;
 *    (d) trainPack on tfjs cpu at `--cpu-ks`;
 *    (e) the hand-written Float32Array loop (bench/reference-loop.ts), one network.
 * 3. End-to-end trials per second through the local queue (`npm start`), when a server
 *    answers, and with --catalogue the wall time of every experiment's default sweep.
 * 4. Machine and tfjs facts, and which Python, torch and BLAS the peer ran on. Debian's
 *    torch on the reference BLAS is several times slower than on OpenBLAS, so the headline
 *    says when the peer is not on OpenBLAS (apt-get install -y libopenblas0-pthread).
 *
 * Writes bench/reports/<timestamp>.json, bench/reports/latest.json (the same; `results`
 * keeps the per-engine rows scripts/account.ts reads) and bench/reports/bench-<timestamp>.md
 * (the printed tables), and prints the tables.
 *
 * Flags:
 *   --shapes A,B,C,D,E10,E100  shapes to run (default all)
 *   --k 16                     pack size(s) of the interleaved headline (comma list)
 *   --rounds 3                 interleaved rounds per shape and K (A G B, A G B, …)
 *   --python PATH              interpreter for the PyTorch peer (default: the first of
 *                              /usr/bin/python3, python3 that imports torch)
 *   --no-peer                  no PyTorch: the headline interleaves A and G only
 *   --no-detail                skip section 2 (headline and end-to-end only)
 *   --ks 1,5,16,64             detail: wasm pack sizes (and GEMM-only beside each)
 *   --cpu-ks 1,16              detail: tfjs cpu pack sizes
 *   --no-before                detail: skip the 'before: XNNPACK' engine
 *   --repeats 3                detail: runs per configuration (median)
 *   --max-config-s 45          detail: fewer repeats beyond this many seconds per configuration
 *   --max-peak-mb 1500         detail: skip packs predicted to need more tensor memory
 *   --target-ms 1000           length of each timed run (headline and detail)
 *   --quick                    smoke run: 150 ms runs, short warm-ups, one detail repeat
 *   --server URL | --no-server end-to-end against this server (default http://127.0.0.1:8787)
 *   --catalogue                end-to-end: also every experiment's default sweep
 *   --sweep-timeout-s 900      end-to-end: per sweep
 *   --out DIR                  where the reports go (default bench/reports)
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import { getThreadsCount, version_wasm } from '@tensorflow/tfjs-backend-wasm';
import { version_cpu } from '@tensorflow/tfjs-backend-cpu';
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { BENCH_SHAPES, macsPerStep, type BenchShape, type NetworkData } from './cases';
import { dataFor, median, profileTrainPack, round, timeReference, timeTrainPack, type KernelProfile, type TimedRun } from './engines';
import { gemmMacs, stepGemmCalls, StepGemms, WHOLE_STEP, type GemmCall } from './gemm-only';
import { listExperiments, runSweep, serverProblem, type SweepRun } from './server';
import { engineNamed } from '../core/engine';
import { OPENBLAS_HINT, TorchPeer, type PeerInfo } from './native-peer';
import { useWasmBackend } from '../node/kernels';
import { uninstallWasmKernels } from '../core/nn/wasm-kernels';

/** The 'plan = step' column: the step's GEMM calls are the plan's, it went through the whole-step kernel, or they differ. */
const planColumn = (check: string | undefined) => (check === 'matches' ? 'yes' : check === WHOLE_STEP ? 'whole step' : 'NO');

const { values: args } = parseArgs({
  options: {
    server: { type: 'string', default: 'http://127.0.0.1:8787' },
    'no-server': { type: 'boolean', default: false },
    'no-peer': { type: 'boolean', default: false },
    'no-detail': { type: 'boolean', default: false },
    // Skip the "before" engine (per-network XNNPACK products, no atomsweep kernels).
    'no-before': { type: 'boolean', default: false },
    catalogue: { type: 'boolean', default: false },
    shapes: { type: 'string', default: BENCH_SHAPES.map((s) => s.id).join(',') },
    k: { type: 'string', default: '16' },
    rounds: { type: 'string', default: '3' },
    python: { type: 'string' },
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
const ROUNDS = Math.max(1, Math.floor(Number(args.rounds)));
const WARM_MS = args.quick ? 100 : 1000;
const WARM_MAX_MS = args.quick ? 1000 : 8000;
const MAX_PEAK_BYTES = Number(args['max-peak-mb']) * 1e6;
/** Budget for one configuration's timed repeats; beyond it, fewer repeats (recorded). */
const MAX_CONFIG_MS = args.quick ? 5_000 : Number(args['max-config-s']) * 1000;
const ints = (s: string) => s.split(',').filter(Boolean).map(Number);
const HEADLINE_KS = ints(args.k!);
const log = (s: string) => process.stderr.write(`${s}\n`);

/**
 * 'wasm-xnnpack' is the packed engine without atomsweep's kernels (core/nn/wasm-kernels.ts):
 * its per-network products go through XNNPACK and Adam through tfjs's kernels, as before
 * those kernels; same numbers.
 */
type Engine = 'reference' | 'baseline' | 'wasm' | 'wasm-xnnpack' | 'cpu';

/** A configuration of the detail section (not interleaved). */
interface Measurement {
  shape: string;
  engine: Engine;
  K: number;
  /** Median over repeats of ms per trial-step = stepping wall / (steps · K). */
  msPerTrialStep?: number;
  /** ms per training step of the whole pack. */
  msPerPackStep?: number;
  /** msPerTrialStep / the reference loop's ms per step (one run each, not interleaved). */
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
  /** engine 'wasm': the step's products alone (bench/gemm-only.ts), median of repeats, timed after the step. */
  gemm?: { msPerTrialStep: number; cpuMsPerTrialStep: number; gmacPerSecond: number; stepOverGemm: number; repsPerRepeat: number; check: string };
  /** 'interleaved': copied from the headline (the detail did not measure this configuration). */
  source?: 'detail' | 'interleaved';
  skipped?: string;
}

type Timing = Omit<Measurement, 'shape' | 'engine' | 'K'>;

interface Spread {
  median: number;
  min: number;
  max: number;
}

/** One round of the headline: ms per trial-step of each side. */
interface Round {
  atomsweepMs: number;
  atomsweepCpuMs: number;
  gemmMs: number;
  gemmCpuMs: number;
  pytorchMs?: number;
  pytorchCpuMs?: number;
  /** atomsweepMs / pytorchMs */
  ratio?: number;
  cpuRatio?: number;
  /** atomsweepMs / gemmMs, and the same in process CPU time */
  stepOverGemm: number;
  stepOverGemmCpu: number;
  gemmGmacPerSecond: number;
}

/** The headline for one shape and pack size: rounds of A (atomsweep), G (GEMM-only), B (PyTorch). */
interface Interleaved {
  shape: string;
  K: number;
  networksComputed?: number;
  rounds: Round[];
  /** Medians over rounds, ms per trial-step (PyTorch: one network, ms per step). */
  atomsweepMsPerTrialStep?: number;
  atomsweepCpuMsPerTrialStep?: number;
  gemmMsPerTrialStep?: number;
  pytorchMsPerStep?: number;
  pytorchCpuMsPerStep?: number;
  /** atomsweep ÷ PyTorch per round (wall; and process CPU time): median, min, max. */
  ratio?: Spread;
  cpuRatio?: Spread;
  /** step ÷ GEMM-only per round (wall; and process CPU time): median, min, max. */
  stepOverGemm?: Spread;
  stepOverGemmCpu?: Spread;
  /** Multiply-adds the GEMM calls compute per pack-step, and their rate (median over rounds). */
  gemmMacsPerPackStep?: number;
  gemmGmacPerSecond?: number;
  /** Useful multiply-adds of the whole step per wall second (median round). */
  stepGmacPerSecond?: number;
  gemmCalls?: Omit<GemmCall, 'a' | 'b' | 'out'>[];
  /** The plan against the GEMM calls trainPack made in one step: 'matches' or what differs. */
  gemmCheck?: string;
  atomsweepStepsPerRun?: number;
  gemmRepsPerRun?: number;
  pytorchStepsPerRun?: number;
  atomsweepWarmup?: { steps: number; msPerStep: number; cpuMsPerStep: number }[];
  pytorchWarmup?: { steps: number; msPerStep: number; cpuMsPerStep: number }[];
  /** Why PyTorch is missing from this shape's rounds. */
  peerSkipped?: string;
  skipped?: string;
}

async function useBackend(name: 'wasm' | 'wasm-xnnpack' | 'cpu'): Promise<void> {
  if (name === 'cpu') {
    if (tf.getBackend() !== 'cpu' && !(await tf.setBackend('cpu'))) throw new Error('tfjs backend cpu failed to initialise');
    await tf.ready();
    return;
  }
  await useWasmBackend({ kernels: name === 'wasm' });
  if (name === 'wasm-xnnpack') uninstallWasmKernels(tf.backend());
}

/**
 * Warm-up: compiles kernels, grows the heap, and lets V8 optimise the hot JS. tfjs runs a
 * lot of JS per kernel and small shapes keep speeding up for ~1,000+ steps, so warm with
 * doubling runs until the CPU time per step stops improving (≥ WARM_MS spent), or the
 * warm-up budget would be exceeded. The last warm run calibrates the step count to
 * ~TARGET_MS (one step per run when a step is longer).
 */
async function warmAndCalibrate(run: (steps: number) => Promise<TimedRun> | TimedRun): Promise<{ steps: number; est: number; warmup: { steps: number; msPerStep: number; cpuMsPerStep: number }[] }> {
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
  return { steps, est, warmup };
}

/** Detail: warm up, calibrate, then the median of REPEATS runs. */
async function measure(label: string, run: (steps: number) => Promise<TimedRun> | TimedRun, K: number, macs: number): Promise<Timing> {
  const { steps, est, warmup } = await warmAndCalibrate(run);
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

const spread = (xs: number[]): Spread => ({ median: round(median(xs), 4), min: round(Math.min(...xs), 4), max: round(Math.max(...xs), 4) });

/** The headline for one shape and pack size: warm each side, then ROUNDS rounds of A, G, B. */
async function interleaved(shape: BenchShape, K: number, peer: TorchPeer | undefined, peerWhyNot: string | undefined): Promise<Interleaved> {
  const out: Interleaved = { shape: shape.id, K, rounds: [] };
  await useBackend('wasm');
  const nets = dataFor(shape, K);
  const runA = (steps: number) => timeTrainPack(shape, nets, steps);
  const { calls, check } = await stepGemmCalls(shape, nets);
  const gemmMacsPerPackStep = gemmMacs(calls);
  out.gemmCalls = calls.map(({ a: _a, b: _b, out: _o, ...c }) => c);
  out.gemmMacsPerPackStep = gemmMacsPerPackStep;
  out.gemmCheck = check;
  if (check === WHOLE_STEP) log('  GEMM plan vs the step: the step went through the whole-step kernel (kernels/mlp-step.c); timed the plan\'s products layer by layer');
  else if (check !== 'matches') log(`  GEMM plan vs the step: ${check}`);
  const gemm = new StepGemms(calls);
  try {
    const a = await warmAndCalibrate(runA);
    out.atomsweepStepsPerRun = a.steps;
    out.atomsweepWarmup = a.warmup;
    const gemmReps = gemm.calibrate(TARGET_MS);
    out.gemmRepsPerRun = gemmReps;
    let peerSteps = 0;
    if (peer) {
      try {
        const p = await peer.prepare(shape, TARGET_MS);
        peerSteps = p.steps;
        out.pytorchStepsPerRun = p.steps;
        out.pytorchWarmup = p.warmup.map((w) => ({ steps: w.steps, msPerStep: round(w.msPerStep, 4), cpuMsPerStep: round(w.cpuMsPerStep, 4) }));
      } catch (err) {
        out.peerSkipped = `pytorch failed: ${String((err as Error).message ?? err).slice(0, 300)}`;
      }
    } else out.peerSkipped = peerWhyNot;
    const macs = macsPerStep(shape);
    for (let r = 0; r < ROUNDS; r++) {
      const A = await runA(a.steps);
      out.networksComputed = A.networks;
      const G = gemm.run(gemmReps);
      const round_: Round = {
        atomsweepMs: A.ms / (A.steps * K),
        atomsweepCpuMs: A.cpuMs / (A.steps * K),
        gemmMs: G.ms / (G.reps * K),
        gemmCpuMs: G.cpuMs / (G.reps * K),
        stepOverGemm: A.ms / A.steps / (G.ms / G.reps),
        stepOverGemmCpu: A.cpuMs / A.steps / (G.cpuMs / G.reps),
        gemmGmacPerSecond: (gemmMacsPerPackStep * G.reps) / (G.ms * 1e6),
      };
      if (peer && peerSteps && !out.peerSkipped) {
        try {
          const B = await peer.run(shape.id, peerSteps);
          round_.pytorchMs = B.ms / B.steps;
          round_.pytorchCpuMs = B.cpuMs / B.steps;
          round_.ratio = round_.atomsweepMs / round_.pytorchMs;
          round_.cpuRatio = round_.atomsweepCpuMs / round_.pytorchCpuMs;
        } catch (err) {
          out.peerSkipped = `pytorch failed: ${String((err as Error).message ?? err).slice(0, 300)}`;
        }
      }
      out.rounds.push(Object.fromEntries(Object.entries(round_).map(([k, v]) => [k, round(v, 5)])) as unknown as Round);
      log(
        `  round ${r + 1}/${ROUNDS} K=${K}: atomsweep ${fmtMs(round_.atomsweepMs)}, GEMM-only ${fmtMs(round_.gemmMs)} (step ÷ GEMM ${round_.stepOverGemm.toFixed(2)})` +
          (round_.pytorchMs !== undefined ? `, PyTorch ${fmtMs(round_.pytorchMs)} (÷ ${round_.ratio!.toFixed(2)})` : '') +
          ' ms/trial-step',
      );
    }
    const col = (f: (r: Round) => number | undefined) => out.rounds.map(f).filter((x): x is number => x !== undefined);
    out.atomsweepMsPerTrialStep = round(median(col((r) => r.atomsweepMs)), 4);
    out.atomsweepCpuMsPerTrialStep = round(median(col((r) => r.atomsweepCpuMs)), 4);
    out.gemmMsPerTrialStep = round(median(col((r) => r.gemmMs)), 4);
    out.stepOverGemm = spread(col((r) => r.stepOverGemm));
    out.stepOverGemmCpu = spread(col((r) => r.stepOverGemmCpu));
    out.gemmGmacPerSecond = round(median(col((r) => r.gemmGmacPerSecond)), 4);
    out.stepGmacPerSecond = round(macs / (out.atomsweepMsPerTrialStep * 1e6), 4);
    const ratios = col((r) => r.ratio);
    if (ratios.length) {
      out.pytorchMsPerStep = round(median(col((r) => r.pytorchMs)), 4);
      out.pytorchCpuMsPerStep = round(median(col((r) => r.pytorchCpuMs)), 4);
      out.ratio = spread(ratios);
      out.cpuRatio = spread(col((r) => r.cpuRatio));
    }
  } catch (err) {
    out.skipped = `error: ${String((err as Error)?.message ?? err).slice(0, 300)}`;
    log(`  interleaved K=${K}: ${out.skipped}`);
  } finally {
    gemm.dispose();
  }
  return out;
}

/** Detail: the step's products alone beside a wasm measurement (median of REPEATS runs after it). */
async function gemmBeside(shape: BenchShape, nets: NetworkData[], stepMsPerTrial: number): Promise<Measurement['gemm']> {
  const K = nets.length;
  const { calls: plan, check } = await stepGemmCalls(shape, nets);
  const g = new StepGemms(plan);
  try {
    const reps = g.calibrate(TARGET_MS);
    const runs = Array.from({ length: REPEATS }, () => g.run(reps));
    const ms = median(runs.map((r) => r.ms / (r.reps * K)));
    const cpuMs = median(runs.map((r) => r.cpuMs / (r.reps * K)));
    return { msPerTrialStep: round(ms, 4), cpuMsPerTrialStep: round(cpuMs, 4), gmacPerSecond: round(gemmMacs(plan) / (ms * K * 1e6), 4), stepOverGemm: round(stepMsPerTrial / ms, 4), repsPerRepeat: reps, check };
  } finally {
    g.dispose();
  }
}

async function benchShape(shape: BenchShape): Promise<Measurement[]> {
  const macs = macsPerStep(shape);
  const out: Measurement[] = [];
  log(`  detail:`);
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
        const m: Timing = await measure(label, (steps) => timeTrainPack(shape, nets, steps), K, macs);
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
        if (engine === 'wasm') {
          m.gemm = await gemmBeside(shape, nets, m.msPerTrialStep!);
          log(`  ${'GEMM-only'.padEnd(12)} ${fmtMs(m.gemm!.msPerTrialStep).padStart(8)} ms/trial-step, step ÷ GEMM ${m.gemm!.stepOverGemm.toFixed(2)}, ${m.gemm!.gmacPerSecond.toFixed(1)} GMAC/s`);
        }
        out.push({ shape: shape.id, engine, K, ...m, source: 'detail', timesReference: round(m.msPerTrialStep! / refMs, 3), timesReferenceCpu: round(m.cpuMsPerTrialStep! / refCpuMs, 3) });
      } catch (err) {
        const skipped = `error: ${String((err as Error)?.message ?? err).slice(0, 300)}`;
        log(`  ${label.padEnd(18)} ${skipped}`);
        out.push({ shape: shape.id, engine, K, skipped });
      }
    }
  }
  await useBackend('wasm');
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
const fmtSpread = (s: Spread | undefined) => (s ? `${fmtX(s.median)} (${fmtX(s.min)}–${fmtX(s.max)})` : '—');

/** A markdown table, columns padded; the first `left` columns left-aligned, the rest right. */
function mdTable(head: string[], rows: string[][], left = 1): string[] {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const fmtRow = (r: string[]) => `| ${r.map((c, i) => (i < left ? (c ?? '').padEnd(widths[i]) : (c ?? '').padStart(widths[i]))).join(' | ')} |`;
  return [fmtRow(head), `|${widths.map((w, i) => (i < left ? `:${'-'.repeat(w + 1)}` : `${'-'.repeat(w + 1)}:`)).join('|')}|`, ...rows.map(fmtRow)];
}

const shapeLabel = (id: string) => {
  const s = BENCH_SHAPES.find((x) => x.id === id)!;
  return `${id} ${s.sizes.join('-')} B=${Math.min(s.n, s.batchSize)}`;
};

/** The headline: atomsweep ÷ PyTorch, interleaved, median and range over rounds. */
function headlineLines(heads: Interleaved[], peer: PeerInfo | { skipped: string }): string[] {
  const lines: string[] = [];
  const fair = 'skipped' in peer ? '' : peer.blas === 'openblas' ? 'OpenBLAS' : `BLAS '${peer.blas}': NOT OpenBLAS, so PyTorch runs several times slower than it can and the ratios flatter atomsweep (${OPENBLAS_HINT})`;
  lines.push(
    'skipped' in peer
      ? `atomsweep ÷ PyTorch: ${peer.skipped}`
      : `atomsweep ÷ PyTorch ${peer.torch} (one thread, ${peer.python}, ${fair}), per trial-step, wall time; ${ROUNDS} interleaved rounds (atomsweep, GEMM-only, PyTorch); ratio = median of the per-round ratios (min–max); below 1× atomsweep is faster`,
  );
  lines.push('');
  const rows = heads.map((h) =>
    h.skipped
      ? [shapeLabel(h.shape), String(h.K), h.skipped, '', '', '', '']
      : [
          shapeLabel(h.shape),
          h.networksComputed && h.networksComputed !== h.K ? `${h.K} (${h.networksComputed} nets)` : String(h.K),
          fmtMs(h.atomsweepMsPerTrialStep),
          h.pytorchMsPerStep !== undefined ? fmtMs(h.pytorchMsPerStep) : h.peerSkipped ? 'skipped' : '—',
          fmtSpread(h.ratio),
          fmtSpread(h.cpuRatio),
          String(h.rounds.length),
        ],
  );
  lines.push(...mdTable(['shape', 'K', 'atomsweep ms', 'PyTorch ms', 'atomsweep ÷ PyTorch (min–max)', 'same in CPU time', 'rounds'], rows, 1));
  const peerSkips = [...new Set(heads.filter((h) => h.peerSkipped && !('skipped' in peer)).map((h) => `${h.shape}: ${h.peerSkipped}`))];
  if (peerSkips.length) lines.push('', ...peerSkips);
  return lines;
}

/** Step ÷ GEMM-only, from the interleaved rounds. */
function gemmLines(heads: Interleaved[]): string[] {
  const lines = [
    'The step against its matrix products alone (GEMM-only: forward x·W per layer, dW = Aᵀ·G per layer, dX = G·Wᵀ for all but the first, through the same pack GEMM, shapes, order and path); ms per trial-step; target step ÷ GEMM ≤ 1.10',
    '',
  ];
  const rows: string[][] = heads
    .filter((h) => !h.skipped)
    .map((h) => [
      shapeLabel(h.shape),
      String(h.K),
      fmtMs(h.atomsweepMsPerTrialStep),
      fmtMs(h.gemmMsPerTrialStep),
      fmtSpread(h.stepOverGemm),
      fmtSpread(h.stepOverGemmCpu),
      h.gemmGmacPerSecond!.toFixed(1),
      h.stepGmacPerSecond!.toFixed(1),
      `${h.gemmCalls!.length}: ${[...new Set(h.gemmCalls!.map((c) => c.path))].join('+')}`,
      planColumn(h.gemmCheck),
    ]);
  lines.push(...mdTable(['shape', 'K', 'step ms', 'GEMM-only ms', 'step ÷ GEMM (min–max)', 'same in CPU time', 'GEMM GMAC/s', 'step GMAC/s', 'GEMM calls/step: path', 'plan = step'], rows, 1));
  lines.push('');
  lines.push('Medians over the interleaved rounds; step ÷ GEMM is the median (min–max) of the per-round ratios.');
  lines.push("GMAC/s: multiply-adds per wall second (GEMM: what its calls compute; step: the trials' useful products). 'plan = step': the timed calls are the ones trainPack made in one step; 'whole step': each network's step was one call of the whole-step kernel (kernels/mlp-step.c, the same products in blocks of rows), and the plan's products were timed layer by layer.");
  const differ = heads.filter((h) => h.gemmCheck && h.gemmCheck !== 'matches' && h.gemmCheck !== WHOLE_STEP);
  for (const h of differ) lines.push(`${h.shape} K=${h.K}: ${h.gemmCheck}`);
  return lines;
}

function detailLines(results: Measurement[]): string[] {
  const detail = results.filter((r) => r.source !== 'interleaved');
  const shapes = [...new Set(detail.map((r) => r.shape))];
  if (!shapes.length) return [];
  const cols = [
    ['baseline', 1],
    ['wasm', ...ints(args.ks)],
    ['wasm-xnnpack', ...(args['no-before'] ? [] : ints(args.ks))],
    ['cpu', ...ints(args['cpu-ks'])],
  ].flatMap(([engine, ...ks]) => ks.map((K) => ({ engine: engine as Engine, K: K as number })));
  const title = (c: { engine: Engine; K: number }) => (c.engine === 'wasm-xnnpack' ? `before: XNNPACK K=${c.K}` : `${c.engine} K=${c.K}`);
  const lines: string[] = ['## Detail (one configuration at a time, median of repeats; not interleaved)'];
  const matrix = (heading: string, ms: (m: Measurement) => number | undefined, x: (m: Measurement) => number | undefined) => {
    const rows = shapes.map((id) => {
      const ref = detail.find((r) => r.shape === id && r.engine === 'reference');
      return [
        shapeLabel(id),
        ref ? `${fmtMs(ms(ref))} ms` : '',
        ...cols.map((c) => {
          const m = detail.find((r) => r.shape === id && r.engine === c.engine && r.K === c.K);
          if (!m) return '';
          if (m.skipped) return 'skipped';
          return `${fmtMs(ms(m))} (${fmtX(x(m))})`;
        }),
      ];
    });
    lines.push('', heading, '', ...mdTable(['shape', 'reference', ...cols.map(title)], rows, 1));
  };
  matrix(
    'Wall ms per trial-step (one Adam step of one network, amortised over the pack K), and × the reference loop',
    (m) => m.msPerTrialStep,
    (m) => m.timesReference,
  );
  if (detail.some((m) => m.K === 1 && (m.networksComputed ?? 1) > 1)) {
    lines.push('', 'K=1: trainPack trains a lone trial beside a shadow twin (2 networks computed, 1 kept), so K=1 pays for two networks on the small layers.');
  }
  matrix(
    'The same in process CPU ms, and × the reference loop',
    (m) => m.cpuMsPerTrialStep,
    (m) => m.timesReferenceCpu,
  );
  lines.push('', 'Speed-up of the packed engine over the baseline engine (before packs and the per-network kernel), per trial-step, CPU ms: baseline K=1 / wasm K', '');
  lines.push(
    ...mdTable(
      ['shape', ...ints(args.ks).map((K) => `K=${K}`)],
      shapes.map((id) => {
        const base = detail.find((r) => r.shape === id && r.engine === 'baseline' && !r.skipped);
        return [
          id,
          ...ints(args.ks).map((K) => {
            const m = detail.find((r) => r.shape === id && r.engine === 'wasm' && r.K === K && !r.skipped);
            return base && m ? fmtX(base.cpuMsPerTrialStep! / m.cpuMsPerTrialStep!) : '—';
          }),
        ];
      }),
    ),
  );
  const gemmRows = detail.filter((m) => m.engine === 'wasm' && m.gemm);
  if (gemmRows.length) {
    lines.push('', 'The wasm step against its products alone (GEMM-only), ms per trial-step; the GEMM timed right after the step, so one ratio, not interleaved', '');
    lines.push(
      ...mdTable(
        ['shape', 'K', 'step ms', 'GEMM-only ms', 'step ÷ GEMM', 'GEMM GMAC/s', 'step GMAC/s', 'plan = step'],
        gemmRows.map((m) => [shapeLabel(m.shape), String(m.K), fmtMs(m.msPerTrialStep), fmtMs(m.gemm!.msPerTrialStep), fmtX(m.gemm!.stepOverGemm), m.gemm!.gmacPerSecond.toFixed(1), m.gmacPerSecond!.toFixed(1), planColumn(m.gemm!.check)]),
        1,
      ),
    );
  }
  lines.push('', 'Per configuration: wall and CPU ms per pack-step, CPU share of wall, throughput, and (profiled) kernels per step, Σ kernel time,');
  lines.push('engine overhead per kernel = (profiled wall − Σkernel)/kernels, peak tensor memory above baseline, set-up ms per call', '');
  const h2 = ['shape', 'engine', 'K', 'ms/pack-step', 'cpu ms', 'cpu/wall', '×ref cpu', 'GMAC/s cpu', 'kernels/step', 'Σkernel ms', 'ovh ms/kernel', 'peak MB', 'setup ms', 'steps×reps'];
  const r2 = detail.map((m) =>
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
  lines.push(...mdTable(h2, r2, 2));
  const leaks = detail.filter((m) => m.profile?.leakPerCall.tensors);
  if (leaks.length) {
    const l = leaks.reduce((a, b) => (b.profile!.leakPerCall.bytes > a.profile!.leakPerCall.bytes ? b : a));
    lines.push(
      '',
      `Note: trainPack + pack.dispose() leaves tensors alive on every call (largest: ${l.shape} ${l.engine} K=${l.K}: ${l.profile!.leakPerCall.tensors} tensors, ` +
        `${(l.profile!.leakPerCall.bytes / 1e6).toFixed(2)} MB); the bench frees them with an engine scope per call.`,
    );
  }
  return lines;
}

function e2eLines(e2e: Record<string, unknown>): string[] {
  const lines: string[] = [];
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
  return lines;
}

/** CPU share of wall over the timed windows, when low: the machine was busy. */
function busyLines(heads: Interleaved[], results: Measurement[]): string[] {
  const shares = [
    ...results.filter((m) => m.cpuShare !== undefined && m.source === 'detail').map((m) => m.cpuShare!),
    ...heads.flatMap((h) => h.rounds.map((r) => r.atomsweepCpuMs / r.atomsweepMs)),
  ];
  if (!shares.length || median(shares) >= 0.85) return [];
  return [
    `Warning: the machine was busy: this process got a median ${(median(shares) * 100).toFixed(0)}% of a core during the timed windows ` +
      `(load average ${os.loadavg().map((x) => x.toFixed(1)).join(', ')} on ${os.cpus().length} CPUs), so wall times are inflated and wall ratios noisier: compare the CPU-time columns (both sides run on one thread).`,
  ];
}

async function main(): Promise<void> {
  const started = new Date();
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
  log(`${TARGET_MS} ms per timed run; headline: K = ${HEADLINE_KS.join(', ')}, ${ROUNDS} interleaved rounds${args['no-detail'] ? '; no detail' : `; detail: median of ${REPEATS}`}`);

  const shapes = args.shapes!.split(',').filter((id) => id.trim()).map((id) => {
    const s = BENCH_SHAPES.find((x) => x.id === id.trim());
    if (!s) throw new Error(`unknown shape '${id}' (have ${BENCH_SHAPES.map((x) => x.id).join(', ')})`);
    return s;
  });

  let peer: TorchPeer | undefined;
  let peerInfo: PeerInfo | { skipped: string } = { skipped: 'skipped: --no-peer' };
  if (!args['no-peer']) {
    const started_ = await TorchPeer.start(log, args.python);
    if ('skipped' in started_) {
      peerInfo = started_;
      log(`pytorch: ${started_.skipped}`);
    } else {
      peer = started_.peer;
      peerInfo = started_.info;
      log(`pytorch ${peerInfo.torch} on ${peerInfo.python}, ${peerInfo.threads} thread(s), BLAS ${peerInfo.blas}${peerInfo.passedOver ? ` (passed over: ${peerInfo.passedOver.join('; ')})` : ''}`);
      if (peerInfo.blas !== 'openblas') log(`  pytorch: its BLAS is '${peerInfo.blas}', not OpenBLAS: ${OPENBLAS_HINT} for a fair peer`);
    }
  }

  const heads: Interleaved[] = [];
  const results: Measurement[] = [];
  try {
    for (const shape of shapes) {
      log(`shape ${shape.id}: ${shape.note}`);
      for (const K of HEADLINE_KS) heads.push(await interleaved(shape, K, peer, 'skipped' in peerInfo ? peerInfo.skipped : undefined));
      if (!args['no-detail']) results.push(...(await benchShape(shape)));
    }
  } finally {
    peer?.close();
  }
  // The headline's atomsweep medians stand in for wasm configurations the detail did not
  // measure (scripts/account.ts reads engine 'wasm' rows of `results`).
  for (const h of heads) {
    if (h.skipped || results.some((r) => r.shape === h.shape && r.engine === 'wasm' && r.K === h.K)) continue;
    results.push({
      shape: h.shape,
      engine: 'wasm',
      K: h.K,
      source: 'interleaved',
      msPerTrialStep: h.atomsweepMsPerTrialStep,
      msPerPackStep: round(h.atomsweepMsPerTrialStep! * h.K, 4),
      cpuMsPerTrialStep: h.atomsweepCpuMsPerTrialStep,
      networksComputed: h.networksComputed,
      stepsPerRepeat: h.atomsweepStepsPerRun,
      repeats: h.rounds.length,
      samplesMsPerTrialStep: h.rounds.map((r) => r.atomsweepMs),
    });
  }
  const microMs = Date.now() - started.getTime();
  const e2e = await endToEnd();

  const stamp = started.toISOString().replace(/[:]/g, '-').replace(/\.\d+Z$/, 'Z');
  const report = {
    kind: 'atomsweep-bench',
    version: 2,
    startedAt: started.toISOString(),
    command: process.argv.slice(2).join(' '),
    durationMs: Date.now() - started.getTime(),
    microDurationMs: microMs,
    settings: {
      targetMs: TARGET_MS,
      warmMs: WARM_MS,
      warmMaxMs: WARM_MAX_MS,
      rounds: ROUNDS,
      headlineKs: HEADLINE_KS,
      detail: !args['no-detail'],
      repeats: REPEATS,
      maxConfigMs: MAX_CONFIG_MS,
      quick: args.quick,
      maxPeakMB: MAX_PEAK_BYTES / 1e6,
      ks: ints(args.ks),
      cpuKs: ints(args['cpu-ks']),
    },
    machine: { ...machine, loadAverageAtEnd: os.loadavg().map((x) => round(x, 3)) },
    shapes: shapes.map((s) => ({ ...s, macsPerStep: macsPerStep(s) })),
    /** The headline: interleaved rounds of atomsweep, GEMM-only and PyTorch per shape and K. */
    interleaved: heads,
    nativePeer: peerInfo,
    results,
    endToEnd: e2e,
  };
  const lines = [
    `# npm run bench, ${started.toISOString()}`,
    '',
    `${machine.cpus}× ${machine.cpuModel}, node ${machine.node}, tfjs ${tf.version_core} (wasm SIMD ${machine.flags.WASM_HAS_SIMD_SUPPORT}, ${machine.flags.wasmThreads} thread); ` +
      `load average at start ${machine.loadAverageAtStart.join(', ')}, at end ${report.machine.loadAverageAtEnd.join(', ')}; flags: \`${report.command || '(defaults)'}\`; ${(report.durationMs / 1000).toFixed(0)} s`,
    ...busyLines(heads, results).flatMap((l) => ['', l]),
    '',
    '## atomsweep ÷ PyTorch (interleaved)',
    '',
    ...headlineLines(heads, peerInfo),
    '',
    '## Step ÷ GEMM-only',
    '',
    ...gemmLines(heads),
    '',
    ...shapes.map((s) => `- ${s.id}: ${s.note}`),
  ];
  const detail = detailLines(results);
  if (detail.length) lines.push('', ...detail);
  lines.push('', ...e2eLines(e2e));
  const text = lines.join('\n');
  console.log(`\n${text}`);
  mkdirSync(args.out!, { recursive: true });
  const file = path.join(args.out!, `${stamp}.json`);
  const json = `${JSON.stringify(report, null, 2)}\n`;
  writeFileSync(file, json);
  writeFileSync(path.join(args.out!, 'latest.json'), json);
  const md = path.join(args.out!, `bench-${stamp}.md`);
  writeFileSync(md, `${text}\n`);
  console.log(`\nreport: ${file} (and ${path.join(args.out!, 'latest.json')}), tables: ${md}; total ${(report.durationMs / 1000).toFixed(0)} s`);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
