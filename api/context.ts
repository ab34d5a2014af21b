import type { Store } from '../core/db/store';
import type { TrialPackMessage } from '../core/run/run-trials';
import type { Config } from './config';

/** Settings the routes read; the Worker gets them from wrangler.toml, the Node server from its env. */
export interface AppBindings {
  /** When set, mutating routes need `Authorization: Bearer <API_TOKEN>`. */
  API_TOKEN?: string;
  /** Also require the token for reads. */
  PROTECT_READS?: string;
  /** Without API_TOKEN, take mutating requests from any host, not only from this machine. */
  ALLOW_OPEN?: string;
  MAX_TRIALS?: string;
  MAX_PACK?: string;
  MAX_PACK_CPU_MS?: string;
  /** Lease of a running trial in ms (default 60 s, core/db/leases.ts); heartbeats run every quarter of it. */
  LEASE_MS?: string;
  /** 'packed' (default) or 'baseline': the trial engine (core/engine.ts). */
  ENGINE?: string;
  /** Comma-separated origins besides the server's own that may call the API (api/middleware/cross-site.ts). */
  ALLOWED_ORIGINS?: string;
  /** Comma-separated host names the server answers to (default localhost, 127.0.0.1, [::1], *.workers.dev). */
  ALLOWED_HOSTS?: string;
}

/**
 * What a host gives the routes: a store and a queue. The Worker wires D1 and Cloudflare
 * Queues; the Node runner wires SQLite and its worker-thread pool. Routes stay the same.
 */
export interface AppEnv {
  Bindings: AppBindings;
  Variables: {
    /** The bindings above, parsed and checked (api/config.ts). */
    config: Config;
    requestId: string;
    store: Store;
    enqueue: (packs: TrialPackMessage[]) => Promise<void>;
    /** What the host reports about its trainers in /api/health (the Node runner: its thread pool). */
    hostStats?: () => Record<string, unknown>;
  };
}
