import type { TrialPackMessage } from '../core/run/run-trials';

/** Bindings and settings of the Worker (see wrangler.toml). */
export interface Env {
  DB: D1Database;
  TRIALS: Queue<TrialPackMessage>;
  ASSETS?: Fetcher;
  /** When set, mutating routes need `Authorization: Bearer <API_TOKEN>`. */
  API_TOKEN?: string;
  /** Also require the token for reads. */
  PROTECT_READS?: string;
  MAX_TRIALS?: string;
  MAX_PACK?: string;
}
