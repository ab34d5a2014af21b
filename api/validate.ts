/**
 * Validation as middleware: @hono/zod-validator with one hook that turns zod issues into
 * the API's error shape, fields named `query.metric`, `id`, `repeats`, `params.steps`…
 */
import { zValidator } from '@hono/zod-validator';
import type { ValidationTargets } from 'hono';
import type { z } from 'zod';
import { zodIssues } from '../core/sweep/request';
import { apiError } from './errors';

const PREFIX: Partial<Record<keyof ValidationTargets, string[]>> = { query: ['query'], header: ['headers'] };

export const validate = <T extends z.ZodType, Target extends keyof ValidationTargets>(target: Target, schema: T) =>
  zValidator(target, schema, (result) => {
    if (!result.success) throw apiError(400, 'invalid_request', zodIssues(result.error, PREFIX[target] ?? []));
  });
