/**
 * Generated requests at and beyond every bound of the schema (fast-check), on both hosts'
 * stores: sweep requests over every experiment's parameters (each numeric parameter drawn
 * at its minimum and maximum, one step beyond, far beyond, or in between; grids of up to
 * a thousand values per axis, duplicates included) and experiment specs with their sizes
 * pushed the same way. Every answer is 2xx, or a 4xx whose JSON names a field; a 4xx writes
 * nothing; a 2xx wrote what it says; and the host still answers /api/health afterwards.
 * The slowest answer is printed (a report, not an assertion: timing lives in reports).
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { z } from 'zod';
import { EXPERIMENTS } from '../../core/experiments';
import { tinySpec } from '../custom/fixtures';
import { apiOver, STORAGE_MODES } from '../helpers/storage-modes';

type Json = Record<string, unknown>;

/** Values around a numeric parameter's bounds, or any JSON for others. */
function valueFor(schema: Json): fc.Arbitrary<unknown> {
  const junk = fc.oneof(fc.string({ maxLength: 8 }), fc.boolean(), fc.constant(null), fc.array(fc.integer(), { maxLength: 3 }));
  if (schema.type === 'integer' || schema.type === 'number') {
    const min = typeof schema.minimum === 'number' ? schema.minimum : typeof schema.exclusiveMinimum === 'number' ? schema.exclusiveMinimum : -1e6;
    const max = typeof schema.maximum === 'number' ? schema.maximum : 1e9;
    const int = schema.type === 'integer';
    return fc.oneof(
      // At the bounds (the largest values users reach), one step and far beyond, in between.
      { weight: 4, arbitrary: fc.constantFrom(min, max, int ? Math.round((min + max) / 2) : (min + max) / 2) },
      { weight: 2, arbitrary: fc.constantFrom(min - 1, max + 1, max * 10) },
      { weight: 3, arbitrary: int ? fc.integer({ min: Math.max(min, -1e9), max: Math.min(max, 1e9) }) : fc.double({ min, max, noNaN: true }) },
      { weight: 1, arbitrary: junk },
    );
  }
  if (Array.isArray(schema.enum)) return fc.oneof({ weight: 5, arbitrary: fc.constantFrom(...(schema.enum as unknown[])) }, { weight: 1, arbitrary: junk });
  if (schema.type === 'array' && schema.items) return fc.array(valueFor(schema.items as Json), { maxLength: 10 });
  if (Array.isArray(schema.anyOf)) return fc.oneof(...(schema.anyOf as Json[]).map(valueFor));
  return junk;
}

const experiments = EXPERIMENTS.map((e) => ({ id: e.id, props: (z.toJSONSchema(e.params, { io: 'input', unrepresentable: 'any' }) as { properties: Record<string, Json> }).properties }));

/** A sweep request: a real or unknown experiment, parameters and grid axes drawn around their bounds. */
const sweepRequest: fc.Arbitrary<Json> = fc.constantFrom(...experiments).chain(({ id, props }) => {
  const names = Object.keys(props);
  const axis = fc.constantFrom(...names);
  return fc.record(
    {
      experiment: fc.oneof({ weight: 9, arbitrary: fc.constant(id) }, { weight: 1, arbitrary: fc.string({ maxLength: 40 }) }),
      repeats: fc.oneof({ weight: 6, arbitrary: fc.constantFrom(1, 2, 5, 100) }, { weight: 1, arbitrary: fc.constantFrom(0, 101, 1.5) }),
      seed: fc.oneof({ weight: 6, arbitrary: fc.constantFrom(0, 7, 2 ** 32 - 1) }, { weight: 1, arbitrary: fc.constantFrom(-1, 2 ** 32) }),
      params: fc.dictionary(axis, fc.constant(null), { maxKeys: 3 }).chain((keys) => fc.record(Object.fromEntries(Object.keys(keys).map((k) => [k, valueFor(props[k])])))),
      grid: fc.dictionary(
        axis,
        fc.constant(null),
        { maxKeys: 3 },
      ).chain((keys) =>
        fc.record(
          Object.fromEntries(
            Object.keys(keys).map((k) => [
              k,
              fc.oneof(
                { weight: 4, arbitrary: fc.array(valueFor(props[k]), { minLength: 1, maxLength: 6 }) },
                // A long axis, as the 15 KB request that took hosts down.
                { weight: 1, arbitrary: fc.integer({ min: 1, max: 1001 }).map((n) => Array.from({ length: n }, (_, i) => i + 1)) },
                { weight: 1, arbitrary: fc.constant([]) },
              ),
            ]),
          ),
        ),
      ),
    },
    { requiredKeys: ['experiment'] },
  );
});

/** A spec from the fixture with each size at the fixture's value, at a bound, or beyond. */
const spec: fc.Arbitrary<Json> = fc
  .record({
    n: fc.constantFrom(64, 64, 2, 20_000, 20_001, 1),
    steps: fc.constantFrom(40, 40, 1, 1_000_000, 1_000_001, 0),
    epochs: fc.constantFrom(undefined, undefined, 1, 10_000, 10_001),
    batch: fc.constantFrom(16, 16, 1, 20_000, 0),
    every: fc.constantFrom(10, 10, 1, 1_000_000, 0),
    width: fc.constantFrom(8, 8, 1, 4096, 100_000),
    gridLength: fc.oneof({ weight: 3, arbitrary: fc.constant(0) }, { weight: 1, arbitrary: fc.integer({ min: 1, max: 300 }) }),
    // A claim's axis: the grid's, another parameter, or a name every object has.
    by: fc.constantFrom('lr', 'lr', 'width', 'toString', 'constructor', 'valueOf'),
  })
  .map((d) => {
    const s = structuredClone(tinySpec()) as unknown as Json & { data: Json; model: Json; training: Json; record: Json[]; grid: Json };
    s.data.n = d.n;
    s.model.width = d.width;
    s.training = { block: 'adam', lr: 0.003, batch_size: d.batch, steps: d.steps, ...(d.epochs === undefined ? {} : { epochs: d.epochs }) };
    s.record = [{ metric: 'test_accuracy', at: 'checkpoints', every: d.every }];
    s.grid = { lr: d.gridLength ? Array.from({ length: d.gridLength }, (_, i) => 0.001 * (i + 1)) : [0.001, 0.01] };
    (s.claims as Json[])[0].by = d.by;
    return s;
  });

describe.each(STORAGE_MODES)('generated requests on the $name store', (mode) => {
  let opened: Awaited<ReturnType<typeof mode.open>>;
  let request: (path: string, init?: RequestInit) => Promise<Response>;
  let rows: () => Promise<{ sweeps: number; trials: number; experiments: number }>;
  let slowest = 0;
  /** Answers by status and first field named: what the generator reached. */
  const seen = new Map<string, number>();

  beforeAll(async () => {
    opened = await mode.open();
    request = apiOver(opened);
    const count = async (table: string) => Number(((await opened.invocation().db.all(`SELECT count(*) AS n FROM ${table}` as never)) as Array<{ n: number }>)[0].n);
    rows = async () => ({ sweeps: await count('sweeps'), trials: await count('trials'), experiments: await count('experiments') });
  }, 60_000);
  afterAll(async () => {
    const ok = [...seen].filter(([k]) => / 20\d/.test(k)).reduce((a, [, n]) => a + n, 0);
    const refused = [...seen].filter(([k]) => / 4\d\d/.test(k));
    console.log(
      `generative (${mode.name}): slowest answer ${slowest.toFixed(0)} ms; ${ok} accepted, ${refused.reduce((a, [, n]) => a + n, 0)} refused naming ${refused.length} distinct fields (most: ${refused
        .sort((a, b) => b[1] - a[1])
        .slice(0, 5)
        .map(([k, n]) => `${k.split(' ').pop()} ×${n}`)
        .join(', ')})`,
    );
    await opened?.dispose();
  });

  const post = async (path: string, body: unknown) => {
    const t0 = performance.now();
    const res = await request(path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    slowest = Math.max(slowest, performance.now() - t0);
    const answer = (await res.json()) as Json & { issues?: Array<{ field: string; message: string }>; trials?: number };
    const key = `${path} ${res.status}${answer.issues?.[0] ? ` ${answer.issues[0].field}` : ''}`;
    seen.set(key, (seen.get(key) ?? 0) + 1);
    return { status: res.status, body: answer };
  };

  const holds = async (path: string, body: Json, wrote: (before: Awaited<ReturnType<typeof rows>>, after: Awaited<ReturnType<typeof rows>>, answer: Json) => void) => {
    const before = await rows();
    const { status, body: answer } = await post(path, body);
    const after = await rows();
    if (status >= 400) {
      expect(status, JSON.stringify(answer)).toBeLessThan(500);
      expect(answer.issues?.length).toBeGreaterThan(0);
      for (const issue of answer.issues ?? []) {
        expect(issue.field.length).toBeGreaterThan(0);
        expect(issue.message.length).toBeGreaterThan(0);
      }
      expect(after).toEqual(before);
    } else {
      expect([200, 201, 202]).toContain(status);
      wrote(before, after, answer);
    }
    expect((await request('/api/health')).status).toBe(200);
  };

  test('sweep requests: 202 with its trials stored, or a 4xx naming a field and nothing written', async () => {
    await fc.assert(
      fc.asyncProperty(sweepRequest, (body) =>
        holds('/api/sweeps', body, (before, after, answer) => {
          expect(after.sweeps).toBe(before.sweeps + 1);
          expect(after.trials).toBe(before.trials + (answer.trials as number));
        }),
      ),
      { numRuns: 150, seed: 17, endOnFailure: true },
    );
  }, 600_000);

  test('experiment specs: 201/200, or a 4xx naming a field and nothing written', async () => {
    await fc.assert(
      fc.asyncProperty(spec, (body) =>
        holds('/api/experiments', body, (before, after, answer) => {
          expect(after.experiments).toBe(before.experiments + (answer.created ? 1 : 0));
        }),
      ),
      { numRuns: 60, seed: 17, endOnFailure: true },
    );
  }, 600_000);
});
