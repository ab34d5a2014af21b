/**
 * A custom id is 48 bits of a hash, which can be made to collide. Two specs under one id
 * must never run as each other: the API refuses to take the second, and the compile cache
 * keys on content, not on the id. And the number of stored specs is bounded.
 */
import type { MiddlewareHandler } from 'hono';
import { afterAll, describe, expect, test } from 'vitest';
import { specId, type ExperimentSpec } from '../../core/custom/spec';
import { validateSpec } from '../../core/custom/validate';
import { experimentOfSpec } from '../../core/experiments/resolve';
import { openSqliteStore } from '../../node/sqlite-store';
import { createApp } from '../../api/app';
import type { AppEnv } from '../../api/context';
import { MAX_STORED_SPECS } from '../../api/routes/experiments';
import { tinySpec } from './fixtures';

const opened = openSqliteStore();
afterAll(() => opened.sqlite.close());
const host: MiddlewareHandler<AppEnv> = async (c, next) => {
  c.set('store', opened.invocation());
  c.set('enqueue', async () => {});
  await next();
};
const app = createApp(host);
const post = (body: unknown) => app.request('/api/experiments', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }, {});

const parsed = (s: unknown) => {
  const v = validateSpec(s);
  if (!v.ok) throw new Error(JSON.stringify(v.issues));
  return v.spec;
};

describe('custom experiment ids', () => {
  test('another spec already stored under the posted spec’s id (a collision) answers 409 and writes nothing', async () => {
    const mine = parsed(tinySpec());
    const id = await specId(mine);
    const other: ExperimentSpec = { ...mine, title: 'Someone else’s experiment', repeats: 4 };
    // The colliding spec, stored under the same id as if its hash had matched.
    await opened.store.putExperimentSpec({ id, spec: other, title: other.title }, 1);
    const res = await post(tinySpec());
    expect(res.status).toBe(409);
    expect(await res.json()).toMatchObject({ error: 'id_collision', issues: [{ field: '(body)' }] });
    expect((await opened.store.getExperimentSpec(id))?.spec).toMatchObject({ title: 'Someone else’s experiment', repeats: 4 });
    await opened.store.deleteExperimentSpec(id);
    // Once the id is free, the spec is taken.
    expect((await post(tinySpec())).status).toBe(201);
  });

  test('the compile cache keys on content: a second spec under one id compiles as itself', () => {
    const a = parsed(tinySpec());
    const b = parsed({ ...tinySpec(), repeats: 7 });
    expect(experimentOfSpec('xsame0000000', a).repeats).toBe(2);
    expect(experimentOfSpec('xsame0000000', b).repeats).toBe(7);
    expect(experimentOfSpec('xsame0000000', a).repeats).toBe(2);
  });

  test(`at most ${MAX_STORED_SPECS} stored specs: the next is refused with 409, and one more fits after a delete`, async () => {
    const before = await opened.store.countExperimentSpecs();
    const insert = opened.sqlite.prepare('INSERT INTO experiments (id, spec, title, created_at) VALUES (?, ?, ?, ?)');
    opened.sqlite.transaction(() => {
      for (let i = before; i < MAX_STORED_SPECS; i++) insert.run(`xfill${String(i).padStart(7, '0')}`, '{}', `filler ${i}`, 2);
    })();
    const refused = await post({ ...tinySpec(), title: 'One too many' });
    expect(refused.status).toBe(409);
    expect(await refused.json()).toMatchObject({ error: 'too_many_experiments' });
    expect(await opened.store.countExperimentSpecs()).toBe(MAX_STORED_SPECS);
    expect(await opened.store.deleteExperimentSpec(`xfill${String(before).padStart(7, '0')}`)).toBe('deleted');
    expect((await post({ ...tinySpec(), title: 'One too many' })).status).toBe(201);
  });
});
