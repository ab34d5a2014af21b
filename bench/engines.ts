/**
 * Timing of one configuration (shape × engine × pack size): the production engine
 * (trainPack) on a tfjs backend, or the reference loop. All timings exclude set-up
 * (weight init, stacking, variable creation), which is recorded separately: trainPack is
 * timed from the end of its first step to the end of its last through `onCheckpoint`, so
 * the timed window is exactly `steps` whole training steps, including the last step's
 * loss read-back.
 */
import * as tf from '@tensorflow/tfjs-core';
import { trainPack } from '../core/train/train-pack';
import { ReferenceMlp } from './reference-loop';
import { batchRng, networkData, packSpec, referenceSetup, type BenchShape, type NetworkData } from './cases';

export interface TimedRun {
  /** Training steps inside the timed window. */
  steps: number;
  /** Wall time of those steps. */
  ms: number;
  /** Wall time of the whole call minus the timed steps (set-up, first step, disposal). */
  otherMs: number;
}

/** Runs trainPack for `steps` timed steps (plus one untimed first step) on the current backend. */
export async function timeTrainPack(shape: BenchShape, data: NetworkData[], steps: number): Promise<TimedRun> {
  const K = data.length;
  let t0 = 0;
  let t1 = 0;
  const start = performance.now();
  const spec = {
    ...packSpec(shape, K, steps + 1, data),
    checkpoints: [0, steps],
    onCheckpoint: (s: number) => {
      if (s === 0) t0 = performance.now();
      else t1 = performance.now();
    },
  };
  const { pack } = await trainPack(spec);
  pack.dispose();
  const total = performance.now() - start;
  return { steps, ms: t1 - t0, otherMs: total - (t1 - t0) };
}

/** The reference loop for one network, `steps` timed steps after one untimed step. */
export function timeReference(shape: BenchShape, data: NetworkData, steps: number): TimedRun {
  const start = performance.now();
  const { spec, initial } = referenceSetup(shape, 0, data);
  const ref = new ReferenceMlp(spec, initial);
  const rng = batchRng(shape.id, 0);
  ref.step(rng);
  const t0 = performance.now();
  ref.train(steps, rng);
  const t1 = performance.now();
  if (!Number.isFinite(ref.lastLoss)) throw new Error(`reference loss is ${ref.lastLoss} on shape ${shape.id}`);
  return { steps, ms: t1 - t0, otherMs: t0 - start };
}

export interface KernelProfile {
  /** Kernels dispatched per training step (the whole pack's step). */
  kernelsPerStep: number;
  /** Σ kernel time per step as tfjs's profiler measures it (the kernel call itself). */
  kernelMsPerStep: number;
  /** Wall per step under the profiler (slower than unprofiled: it wraps every kernel). */
  profiledWallMsPerStep: number;
  /** Kernels with the most time per step: name, calls per step, ms per step. */
  top: { kernel: string; callsPerStep: number; msPerStep: number }[];
  /** Peak bytes held in tensors during training (weights, Adam slots, data, activations). */
  peakBytes: number;
}

async function profileSteps(shape: BenchShape, data: NetworkData[], steps: number) {
  const start = performance.now();
  const info = await tf.profile(async () => {
    const { pack } = await trainPack(packSpec(shape, data.length, steps, data));
    pack.dispose();
    return [];
  });
  const wall = performance.now() - start;
  const byName = new Map<string, { calls: number; ms: number }>();
  for (const k of info.kernels) {
    const e = byName.get(k.name) ?? { calls: 0, ms: 0 };
    e.calls += 1;
    e.ms += Number(k.kernelTimeMs) || 0;
    byName.set(k.name, e);
  }
  return { wall, byName, count: info.kernels.length, peakBytes: info.peakBytes };
}

/**
 * Per-step kernel counts and times, as the difference of two profiled runs (a steps and
 * b steps), so set-up kernels (stacking, variable and Adam-slot creation) cancel out.
 */
export async function profileTrainPack(shape: BenchShape, data: NetworkData[], a = 2, b = 4): Promise<KernelProfile> {
  const pa = await profileSteps(shape, data, a);
  const pb = await profileSteps(shape, data, b);
  const per = (x: number, y: number) => (y - x) / (b - a);
  const names = new Set([...pa.byName.keys(), ...pb.byName.keys()]);
  const rows = [...names].map((kernel) => {
    const x = pa.byName.get(kernel) ?? { calls: 0, ms: 0 };
    const y = pb.byName.get(kernel) ?? { calls: 0, ms: 0 };
    return { kernel, callsPerStep: per(x.calls, y.calls), msPerStep: per(x.ms, y.ms) };
  });
  rows.sort((p, q) => q.msPerStep - p.msPerStep);
  return {
    kernelsPerStep: per(pa.count, pb.count),
    kernelMsPerStep: rows.reduce((s, r) => s + r.msPerStep, 0),
    profiledWallMsPerStep: per(pa.wall, pb.wall),
    top: rows.slice(0, 6).map((r) => ({ ...r, msPerStep: round(r.msPerStep, 4) })),
    peakBytes: Math.max(pa.peakBytes, pb.peakBytes),
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
