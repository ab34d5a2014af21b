import { Hono } from 'hono';
import { resolveExperiment } from '../../core/experiments/resolve';
import { sweepVerdict, verdictVersion, type SweepVerdict } from '../../core/verdict/sweep-verdict';
import type { AppEnv } from '../context';
import { notModified } from '../conditional';
import { apiError } from '../errors';
import { idParam } from '../schemas';
import { validate } from '../validate';

/**
 * `GET /api/sweeps/:id/verdict`: whether the sweep's evidence supports each claim of its
 * experiment's hypothesis (core/verdict), provisional while trials are still running.
 * A verdict is computed once per sweep version and stored (Store.storeAnswer): a poll at
 * the same version reads it back, and one whose client holds it gets 304.
 */
export const verdictRoutes = new Hono<AppEnv>().get('/:id/verdict', validate('param', idParam), async (c) => {
  const { id } = c.req.valid('param');
  const store = c.var.store;
  const sweep = await store.getSweep(id, Date.now());
  if (!sweep) throw apiError(404, 'not_found', { field: 'id', message: `no sweep '${id}'` });
  const experiment = await resolveExperiment(store, sweep.experiment);
  // A sweep that is being (or was) settled is judged by the anytime-valid rule throughout.
  const rule = (await store.getSettle(id)) ? 'sequential' : 'fixed';
  // The claims and the rule that judged them are part of the version: a new rule recomputes.
  const version = verdictVersion(sweep.version, experiment?.claims ?? [], rule);
  const unchanged = notModified(c, version);
  if (unchanged) return unchanged;
  const stored = await store.storedAnswer(id, 'verdict', version);
  if (stored !== null) return c.json(JSON.parse(stored) as SweepVerdict);
  const verdict = await sweepVerdict(store, id, Date.now(), { sweep, lookup: () => experiment, rule });
  if (!verdict) throw apiError(404, 'not_found', { field: 'id', message: `no sweep '${id}'` });
  await store.storeAnswer(id, 'verdict', version, JSON.stringify(verdict));
  return c.json(verdict);
});
