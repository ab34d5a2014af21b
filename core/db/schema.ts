/**
 * The SQL schema as code: migrations/ is generated from this file by drizzle-kit.
 * Curves are stored as JSON arrays (one row per trial and metric) rather than one row per
 * point: D1 caps bound parameters per query, and SQLite's json_each unnests them again
 * for the aggregate, so averaging still happens in SQL.
 */
import { index, integer, primaryKey, real, sqliteTable, text } from 'drizzle-orm/sqlite-core';
import { SETTLE_STATUSES } from '../settle/types';

export const sweeps = sqliteTable('sweeps', {
  id: text('id').primaryKey(),
  experiment: text('experiment').notNull(),
  name: text('name'),
  seed: integer('seed').notNull(),
  repeats: integer('repeats').notNull(),
  /** The validated request, with defaults filled in, as JSON. */
  request: text('request').notNull(),
  total: integer('total').notNull(),
  /** Set by a cancel; queued trials are then skipped. */
  cancelled: integer('cancelled', { mode: 'boolean' }).notNull().default(false),
  createdAt: integer('created_at').notNull(),
  finishedAt: integer('finished_at'),
  /** When trials were last sent to the queue (creation or a retry); see SweepSummary.stalledMs. */
  sentAt: integer('sent_at'),
});

export const TRIAL_STATUSES = ['queued', 'running', 'done', 'failed', 'cancelled'] as const;
export type TrialStatus = (typeof TRIAL_STATUSES)[number];

export const trials = sqliteTable(
  'trials',
  {
    /** Deterministic: `<sweep>.<cell>.<repeat>`. */
    id: text('id').primaryKey(),
    sweepId: text('sweep_id')
      .notNull()
      .references(() => sweeps.id, { onDelete: 'cascade' }),
    configKey: text('config_key').notNull(),
    configIndex: integer('config_index').notNull(),
    repeat: integer('repeat').notNull(),
    /** Full parameter set of the grid cell, as JSON. */
    params: text('params').notNull(),
    status: text('status', { enum: TRIAL_STATUSES }).notNull().default('queued'),
    attempts: integer('attempts').notNull().default(0),
    error: text('error'),
    /** When the current attempt took the trial; a stale lease is reported and retryable. */
    leasedAt: integer('leased_at'),
    finishedAt: integer('finished_at'),
    durationMs: real('duration_ms'),
    /** JSON: backend, pack size, clock notes. */
    info: text('info'),
  },
  (t) => [index('trials_sweep_status').on(t.sweepId, t.status), index('trials_sweep_config').on(t.sweepId, t.configKey)],
);

export const METRIC_KINDS = ['scalar', 'series', 'trace'] as const;

export const metrics = sqliteTable(
  'metrics',
  {
    trialId: text('trial_id')
      .notNull()
      .references(() => trials.id, { onDelete: 'cascade' }),
    metric: text('metric').notNull(),
    kind: text('kind', { enum: METRIC_KINDS }).notNull(),
    /** Scalars only. */
    value: real('value'),
    /** Series and traces: JSON arrays of equal length. */
    steps: text('steps'),
    points: text('points'),
  },
  (t) => [primaryKey({ columns: [t.trialId, t.metric, t.kind] })],
);

/**
 * Custom experiments posted as specs (core/custom/spec.ts). The id is the spec's content
 * hash, so a row never changes: an edited spec is a new id, and sweeps keep naming the
 * spec they ran.
 */
export const experiments = sqliteTable('experiments', {
  id: text('id').primaryKey(),
  /** The validated spec, with defaults filled in, as JSON. */
  spec: text('spec').notNull(),
  title: text('title').notNull(),
  createdAt: integer('created_at').notNull(),
});

/**
 * Answers derived from a sweep's results (its verdict), stored with the sweep's `version`
 * (Store's SweepSummary.version) they were computed at: a read at the same version is served
 * from here instead of reading every trial's results again. A finished
 * sweep's version never changes, so its verdict is computed once.
 */
export const sweepAnswers = sqliteTable(
  'sweep_answers',
  {
    sweepId: text('sweep_id')
      .notNull()
      .references(() => sweeps.id, { onDelete: 'cascade' }),
    kind: text('kind').notNull(),
    version: text('version').notNull(),
    body: text('body').notNull(),
  },
  (t) => [primaryKey({ columns: [t.sweepId, t.kind] })],
);


/**
 * A sweep being settled (core/settle): repeats added in rounds to the cells its undecided
 * claims compare, judged by the anytime-valid rule, until every claim is decided or the
 * budget is spent. One row per sweep; a second Settle continues it with more budget.
 * `history` holds each round's verdict in brief (at most MAX_SETTLE_ROUNDS rounds of at most
 * 50 claims: a few tens of KB, far below D1's 2 MB per row).
 */
export const sweepSettles = sqliteTable('sweep_settles', {
  sweepId: text('sweep_id')
    .primaryKey()
    .references(() => sweeps.id, { onDelete: 'cascade' }),
  status: text('status', { enum: SETTLE_STATUSES }).notNull(),
  /** Rounds of repeats added so far; a round is claimed by compare-and-set on this column. */
  round: integer('round').notNull().default(0),
  budgetTrials: integer('budget_trials').notNull(),
  /** Estimated CPU (the pack-time model, core/sweep/pack-budget.ts); null: no CPU budget. */
  budgetCpuMs: integer('budget_cpu_ms'),
  spentTrials: integer('spent_trials').notNull().default(0),
  spentCpuMs: integer('spent_cpu_ms').notNull().default(0),
  /** Why the settle stopped, when it did. */
  reason: text('reason'),
  /** JSON: SettleRound[] (core/settle/types.ts). */
  history: text('history').notNull(),
  startedAt: integer('started_at').notNull(),
  updatedAt: integer('updated_at').notNull(),
});

export type SweepRow = typeof sweeps.$inferSelect;
export type ExperimentRow = typeof experiments.$inferSelect;
export type TrialRow = typeof trials.$inferSelect;
export type MetricRow = typeof metrics.$inferInsert;
