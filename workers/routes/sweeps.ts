import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { z } from 'zod';
import { expandSweep, newSweepId } from '../../core/sweep/expand';
import { DEFAULT_LIMITS, SweepRequestError, zodIssues } from '../../core/sweep/request';
import type { Store } from '../../core/db/store';
import type { AppEnv } from '../context';
import { enqueueTrials, packSize } from '../packing';
import { aggregateCsvResponse, trialsCsvResponse } from './export';

const MAX_BODY = 64 * 1024;

const metricQuery = z
  .object({
    metric: z
      .string()
      .max(2000)
      .regex(/^[a-z0-9_,]*$/, 'comma-separated snake_case metric names')
      .optional(),
    traces: z.enum(['0', '1']).optional(),
    /** Only this repeat's trials (figures drawing one repeat's traces need no more). */
    repeat: z.coerce.number().int().min(0).max(10_000).optional(),
    /** json (default) or csv (workers/routes/export.ts). */
    format: z.enum(['json', 'csv']).optional(),
  })
  .strict();

function notFound(id: string) {
  return { error: 'not_found', issues: [{ field: 'id', message: `no sweep '${id}'` }] };
}


async function sweepOr404(store: Store, id: string) {
  return store.getSweep(id, Date.now());
}

export const sweepRoutes = new Hono<AppEnv>()
  .post(
    '/',
    bodyLimit({
      maxSize: MAX_BODY,
      onError: (c) => c.json({ error: 'payload_too_large', issues: [{ field: '(body)', message: `request body above ${MAX_BODY} bytes` }] }, 413),
    }),
    async (c) => {
      let body: unknown;
      try {
        body = await c.req.json();
      } catch {
        return c.json({ error: 'invalid_request', issues: [{ field: '(body)', message: 'body must be a JSON object' }] }, 400);
      }
      const id = newSweepId(Date.now(), crypto.getRandomValues(new Uint32Array(1))[0]);
      let sweep;
      try {
        sweep = expandSweep(body, id, { ...DEFAULT_LIMITS, maxTrials: Number(c.env.MAX_TRIALS ?? DEFAULT_LIMITS.maxTrials) });
      } catch (err) {
        if (err instanceof SweepRequestError) return c.json({ error: 'invalid_request', issues: err.issues }, 400);
        throw err;
      }
      // Read the host's settings first: a misconfigured ENGINE fails before anything is written.
      const maxPack = packSize(c.env);
      const store = c.var.store;
      await store.createSweep(sweep, body, Date.now());
      try {
        const packs = await enqueueTrials(c.var.enqueue, maxPack, sweep.trials);
        return c.json({ id, experiment: sweep.experiment.id, trials: sweep.trials.length, packs, grid: sweep.grid, repeats: sweep.repeats, seed: sweep.seed }, 202);
      } catch (err) {
        // The trials are stored as queued: a retry re-sends them, so nothing is lost.
        return c.json({ error: 'enqueue_failed', id, message: `trials stored but not all enqueued (${String(err)}); POST /api/sweeps/${id}/retry to resend` }, 503);
      }
    },
  )
  .get('/', async (c) => c.json(await c.var.store.listSweeps(Date.now())))
  .get('/:id', async (c) => {
    const s = await sweepOr404(c.var.store, c.req.param('id'));
    return s ? c.json(s) : c.json(notFound(c.req.param('id')), 404);
  })
  .get('/:id/configs', async (c) => c.json(await c.var.store.configs(c.req.param('id'))))
  .get('/:id/aggregate', async (c) => {
    const q = metricQuery.safeParse(c.req.query());
    if (!q.success) return c.json({ error: 'invalid_request', issues: zodIssues(q.error, ['query']) }, 400);
    const store = c.var.store;
    if (!(await sweepOr404(store, c.req.param('id')))) return c.json(notFound(c.req.param('id')), 404);
    const metrics = q.data.metric ? q.data.metric.split(',').filter(Boolean) : undefined;
    const rows = await store.aggregate(c.req.param('id'), metrics, q.data.traces === '1');
    if (q.data.format === 'csv') return aggregateCsvResponse(c, c.req.param('id'), rows);
    return c.json({ rows });
  })
  .get('/:id/trials', async (c) => {
    const q = metricQuery.safeParse(c.req.query());
    if (!q.success) return c.json({ error: 'invalid_request', issues: zodIssues(q.error, ['query']) }, 400);
    const store = c.var.store;
    if (!(await sweepOr404(store, c.req.param('id')))) return c.json(notFound(c.req.param('id')), 404);
    const metrics = q.data.metric ? q.data.metric.split(',').filter(Boolean) : undefined;
    const trials = await store.trialResults(c.req.param('id'), metrics, q.data.repeat);
    if (q.data.format === 'csv') return trialsCsvResponse(c, c.req.param('id'), trials);
    return c.json({ trials });
  })
  .post('/:id/cancel', async (c) => {
    const store = c.var.store;
    if (!(await sweepOr404(store, c.req.param('id')))) return c.json(notFound(c.req.param('id')), 404);
    await store.cancelSweep(c.req.param('id'));
    return c.json(await store.getSweep(c.req.param('id'), Date.now()));
  })
  .delete('/:id', async (c) => {
    const store = c.var.store;
    const sweep = await sweepOr404(store, c.req.param('id'));
    if (!sweep) return c.json(notFound(c.req.param('id')), 404);
    // Deleting a running sweep would orphan its queued messages' results: cancel first.
    if (['queued', 'running'].includes(sweep.status)) {
      return c.json({ error: 'conflict', issues: [{ field: 'id', message: `sweep is ${sweep.status}; cancel it and wait for running trials first` }] }, 409);
    }
    await store.deleteSweep(sweep.id);
    return c.json({ deleted: sweep.id });
  })
  .post('/:id/retry', async (c) => {
    const store = c.var.store;
    if (!(await sweepOr404(store, c.req.param('id')))) return c.json(notFound(c.req.param('id')), 404);
    const trials = await store.requeueUnfinished(c.req.param('id'), Date.now());
    const packs = await enqueueTrials(c.var.enqueue, packSize(c.env), trials);
    return c.json({ requeued: trials.length, packs, sweep: await store.getSweep(c.req.param('id'), Date.now()) }, 202);
  });
