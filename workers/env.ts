import type { TrialPackMessage } from '../core/run/run-trials';

import type { AppBindings } from '../api/context';

/** Bindings and settings of the Worker (see wrangler.toml). */
export interface Env extends AppBindings {
  DB: D1Database;
  TRIALS: Queue<TrialPackMessage>;
  ASSETS?: Fetcher;
  /** Fault injection plan as JSON (core/run/faults.ts), for scripts/faults.ts under wrangler dev only. */
  FAULTS?: string;
}
