import type { ExperimentLookup, TrialPackMessage } from '../core/run/run-trials';
import { errorMessage } from '../core/run/failure';
import { consumePack } from '../core/run/consume';
import { parseFaultPlan, withFaults } from '../core/run/faults';
import { knownExperiment } from '../core/experiments/resolve';
import { storeFor } from './db';
import { enqueuePacks } from './queue-producer';
import { advanceAndEnqueue } from '../api/settle';
import { shouldSplit, splitPack } from '../core/run/split';
import { engineNamed, parseEngine, type Engine } from '../core/engine';
import type { LibsvmLoader } from '../core/classical/svm';
import type { Env } from './env';
import type { Store } from '../core/db/store';

/** Lets workerd serve HTTP requests between training steps (one isolate, one thread). */
const yieldToHost = () => new Promise<void>((resolve) => setTimeout(resolve, 0));

/** Retry delays grow with each attempt: 5 s, 20 s, 45 s… */
export const backoffSeconds = (attempts: number) => Math.min(300, 5 * attempts * attempts);

export interface ConsumerDeps {
  /**
   * Makes the training backend ready and returns its name (the Worker loads tfjs WASM, with
   * atomsweep's kernels when the engine uses them).
   */
  prepare: (engine: Readonly<Engine>) => Promise<string>;
  /**
   * Throws the training backend away and makes a fresh one (a new WebAssembly instance with
   * its own heap), after a WebAssembly fault left the old one broken (core/run/failure.ts).
   */
  reset?: (engine: Readonly<Engine>) => Promise<void>;
  lookup?: ExperimentLookup;
  /** How this host loads libsvm-js (Exp 3's SVM), passed on in the run context. */
  libsvm?: LibsvmLoader;
}

/**
 * Trains each message's pack and acknowledges it. A throwing pack is retried with backoff;
 * after max_retries the message goes to the dead-letter queue, whose consumer (below)
 * marks its trials failed, so no trial waits forever. After a WebAssembly fault the
 * backend is replaced first, so the retry (and every other pack of this isolate) runs on a
 * fresh instance instead of the broken one.
 */
export async function consumeTrials(batch: MessageBatch<TrialPackMessage>, env: Env, deps: ConsumerDeps): Promise<void> {
  const engine = engineNamed(parseEngine(env.ENGINE));
  let backend = await deps.prepare(engine);
  const store = storeFor(env);
  const faulty = faultsFor(store, env, deps);
  for (const message of batch.messages) {
    // A custom experiment's spec is read from D1 once per isolate; the lookup then knows it.
    const result = await consumePack(message.body, { yieldToHost, now: Date.now, backend, engine, libsvm: deps.libsvm }, { pack: faulty.store, specs: store }, faulty.lookup);
    if (result.ok) {
      message.ack();
      // The pack may have finished a settle's round: the next one starts now, not at the cron.
      await advanceAndEnqueue(store, message.body.sweepId, env, (packs) => enqueuePacks(env.TRIALS, packs)).catch((err) => console.error(`settle of ${message.body.sweepId}: ${errorMessage(err)}`));
    } else {
      console.error(`pack of ${message.body.trials.length} trials (${message.body.sweepId}) failed: ${result.error}`);
      if (result.wasmFault && deps.reset) {
        await deps.reset(engine);
        injected = null; // an injected broken instance goes with the real one
        backend = await deps.prepare(engine);
      }
      if (shouldSplit(message.body, message.attempts, result.cause)) {
        // Failed twice as a pack: one bad trial must not fail its pack-mates, so each trial
        // goes on as its own message (a trial's numbers do not depend on its pack), with
        // the queue's retries and dead letter of its own.
        try {
          await enqueuePacks(env.TRIALS, splitPack(message.body));
          message.ack();
          continue;
        } catch (sendErr) {
          console.error(`could not split the pack (retrying it whole): ${errorMessage(sendErr)}`);
        }
      }
      message.retry({ delaySeconds: backoffSeconds(message.attempts) });
    }
  }
}

/**
 * The store and lookup, with the fault plan of FAULTS when set (scripts/faults.ts). Kept per
 * isolate like the backend it models: an injected WebAssembly fault breaks this isolate's
 * instance until `reset`.
 */
let injected: { key: string; deps: ConsumerDeps; faults: ReturnType<typeof withFaults> } | null = null;
function faultsFor(store: Store, env: Env, deps: ConsumerDeps): ReturnType<typeof withFaults> {
  const lookup = deps.lookup ?? knownExperiment;
  if (!env.FAULTS) return { store, lookup, poisoned: () => false };
  if (injected?.key !== env.FAULTS || injected.deps !== deps) {
    const faults = withFaults(parseFaultPlan(env.FAULTS), lookup, store, {
      exit: () => {
        throw new Error('injected: the consumer died');
      },
      uncaught: (err) => {
        throw err;
      },
    });
    injected = { key: env.FAULTS, deps, faults };
  }
  return injected.faults;
}

export async function consumeDeadLetters(batch: MessageBatch<TrialPackMessage>, env: Env): Promise<void> {
  const store = storeFor(env);
  for (const message of batch.messages) {
    await store.giveUp(
      message.body.trials.map((t) => t.id),
      // message.attempts counts deliveries of the dead letter, not of the pack: the store
      // names each trial's own attempts column instead.
      'gave up',
      Date.now(),
      true,
    );
    message.ack();
  }
}
