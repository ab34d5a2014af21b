import { Hono } from 'hono';
import { validator } from 'hono/validator';
import { z } from 'zod';
import { EXPERIMENTS, getExperiment } from '../../core/experiments';
import { OPEN_QUESTIONS_SECTION } from '../../core/experiments/specs';
import { compileUncached, experimentOfSpec, resolveExperiment, specOf } from '../../core/experiments/resolve';
import type { Experiment } from '../../core/experiments/types';
import { experimentSpecJsonSchema, specContent, specId, type ExperimentSpec } from '../../core/custom/spec';
import { validateSpec } from '../../core/custom/validate';
import { expandSweep } from '../../core/sweep/expand';
import { DEFAULT_LIMITS, SweepRequestError } from '../../core/sweep/request';
import type { AppEnv } from '../context';
import { apiError } from '../errors';
import { jsonBody } from '../middleware/body';
import { estimateTrials, packLimits } from '../packing';
import { experimentPageQuery, experimentParam, specDryRunQuery } from '../schemas';
import { validate } from '../validate';

/**
 * Containers a spec body may nest before validation walks it (spec → claims → claim →
 * values → a list value; core/custom/validate.ts applies the same bound). A sweep request
 * allows less (core/sweep/request.ts MAX_REQUEST_DEPTH).
 */
export const MAX_SPEC_DEPTH = 6;

/** Custom experiments one server keeps: listing, resolution and the D1 database stay bounded. */
export const MAX_STORED_SPECS = 5_000;

export function describeExperiment(e: Experiment) {
  const spec = specOf(e);
  return {
    id: e.id,
    number: e.number,
    section: e.section,
    title: e.title,
    question: e.question,
    hypothesis: e.hypothesis,
    conclusion: e.conclusion,
    defaults: e.params.parse({}),
    grid: e.grid as Record<string, unknown[]>,
    repeats: e.repeats,
    schema: z.toJSONSchema(e.params, { io: 'input', unrepresentable: 'any' }),
    /** Posted through POST /api/experiments (not part of the code's catalogue). */
    custom: !getExperiment(e.id),
    /** One of the questions the notebook left open (exp13–exp17): its conclusion is this project's, not the notebook's. */
    openQuestion: e.section === OPEN_QUESTIONS_SECTION,
    /** The spec it was compiled from (custom experiments and built-ins written as specs), else null. */
    spec: spec ?? null,
    claims: e.claims ?? [],
  };
}

const idCollision = (id: string) => apiError(409, 'id_collision', { field: '(body)', message: `another spec is stored under id '${id}' (a hash collision); change any field (the title) to get another id` });

/** The body as a spec: validateSpec (core/custom/validate.ts) names every bad field; nothing is written. */
const specBody = validator('json', (value: unknown) => {
  const result = validateSpec(value);
  if (!result.ok) throw apiError(400, 'invalid_spec', result.issues);
  return result.spec;
});

/**
 * Built-in and custom experiments alike. A custom experiment is immutable: its id is the
 * content hash of its spec (core/custom/spec.ts `specId`), so posting the same spec again
 * answers the same id (200, nothing written) and a changed spec is a new experiment; there
 * is no update route. It can be deleted while no sweep names it.
 */
export const experimentRoutes = new Hono<AppEnv>()
  .get('/', validate('query', experimentPageQuery), async (c) => {
    const q = c.req.valid('query');
    const cursor = q.cursor ?? null;
    // The built-ins lead the first page; custom experiments follow, a page at a time, each
    // compiled once per isolate (core/experiments/resolve.ts), so a call costs one page.
    const page = await c.var.store.listExperimentSpecs({ limit: q.limit ?? 100, cursor });
    const custom = page.specs.map((s) => experimentOfSpec(s.id, s.spec));
    return c.json({ experiments: [...(cursor ? [] : EXPERIMENTS), ...custom].map(describeExperiment), next: page.next });
  })
  // Before '/:id', so 'schema' is never taken for an experiment id.
  .get('/schema', (c) => c.json(experimentSpecJsonSchema() as Record<string, unknown>))
  .post('/', jsonBody(MAX_SPEC_DEPTH), validate('query', specDryRunQuery), specBody, async (c) => {
    const spec = c.req.valid('json');
    const id = await specId(spec);
    const store = c.var.store;
    // Compiled before anything is stored (a spec the interpreter refuses writes nothing), and
    // cached only once the store holds this very spec under the id.
    const experiment = compileUncached(id, spec);
    /**
     * A spec already stored under the id is this experiment only if its content is the same:
     * 48 bits of a hash can be made to collide, and the other spec must not run under this id.
     */
    const alreadyStored = async () => {
      const existing = await store.getExperimentSpec(id);
      if (!existing) return false;
      if (specContent(existing.spec as ExperimentSpec) !== specContent(spec)) {
        throw idCollision(id);
      }
      return true;
    };
    const roomForAnother = async () => {
      if ((await store.countExperimentSpecs()) >= MAX_STORED_SPECS) {
        throw apiError(409, 'too_many_experiments', { field: '(body)', message: `${MAX_STORED_SPECS} custom experiments are stored, the most this server keeps; delete unused ones (DELETE /api/experiments/:id)` });
      }
    };
    if (c.req.valid('query').dryRun === '1') {
      // What the real POST would store and its default sweep would be, and nothing written
      // (not even the compile cache: a dry run per keystroke must not fill it).
      const stored = await alreadyStored();
      if (!stored) await roomForAnother();
      let sweep;
      try {
        sweep = expandSweep({ experiment: id }, 'dry-run', { ...DEFAULT_LIMITS, maxTrials: c.var.config.MAX_TRIALS }, (x) => (x === id ? experiment : undefined));
      } catch (err) {
        // A valid spec whose default sweep this server would refuse (more trials than its MAX_TRIALS).
        if (err instanceof SweepRequestError) throw apiError(400, 'invalid_request', err.issues);
        throw err;
      }
      const { packs, estimate } = estimateTrials(experiment, sweep.trials, packLimits(c.env ?? {}));
      return c.json(
        {
          ...describeExperiment(experiment),
          dryRun: true as const,
          /** Whether this very spec is stored already (the real POST would answer 200, created: false). */
          stored,
          trials: sweep.trials.length,
          packs,
          estimate,
          cpuSeconds: Math.round(estimate.cpuMs / 100) / 10,
          issues: [] as Array<{ field: string; message: string }>,
        },
        200,
      );
    }
    let created = false;
    if (!(await alreadyStored())) {
      await roomForAnother();
      created = (await store.putExperimentSpec({ id, spec, title: spec.title }, Date.now())).created;
      // Not created: another request stored the id meanwhile, and it must be this spec too.
      if (!created) await alreadyStored();
    }
    return c.json({ ...describeExperiment(experimentOfSpec(id, spec, experiment)), created }, created ? 201 : 200);
  })
  .get('/:id', validate('param', experimentParam), async (c) => {
    const { id } = c.req.valid('param');
    const e = await resolveExperiment(c.var.store, id, { stored: true });
    if (!e) throw apiError(404, 'not_found', { field: 'id', message: `unknown experiment '${id}'` });
    return c.json(describeExperiment(e));
  })
  .delete('/:id', validate('param', experimentParam), async (c) => {
    const { id } = c.req.valid('param');
    if (getExperiment(id)) throw apiError(409, 'conflict', { field: 'id', message: `'${id}' is built in; only custom experiments can be deleted` });
    const outcome = await c.var.store.deleteExperimentSpec(id);
    if (outcome === 'missing') throw apiError(404, 'not_found', { field: 'id', message: `unknown experiment '${id}'` });
    if (outcome === 'in_use') throw apiError(409, 'conflict', { field: 'id', message: `sweeps use '${id}'; delete them first (their results need the spec)` });
    return c.json({ deleted: id });
  });
