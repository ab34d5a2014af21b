import type { z } from 'zod';
import type { Engine } from '../engine';
import type { LibsvmLoader } from '../classical/svm';
import type { Claim } from './claims';
import type { PackTimeModel } from '../sweep/pack-budget';

/** One trial: a grid cell of an experiment, one repeat, with its deterministic id and seed. */
export interface TrialSpec<P = Record<string, unknown>> {
  id: string;
  sweepId: string;
  experiment: string;
  /** Shared by the repeats of one grid cell; the aggregate's `config`. */
  configKey: string;
  repeat: number;
  /** The sweep seed; experiments derive their streams from it, the config and the repeat. */
  seed: number;
  params: P;
}

/** A curve recorded by a trial: `values[i]` at `steps[i]` (a checkpoint step or a point index). */
export interface Series {
  steps: number[];
  values: number[];
}

export interface TrialResult {
  trialId: string;
  /** Final numbers, aggregated with step = null. */
  scalars: Record<string, number>;
  /** Curves, aggregated per step. */
  series: Record<string, Series>;
  /** Large per-trial records not meant for averaging (weight trajectories, decision grids). */
  traces?: Record<string, Series>;
  /** How the trial ran (backend, pack size, clock notes). */
  info?: Record<string, unknown>;
}

export interface RunContext {
  /** Lets the host serve other work between training steps (workerd is single-threaded). */
  yieldToHost?: () => Promise<void>;
  /** Wall clock in ms; may be frozen during pure CPU work on production Workers. */
  now?: () => number;
  /** Name of the active tfjs backend, recorded with each result. */
  backend?: string;
  /** The trial engine (core/engine.ts); default 'packed'. */
  engine?: Readonly<Engine>;
  /** How this host loads libsvm-js, for Exp 3's SVM (core/classical/svm.ts). */
  libsvm?: LibsvmLoader;
}

export interface ExperimentInfo {
  id: string;
  number: number;
  title: string;
  section: string;
  question: string;
  hypothesis: string;
  /** What the 2018 notebook concluded, to compare with this sweep. */
  conclusion: string;
  /**
   * The hypothesis as testable claims on the metrics (core/experiments/claims.ts), each with
   * what the notebook found. Every built-in has them; core/verdict evaluates them per sweep.
   */
  claims?: Claim[];
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export interface Experiment<S extends z.ZodObject<any> = z.ZodObject<any>> extends ExperimentInfo {
  /** Every protocol parameter with the notebook's value as default; strict (unknown keys fail). */
  params: S;
  /** The notebook's grid: parameter name → values. */
  grid: Partial<Record<keyof z.infer<S> & string, unknown[]>>;
  /** Default repeats (the notebook's, at least 5). */
  repeats: number;
  /**
   * Why a config that passes the parameter schema still cannot run, naming the parameter
   * (blocks that do not fit each other, more checkpoints than a series holds), or null.
   * Sweep creation refuses such a config with a 400 naming that parameter
   * (core/sweep/expand.ts); specs answer it with the rules their validator applies to
   * their own grid (core/custom/compile.ts cellMisfit).
   */
  refusal?(params: z.infer<S>): { param: string; message: string } | null;
  /** Rough training work of one trial in network-steps × batch units, for the CPU budget. */
  cost(params: z.infer<S>): number;
  /**
   * Estimated peak WebAssembly heap in bytes of training `pack` networks of these params as
   * one pack (default a full pack, 16): weights, Adam slots, gradients, activations and data,
   * with a safety factor (core/experiments/memory.ts). Sweep creation refuses what cannot fit.
   */
  memory(params: z.infer<S>, pack?: number): number;
  /**
   * Points of the longest series or trace one trial records, where a parameter sets it
   * (a checkpoint spacing, a number of points). Sweep creation refuses a trial whose curve
   * could not be stored in one D1 row (MAX_SERIES_POINTS, core/sweep/request.ts).
   */
  seriesPoints?(params: z.infer<S>): number;
  /** Trials whose key matches may be trained as one pack (same program shape). */
  packKey?(params: z.infer<S>): string;
  /**
   * How its packs' CPU time follows from their cost (core/sweep/pack-budget.ts), where the
   * experiment knows better than the default: a spec prices each trial by how its steps
   * run. A calibrated built-in's entry in PACK_TIME comes first.
   */
  packTime?: PackTimeModel;
  /** Trains the trials (all sharing a pack key) and returns one result per trial, in order. */
  runPack(trials: TrialSpec<z.infer<S>>[], ctx: RunContext): Promise<TrialResult[]>;
}
