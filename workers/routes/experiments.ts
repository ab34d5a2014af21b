import { Hono } from 'hono';
import { z } from 'zod';
import { EXPERIMENTS, getExperiment } from '../../core/experiments';
import type { Experiment } from '../../core/experiments/types';
import type { AppEnv } from '../context';

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
  .get('/:id', (c) => {
    const e = getExperiment(c.req.param('id'));
    if (!e) return c.json({ error: 'not_found', issues: [{ field: 'id', message: `unknown experiment '${c.req.param('id')}'` }] }, 404);
    return c.json(describeExperiment(e));
  });
