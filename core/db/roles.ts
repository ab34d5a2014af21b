/**
 * The storage contract, split by role. One drizzle implementation serves every role (the
 * Store of core/db/store.ts, built from one class per role), and each caller is typed by
 * the roles it uses, so its signature says what it may read and write:
 *
 * - SweepCatalogue (core/db/catalogue.ts): sweeps and their trial rows, as created, read,
 *   listed, cancelled, requeued and deleted;
 * - SpecRegistry (core/db/specs.ts): the custom experiments' specs;
 * - TrialLeases and LeaseRepair (core/db/leases.ts): the at-least-once protocol a pack runs
 *   under (take, renew, release, save, mark), and the repair of leases whose holder died;
 * - ResultQueries (core/db/results.ts): what a sweep's trials recorded, and the answers
 *   computed from it that are kept per sweep version;
 * - SettleStore (core/db/settle-store.ts): Settle's state per sweep and its rounds.
 */
import type { Series, TrialResult, TrialSpec } from '../experiments/types';
import type { ExpandedSweep } from '../sweep/expand';
import type { SettleBudget, SettleRound, SettleState, SettleStatus } from '../settle/types';
import type { SweepCell } from '../settle/plan';
import type { AggregateRow } from './aggregate';
import type { TrialStatus } from './schema';

export type SweepStatus = 'queued' | 'running' | 'done' | 'failed' | 'cancelled';

export interface SweepCounts {
  total: number;
  queued: number;
  running: number;
  done: number;
  failed: number;
  cancelled: number;
}

export interface SweepSummary {
  id: string;
  experiment: string;
  name: string | null;
  seed: number;
  repeats: number;
  status: SweepStatus;
  counts: SweepCounts;
  createdAt: number;
  finishedAt: number | null;
  /** Estimated ms until done, from the pace so far; null before the first result and while trials are stale or at risk. */
  etaMs: number | null;
  /** Trials whose lease expired without a result (a crashed consumer); retryable. */
  stale: number;
  /**
   * Running trials whose lease has not been renewed for two heartbeats but has not expired
   * yet: their consumer is probably dead, and the repair requeues them once the lease expires.
   */
  atRisk: number;
  /**
   * While trials wait or run: ms since any trial of the sweep last started, renewed its lease
   * (a heartbeat), or finished, or since its trials were last sent (null when none is left). One pack runs at most the
   * Worker's 5-minute CPU budget, so a wait well beyond that means the queue messages were
   * probably lost (wrangler dev drops its in-memory queue when it reloads): POST /retry
   * re-sends them, and a duplicate delivery is a no-op.
   */
  stalledMs: number | null;
  /**
   * Changes whenever anything a read of the sweep's results shows changes (a trial leased,
   * finished, failed or cancelled): reads send it as their ETag, and stored answers
   * (its verdict) are keyed by it. A finished sweep's version is final.
   */
  version: string;
  request: unknown;
}

/** Where a page of sweeps (or of stored specs) continues: the last listed one's creation time and id. */
export interface SweepCursor {
  createdAt: number;
  id: string;
}

/** A custom experiment as stored: its spec is the validated JSON posted to /api/experiments. */
export interface StoredExperiment {
  id: string;
  spec: unknown;
  title: string;
  createdAt: number;
}

/**
 * A lease: the trial and the attempt that took it. `attempts` is the lease token: taking a
 * trial increments it, so a consumer whose lease expired and was taken over (a zombie) no
 * longer matches and can neither renew, release, fail nor write results for it.
 */
export interface Lease {
  id: string;
  attempt: number;
}

/** Where a page of trial results continues: the last trial's grid cell and repeat. */
export interface TrialCursor {
  configIndex: number;
  repeat: number;
}

/** One trial with its results, as /api/sweeps/:id/trials answers it. */
export interface TrialRecord {
  id: string;
  config: string;
  repeat: number;
  status: TrialStatus;
  attempts: number;
  error: string | null;
  durationMs: number | null;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  params: Record<string, any>;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  info: Record<string, any> | null;
  scalars: Record<string, number>;
  series: Record<string, Series>;
  traces: Record<string, Series>;
}

/** Sweeps and their trial rows: what POST /api/sweeps creates and the sweep routes read and change. */
export interface SweepCatalogue {
  /** Stores the sweep and all its trials (queued) together. */
  createSweep(s: ExpandedSweep, request: unknown, now: number): Promise<void>;
  /** The sweep with its trial counts and activity at `now`, or null. */
  getSweep(id: string, now: number): Promise<SweepSummary | null>;
  /** One page of sweeps, newest first, optionally of one experiment; `next` continues it. */
  listSweeps(now: number, page?: { limit?: number; cursor?: SweepCursor | null; experiment?: string }): Promise<{ sweeps: SweepSummary[]; next: string | null }>;
  /** Every sweep, page by page. */
  allSweeps(now: number): AsyncGenerator<SweepSummary>;
  /** Queued and running trials become cancelled (a finished sweep is left as it is). */
  cancelSweep(id: string): Promise<void>;
  /** The sweep and everything stored of it. */
  deleteSweep(id: string): Promise<void>;
  /** Requeues every trial that did not finish (done ones never rerun) and returns them to be sent. */
  requeueUnfinished(id: string, now: number): Promise<TrialSpec[]>;
}

/** Custom experiments' specs, under their content-hash ids (POST /api/experiments). */
export interface SpecRegistry {
  /** Idempotent: an id already stored writes nothing and answers `created: false`. */
  putExperimentSpec(e: { id: string; spec: unknown; title: string }, now: number): Promise<{ created: boolean }>;
  getExperimentSpec(id: string): Promise<StoredExperiment | null>;
  /** One page, oldest first; `next` continues it. */
  listExperimentSpecs(page?: { limit?: number; cursor?: SweepCursor | null }): Promise<{ specs: StoredExperiment[]; next: string | null }>;
  countExperimentSpecs(): Promise<number>;
  /** Deletes a spec unless a sweep names it. */
  deleteExperimentSpec(id: string): Promise<'deleted' | 'in_use' | 'missing'>;
}

/**
 * The lease protocol a pack runs under (core/run/run-trials.ts): at-least-once delivery,
 * exactly one result set per trial. core/db/leases.ts explains it.
 */
export interface TrialLeases {
  /** A running trial whose lease is older than this (ms) is stale: its holder died. */
  readonly leaseMs: number;
  /** How often a running pack renews its leases (a quarter lease). */
  readonly heartbeatMs: number;
  /** Leases the queued (or stale) trials among `ids`; returns each with its attempt, the lease token. */
  takeLeases(ids: string[], now: number): Promise<Lease[]>;
  /** takeLeases without the tokens. */
  leaseTrials(ids: string[], now: number): Promise<string[]>;
  /** The heartbeat; returns the ids still held. */
  renewLeases(leases: Lease[], now: number): Promise<string[]>;
  /** Gives held trials back, queued (to be leased again) or failed; returns the ids released. */
  releaseLeases(leases: Lease[], status: 'queued' | 'failed', error: string, now: number): Promise<string[]>;
  /** Stores the results of trials still held (all at once); returns the ids written. */
  saveResults(results: TrialResult[], now: number, durationMs: number, info: Record<string, unknown>, leases?: Lease[]): Promise<string[]>;
  /** Sets trials that are not done to failed or queued, whoever holds them. */
  markTrials(ids: string[], status: 'failed' | 'queued', error: string | null, now: number): Promise<void>;
  /** Fails trials that are not done, keeping the last attempt's error after `reason`. */
  giveUp(ids: string[], reason: string, now: number, countAttempts?: boolean): Promise<void>;
  /** How often the trial was leased so far (0 for none or an unknown id). */
  attemptsOf(id: string): Promise<number>;
}

/** The repair of the lease protocol: what a dead holder or a lost message left behind. */
export interface LeaseRepair {
  /** Trials whose lease expired: requeued, failed after `maxAttempts` leases, or cancelled with their sweep. */
  requeueStale(now: number, maxAttempts: number, cutoff?: number): Promise<{ requeued: TrialSpec[]; failed: string[]; cancelled: string[] }>;
  /** Queued trials of sweeps where nothing happened for `stalledMs`, to be sent again. */
  resendStalled(now: number, stalledMs: number, maxSweeps?: number): Promise<TrialSpec[]>;
}

/** What a sweep's trials recorded, read for figures, exports and verdicts, and the answers kept per sweep version. */
export interface ResultQueries {
  /** The sweep's distinct configs: key, grid index and parameters. */
  configs(sweepId: string): Promise<Array<{ config: string; index: number; params: Record<string, unknown> }>>;
  /** The sweep's grid cells with their repeats so far. */
  cells(sweepId: string): Promise<SweepCell[]>;
  /** Mean, spread and n per config, metric and step (core/db/aggregate.ts). */
  aggregate(sweepId: string, metricNames?: string[], includeTraces?: boolean): Promise<AggregateRow[]>;
  /** Every trial with its results (optionally some metrics, or one repeat). */
  trialResults(sweepId: string, metricNames?: string[], repeat?: number): Promise<TrialRecord[]>;
  /** One page of trials with their results, in (config, repeat) order. */
  trialResultsPage(sweepId: string, q?: { metrics?: string[]; repeat?: number; limit?: number; after?: TrialCursor | null }): Promise<{ trials: TrialRecord[]; next: string | null }>;
  /** An answer (e.g. the verdict) stored at this version of the sweep, or null. */
  storedAnswer(sweepId: string, kind: string, version: string): Promise<string | null>;
  /** Keeps an answer for reads at the same version; false when it is too big to keep. */
  storeAnswer(sweepId: string, kind: string, version: string, body: string): Promise<boolean>;
}

/** Settle's state per sweep (core/settle/advance.ts): budget, spending, and the rounds so far. */
export interface SettleStore {
  getSettle(sweepId: string): Promise<SettleState | null>;
  /** Starts (or continues) settling with `budget` more to spend; returns the state after. */
  startSettle(sweepId: string, budget: SettleBudget, now: number): Promise<SettleState>;
  /** Takes round `round` of a running settle; false when another caller took it first. */
  claimSettleRound(sweepId: string, round: number, now: number): Promise<boolean>;
  /** Ends a settle with its reason and final history. */
  endSettle(sweepId: string, status: Exclude<SettleStatus, 'running'>, reason: string | null, history: SettleRound[], now: number): Promise<void>;
  /** One round's trials, the sweep reopened for them, and the round in the history, together. */
  addSettleRound(sweepId: string, add: TrialSpec[], spent: { trials: number; cpuMs: number }, history: SettleRound[], now: number): Promise<void>;
  /** Sweeps with a running settle, oldest first. */
  runningSettles(limit?: number): Promise<string[]>;
}
