/**
 * Claims: an experiment's hypothesis as testable statements about its metrics. Pure JSON
 * data, validated by `claimSchema` (a custom experiment spec reuses exactly this format);
 * nothing in a claim is evaluated as code. core/verdict/evaluate.ts tests each claim on a
 * sweep's per-trial results with core/stats.
 *
 * Values of a trial for a claim (`at`, default 'final'):
 *   'final'     the scalar metric (the aggregate's step null)
 *   'last'      the last point of the series metric
 *   {step: N}   the series metric at step N
 * Kinds:
 *   difference  mean over trials with by=a minus by=b is > 0 (expect 'greater') or < 0 ('less')
 *   curves      the same for the mean of a series over `steps` (a list, or 'all' checkpoints):
 *               "curve a lies above curve b"
 *   order       along `values` of `by`, every adjacent difference goes the stated way
 *               (all links must be supported; one contradicted link contradicts the claim)
 *   trend       the least-squares slope of the metric's level means on the level index 0, 1, 2, …
 *               of `along` (numeric values ascending, others
 *               in `values` or first-seen order) is > 0 ('increasing') or < 0 ('decreasing')
 *   metrics     within each trial, the listed metrics rise or fall in list order (a trend
 *               whose axis is the metric list; always paired within the trial)
 * Common fields:
 *   where       only trials whose parameters equal these values
 *   paired      repeat r of every config shares data or seeds, so compare within repeats
 *               (see core/stats/compare.ts); false when each trial draws its own
 *   notebook    what the 2018 notebook found for this claim: 'supported', 'contradicted', or
 *               'inconclusive' (it saw no clear difference); absent when it said nothing
 *   quote       the notebook's own sentence (or sentences) that this claim encodes, verbatim
 *   narrows     where the claim tests less (or something more specific) than the quoted
 *               sentence: what it narrows and why
 * Grid axes not fixed by `where` and not compared are strata: effects are averaged over them.
 */
import { z } from 'zod';

const name = z
  .string()
  .min(1)
  .max(100)
  .regex(/^[A-Za-z0-9_]+$/, 'a metric or parameter name (letters, digits, _)');
const value = z.union([z.string().max(200), z.number(), z.boolean()]);
const at = z.union([z.literal('final'), z.literal('last'), z.object({ step: z.number().int().min(0) }).strict()]);
const expect = z.enum(['greater', 'less']);
const monotone = z.enum(['increasing', 'decreasing']);

const common = {
  statement: z.string().min(1).max(500),
  where: z.record(name, value).optional(),
  paired: z.boolean().optional(),
  notebook: z.enum(['supported', 'contradicted', 'inconclusive']).optional(),
  quote: z.string().min(1).max(1000).optional(),
  narrows: z.string().min(1).max(1000).optional(),
};

export const claimSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('difference'), metric: name, at: at.optional(), by: name, a: value, b: value, expect, ...common }).strict(),
  z.object({ kind: z.literal('curves'), metric: name, by: name, a: value, b: value, steps: z.union([z.literal('all'), z.array(z.number().int().min(0)).min(1).max(1000)]), expect, ...common }).strict(),
  z.object({ kind: z.literal('order'), metric: name, at: at.optional(), by: name, values: z.array(value).min(2).max(100), direction: monotone, ...common }).strict(),
  z.object({ kind: z.literal('trend'), metric: name, at: at.optional(), along: name, values: z.array(value).min(2).max(1000).optional(), expect: monotone, ...common }).strict(),
  z.object({ kind: z.literal('metrics'), metrics: z.array(name).min(2).max(100), at: at.optional(), expect: monotone, ...common }).strict(),
]);

export const claimsSchema = z.array(claimSchema).max(50);

export type Claim = z.infer<typeof claimSchema>;
export type ClaimKind = Claim['kind'];
export type ClaimAt = z.infer<typeof at>;

/** The metric names a claim reads. */
export function claimMetrics(c: Claim): string[] {
  return c.kind === 'metrics' ? c.metrics : [c.metric];
}

/** The parameter a claim compares or orders by (none for `metrics`). */
export function claimAxis(c: Claim): string | null {
  return c.kind === 'trend' ? c.along : c.kind === 'metrics' ? null : c.by;
}

/** Parameter values are compared as JSON (a list parameter is a value too). */
export const sameValue = (x: unknown, y: unknown) => JSON.stringify(x) === JSON.stringify(y);

/** Whether a config's parameters take every value a claim's `where` fixes. */
export function matchesWhere(params: Record<string, unknown>, where: Claim['where']): boolean {
  return Object.entries(where ?? {}).every(([k, v]) => sameValue(params[k], v));
}

/** The axis values a claim names (none for a trend over every level, and for `metrics`). */
export function claimValues(c: Claim): unknown[] {
  if (c.kind === 'difference' || c.kind === 'curves') return [c.a, c.b];
  if (c.kind === 'order') return c.values;
  if (c.kind === 'trend') return c.values ?? [];
  return [];
}

/**
 * Checks claims against an experiment's parameter schema: the axes and `where` keys are
 * parameters, and every value named is valid for its parameter. Returns the error shape's
 * issues (empty when fine); metric names can only be checked against results.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function checkClaims(claims: Claim[], params: z.ZodObject<any>, field = 'claims'): Array<{ field: string; message: string }> {
  const issues: Array<{ field: string; message: string }> = [];
  // Own keys only: `by: "toString"` must be an unknown parameter, not Object.prototype's.
  const shape = params.shape as Record<string, z.ZodType>;
  const checkValue = (path: string, key: string, v: unknown) => {
    const r = shape[key].safeParse(v);
    if (!r.success) issues.push({ field: path, message: `${JSON.stringify(v)} is not a valid ${key}: ${r.error.issues[0]?.message ?? 'invalid'}` });
  };
  claims.forEach((c, i) => {
    const at = `${field}[${i}]`;
    const axis = claimAxis(c);
    if (axis !== null) {
      if (!Object.hasOwn(shape, axis)) issues.push({ field: `${at}.${c.kind === 'trend' ? 'along' : 'by'}`, message: `unknown parameter '${axis}'` });
      else claimValues(c).forEach((v, k) => checkValue(`${at}.${c.kind === 'difference' || c.kind === 'curves' ? (k ? 'b' : 'a') : `values[${k}]`}`, axis, v));
    }
    for (const [key, v] of Object.entries(c.where ?? {})) {
      if (!Object.hasOwn(shape, key)) issues.push({ field: `${at}.where.${key}`, message: `unknown parameter '${key}'` });
      else if (key === axis) issues.push({ field: `${at}.where.${key}`, message: `'${key}' is the compared axis; it cannot also be fixed` });
      else checkValue(`${at}.where.${key}`, key, v);
    }
  });
  return issues;
}
