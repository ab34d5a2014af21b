/**
 * The parameter schemas of the new-sweep form: the subset of JSON Schema that z.toJSONSchema
 * emits for an experiment's zod params (the `schema` of GET /api/experiments, made by
 * describeExperiment in api/routes/experiments.ts), described in words for the help text and
 * checked value by value with messages written for the person typing.
 *
 * Hand-written rather than ajv (a dev dependency in package.json): ajv compiles each schema
 * to a function with `new Function`, which the dashboard's CSP (dashboard/csp.json,
 * script-src 'self' without 'unsafe-eval') refuses in the browser; it would add ~125 KB to
 * dashboard/dist/app.js; and its messages ("must be equal to one of the allowed values", one
 * error per branch of an anyOf) say less than these ("must be one of sin, polynomial, abs").
 */

/** The subset of JSON Schema that z.toJSONSchema emits for experiment params. */
export interface JsonSchema {
  type?: string;
  enum?: unknown[];
  const?: unknown;
  anyOf?: JsonSchema[];
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  items?: JsonSchema;
  minItems?: number;
  maxItems?: number;
  maxLength?: number;
  default?: unknown;
  description?: string;
}

/** Text shown in an input for a value: lists comma-separated, null as "null". */
export function formatValue(v: unknown): string {
  if (Array.isArray(v)) return v.map(formatValue).join(', ');
  if (v === null || v === undefined) return 'null';
  return String(v);
}

/** Whether a value of this schema may be a list: then a swept list separates values by ';'. */
export function canBeArray(s: JsonSchema): boolean {
  return s.type === 'array' || (s.anyOf ?? []).some(canBeArray);
}

function boundsText(s: JsonSchema): string {
  const lo = s.minimum !== undefined ? `${String(s.minimum)} ≤ ` : s.exclusiveMinimum !== undefined ? `${String(s.exclusiveMinimum)} < ` : '';
  const hi = s.maximum !== undefined ? ` ≤ ${String(s.maximum)}` : s.exclusiveMaximum !== undefined ? ` < ${String(s.exclusiveMaximum)}` : '';
  return lo || hi ? `${lo}x${hi}` : '';
}

/** A short human description of what a schema accepts ("integer, 1 ≤ x ≤ 4096"). */
export function describeSchema(s: JsonSchema): string {
  if (s.anyOf) return s.anyOf.map(describeSchema).join(', or ');
  if (s.enum) return `one of ${s.enum.map(formatValue).join(', ')}`;
  if (s.const !== undefined) return `"${formatValue(s.const)}"`;
  switch (s.type) {
    case 'integer':
    case 'number': {
      const b = boundsText(s);
      return `${s.type === 'integer' ? 'integer' : 'number'}${b ? `, ${b}` : ''}`;
    }
    case 'array': {
      const n = s.minItems !== undefined || s.maxItems !== undefined ? `, ${s.minItems ?? 0}–${s.maxItems ?? '∞'} items` : '';
      const it = s.items;
      const what = it && (it.type === 'integer' || it.type === 'number') && !it.anyOf ? `${it.type}s${boundsText(it) ? ` (each ${boundsText(it)})` : ''}` : it ? describeSchema(it) : 'values';
      return `list of ${what}${n}, comma-separated`;
    }
    case 'boolean':
      return 'true or false';
    case 'null':
      return 'null';
    default:
      return 'text';
  }
}

/** Null when `value` satisfies the schema, else what is wrong, in words. */
export function validateValue(value: unknown, s: JsonSchema): string | null {
  if (s.anyOf) {
    const messages = s.anyOf.map((b) => validateValue(value, b));
    if (messages.some((m) => m === null)) return null;
    // One branch of the type the user clearly meant gives the most useful message.
    const sameType = s.anyOf.findIndex((b) => typeMatches(value, b));
    return sameType >= 0 ? messages[sameType] : `must be ${describeSchema(s)}`;
  }
  if (s.enum) return s.enum.some((e) => e === value) ? null : `must be one of ${s.enum.map(formatValue).join(', ')}`;
  if (s.const !== undefined) return value === s.const ? null : `must be "${formatValue(s.const)}"`;
  switch (s.type) {
    case 'integer':
    case 'number': {
      if (typeof value !== 'number' || !Number.isFinite(value)) return 'must be a number';
      if (s.type === 'integer' && !Number.isInteger(value)) return 'must be an integer';
      if (s.minimum !== undefined && value < s.minimum) return `must be ≥ ${s.minimum}`;
      if (s.exclusiveMinimum !== undefined && value <= s.exclusiveMinimum) return `must be > ${s.exclusiveMinimum}`;
      if (s.maximum !== undefined && value > s.maximum) return `must be ≤ ${s.maximum}`;
      if (s.exclusiveMaximum !== undefined && value >= s.exclusiveMaximum) return `must be < ${s.exclusiveMaximum}`;
      return null;
    }
    case 'boolean':
      return typeof value === 'boolean' ? null : 'must be true or false';
    case 'null':
      return value === null ? null : 'must be null';
    case 'string':
      if (typeof value !== 'string') return 'must be text';
      if (s.maxLength !== undefined && value.length > s.maxLength) return `at most ${s.maxLength} characters`;
      return null;
    case 'array': {
      if (!Array.isArray(value)) return 'must be a list';
      if (s.minItems !== undefined && value.length < s.minItems) return `needs at least ${s.minItems} item${s.minItems === 1 ? '' : 's'}`;
      if (s.maxItems !== undefined && value.length > s.maxItems) return `at most ${s.maxItems} items`;
      if (s.items) {
        for (let i = 0; i < value.length; i++) {
          const m = validateValue(value[i], s.items);
          if (m) return `item ${i + 1} (${formatValue(value[i])}): ${m}`;
        }
      }
      return null;
    }
    default:
      return null;
  }
}

/** Whether a value has the type a schema (or one of its branches) asks for, bounds aside. */
export function typeMatches(value: unknown, s: JsonSchema): boolean {
  if (s.anyOf) return s.anyOf.some((b) => typeMatches(value, b));
  if (s.enum || s.const !== undefined) return typeof value === 'string' && (typeof (s.enum?.[0] ?? s.const) === 'string');
  if (s.type === 'integer' || s.type === 'number') return typeof value === 'number';
  if (s.type === 'array') return Array.isArray(value);
  if (s.type === 'null') return value === null;
  return typeof value === s.type;
}

