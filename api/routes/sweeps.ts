import { Hono } from 'hono';
import { expandSweep, newSweepId, type ExpandedSweep } from '../../core/sweep/expand';
import { SweepRequestError, sweepRequestSchema, DEFAULT_LIMITS } from '../../core/sweep/request';
import type { SettleStore, SweepCatalogue } from '../../core/db/roles';
import type { AggregateRow } from '../../core/db/aggregate';
import { resolveExperiments } from '../../core/experiments/resolve';
import type { AppEnv } from '../context';
import { apiError } from '../errors';
import { safeJson } from '../middleware/body';
import { enqueueTrials, estimateTrials, packLimits } from '../packing';
import { aggregateCsvResponse, trialsCsvResponse } from './export';
import { dryRunQuery, idParam, metricQuery, pageQuery, trialsQuery } from '../schemas';
import { notModified } from '../conditional';
import { validate } from '../validate';
import { claimPower } from '../../core/verdict/power';
import { sweepVerdict, verdictVersion, type SweepVerdict, type VerdictReads } from '../../core/verdict/sweep-verdict';

async function sweepOr404(store: Pick<SweepCatalogue, 'getSweep'>, id: string) {
  const sweep = await store.getSweep(id, Date.now());
  if (!sweep) throw apiError(404, 'not_found', { field: 'id', message: `no sweep '${id}'` });
  return sweep;
}

/** What is stored as the sweep's request: the validated one with defaults filled in, never the raw body. */
function storedRequest(s: ExpandedSweep) {
  return { experiment: s.experiment.id, name: s.name, repeats: s.repeats, seed: s.seed, params: s.params, grid: s.grid };
}

/**
 * Each claim's standardised effect in the experiment's latest finished sweep (its verdict's
 * d), for the dry run's power estimate; null where that sweep saw none.
 */
async function earlierEffects(store: Pick<SweepCatalogue, 'listSweeps'> & Pick<SettleStore, 'getSettle'> & VerdictReads, sweep: ExpandedSweep): Promise<Array<{ d: number | null; basis: string } | null>> {
  const claims = sweep.experiment.claims ?? [];
  if (!claims.length) return [];
  const { sweeps } = await store.listSweeps(Date.now(), { limit: 20, experiment: sweep.experiment.id });
  const earlier = sweeps.find((s) => s.status === 'done');
  if (!earlier) return claims.map(() => null);
  // Its verdict as the verdict route stored it, when it was read; computed (and not stored: a dry run writes nothing) otherwise.
  const rule = (await store.getSettle(earlier.id)) ? 'sequential' : 'fixed';
  const stored = await store.storedAnswer(earlier.id, 'verdict', verdictVersion(earlier.version, claims, rule));
  const verdict: SweepVerdict | null = stored !== null ? JSON.parse(stored) : await sweepVerdict(store, earlier.id, Date.now(), { sweep: earlier, lookup: () => sweep.experiment, rule });
  return claims.map((claim) => {
    const seen = verdict?.claims.find((v) => v.statement === claim.statement);
    return seen ? { d: seen.d, basis: `sweep ${earlier.id} (${seen.repeats} repeats)` } : null;
  });
}

export const sweepRoutes = new Hono<AppEnv>()
  .post('/', safeJson, validate('json', sweepRequestSchema), validate('query', dryRunQuery), async (c) => {
    const config = c.var.config;
    const id = newSweepId(Date.now(), crypto.getRandomValues(new Uint32Array(1))[0]);
    const body = c.req.valid('json');
    const store = c.var.store;
    // A custom experiment's spec is read (and compiled) once; expansion then looks it up synchronously.
    const lookup = await resolveExperiments(store, [body.experiment], { stored: true });
    let sweep: ExpandedSweep;
    try {
      sweep = expandSweep(body, id, { ...DEFAULT_LIMITS, maxTrials: config.MAX_TRIALS }, lookup);
    } catch (err) {
      if (err instanceof SweepRequestError) throw apiError(400, 'invalid_request', err.issues);
      throw err;
    }
    if (c.req.valid('query').dryRun === '1') {
      // Everything a sweep would be, sized and estimated, and nothing written or sent.
      const { packs, estimate } = estimateTrials(sweep.experiment, sweep.trials, packLimits(c.env ?? {}));
      const claims = sweep.experiment.claims ?? [];
      const effect = c.req.valid('query').effect;
      const effects = effect !== undefined ? claims.map(() => ({ d: Number(effect), basis: `smallest effect of interest: d = ${effect}` })) : await earlierEffects(store, sweep);
      return c.json(
        {
          dryRun: true as const,
          experiment: sweep.experiment.id,
          trials: sweep.trials.length,
          packs,
          grid: sweep.grid,
          repeats: sweep.repeats,
          seed: sweep.seed,
          // The pack-time model's estimates (api/packing.ts estimateTrials).
          estimate,
          // Per claim: the repeats per cell likely (80%) to decide it (core/verdict/power.ts).
          power: claimPower(claims, sweep.trials, effects),
        },
        200,
      );
    }
    await store.createSweep(sweep, storedRequest(sweep), Date.now());
    try {
      const packs = await enqueueTrials(c.var.enqueue, packLimits(c.env ?? {}), sweep.trials, lookup);
      return c.json({ id, experiment: sweep.experiment.id, trials: sweep.trials.length, packs, grid: sweep.grid, repeats: sweep.repeats, seed: sweep.seed }, 202);
    } catch (err) {
      // The trials are stored as queued: a retry re-sends them, so nothing is lost.
      console.error(`sweep ${id}: enqueue failed`, err);
      throw apiError(503, 'enqueue_failed', { field: 'id', message: `sweep ${id} stored but not all trials enqueued; POST /api/sweeps/${id}/retry to resend` });
    }
  })
  .get('/', validate('query', pageQuery), async (c) => {
    const q = c.req.valid('query');
    return c.json(await c.var.store.listSweeps(Date.now(), { limit: q.limit, cursor: q.cursor, experiment: q.experiment }));
  })
  .get('/:id', validate('param', idParam), async (c) => c.json(await sweepOr404(c.var.store, c.req.valid('param').id)))
  .get('/:id/configs', validate('param', idParam), async (c) => {
    const { id } = c.req.valid('param');
    const sweep = await sweepOr404(c.var.store, id);
    const unchanged = notModified(c, sweep.version);
    if (unchanged) return unchanged;
    return c.json(await c.var.store.configs(id));
  })
  .get('/:id/aggregate', validate('param', idParam), validate('query', metricQuery), async (c) => {
    const { id } = c.req.valid('param');
    const q = c.req.valid('query');
    const sweep = await sweepOr404(c.var.store, id);
    const unchanged = notModified(c, sweep.version);
    if (unchanged) return unchanged;
    // The whole aggregate (no metric filter) is computed once per sweep version, like the
    // verdict (Store.storeAnswer); filtered ones are cheaper and only conditional (a client
    // choosing metric lists must not make the store keep an answer per list). An answer too
    // big for one D1 row is recomputed instead.
    const kind = q.metric?.length ? null : `aggregate:${q.traces === '1' ? 'traces' : 'series'}`;
    const stored = kind ? await c.var.store.storedAnswer(id, kind, sweep.version) : null;
    const rows: AggregateRow[] = stored !== null ? (JSON.parse(stored) as AggregateRow[]) : await c.var.store.aggregate(id, q.metric, q.traces === '1');
    if (kind && stored === null) await c.var.store.storeAnswer(id, kind, sweep.version, JSON.stringify(rows));
    if (q.format === 'csv') return aggregateCsvResponse(c, id, rows);
    return c.json({ rows });
  })
  .get('/:id/trials', validate('param', idParam), validate('query', trialsQuery), async (c) => {
    const { id } = c.req.valid('param');
    const q = c.req.valid('query');
    const sweep = await sweepOr404(c.var.store, id);
    const unchanged = notModified(c, sweep.version);
    if (unchanged) return unchanged;
    if (q.format === 'csv') return trialsCsvResponse(c, id, await c.var.store.trialResults(id, q.metric, q.repeat));
    // JSON pages: a sweep of thousands of trials with traces is read a page at a time.
    return c.json(await c.var.store.trialResultsPage(id, { metrics: q.metric, repeat: q.repeat, limit: q.limit, after: q.cursor }));
  })
  .post('/:id/cancel', validate('param', idParam), async (c) => {
    const { id } = c.req.valid('param');
    const store = c.var.store;
    const sweep = await sweepOr404(store, id);
    // A finished sweep stays what it is: cancelling would relabel done results as cancelled.
    if (sweep.status === 'done' || sweep.status === 'failed') {
      throw apiError(409, 'conflict', { field: 'id', message: `sweep is already ${sweep.status}; there is nothing to cancel` });
    }
    await store.cancelSweep(id);
    return c.json(await sweepOr404(store, id));
  })
  .delete('/:id', validate('param', idParam), async (c) => {
    const { id } = c.req.valid('param');
    const store = c.var.store;
    const sweep = await sweepOr404(store, id);
    // Deleting a running sweep would orphan its queued messages' results: cancel first.
    if (['queued', 'running'].includes(sweep.status)) {
      throw apiError(409, 'conflict', { field: 'id', message: `sweep is ${sweep.status}; cancel it and wait for running trials first` });
    }
    await store.deleteSweep(sweep.id);
    return c.json({ deleted: sweep.id });
  })
  .post('/:id/retry', validate('param', idParam), async (c) => {
    const { id } = c.req.valid('param');
    const store = c.var.store;
    await sweepOr404(store, id);
    const trials = await store.requeueUnfinished(id, Date.now());
    const packs = await enqueueTrials(c.var.enqueue, packLimits(c.env ?? {}), trials, await resolveExperiments(store, trials.map((t) => t.experiment)));
    return c.json({ requeued: trials.length, packs, sweep: await sweepOr404(store, id) }, 202);
  });
