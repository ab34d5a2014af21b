/**
 * The experiment editor's pure parts (dashboard/spec-editor/schema.ts) over the real spec
 * schema (core/custom/spec.ts, as GET /api/experiments/schema serves it): the form's schema
 * still accepts what the API's accepts, its block picker and grid axes, issue fields mapped
 * to form paths, forks and the blank spec (valid as they start).
 */
import Ajv2020 from 'ajv/dist/2020';
import { describe, expect, test } from 'vitest';
import { MODEL_BLOCKS } from '../../core/blocks';
import { experimentSpecJsonSchema } from '../../core/custom/spec';
import { validateSpec } from '../../core/custom/validate';
import { builtinSpecExperiments } from '../../core/experiments/specs';
import { specOf } from '../../core/experiments/resolve';
import { blankSpec, describeParameter, editorPath, editorSchema, forkSpec, libraryParameters, nearestPath, withBlockDefaults, type Schema } from '../../dashboard/spec-editor';
import { readmeExample } from '../helpers/readme';

// Through JSON, exactly as the dashboard receives it.
const API = JSON.parse(JSON.stringify(experimentSpecJsonSchema())) as Schema;
const FORM = editorSchema(API);
const SPECS = builtinSpecExperiments().map((e) => JSON.parse(JSON.stringify(specOf(e))) as Record<string, unknown>);

describe('the form schema', () => {
  test('titles each block of a family by name and describes each parameter', () => {
    expect(FORM.properties!.model.oneOf!.map((a) => a.title)).toEqual(Object.keys(MODEL_BLOCKS));
    expect(FORM.properties!.training.oneOf!.map((a) => a.title)).toEqual(expect.arrayContaining(['adam', 'transfer', 'layerwise']));
    const mlp = FORM.properties!.model.oneOf![0].properties!;
    expect(mlp.width.description).toBe('integer 1–1024, default 32');
    expect(mlp.activation.description).toBe('default "relu"');
    expect(mlp.block.options).toMatchObject({ hidden: true });
    // The API's schema is left as it was.
    expect(API.properties!.model.oneOf![0].title).toBeUndefined();
  });

  test('offers every parameter of the library as a grid axis of its type and bounds', () => {
    const params = libraryParameters(API);
    expect([...params.keys()]).toEqual(expect.arrayContaining(['n', 'width', 'lr', 'steps', 'batch_norm', 'kernel']));
    const axes = FORM.properties!.grid.properties!;
    // Every parameter, and the axis over model blocks with the model section's alternatives.
    expect(Object.keys(axes).sort()).toEqual([...params.keys(), 'model'].sort());
    expect(axes.model.items!.oneOf!.map((a) => a.title)).toEqual(Object.keys(MODEL_BLOCKS));
    expect(axes.width).toMatchObject({ type: 'array', minItems: 1, items: { type: 'integer', minimum: 1, maximum: 1024, default: 32 } });
    expect(FORM.properties!.grid.options).toMatchObject({ display_required_only: true });
  });

  test('accepts every spec the API schema accepts (it only adds titles, words and axes)', () => {
    const ajv = new Ajv2020({ strict: false, validateFormats: false });
    const form = ajv.compile(FORM);
    for (const spec of [...SPECS, readmeExample().spec, blankSpec()]) expect(form(spec), JSON.stringify(form.errors)).toBe(true);
    expect(form({ ...blankSpec(), grid: { width: 4 } })).toBe(false);
  });

  test('says a type in words', () => {
    expect(describeParameter({ type: 'number', maximum: 10, default: 0.003 })).toBe('number ≤ 10, default 0.003');
    expect(describeParameter({ type: 'string', enum: ['a', 'b'] })).toBe('one of a, b');
    expect(describeParameter({ type: 'boolean', default: false })).toBe('true or false, default false');
  });
});

describe('issues, forks and the blank spec', () => {
  test("an issue's field is a form path, shown on the nearest part the form has", () => {
    expect(editorPath('model.width')).toBe('root.model.width');
    expect(editorPath('claims.0.by')).toBe('root.claims.0.by');
    expect(editorPath('(body)')).toBe('root');
    const shown = new Set(['root', 'root.grid', 'root.grid.lr']);
    expect(nearestPath('root.grid.lr.0', (p) => shown.has(p))).toBe('root.grid.lr');
    expect(nearestPath('root.grid.dropout', (p) => shown.has(p))).toBe('root.grid');
  });

  test('a fork is the same spec titled "Fork of …" without the original note, and valid', async () => {
    for (const spec of SPECS) {
      const fork = forkSpec(spec);
      expect(fork.title).toBe(`Fork of ${spec.title as string}`.slice(0, 200).replace(/^(.{199}).+$/, '$1…'));
      expect(fork.note).toBeUndefined();
      expect({ ...fork, title: spec.title }).toEqual(Object.fromEntries(Object.entries(spec).filter(([k]) => k !== 'note')));
      expect(validateSpec(fork).ok).toBe(true);
    }
    expect((forkSpec({ title: 'x'.repeat(200) }).title as string).length).toBe(200);
  });

  test('the blank spec is valid, and spelling out its block defaults leaves it the same spec', () => {
    const blank = validateSpec(blankSpec());
    const full = withBlockDefaults(blankSpec(), API);
    expect(full.model).toMatchObject({ block: 'mlp', width: 32, depth: 2, activation: 'relu' });
    const spelled = validateSpec(full);
    expect(blank.ok && spelled.ok).toBe(true);
    if (blank.ok && spelled.ok) expect(spelled.spec).toEqual(blank.spec);
  });
});
