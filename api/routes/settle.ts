import { Hono } from 'hono';
import { z } from 'zod';
import { resolveExperiment } from '../../core/experiments/resolve';
import { estimateSettle } from '../../core/settle/advance';
import type { AppEnv } from '../context';
import { apiError } from '../errors';
import { safeJson } from '../middleware/body';
import { idParam } from '../schemas';
import { advanceAndEnqueue, RoundNotSent, settleLimits } from '../settle';
import { validate } from '../validate';

/** POST /api/sweeps/:id/settle: the budget, in trials or in estimated CPU seconds (or both). */
export const settleBody = z
  .object({
    budget: z
      .object({
        trials: z.number().int().min(1).max(1_000_000).optional(),
        cpuSeconds: z.number().positive().max(1e7).optional(),
      })
      .strict()
      .optional(),
  })
  .strict();

/**
 * Settle (core/settle): repeats added in rounds to the cells the sweep's undecided claims
 * compare, judged by the anytime-valid rule (core/stats/decide.ts), until every claim is
 * decided or the budget is spent. GET answers the state and what settling would likely take.
 */
export const settleRoutes = new Hono<AppEnv>()
  .get('/:id/settle', validate('param', idParam), async (c) => {
    const { id } = c.req.valid('param');
    const store = c.var.store;
    const sweep = await store.getSweep(id, Date.now());
    if (!sweep) throw apiError(404, 'not_found', { field: 'id', message: `no sweep '${id}'` });
    const experiment = await resolveExperiment(store, sweep.experiment);
    const estimate = await estimateSettle(store, sweep, Date.now(), experiment, settleLimits(c.env ?? {}));
    return c.json({ settle: await store.getSettle(id), estimate });
  })
  .post('/:id/settle', validate('param', idParam), safeJson, validate('json', settleBody), async (c) => {
    const { id } = c.req.valid('param');
    const store = c.var.store;
    const sweep = await store.getSweep(id, Date.now());
    if (!sweep) throw apiError(404, 'not_found', { field: 'id', message: `no sweep '${id}'` });
    if (sweep.status === 'cancelled') throw apiError(409, 'conflict', { field: 'id', message: 'the sweep was cancelled; retry it before settling' });
    const experiment = await resolveExperiment(store, sweep.experiment);
    if (!experiment?.claims?.length) throw apiError(409, 'conflict', { field: 'id', message: `experiment '${sweep.experiment}' states no claims: there is nothing to settle` });
    const current = await store.getSettle(id);
    if (current?.status === 'running') throw apiError(409, 'conflict', { field: 'id', message: `the sweep is already being settled (round ${current.round})` });
    const limits = settleLimits(c.env ?? {});
    const room = limits.maxTrials - sweep.counts.total;
    const budget = c.req.valid('json').budget ?? {};
    if (budget.trials !== undefined && budget.trials > room) {
      throw apiError(400, 'invalid_request', { field: 'budget.trials', message: `the sweep holds ${sweep.counts.total} trials and may hold ${limits.maxTrials}: at most ${room} more` });
    }
    if (room <= 0) throw apiError(409, 'conflict', { field: 'id', message: `the sweep already holds the most trials a sweep may (${limits.maxTrials})` });
    // Without a trial budget: as many trials as the sweep has now (or the room left), or as many as the CPU budget allows.
    const trials = budget.trials ?? (budget.cpuSeconds !== undefined ? room : Math.min(room, sweep.counts.total));
    await store.startSettle(id, { trials, cpuMs: budget.cpuSeconds === undefined ? null : Math.round(budget.cpuSeconds * 1000) }, Date.now());
    let added: number;
    try {
      added = await advanceAndEnqueue(store, id, c.env ?? {}, c.var.enqueue);
    } catch (err) {
      if (!(err instanceof RoundNotSent)) throw err;
      console.error(err.message);
      throw apiError(503, 'enqueue_failed', { field: 'id', message: `${err.message}; POST /api/sweeps/${id}/retry resends them (the cron does within minutes)` });
    }
    return c.json({ settle: (await store.getSettle(id))!, added }, 202);
  });
