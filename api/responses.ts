/**
 * What every route answers, as zod schemas: api/openapi.ts turns them (z.toJSONSchema, output
 * side) into the document's `responses` and `components.schemas`, and
 * test/workers/openapi.test.ts validates real answers of the app against what the document
 * declares. Each schema is registered under the component name it gets in the document.
 *
 * Where the body already has a TypeScript type (core/db/store.ts SweepSummary and
 * TrialRecord, core/db/aggregate.ts AggregateRow, core/verdict, core/settle/types.ts,
 * api/errors.ts ErrorBody, api/routes/experiments.ts describeExperiment), the `Checks` at the
 * end of this file make the schema's inferred type and that type assignable both ways, with
 * the same keys, so neither can change without the other: `npm run typecheck` fails.
 * test/workers/openapi.test.ts also checks at compile time that each route's own answer type
 * (api/app.ts AppType) is assignable to the schema the document declares for it.
 */
import { z } from 'zod';
import type { AggregateRow } from '../core/db/aggregate';
import type { SweepCounts, SweepSummary, TrialRecord } from '../core/db/store';
import { TRIAL_STATUSES } from '../core/db/schema';
import { experimentSpecSchema, type ExperimentSpec } from '../core/custom/spec';
import { claimSchema, type Claim } from '../core/experiments/claims';
import type { Series } from '../core/experiments/types';
import type { estimateSettle } from '../core/settle/advance';
import { SETTLE_STATUSES, type SettleBudget, type SettleClaimState, type SettleRound, type SettleState } from '../core/settle/types';
import type { ClaimVerdict } from '../core/verdict/evaluate';
import type { ClaimPower } from '../core/verdict/power';
import type { SweepVerdict } from '../core/verdict/sweep-verdict';
import type { ErrorBody, FieldIssue } from './errors';
import type { describeExperiment } from './routes/experiments';

/** Response schemas by their component name in the document (`#/components/schemas/<id>`). */
export const responseRegistry = z.registry<{ id: string }>();

const named = <T extends z.ZodType>(id: string, schema: T): T => {
  responseRegistry.add(schema, { id });
  return schema;
};

const nullableNumber = z.number().nullable();
const interval = z.tuple([z.number(), z.number()]).nullable();
const cursor = z.string().nullable().describe("The cursor of the following page (pass it as `cursor`), or null on the last page");

// ---- errors ----

export const fieldIssueSchema = z.object({ field: z.string(), message: z.string() });
export const errorSchema = named('Error', z.object({ error: z.string(), issues: z.array(fieldIssueSchema) }));

// ---- service ----

export const healthSchema = named(
  'Health',
  z.object({
    ok: z.literal(true),
    engine: z.enum(['packed', 'baseline']),
    maxPack: z.number().int(),
    auth: z.enum(['token', 'token-for-writes', 'open', 'this-machine-only']),
    /** The Node runner's thread pool (node/pool.ts TrialPool.stats). */
    pool: z
      .object({
        threads: z.number(),
        busyMs: z.number(),
        wallMs: z.number(),
        busyFraction: z.number(),
        splits: z.number(),
        respawned: z.number(),
      })
      .optional(),
  }),
);

/** The document itself: its top level only. */
export const openApiDocumentSchema = named(
  'OpenApiDocument',
  z.looseObject({
    openapi: z.string(),
    info: z.looseObject({ title: z.string(), version: z.string() }),
    paths: z.record(z.string(), z.record(z.string(), z.unknown())),
  }),
);

/** A JSON Schema (of an experiment's parameters, or of a spec). */
const jsonSchemaObject = named('JsonSchema', z.looseObject({}));

// ---- experiments ----

/** A spec as stored and served: the parsed spec, every default filled in (core/custom/validate.ts). */
const storedSpecSchema = experimentSpecSchema as unknown as z.ZodType<ExperimentSpec>;
named('ExperimentSpec', storedSpecSchema);
named('Claim', claimSchema);

/** api/routes/experiments.ts describeExperiment. */
export const experimentSchema = named(
  'Experiment',
  z.object({
    id: z.string(),
    number: z.number(),
    section: z.string(),
    title: z.string(),
    question: z.string(),
    hypothesis: z.string(),
    conclusion: z.string(),
    defaults: z.record(z.string(), z.unknown()),
    grid: z.record(z.string(), z.array(z.unknown())),
    repeats: z.number().int(),
    schema: jsonSchemaObject,
    custom: z.boolean(),
    openQuestion: z.boolean().describe("One of the questions the notebook left open (exp13–exp17): its conclusion is this project's default sweep's finding, not the notebook's."),
    spec: storedSpecSchema.nullable(),
    claims: z.array(claimSchema),
  }),
);

export const experimentPageSchema = named('ExperimentPage', z.object({ experiments: z.array(experimentSchema), next: cursor }));

/** POST /api/experiments: 201 with created: true, or 200 with created: false when the same spec was stored. */
export const experimentCreatedSchema = named('ExperimentCreated', experimentSchema.extend({ created: z.boolean() }));

/**
 * POST /api/experiments?dryRun=1 (200): the experiment as it would be stored, and its default
 * sweep's size and pack-time CPU estimate (as POST /api/sweeps?dryRun=1); nothing written.
 */
export const experimentDryRunSchema = named(
  'ExperimentDryRun',
  experimentSchema.extend({
    dryRun: z.literal(true),
    stored: z.boolean(),
    trials: z.number().int(),
    packs: z.number().int(),
    estimate: z.object({ cpuMs: z.number(), longestPackMs: z.number(), longestTrialMs: z.number() }),
    cpuSeconds: z.number(),
    issues: z.array(fieldIssueSchema),
  }),
);

/** GET /api/experiments/schema: the JSON Schema of a spec (core/custom/spec.ts experimentSpecJsonSchema). */
export const experimentSpecJsonSchemaSchema = jsonSchemaObject;

export const deletedSchema = named('Deleted', z.object({ deleted: z.string() }));

// ---- sweeps ----

const grid = z.record(z.string(), z.array(z.unknown()));

/** POST /api/sweeps (202): what was stored and enqueued. */
export const sweepCreatedSchema = named(
  'SweepCreated',
  z.object({ id: z.string(), experiment: z.string(), trials: z.number().int(), packs: z.number().int(), grid, repeats: z.number().int(), seed: z.number().int() }),
);

/** core/verdict/power.ts ClaimPower. */
export const claimPowerSchema = named(
  'ClaimPower',
  z.object({ statement: z.string(), effect: nullableNumber, basis: z.string().nullable(), planned: z.number().int(), repeatsNeeded: nullableNumber }),
);

/** POST /api/sweeps?dryRun=1 (200): the sweep sized and estimated, nothing written. */
export const dryRunSchema = named(
  'SweepDryRun',
  z.object({
    dryRun: z.literal(true),
    experiment: z.string(),
    trials: z.number().int(),
    packs: z.number().int(),
    grid,
    repeats: z.number().int(),
    seed: z.number().int(),
    estimate: z.object({ cpuMs: z.number(), longestPackMs: z.number(), longestTrialMs: z.number() }),
    power: z.array(claimPowerSchema),
  }),
);

const sweepStatus = z.enum(['queued', 'running', 'done', 'failed', 'cancelled']);

const sweepCountsSchema = z.object({ total: z.number().int(), queued: z.number().int(), running: z.number().int(), done: z.number().int(), failed: z.number().int(), cancelled: z.number().int() });

/** core/db/store.ts SweepSummary. */
export const sweepSummarySchema = named(
  'SweepSummary',
  z.object({
    id: z.string(),
    experiment: z.string(),
    name: z.string().nullable(),
    seed: z.number().int(),
    repeats: z.number().int(),
    status: sweepStatus,
    counts: sweepCountsSchema,
    createdAt: z.number(),
    finishedAt: nullableNumber,
    etaMs: nullableNumber,
    stale: z.number().int(),
    atRisk: z.number().int(),
    stalledMs: nullableNumber,
    version: z.string(),
    request: z.unknown(),
  }),
);

export const sweepPageSchema = named('SweepPage', z.object({ sweeps: z.array(sweepSummarySchema), next: cursor }));

export const configsSchema = named('SweepConfigs', z.array(z.object({ config: z.string(), index: z.number().int(), params: z.record(z.string(), z.unknown()) })));

/** core/db/aggregate.ts AggregateRow. */
export const aggregateRowSchema = named(
  'AggregateRow',
  z.object({
    config: z.string(),
    metric: z.string(),
    step: nullableNumber,
    mean: z.number(),
    std: nullableNumber,
    n: z.number().int(),
    median: nullableNumber,
    q1: nullableNumber,
    q3: nullableNumber,
  }),
);

export const aggregateSchema = named('Aggregate', z.object({ rows: z.array(aggregateRowSchema) }));

/** core/experiments/types.ts Series. */
const seriesSchema = named('Series', z.object({ steps: z.array(z.number()), values: z.array(z.number()) }));

/** core/db/store.ts TrialRecord. */
export const trialRecordSchema = named(
  'TrialRecord',
  z.object({
    id: z.string(),
    config: z.string(),
    repeat: z.number().int(),
    status: z.enum(TRIAL_STATUSES),
    attempts: z.number().int(),
    error: z.string().nullable(),
    durationMs: nullableNumber,
    params: z.record(z.string(), z.unknown()),
    info: z.record(z.string(), z.unknown()).nullable(),
    scalars: z.record(z.string(), z.number()),
    series: z.record(z.string(), seriesSchema),
    traces: z.record(z.string(), seriesSchema),
  }),
);

export const trialPageSchema = named('TrialPage', z.object({ trials: z.array(trialRecordSchema), next: cursor }));

/** POST /api/sweeps/:id/retry (202). */
export const retrySchema = named('SweepRetry', z.object({ requeued: z.number().int(), packs: z.number().int(), sweep: sweepSummarySchema }));

// ---- verdict ----

const outcome = z.enum(['supported', 'contradicted', 'inconclusive']);
const rule = z.enum(['fixed', 'sequential']);

/** core/verdict/evaluate.ts ClaimVerdict. */
export const claimVerdictSchema = named(
  'ClaimVerdict',
  z.object({
    statement: z.string(),
    kind: z.enum(['difference', 'curves', 'order', 'trend', 'metrics']),
    metric: z.string(),
    effectKind: z.enum(['difference', 'slope']),
    paired: z.boolean(),
    rule,
    effect: nullableNumber,
    ci: interval,
    confidence: z.number(),
    d: nullableNumber,
    spread: nullableNumber,
    n: z.object({ a: z.number().int(), b: z.number().int() }),
    pairs: z.number().int().optional(),
    repeats: z.number().int(),
    test: z.string(),
    p: nullableNumber,
    pHolm: nullableNumber,
    result: outcome,
    repeatsToSettle: nullableNumber,
    notebook: z.enum(['agrees', 'disagrees', 'n/a']),
    notebookFound: outcome.nullable(),
    quote: z.string().optional(),
    narrows: z.string().optional(),
    missing: z.number().int(),
    links: z.array(z.object({ from: z.unknown(), to: z.unknown(), effect: nullableNumber, ci: interval, result: outcome })).optional(),
    note: z.string().optional(),
  }),
);

/** core/verdict/sweep-verdict.ts SweepVerdict. */
export const sweepVerdictSchema = named(
  'SweepVerdict',
  z.object({
    sweep: z.string(),
    experiment: z.string(),
    status: sweepStatus,
    provisional: z.boolean(),
    trials: z.object({ done: z.number().int(), total: z.number().int() }),
    rule,
    claims: z.array(claimVerdictSchema),
  }),
);

// ---- settle (core/settle/types.ts) ----

const settleBudgetSchema = z.object({ trials: z.number().int(), cpuMs: nullableNumber });

const settleClaimStateSchema = z.object({ statement: z.string(), result: outcome, p: nullableNumber, ci: interval, repeats: z.number().int(), repeatsToSettle: nullableNumber });

const settleRoundSchema = z.object({
  round: z.number().int(),
  at: z.number(),
  trials: z.object({ done: z.number().int(), total: z.number().int() }),
  claims: z.array(settleClaimStateSchema),
  added: z.object({ trials: z.number().int(), cpuMs: z.number(), cells: z.number().int() }),
});

export const settleStateSchema = named(
  'SettleState',
  z.object({
    sweepId: z.string(),
    status: z.enum(SETTLE_STATUSES),
    round: z.number().int(),
    budget: settleBudgetSchema,
    spent: z.object({ trials: z.number().int(), cpuMs: z.number() }),
    reason: z.string().nullable(),
    history: z.array(settleRoundSchema),
    startedAt: z.number(),
    updatedAt: z.number(),
  }),
);

/** core/settle/advance.ts estimateSettle. */
const settleEstimateSchema = z.object({ undecided: z.number().int(), trials: z.number().int(), cpuMs: z.number(), unreachable: z.number().int() });

/** GET /api/sweeps/:id/settle: the state (null before Settle was pressed) and what settling would likely take. */
export const settleSchema = named('Settle', z.object({ settle: settleStateSchema.nullable(), estimate: settleEstimateSchema }));

/** POST /api/sweeps/:id/settle (202). */
export const settleStartedSchema = named('SettleStarted', z.object({ settle: settleStateSchema, added: z.number().int() }));

// ---- compile-time agreement with the TypeScript types ----

/** True when A and B are assignable to each other and have the same keys (an optional key missing on one side is drift too). */
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? ([keyof A] extends [keyof B] ? ([keyof B] extends [keyof A] ? true : false) : false) : false) : false;
type Assert<T extends true> = T;
type Of<S extends z.ZodType> = z.output<S>;
type Described = ReturnType<typeof describeExperiment>;
type ClaimLink = NonNullable<ClaimVerdict['links']>[number];

/** Fails to compile when a schema above and the type it mirrors drift apart (nested objects are checked on their own, so their keys are too). */
export type Checks = [
  Assert<Same<Of<typeof errorSchema>, ErrorBody>>,
  Assert<Same<Of<typeof fieldIssueSchema>, FieldIssue>>,
  // `schema` is z.toJSONSchema's result, whose type also names zod's (non-enumerable, never serialised) '~standard' member: any object it is, one way.
  Assert<Same<Omit<Of<typeof experimentSchema>, 'schema'>, Omit<Described, 'schema'>>>,
  Assert<Described['schema'] extends Of<typeof jsonSchemaObject> ? true : false>,
  Assert<Same<keyof Of<typeof experimentSchema>, keyof Described>>,
  Assert<Same<Of<typeof claimSchema>, Claim>>,
  Assert<Same<Of<typeof claimPowerSchema>, ClaimPower>>,
  Assert<Same<Of<typeof sweepSummarySchema>, SweepSummary>>,
  Assert<Same<Of<typeof sweepCountsSchema>, SweepCounts>>,
  Assert<Same<Of<typeof aggregateRowSchema>, AggregateRow>>,
  Assert<Same<Of<typeof seriesSchema>, Series>>,
  Assert<Same<Of<typeof trialRecordSchema>, TrialRecord>>,
  Assert<Same<Of<typeof trialPageSchema>, { trials: TrialRecord[]; next: string | null }>>,
  Assert<Same<Of<typeof claimVerdictSchema>, ClaimVerdict>>,
  Assert<Same<Of<typeof claimVerdictSchema.shape.links>, ClaimVerdict['links']>>,
  Assert<Same<NonNullable<Of<typeof claimVerdictSchema.shape.links>>[number], ClaimLink>>,
  Assert<Same<Of<typeof sweepVerdictSchema>, SweepVerdict>>,
  Assert<Same<Of<typeof settleBudgetSchema>, SettleBudget>>,
  Assert<Same<Of<typeof settleClaimStateSchema>, SettleClaimState>>,
  Assert<Same<Of<typeof settleRoundSchema>, SettleRound>>,
  Assert<Same<Of<typeof settleStateSchema>, SettleState>>,
  Assert<Same<Of<typeof settleEstimateSchema>, NonNullable<Awaited<ReturnType<typeof estimateSettle>>>>>,
];
