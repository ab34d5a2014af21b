/**
 * The API's answers as the dashboard reads them, typed from the routes themselves: the
 * typed client (client/index.ts) is Hono's `hc` over `AppType` (api/app.ts), and Hono's
 * `InferResponseType` reads a route's JSON answer from it. A changed route changes these
 * types, so every figure and page that reads one fails to type-check instead of drifting.
 * Types only: nothing here reaches the bundle.
 */
import type { InferResponseType } from 'hono/client';
import type { Client } from '../client';

type Api = Client['rpc']['api'];
type SweepRoute = Api['sweeps'][':id'];

/**
 * A route's 200 JSON answer. Routes that also answer CSV (`?format=csv` on aggregate and
 * trials, api/routes/export.ts) have a `string` in their union: the dashboard asks for JSON.
 */
type Json<Endpoint> = Exclude<InferResponseType<Endpoint, 200>, string>;

/** GET /api/experiments/:id (describeExperiment in api/routes/experiments.ts). */
export type ExperimentDescription = Json<Api['experiments'][':id']['$get']>;
/** GET /api/experiments: one page, built-ins first. */
export type ExperimentsPage = Json<Api['experiments']['$get']>;

/** GET /api/sweeps: one page of the list, newest first. */
export type SweepsPage = Json<Api['sweeps']['$get']>;
/** GET /api/sweeps/:id. */
export type SweepSummary = Json<SweepRoute['$get']>;

/** GET /api/sweeps/:id/configs: one row per grid cell. */
export type ConfigInfo = Json<SweepRoute['configs']['$get']>[number];
/** GET /api/sweeps/:id/aggregate: one row per config, metric and step (core/db/aggregate.ts). */
export type AggregateAnswer = Json<SweepRoute['aggregate']['$get']>;
export type AggregateRow = AggregateAnswer['rows'][number];
/** GET /api/sweeps/:id/trials: one page of trials with their results. */
export type TrialsPage = Json<SweepRoute['trials']['$get']>;
export type TrialRecord = TrialsPage['trials'][number];
export type SeriesData = TrialRecord['series'][string];

/** GET /api/sweeps/:id/verdict (core/verdict/sweep-verdict.ts). */
export type VerdictAnswer = Json<SweepRoute['verdict']['$get']>;
export type VerdictClaim = VerdictAnswer['claims'][number];

/** GET /api/sweeps/:id/settle: the settle (null before Settle is pressed) and its estimate. */
export type SettleAnswer = Json<SweepRoute['settle']['$get']>;

/** POST /api/sweeps?dryRun=1: the request sized and estimated, with per-claim power (core/verdict/power.ts). */
export type DryRunAnswer = Extract<Json<Api['sweeps']['$post']>, { dryRun: true }>;
export type ClaimPowerLine = DryRunAnswer['power'][number];
/** POST /api/sweeps: 202 with the new sweep's id. */
export type CreatedAnswer = Exclude<InferResponseType<Api['sweeps']['$post'], 202>, string>;

/** POST /api/experiments?dryRun=1: the spec's id, its default sweep's size and CPU estimate; nothing stored. */
export type ExperimentDryRunAnswer = Extract<Json<Api['experiments']['$post']>, { dryRun: true }>;
