import { z } from 'zod';
import { D1_LIMITS, WORKER_LIMITS } from '../limits/cloudflare';

/** Limits a sweep request must respect; hosts may lower or raise them. */
export interface SweepLimits {
  maxTrials: number;
  maxRepeats: number;
  /** Largest estimated work of one trial (see Experiment.cost); beyond it a trial would not fit the CPU budget. */
  maxTrialCost: number;
  /**
   * Largest estimated WebAssembly heap of one pack (see Experiment.memory). A Worker isolate
   * has 128 MB for everything, WASM memory included; 96 MB leaves 32 MB for the JS heap
   * (tfjs-core, the bundle, result JSON, the D1 driver). A config that cannot fit even alone
   * is refused at creation; packs of smaller configs are cut to fit (core/sweep/expand.ts).
   */
  maxPackBytes: number;
  /**
   * Largest estimated CPU of one pack in ms (core/sweep/pack-budget.ts): packs are cut below
   * it so the longest invocation, which bounds a sweep's wall time on Cloudflare, stays
   * short. Not a refusal: a trial that alone needs more runs alone.
   */
  maxPackCpuMs: number;

  /**
   * Largest estimated CPU ms of one trial alone (core/sweep/pack-budget.ts): a trial is
   * trained within one invocation, so one that would need more than the host's CPU limit
   * is refused at creation. The default keeps a 20% margin below the Worker's 300 s
   * (`limits.cpu_ms` in wrangler.toml) for the model's error and the writes.
   */
  maxTrialCpuMs: number;
}

/** CPU ms a trial may be estimated to need: the Worker's per-invocation limit less a 20% margin. */
export const TRIAL_CPU_BUDGET_MS = Math.round(WORKER_LIMITS.cpuMs * 0.8);

/**
 * Longest series or trace a trial may record: each point costs at most about 40 bytes of
 * JSON (a step and a float64 in shortest round-trip form), and one series is one D1 row.
 */
export const MAX_SERIES_POINTS = Math.floor(D1_LIMITS.rowBytes / 40);

export const DEFAULT_LIMITS: SweepLimits = {
  maxTrials: 5000,
  maxRepeats: 100,
  maxTrialCost: 5e10,
  maxPackBytes: 96 * 1024 * 1024,
  maxPackCpuMs: 30_000,
  maxTrialCpuMs: TRIAL_CPU_BUDGET_MS,
};

export const sweepRequestSchema = z
  .object({
    experiment: z.string().min(1).max(32),
    repeats: z.number().int().min(1).optional(),
    seed: z.number().int().min(0).max(2 ** 32 - 1).optional(),
    params: z.record(z.string(), z.unknown()).optional(),
    grid: z.record(z.string(), z.array(z.unknown()).min(1).max(1000)).optional(),
    name: z.string().max(200).optional(),
  })
  .strict();

export type SweepRequest = z.infer<typeof sweepRequestSchema>;

/** A problem with a request, naming the field (dotted path) and the rule it broke. */
export interface FieldIssue {
  field: string;
  message: string;
}

export class SweepRequestError extends Error {
  constructor(readonly issues: FieldIssue[]) {
    super(issues.map((i) => `${i.field}: ${i.message}`).join('; '));
  }
}

export function zodIssues(error: { issues: readonly z.core.$ZodIssue[] }, prefix: string[] = []): FieldIssue[] {
  return error.issues.flatMap((i) => {
    const path = [...prefix, ...i.path.map(String)];
    // Name each unknown key as its own field rather than pointing at the parent object.
    if (i.code === 'unrecognized_keys') return i.keys.map((k) => ({ field: [...path, k].join('.'), message: 'unknown field' }));
    return [{ field: path.join('.') || '(body)', message: i.message }];
  });
}

/** Keys that reach an object's prototype when assigned (`obj[key] = …`). */
const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

/**
 * Nesting a sweep request needs at most: body → grid → a parameter's list of values → a
 * value that is itself a list (hidden layer widths, class separations). Anything deeper is
 * refused before it reaches zod, JSON.stringify or the store.
 */
export const MAX_REQUEST_DEPTH = 4;

/**
 * Structural checks on parsed JSON, without recursion (a 30,000-deep array must not
 * exhaust the stack): no prototype-reaching keys anywhere, nesting at most `maxDepth`
 * containers. Returns at most a few issues, each naming the offending field.
 */
export function jsonShapeIssues(value: unknown, maxDepth = MAX_REQUEST_DEPTH): FieldIssue[] {
  const issues: FieldIssue[] = [];
  const stack: Array<{ v: unknown; path: string[]; depth: number }> = [{ v: value, path: [], depth: 0 }];
  const field = (path: string[]) => path.join('.') || '(body)';
  while (stack.length && issues.length < 5) {
    const { v, path, depth } = stack.pop()!;
    if (v === null || typeof v !== 'object') continue;
    if (depth + 1 > maxDepth) {
      issues.push({ field: field(path), message: `nested deeper than ${maxDepth} levels (parameter values are numbers, strings or short lists)` });
      continue;
    }
    for (const key of Object.keys(v)) {
      if (FORBIDDEN_KEYS.has(key)) {
        issues.push({ field: field([...path, key]), message: `'${key}' is not allowed as a key` });
        continue;
      }
      stack.push({ v: (v as Record<string, unknown>)[key], path: [...path, key], depth: depth + 1 });
    }
  }
  return issues;
}
