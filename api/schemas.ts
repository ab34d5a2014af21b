/**
 * The request schemas the validators use (api/validate.ts), shared with the OpenAPI
 * document (api/openapi.ts) so the two cannot drift.
 */
import { z } from 'zod';
import { parseCursor, parseTrialCursor } from '../core/db/store';

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
    /** json (default) or csv (api/routes/export.ts). */
    format: z.enum(['json', 'csv']).optional(),
  })
  .strict();

/** POST /api/sweeps?dryRun=1: validate, size and estimate the sweep, write nothing. */
export const dryRunQuery = z
  .object({
    dryRun: z.enum(['0', '1']).optional(),
    /** A dry run's smallest effect of interest, in standard deviations of the repeats: the power estimate assumes it for every claim. */
    effect: z
      .string()
      .refine((v) => /^\d+(\.\d+)?$/.test(v) && Number(v) > 0 && Number(v) <= 100, 'a number of standard deviations above 0 and at most 100')
      .optional(),
  })
  .strict();

/** POST /api/experiments?dryRun=1: validate and compile the spec, size and estimate its default sweep, write nothing. */
export const specDryRunQuery = z.object({ dryRun: z.enum(['0', '1']).optional() }).strict();

/**
 * A cursor from a page's `next`, parsed by the validator: one that this server did not
 * write is a 400 naming query.cursor.
 */
const cursorOf = <C>(parse: (text: string) => C | null) =>
  z
    .string()
    .max(100)
    .transform((text, ctx) => {
      const cursor = parse(text);
      if (cursor === null) {
        ctx.addIssue({ code: 'custom', message: "not a cursor this server wrote (pass the previous page's 'next')" });
        return z.NEVER;
      }
      return cursor;
    });

const pageLimit = (max: number) => decimalInt(max).pipe(z.number().min(1, 'at least 1'));

/** /trials: the metric query plus a page (JSON only; CSV is every trial). */
export const trialsQuery = metricQuery.extend({
  limit: pageLimit(5_000).optional(),
  cursor: cursorOf(parseTrialCursor).optional(),
});

/** A page of experiments: built-ins first, then custom ones after `cursor` (the `next` of the page before). */
export const experimentPageQuery = z
  .object({
    limit: pageLimit(500).optional(),
    cursor: cursorOf(parseCursor).optional(),
  })
  .strict();

/** A page of sweeps, newest first, optionally of one experiment only. */
export const pageQuery = experimentPageQuery.extend({
  experiment: z.string().min(1).max(32).optional(),
});

export const experimentParam = z.object({ id: z.string().min(1).max(32) });
