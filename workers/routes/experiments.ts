import { Hono } from 'hono';
import { z } from 'zod';
import { EXPERIMENTS, getExperiment } from '../../core/experiments';
import type { Experiment } from '../../core/experiments/types';
import type { AppEnv } from '../context';
import { apiError } from '../errors';
import { experimentParam } from '../schemas';
import { validate } from '../validate';

export function describeExperiment(e: Experiment) {
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
  };
}

export const experimentRoutes = new Hono<AppEnv>()
  .get('/', (c) => c.json(EXPERIMENTS.map(describeExperiment)))
  .get('/:id', validate('param', experimentParam), (c) => {
    const { id } = c.req.valid('param');
    const e = getExperiment(id);
    if (!e) throw apiError(404, 'not_found', { field: 'id', message: `unknown experiment '${id}'` });
    return c.json(describeExperiment(e));
  });
