/**
 * The spec's JSON Schema (GET /api/experiments/schema, core/custom/spec.ts) made into the
 * schema the form editor is built from. The format is unchanged: every value the editor
 * makes is checked by the server's dry run (validateSpec), never by this schema. What is
 * added is for reading and choosing:
 *   - each alternative of a union gets the title of its discriminator (`mlp`, `adam`,
 *     `difference`, `checkpoints`), so the block picker lists blocks by name;
 *   - each parameter says its type, bounds, choices and default in words;
 *   - the grid names every parameter of the library as an optional axis, a list of values of
 *     that parameter's type and bounds, so an axis is picked from a list rather than typed;
 *   - optional parts (features, claims, figure, a claim's `where`…) are opted in by a
 *     checkbox, so a spec is only what is ticked and typed.
 * Pure: tested without a browser.
 */

import { PANELS } from '../../core/custom/panels';

export type Schema = { [key: string]: unknown } & {
  type?: string | string[];
  properties?: Record<string, Schema>;
  required?: string[];
  oneOf?: Schema[];
  anyOf?: Schema[];
  items?: Schema;
  enum?: unknown[];
  const?: unknown;
  default?: unknown;
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
  minItems?: number;
  maxItems?: number;
  title?: string;
  description?: string;
  options?: Record<string, unknown>;
  additionalProperties?: boolean | Schema;
};

/** The label of the grid's button that adds and removes axes (json-editor's object properties). */
export const AXES_BUTTON = 'Axes…';

/** The block families: a union of blocks discriminated by `block`. */
export const FAMILIES = ['data', 'features', 'model', 'training'] as const;

const clone = <T>(x: T): T => JSON.parse(JSON.stringify(x)) as T;

/** The schema's type as words: `integer 1–1024`, `one of relu, tanh`, `true or false`. */
export function describeParameter(s: Schema): string {
  const parts: string[] = [];
  if (s.enum) parts.push(`one of ${s.enum.map(String).join(', ')}`);
  else if (s.type === 'integer' || s.type === 'number') {
    const lo = s.minimum;
    const hi = s.maximum;
    const kind = s.type === 'integer' ? 'integer' : 'number';
    parts.push(lo !== undefined && hi !== undefined ? `${kind} ${lo}–${hi}` : lo !== undefined ? `${kind} ≥ ${lo}` : hi !== undefined ? `${kind} ≤ ${hi}` : kind);
  } else if (s.type === 'boolean') parts.push('true or false');
  else if (s.type === 'array') parts.push(`list${s.minItems ? ` of at least ${s.minItems}` : ''}`);
  else if (s.type === 'string') parts.push('text');
  if (s.default !== undefined) parts.push(`default ${JSON.stringify(s.default)}`);
  return parts.join(', ');
}

/** The discriminator of a union's alternative: the property whose schema is a `const`. */
function discriminator(alt: Schema): [string, unknown] | undefined {
  for (const [k, p] of Object.entries(alt.properties ?? {})) if (p.const !== undefined) return [k, p.const];
  return undefined;
}

/** Titles the alternatives of a union by their discriminator, and fixes it to its value. */
function titleAlternatives(union: Schema[]): void {
  for (const alt of union) {
    const d = discriminator(alt);
    if (!d) continue;
    alt.title = String(d[1]);
    const p = alt.properties![d[0]];
    // A fixed value: shown, not editable, and set by picking the alternative.
    p.default = d[1];
    p.enum = [d[1]];
    p.options = { ...(p.options ?? {}), hidden: true };
  }
}

/** Every parameter of every block (names are unique across the library), by name, with its schema. */
export function libraryParameters(schema: Schema): Map<string, Schema> {
  const out = new Map<string, Schema>();
  for (const family of FAMILIES) {
    for (const alt of schema.properties?.[family]?.oneOf ?? []) {
      for (const [name, p] of Object.entries(alt.properties ?? {})) {
        if (name === 'block' || out.has(name)) continue;
        out.set(name, p);
      }
    }
  }
  return out;
}

/** `propertyNames` (keys' own schema) removed everywhere: json-editor cannot show it; the server checks names anyway. */
function dropPropertyNames(s: unknown): void {
  if (!s || typeof s !== 'object') return;
  if (!Array.isArray(s)) delete (s as Schema).propertyNames;
  for (const v of Object.values(s)) dropPropertyNames(v);
}

const TYPE_WORDS: Record<string, string> = { string: 'text', number: 'a number', integer: 'a whole number', boolean: 'true/false', null: 'none', array: 'a list', object: 'fields' };
const typeWord = (t: Schema['type']): string => (Array.isArray(t) ? t.map((x) => TYPE_WORDS[x] ?? x).join(' or ') : t ? (TYPE_WORDS[t] ?? t) : 'a value');

/** Alternatives of every `anyOf` named by what they are (`final`, `number`, `step`) rather than "Option 1". */
function titleAnyOf(s: unknown): void {
  if (!s || typeof s !== 'object') return;
  const any = (s as Schema).anyOf;
  if (Array.isArray(any)) {
    for (const alt of any) {
      if (alt.title) continue;
      const keys = Object.keys(alt.properties ?? {});
      // Never a type's own name: json-editor numbers a title that is also a type ("boolean 1").
      alt.title = alt.const !== undefined ? String(alt.const) : keys.length === 1 ? keys[0] : typeWord(alt.type);
    }
  }
  for (const v of Object.values(s)) titleAnyOf(v);
}

/** Parameters described in words, recursively (blocks, and a claim's fields). */
function describeLeaves(s: Schema): void {
  for (const [name, p] of Object.entries(s.properties ?? {})) {
    if (p.properties || p.oneOf || p.anyOf) continue;
    if (p.const !== undefined) continue;
    p.title ??= name;
    // A list of choices shows them: its default is what is left to say.
    const words = p.enum || p.type === 'boolean' || p.type === 'string' ? (p.default !== undefined ? `default ${JSON.stringify(p.default)}` : '') : describeParameter(p);
    if (words && !p.description) p.description = words;
  }
}

/** The editor's schema (see the header). The API's schema is not changed. */
export function editorSchema(apiSchema: Schema): Schema {
  const s = clone(apiSchema);
  delete s.$schema;
  dropPropertyNames(s);
  titleAnyOf(s);
  const props = s.properties ?? {};
  s.title = 'Experiment spec';
  // The top level: the required parts shown, the optional ones behind a checkbox.
  s.options = { show_opt_in: true };
  for (const family of FAMILIES) {
    const union = props[family]?.oneOf;
    if (!union) continue;
    titleAlternatives(union);
    for (const alt of union) describeLeaves(alt);
    props[family].title = family;
  }
  const params = libraryParameters(apiSchema);
  if (props.grid) {
    const axis = (name: string, p: Schema): Schema => {
      const { default: _d, title: _t, description: _s, ...values } = clone(p);
      // A new value starts at the parameter's default.
      return { type: 'array', title: name, description: `values of ${name}: ${describeParameter({ ...p, default: undefined })}`, minItems: 1, maxItems: 50, format: 'table', items: { ...values, title: name, ...(p.default !== undefined ? { default: p.default } : {}) } };
    };
    // The axis over model blocks (its cells written as the model section is) stays the API's.
    const modelAxis = props.grid.properties?.model ? clone(props.grid.properties.model) : undefined;
    if (modelAxis?.items?.oneOf) {
      titleAlternatives(modelAxis.items.oneOf);
      for (const alt of modelAxis.items.oneOf) describeLeaves(alt);
      modelAxis.title = 'model';
      modelAxis.description = 'model blocks to compare, each a cell of the grid (named by its label, default its block)';
    }
    props.grid = {
      ...props.grid,
      title: 'grid',
      description: `Axes: parameters swept over lists of values (every combination is a cell). "${AXES_BUTTON}" adds or removes one.`,
      properties: { ...Object.fromEntries([...params].map(([name, p]) => [name, axis(name, p)])), ...(modelAxis ? { model: modelAxis } : {}) },
      // Only the axes the spec has are shown; others are added from the list.
      options: { display_required_only: true, disable_properties: false },
      defaultProperties: [],
    };
  }
  for (const key of ['title', 'question', 'hypothesis', 'note']) {
    const p = props[key];
    if (!p) continue;
    p.title = key;
    if (key !== 'title') p.format = 'textarea';
  }
  if (props.repeats) props.repeats.description = describeParameter(props.repeats);
  if (props.paired) props.paired.description = 'a repeat shares its data, initial weights and batches across grid cells';
  const record = props.record?.items?.oneOf;
  if (record) {
    titleAlternatives(record);
    for (const alt of record) alt.title = `at ${String(discriminator(alt)?.[1])}`;
    props.record.title = 'record';
  }
  const claims = props.claims?.items?.oneOf;
  if (claims) {
    titleAlternatives(claims);
    for (const alt of claims) {
      describeLeaves(alt);
      alt.options = { show_opt_in: true };
    }
    props.claims.title = 'claims';
  }
  if (props.figure) {
    props.figure.title = 'figure';
    describeLeaves(props.figure);
    props.figure.options = { show_opt_in: true };
    props.figure.description = 'x: "step" or a grid axis; y: a recorded metric; color and facet: grid axes; panels: named views drawn after the band figure';
    const panels = props.figure.properties?.panels;
    // Each panel draws one record (core/custom/panels.ts): say which, so a choice is not refused by surprise.
    if (panels) panels.description = Object.entries(PANELS).map(([name, p]) => `${name} (needs the ${p.record} record)`).join('; ');
  }
  return s;
}

/**
 * Where a field the API names (an issue's `field`: `model.width`, `claims.0.by`, `grid.lr`)
 * is in the editor (`root.model.width`); `(body)` and the empty field are the whole spec.
 */
export function editorPath(field: string): string {
  if (!field || field.startsWith('(')) return 'root';
  return `root.${field}`;
}

/** The deepest of `path` and its ancestors for which `exists` holds (an issue on a value shown inside its parent). */
export function nearestPath(path: string, exists: (p: string) => boolean): string {
  const parts = path.split('.');
  while (parts.length > 1 && !exists(parts.join('.'))) parts.pop();
  return parts.join('.');
}

/** A fork of a spec: the same spec, titled "Fork of …" (within the title's 200 characters), without the original's note on its findings. */
export function forkSpec(spec: Record<string, unknown>): Record<string, unknown> {
  const { note: _note, ...rest } = clone(spec);
  const title = `Fork of ${String(spec.title ?? '')}`;
  return { ...rest, title: title.length > 200 ? `${title.slice(0, 199)}…` : title };
}

/** A new spec's starting point: the smallest valid spec, to be changed. */
export function blankSpec(): Record<string, unknown> {
  return {
    title: 'New experiment',
    question: 'What does this experiment ask?',
    hypothesis: 'What do you expect, and why?',
    data: { block: 'moons' },
    model: { block: 'mlp' },
    training: { block: 'adam' },
    record: [{ metric: 'test_accuracy', at: 'end' }],
    repeats: 5,
  };
}

/**
 * The spec with every parameter of its blocks spelled out at its default where it is left
 * out (the same spec: `specId` ignores parameters at their defaults), so that the form shows
 * every parameter of the chosen blocks as an input.
 */
export function withBlockDefaults(spec: Record<string, unknown>, apiSchema: Schema): Record<string, unknown> {
  const out = clone(spec);
  for (const family of FAMILIES) {
    const value = out[family] as Record<string, unknown> | undefined;
    if (!value || typeof value !== 'object' || Array.isArray(value)) continue;
    const alt = apiSchema.properties?.[family]?.oneOf?.find((a) => a.properties?.block?.const === value.block);
    for (const [name, p] of Object.entries(alt?.properties ?? {})) if (!(name in value) && p.default !== undefined) value[name] = clone(p.default);
  }
  return out;
}
