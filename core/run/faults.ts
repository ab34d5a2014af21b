/**
 * Fault injection for the fault tests and `npm run faults` (scripts/faults.ts): a plan,
 * passed as a value to a host (the Node pool's threads, `--faults` of node/server.ts),
 * wraps the experiment lookup and the store so that chosen attempts crash the way real
 * hosts crash. Never active unless a plan is given.
 */
import type { TrialLeases } from '../db/roles';
import type { Experiment } from '../experiments/types';
import type { ExperimentLookup } from './run-trials';

export type FaultKind =
  /** The host process/thread exits mid-pack (Node: the worker thread calls process.exit). */
  | 'exit'
  /** An exception escapes to the host's top level mid-pack (Node: the thread's 'error' event). */
  | 'uncaught'
  /** A WebAssembly RuntimeError as tfjs-wasm raises when its heap is exhausted; the instance stays broken. */
  | 'wasm'
  /** Saving the results fails (SQLite busy, a D1 error). */
  | 'save'
  /** The pack trains for `ms` more milliseconds (yielding), to be killed mid-pack. */
  | 'slow'
  /** The thread hangs in a loop that never yields (no heartbeat) for `ms` (default 10 min). */
  | 'hang';

export interface FaultPlan {
  kind: FaultKind;
  /** Only packs containing this trial id (default: every pack). */
  trial?: string;
  /** Only while the trial's attempt number is at most this (default 1: the first attempt). */
  attempts?: number;
  /** For 'slow' and 'hang'. */
  ms?: number;
}

export interface FaultHost {
  exit: () => never | void;
  uncaught: (err: Error) => void;
}

export function parseFaultPlan(text: string | undefined): FaultPlan[] {
  if (!text) return [];
  const plan = JSON.parse(text) as FaultPlan | FaultPlan[];
  return Array.isArray(plan) ? plan : [plan];
}

/**
 * The lookup and store with the plan's faults; `poisoned` models a broken WASM instance that
 * fails every later pack. The attempt a pack is on comes from the store (`attemptsOf`).
 */
export function withFaults<S extends TrialLeases>(plans: FaultPlan[], lookup: ExperimentLookup, store: S, host: FaultHost): { lookup: ExperimentLookup; store: S; poisoned: () => boolean } {
  if (!plans.length) return { lookup, store, poisoned: () => false };
  let poisoned: Error | null = null;
  const due = async (kind: FaultKind, ids: string[]) => {
    for (const p of plans.filter((x) => x.kind === kind)) {
      const id = p.trial && ids.includes(p.trial) ? p.trial : p.trial ? null : ids[0];
      if (id && (await store.attemptsOf(id)) <= (p.attempts ?? 1)) return p;
    }
    return null;
  };
  const faultyLookup: ExperimentLookup = (name) => {
    const real = lookup(name);
    if (!real) return real;
    const wrapped: Experiment = {
      ...real,
      async runPack(pack, ctx) {
        if (poisoned) throw poisoned;
        const ids = pack.map((t) => t.id);
        const slow = await due('slow', ids);
        if (slow) {
          const until = Date.now() + (slow.ms ?? 5000);
          while (Date.now() < until) {
            await new Promise((r) => setTimeout(r, 50));
            await ctx.yieldToHost?.();
          }
        }
        const hang = await due('hang', ids);
        if (hang) {
          const until = Date.now() + (hang.ms ?? 600_000);
          while (Date.now() < until) {
            /* spin: no yield, so no heartbeat and no timer runs */
          }
        }
        if (await due('exit', ids)) host.exit();
        if (await due('uncaught', ids)) {
          host.uncaught(new Error('injected uncaught exception mid-pack'));
          await new Promise(() => {}); // the host dies of it; this pack never returns
        }
        if (await due('wasm', ids)) {
          poisoned = new WebAssembly.RuntimeError('memory access out of bounds');
          throw poisoned;
        }
        return real.runPack(pack, ctx);
      },
    };
    return wrapped;
  };
  const faultyStore = Object.create(store) as S;
  (faultyStore as TrialLeases).saveResults = async (...args: Parameters<TrialLeases['saveResults']>) => {
    if (await due('save', args[0].map((r) => r.trialId))) throw new Error('injected: database is locked (SQLITE_BUSY) while saving results');
    return store.saveResults(...args);
  };
  return { lookup: faultyLookup, store: faultyStore, poisoned: () => poisoned !== null };
}
