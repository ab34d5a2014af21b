import { getExperiment } from '../experiments';
import { gridCells } from './grid';
import { deriveSeed } from '../rng';
import type { Experiment, TrialSpec } from '../experiments/types';
import { estimatePackMs } from './pack-budget';
import { WORKER_LIMITS } from '../limits/cloudflare';
import { DEFAULT_LIMITS, MAX_SERIES_POINTS, SweepRequestError, sweepRequestSchema, zodIssues, type FieldIssue, type SweepLimits } from './request';

export interface ExpandedSweep {
  id: string;
  experiment: Experiment;
  name: string | null;
  seed: number;
  repeats: number;
  /** The grid actually swept (defaults merged with the request). */
  grid: Record<string, unknown[]>;
  /** Fixed overrides from the request. */
  params: Record<string, unknown>;
  trials: TrialSpec[];
}

/** `function=sin,n_hidden=2`: the grid-cell values that distinguish a config. */
export function configKeyOf(cell: Record<string, unknown>): string {
  const keys = Object.keys(cell);
  if (keys.length === 0) return 'default';
  return keys.map((k) => `${k}=${typeof cell[k] === 'string' ? cell[k] : JSON.stringify(cell[k])}`).join(',');
}

/**
 * Turns a sweep request into trials: grid cells × repeats, each with a deterministic id
 * (`<sweep>.<cell>.<repeat>`) and the sweep seed. Every cell is validated against the
 * experiment's schema; any problem throws a SweepRequestError naming the field.
 */
export function expandSweep(
  body: unknown,
  sweepId: string,
  limits: SweepLimits = DEFAULT_LIMITS,
  /** Custom experiments are resolved by the caller first (core/experiments/resolve.ts). */
  lookup: (id: string) => Experiment | undefined = getExperiment,
): ExpandedSweep {
  const parsed = sweepRequestSchema.safeParse(body);
  if (!parsed.success) throw new SweepRequestError(zodIssues(parsed.error));
  const req = parsed.data;
  const experiment = lookup(req.experiment);
  if (!experiment) throw new SweepRequestError([{ field: 'experiment', message: `unknown experiment '${req.experiment}'` }]);
  const issues: FieldIssue[] = [];
  const known = new Set(Object.keys(experiment.params.shape));
  const overrides = req.params ?? {};
  for (const key of Object.keys(overrides)) if (!known.has(key)) issues.push({ field: `params.${key}`, message: `unknown parameter of ${experiment.id}` });
  for (const key of Object.keys(req.grid ?? {})) if (!known.has(key)) issues.push({ field: `grid.${key}`, message: `unknown parameter of ${experiment.id}` });
  for (const key of Object.keys(req.grid ?? {})) if (key in overrides) issues.push({ field: `grid.${key}`, message: 'also fixed in params; give it in one place' });
  const repeats = req.repeats ?? experiment.repeats;
  if (repeats > limits.maxRepeats) issues.push({ field: 'repeats', message: `at most ${limits.maxRepeats}` });
  if (issues.length) throw new SweepRequestError(issues);

  // A parameter fixed in `params` removes the default grid axis of the same name.
  const grid: Record<string, unknown[]> = {};
  for (const [k, v] of Object.entries(experiment.grid)) if (!(k in overrides) && Array.isArray(v)) grid[k] = v;
  Object.assign(grid, req.grid ?? {});
  // Sizes first: the product is counted before a single cell is built, so a request of a
  // few kilobytes cannot make the host build millions of cells.
  const cellCount = Object.values(grid).reduce((n, values) => n * values.length, 1);
  const total = cellCount * repeats;
  if (total > limits.maxTrials) {
    throw new SweepRequestError([{ field: 'grid', message: `${cellCount} cells × ${repeats} repeats = ${total} trials, above the cap of ${limits.maxTrials}` }]);
  }
  // A value listed twice would make identical trials that verdicts count as independent.
  for (const [key, values] of Object.entries(req.grid ?? {})) {
    const seen = new Set<string>();
    for (const v of values) {
      const k = JSON.stringify(v);
      if (seen.has(k)) {
        issues.push({ field: `grid.${key}`, message: `value ${k} is listed twice; each grid value must be distinct` });
        break;
      }
      seen.add(k);
    }
  }
  if (issues.length) throw new SweepRequestError(issues);
  const cells = gridCells(grid);
  // A size problem is reported once per field (its first config), not once per cell.
  const once = (issue: FieldIssue) => {
    if (!issues.some((i) => i.field === issue.field)) issues.push(issue);
  };
  const defaults = experiment.params.safeParse({});
  /**
   * The request's parameter most responsible for `over` (true when a config is too big):
   * the one whose reset to its default fixes it, named where the request set it.
   */
  const culprit = (cell: Record<string, unknown>, over: (p: Record<string, unknown>) => boolean, fallback: string): string => {
    if (!defaults.success) return fallback;
    const set = { ...overrides, ...cell };
    for (const key of Object.keys(set)) {
      const reset = experiment.params.safeParse({ ...set, [key]: (defaults.data as Record<string, unknown>)[key] });
      // A key is in params or on the grid, never both (refused above).
      if (reset.success && !over(reset.data)) return key in overrides ? `params.${key}` : `grid.${key}`;
    }
    return fallback;
  };

  /**
   * One config's sizes, each computed once: CPU by the pack-time model, the heap of one
   * network, the longest recorded curve. A config the experiment cannot plan (blocks that do
   * not fit together, such as a convolution kernel wider than the images) is the request's
   * fault, and its refusal is named; deliberate refusals are plain Errors, anything else is a
   * bug and stays a 500.
   */
  const measure = (p: Record<string, unknown>): { cpuMs: number; bytes: number; points: number } | { refusal: string } => {
    try {
      return { cpuMs: estimatePackMs(experiment, [{ params: p }]), bytes: experiment.memory(p, 1), points: experiment.seriesPoints?.(p) ?? 0 };
    } catch (err) {
      if (err instanceof Error && err.constructor === Error) return { refusal: err.message };
      throw err;
    }
  };

  const seed = req.seed ?? 0;
  const trials: TrialSpec[] = [];
  cells.forEach((cell, ci) => {
    const result = experiment.params.safeParse({ ...overrides, ...cell });
    if (!result.success) {
      for (const issue of zodIssues(result.error)) {
        const where = issue.field in cell ? `grid.${issue.field}` : `params.${issue.field}`;
        if (!issues.some((i) => i.field === where && i.message === issue.message)) issues.push({ field: where, message: issue.message });
      }
      return;
    }
    const refusal = experiment.refusal?.(result.data);
    if (refusal) {
      const field = refusal.param in overrides ? `params.${refusal.param}` : refusal.param in cell ? `grid.${refusal.param}` : culprit(cell, (p) => experiment.refusal?.(p) != null, Object.keys(cell).length ? 'grid' : 'params');
      once({ field, message: `config ${configKeyOf(cell)}: ${refusal.message}` });
      return;
    }
    const sizes = measure(result.data);
    if ('refusal' in sizes) {
      once({
        field: culprit(cell, (p) => 'refusal' in measure(p), Object.keys(cell).length ? 'grid' : 'params'),
        message: `config ${configKeyOf(cell)}: ${sizes.refusal}`,
      });
      return;
    }
    const { cpuMs, bytes, points } = sizes;
    if (cpuMs > limits.maxTrialCpuMs) {
      once({
        field: culprit(cell, (p) => estimatePackMs(experiment, [{ params: p }]) > limits.maxTrialCpuMs, Object.keys(cell).length ? 'grid' : 'params'),
        message: `config ${configKeyOf(cell)}: one trial needs about ${seconds(cpuMs)} of CPU by the pack-time model (core/sweep/pack-budget.ts), above the ${seconds(limits.maxTrialCpuMs)} a trial may use (the Worker's CPU limit of ${seconds(WORKER_LIMITS.cpuMs)} per invocation, less a 20% margin); a trial runs within one invocation, so reduce it`,
      });
      return;
    }
    const cost = experiment.cost(result.data);
    if (cost > limits.maxTrialCost) {
      issues.push({
        field: Object.keys(cell).length ? 'grid' : 'params',
        message: `config ${configKeyOf(cell)}: one trial would need about ${cost.toExponential(2)} work units, above the per-trial budget of ${limits.maxTrialCost.toExponential(2)} (the Worker CPU limit); reduce steps or sizes`,
      });
      return;
    }
    // One network (with its shadow twin) must fit; bigger packs are cut to fit by packTrials.
    if (bytes > limits.maxPackBytes) {
      const gridKey = Object.keys(req.grid ?? {}).find((k) => k in cell);
      issues.push({
        field: gridKey ? `grid.${gridKey}` : Object.keys(overrides).length ? 'params' : 'grid',
        message: `config ${configKeyOf(cell)}: training it needs about ${megabytes(bytes)} of WebAssembly memory even alone (estimate, core/experiments/memory.ts), above the budget of ${megabytes(limits.maxPackBytes)} per pack (a Worker isolate has 128 MB); reduce the layer widths or the number of rows`,
      });
      return;
    }
    if (points > MAX_SERIES_POINTS) {
      once({
        field: culprit(cell, (p) => (experiment.seriesPoints?.(p) ?? 0) > MAX_SERIES_POINTS, Object.keys(cell).length ? 'grid' : 'params'),
        message: `config ${configKeyOf(cell)}: one trial would record a curve of ${points} points, above the ${MAX_SERIES_POINTS} that fit in one D1 row (2 MB); record less often`,
      });
      return;
    }
    const configKey = configKeyOf(cell);
    for (let r = 0; r < repeats; r++) {
      trials.push({ id: `${sweepId}.${ci}.${r}`, sweepId, experiment: experiment.id, configKey, repeat: r, seed, params: result.data });
    }
  });
  if (issues.length) throw new SweepRequestError(issues);
  return { id: sweepId, experiment, name: req.name ?? null, seed, repeats, grid, params: overrides, trials };
}

function seconds(ms: number): string {
  return `${Math.round(ms / 1000)} s`;
}

function megabytes(bytes: number): string {
  return bytes >= 1024 ** 3 ? `${(bytes / 1024 ** 3).toFixed(1)} GB` : `${(bytes / 1024 ** 2).toFixed(1)} MB`;
}

/**
 * Trials grouped into packs that one queue message trains together: same pack key (one
 * network shape), at most `maxPack` networks, at most `maxPackCost` summed work, at most
 * `maxPackBytes` of estimated WASM heap, and at most `maxPackCpuMs` of estimated CPU
 * (core/sweep/pack-budget.ts; Infinity turns it off: on Cloudflare a sweep lasts as long as its longest pack). A
 * trial that alone exceeds a budget still runs, alone. A group that needs m packs is cut
 * into m packs of near-equal size rather than full packs and a remainder, so the longest
 * pack is as short as m packs allow. A trial's numbers do not depend on its pack.
 */
export function packTrials(
  experiment: Experiment,
  trials: TrialSpec[],
  maxPack: number,
  maxPackCost = DEFAULT_LIMITS.maxTrialCost,
  maxPackBytes = DEFAULT_LIMITS.maxPackBytes,
  maxPackCpuMs = DEFAULT_LIMITS.maxPackCpuMs,
): TrialSpec[][] {
  const fits = (pack: TrialSpec[]): boolean =>
    pack.length <= maxPack &&
    pack.reduce((a, t) => a + experiment.cost(t.params), 0) <= maxPackCost &&
    experiment.memory(pack[0].params, pack.length) <= maxPackBytes &&
    estimatePackMs(experiment, pack) <= maxPackCpuMs;
  const groups = new Map<string, TrialSpec[]>();
  for (const t of trials) {
    const key = experiment.packKey ? experiment.packKey(t.params) : t.configKey;
    const list = groups.get(key) ?? [];
    list.push(t);
    groups.set(key, list);
  }
  const packs: TrialSpec[][] = [];
  for (const list of groups.values()) {
    // Greedy first: how many packs this group needs.
    const greedy: TrialSpec[][] = [];
    let pack: TrialSpec[] = [];
    for (const t of list) {
      if (pack.length && !fits([...pack, t])) {
        greedy.push(pack);
        pack = [];
      }
      pack.push(t);
    }
    if (pack.length) greedy.push(pack);
    // Then the same number of packs, balanced, when every one of them fits.
    const m = greedy.length;
    const balanced = Array.from({ length: m }, (_, i) => list.slice(Math.round((i * list.length) / m), Math.round(((i + 1) * list.length) / m)));
    packs.push(...(m > 1 && balanced.every((p) => p.length === 1 || fits(p)) ? balanced : greedy));
  }
  return packs;
}

/** A new sweep id: time-ordered and unique enough for one database. */
export function newSweepId(now: number, entropy: number): string {
  return `${now.toString(36)}${(deriveSeed(now, entropy) % 46656).toString(36).padStart(3, '0')}`;
}
