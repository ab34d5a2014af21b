/**
 * Experiment ids of both kinds: the built-ins (core/experiments/index.ts) and custom
 * experiments posted as specs (POST /api/experiments, stored by core/db/specs.ts and
 * compiled by core/custom/compile.ts). The trial path looks experiments up synchronously
 * (`ExperimentLookup` in core/run/run-trials.ts, packing, cost estimates), so callers first
 * `resolveExperiment(store, id)` (async: one read of the stored spec), after which
 * `knownExperiment(id)` answers from memory.
 *
 * A custom id is the content hash of its spec (core/custom/spec.ts `specId`), so a compiled
 * experiment never goes stale: it is cached per isolate (or thread) for as long as it lives.
 * The cache does not trust the id alone (48 bits of a hash can be made to collide): an entry
 * is used only for the very spec content it was compiled from.
 */
import { compileSpec } from '../custom/compile';
import { specContent, type ExperimentSpec } from '../custom/spec';
import type { SpecRegistry } from '../db/roles';
import { getExperiment } from './index';
import type { Experiment } from './types';

const compiled = new Map<string, { content: string; experiment: Experiment }>();

/**
 * The experiment of a stored spec, compiled once per id and content. `precompiled` is the
 * same spec already compiled (by compileUncached) and is kept instead of compiling again.
 */
export function experimentOfSpec(id: string, spec: unknown, precompiled?: Experiment): Experiment {
  const content = specContent(spec as ExperimentSpec);
  const hit = compiled.get(id);
  if (hit && hit.content === content) return hit.experiment;
  const experiment = precompiled ?? (compileSpec(id, spec as ExperimentSpec) as unknown as Experiment);
  compiled.set(id, { content, experiment });
  return experiment;
}

/** A spec compiled without entering the cache (a posted spec before the store has taken it). */
export function compileUncached(id: string, spec: ExperimentSpec): Experiment {
  return compileSpec(id, spec) as unknown as Experiment;
}

/** A built-in, or a custom experiment already resolved in this isolate; synchronous. */
export function knownExperiment(id: string): Experiment | undefined {
  return getExperiment(id) ?? compiled.get(id)?.experiment;
}

/**
 * A built-in, else the stored spec of that id compiled (undefined when neither exists).
 * `stored: true` asks the store even when this isolate compiled the id before: a spec
 * deleted meanwhile must not start new sweeps or be listed.
 */
export async function resolveExperiment(store: Pick<SpecRegistry, 'getExperimentSpec'>, id: string, opts: { stored?: boolean } = {}): Promise<Experiment | undefined> {
  const builtIn = getExperiment(id);
  if (builtIn) return builtIn;
  const cached = compiled.get(id);
  if (cached && !opts.stored) return cached.experiment;
  const stored = await store.getExperimentSpec(id);
  return stored ? experimentOfSpec(stored.id, stored.spec) : undefined;
}

/** Resolves every id (one read per custom id not yet in memory) and returns the synchronous lookup. */
export async function resolveExperiments(store: Pick<SpecRegistry, 'getExperimentSpec'>, ids: Iterable<string>, opts: { stored?: boolean } = {}): Promise<(id: string) => Experiment | undefined> {
  const found = new Map<string, Experiment>();
  for (const id of new Set(ids)) {
    const e = await resolveExperiment(store, id, opts);
    if (e) found.set(id, e);
  }
  return (id) => found.get(id) ?? getExperiment(id);
}

/** The spec an experiment was compiled from (a custom one, or a built-in written as a spec); undefined for one written as code. */
export function specOf(e: Experiment): ExperimentSpec | undefined {
  return (e as Experiment & { spec?: ExperimentSpec }).spec;
}

/** Forgets every compiled spec, as a fresh isolate would start (tests check resolution from the store). */
export function forgetCompiledExperiments(): void {
  compiled.clear();
}
