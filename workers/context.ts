import type { Store } from '../core/db/store';
import type { TrialPackMessage } from '../core/run/run-trials';

/** Settings the routes read; the Worker gets them from wrangler.toml, the Node server from its env. */
export interface AppBindings {
  /** When set, mutating routes need `Authorization: Bearer <API_TOKEN>`. */
  API_TOKEN?: string;
  /** Also require the token for reads. */
  PROTECT_READS?: string;
  MAX_TRIALS?: string;
  MAX_PACK?: string;
  /** 'packed' (default) or 'baseline': the trial engine (core/engine.ts). */
  ENGINE?: string;
}

/**
 * What a host gives the routes: a store and a queue. The Worker wires D1 and Cloudflare
 * Queues; the Node runner wires SQLite and its worker-thread pool. Routes stay the same.
 */
export interface AppEnv {
  Bindings: AppBindings;
  Variables: {
    store: Store;
    enqueue: (packs: TrialPackMessage[]) => Promise<void>;
  };
}
