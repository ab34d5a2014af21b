/**
 * The request schemas the validators use (workers/validate.ts), shared with the OpenAPI
 * document (workers/openapi.ts) so the two cannot drift.
 */
import { z } from 'zod';

/**
 * Metric names per request. The aggregate SQL binds each name twice plus four other
 * values, and D1 allows 100 bound parameters per statement (core/db/aggregate.ts).
 */
export const MAX_METRICS = 40;

/** A strict decimal integer: no hex, exponent, sign, blanks or leading zeros. */
const decimalInt = (max: number) =>
  z
    .string()
    .regex(/^(0|[1-9][0-9]{0,8})$/, 'a decimal integer (digits only)')
    .transform(Number)
    .pipe(z.number().max(max));

export const idParam = z.object({
  id: z.string().min(1).max(64).regex(/^[A-Za-z0-9._-]+$/, 'letters, digits and ._- only'),
});

export const metricQuery = z
  .object({
    metric: z
      .string()
      .max(2000)
      .regex(/^[a-z0-9_,]*$/, 'comma-separated snake_case metric names')
      .transform((s) => [...new Set(s.split(',').filter(Boolean))])
      .pipe(z.array(z.string().max(64)).max(MAX_METRICS, `at most ${MAX_METRICS} metric names (each SQL statement stays within D1's 100 bound parameters)`))
      .optional(),
    traces: z.enum(['0', '1']).optional(),
    /** Only this repeat's trials (figures drawing one repeat's traces need no more). */
    repeat: decimalInt(10_000).optional(),
    /** json (default) or csv (workers/routes/export.ts). */
    format: z.enum(['json', 'csv']).optional(),
  })
  .strict();

/** POST /api/sweeps?dryRun=1: validate, size and estimate the sweep, write nothing. */
export const dryRunQuery = z.object({ dryRun: z.enum(['0', '1']).optional() }).strict();

/** /trials: the metric query plus a page (JSON only; CSV is every trial). */
export const trialsQuery = metricQuery.extend({
  limit: decimalInt(5_000).pipe(z.number().min(1, 'at least 1')).optional(),
  cursor: z.string().max(40).optional(),
});

/** A page of a list: at most `limit` entries after `cursor` (the `next` of the page before). */
export const pageQuery = z
  .object({
    limit: decimalInt(500).pipe(z.number().min(1, 'at least 1')).optional(),
    cursor: z.string().max(100).optional(),
    /** Only this experiment's sweeps. */
    experiment: z.string().min(1).max(32).optional(),
  })
  .strict();

/** A page of experiments: built-ins first, then custom ones after `cursor`. */
export const experimentPageQuery = z
  .object({
    limit: decimalInt(500).pipe(z.number().min(1, 'at least 1')).optional(),
    cursor: z.string().max(100).optional(),
  })
  .strict();

export const experimentParam = z.object({ id: z.string().min(1).max(32) });
