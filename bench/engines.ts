/**
 * Timing of one configuration (shape × engine × pack size): the production engine
 * (trainPack) on a tfjs backend, or the reference loop. All timings exclude set-up
 * (weight init, stacking, variable creation), which is recorded separately: trainPack is
 * timed from the end of its first step to the end of its last through `onCheckpoint`, so
 * the timed window is exactly `steps` whole training steps, including the last step's
 * loss read-back.
 */
import type { Engine } from '../core/engine';
import * as tf from '@tensorflow/tfjs-core';
import { trainPack } from '../core/train/train-pack';
import { ReferenceMlp } from './reference-loop';
import { batchRng, networkData, packSpec, referenceSetup, type BenchShape, type NetworkData } from './cases';

export interface TimedRun {
  /** Training steps inside the timed window. */
  steps: number;
  /** Wall time of those steps. */
  ms: number;
  /** CPU time this process used during them (user + system): robust to a busy machine. */
  cpuMs: number;
  /** Wall time of the whole call minus the timed steps (set-up, first step, disposal). */
  otherMs: number;
  /** Networks trainPack actually stacked (a lone trial trains beside a shadow twin). */
  networks?: number;
}

const cpuNow = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

/**
 * trainPack leaves a few tensors alive per call (see `leakPerCall`); an engine scope
 * around each call frees them, so hundreds of bench calls do not pile up in the WASM heap.
 * Only tensors trainPack itself lets go of are affected, and only after the timed window.
 */
async function scoped<T>(f: () => Promise<T>): Promise<T> {
  tf.engine().startScope();
  try {
    return await f();
  } finally {
    tf.engine().endScope();
  }
}

/** Runs trainPack for `steps` timed steps (plus one untimed first step) on the current backend. */
export async function timeTrainPack(shape: BenchShape, data: NetworkData[], steps: number, engine?: Readonly<Engine>): Promise<TimedRun> {
  const K = data.length;
  let t0 = 0;
  let t1 = 0;
  let c0 = 0;
  let c1 = 0;
  const start = performance.now();
  let networks = K;
  await scoped(async () => {
    const { pack } = await trainPack({
      ...packSpec(shape, K, steps + 1, data),
      engine,
      checkpoints: [0, steps],
      onCheckpoint: (s: number) => {
        if (s === 0) [t0, c0] = [performance.now(), cpuNow()];
        else [t1, c1] = [performance.now(), cpuNow()];
      },
    });
    networks = pack.size;
    pack.dispose();
  });
  const total = performance.now() - start;
  return { steps, ms: t1 - t0, cpuMs: c1 - c0, otherMs: total - (t1 - t0), networks };
}

/** The reference loop for one network, `steps` timed steps after one untimed step. */
export function timeReference(shape: BenchShape, data: NetworkData, steps: number): TimedRun {
  const start = performance.now();
  const { spec, initial } = referenceSetup(shape, 0, data);
  const ref = new ReferenceMlp(spec, initial);
  const rng = batchRng(shape.id, 0);
  ref.step(rng);
  const [t0, c0] = [performance.now(), cpuNow()];
  ref.train(steps, rng);
  const [t1, c1] = [performance.now(), cpuNow()];
  if (!Number.isFinite(ref.lastLoss)) throw new Error(`reference loss is ${ref.lastLoss} on shape ${shape.id}`);
  return { steps, ms: t1 - t0, cpuMs: c1 - c0, otherMs: t0 - start };
}

export interface KernelProfile {
  /** Kernels dispatched per training step (the whole pack's step). */
  kernelsPerStep: number;
  /** Σ kernel time per step as tfjs's profiler measures it (the kernel call itself). */
  kernelMsPerStep: number;
  /** Wall per step under the profiler (above the unprofiled time: it wraps every kernel). */
  profiledWallMsPerStep: number;
  /** Kernels with the most time per step: name, calls per step, ms per step. */
  top: { kernel: string; callsPerStep: number; msPerStep: number }[];
  /** Peak bytes held in tensors during the call, above what was held before it. */
  peakBytes: number;
  /** Tensors and bytes trainPack (with pack.dispose()) leaves alive per call. */
  leakPerCall: { tensors: number; bytes: number };
}

/**
 * One profiled trainPack call; the kernels of steps 1..steps (between the checkpoints after
 * step 0 and after the last step) are the per-step work, set-up kernels excluded.
 */
export async function profileTrainPack(shape: BenchShape, data: NetworkData[], steps = 2): Promise<KernelProfile> {
  const K = data.length;
  const kernelsSoFar = () => (tf.engine().state.activeProfile.kernels ?? []).length;
  let i0 = 0;
  let i1 = 0;
  let t0 = 0;
  let t1 = 0;
  const before = tf.memory();
  let leak = { tensors: 0, bytes: 0 };
  tf.engine().startScope();
  const info = await tf.profile(async () => {
    const { pack } = await trainPack({
      ...packSpec(shape, K, steps + 1, data),
      checkpoints: [0, steps],
      onCheckpoint: (s: number) => {
        if (s === 0) [i0, t0] = [kernelsSoFar(), performance.now()];
        else [i1, t1] = [kernelsSoFar(), performance.now()];
      },
    });
    pack.dispose();
    const after = tf.memory();
    leak = { tensors: after.numTensors - before.numTensors, bytes: after.numBytes - before.numBytes };
    return [];
  });
  tf.engine().endScope();
  const byName = new Map<string, { calls: number; ms: number }>();
  for (const k of info.kernels.slice(i0, i1)) {
    const e = byName.get(k.name) ?? { calls: 0, ms: 0 };
    e.calls += 1;
    e.ms += Number(k.kernelTimeMs) || 0;
    byName.set(k.name, e);
  }
  const rows = [...byName].map(([kernel, e]) => ({ kernel, callsPerStep: e.calls / steps, msPerStep: e.ms / steps }));
  rows.sort((p, q) => q.msPerStep - p.msPerStep);
  return {
    kernelsPerStep: (i1 - i0) / steps,
    kernelMsPerStep: rows.reduce((s, r) => s + r.msPerStep, 0),
    profiledWallMsPerStep: (t1 - t0) / steps,
    top: rows.slice(0, 6).map((r) => ({ ...r, msPerStep: round(r.msPerStep, 4) })),
    peakBytes: Math.max(...info.kernels.map((k) => k.totalBytesSnapshot)) - before.numBytes,
    leakPerCall: leak,
  };
}

export function dataFor(shape: BenchShape, K: number): NetworkData[] {
  return Array.from({ length: K }, (_, k) => networkData(shape, k));
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

export function round(x: number, digits = 4): number {
  if (!Number.isFinite(x) || x === 0) return x;
  const scale = 10 ** Math.max(0, digits - 1 - Math.floor(Math.log10(Math.abs(x))));
  return Math.round(x * scale) / scale;
}
