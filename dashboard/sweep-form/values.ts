/**
 * Values of the new-sweep form's inputs: the text of an input read as a value of its
 * parameter's schema and checked (./schema.ts), a swept list split into values, and values
 * formatted back into input text. Pure, so tests check them without a browser.
 */
import { canBeArray, describeSchema, formatValue, typeMatches, validateValue, type JsonSchema } from './schema';

export type Parsed = { ok: true; value: unknown } | { ok: false; message: string };

/** The separator of a swept list's values: ';' when a value may itself be a (comma-separated) list. */
export function listSeparator(s: JsonSchema): ',' | ';' {
  return canBeArray(s) ? ';' : ',';
}

/** A swept list's values as input text. */
export function formatList(values: unknown[], s: JsonSchema): string {
  return values.map(formatValue).join(listSeparator(s) === ';' ? '; ' : ', ');
}

/** Reads one value of a schema from the text of an input, without validating bounds. */
function readText(text: string, s: JsonSchema): Parsed {
  const t = text.trim();
  if (s.enum) {
    const hit = s.enum.find((e) => formatValue(e) === t);
    return hit !== undefined ? { ok: true, value: hit } : { ok: true, value: t };
  }
  if (s.const !== undefined) return { ok: true, value: formatValue(s.const) === t ? s.const : t };
  switch (s.type) {
    case 'integer':
    case 'number': {
      if (t === '') return { ok: false, message: 'required' };
      const x = Number(t);
      return Number.isFinite(x) ? { ok: true, value: x } : { ok: false, message: `"${t}" is not a number` };
    }
    case 'boolean':
      return t === 'true' ? { ok: true, value: true } : t === 'false' ? { ok: true, value: false } : { ok: false, message: 'must be true or false' };
    case 'null':
      return t === 'null' || t === '' ? { ok: true, value: null } : { ok: false, message: 'must be null' };
    case 'array': {
      if (t === '') return { ok: true, value: [] };
      const items = t.replace(/,\s*$/, '').split(',').map((x) => x.trim());
      const values: unknown[] = [];
      for (let i = 0; i < items.length; i++) {
        if (items[i] === '') return { ok: false, message: `item ${i + 1} is empty` };
        const r = s.items ? readText(items[i], s.items) : { ok: true as const, value: items[i] };
        if (!r.ok) return { ok: false, message: `item ${i + 1}: ${r.message}` };
        values.push(r.value);
      }
      return { ok: true, value: values };
    }
    default:
      return { ok: true, value: text };
  }
}

function readsAs(text: string, s: JsonSchema): boolean {
  const r = readText(text, s);
  return r.ok && typeMatches(r.value, s);
}

/** One value from input text, checked against the schema (bounds, integer, enum, items). */
export function parseValue(text: string, s: JsonSchema): Parsed {
  if (s.anyOf) {
    // The first branch the text reads as and satisfies wins ("inverse" → the string const,
    // "1" → a number, "1, 2" → a list); otherwise report against the closest branch.
    // Text without a comma that reads as a scalar branch's type is that scalar, never a
    // one-item list: "500" for `number ≤ 100 | number[]` is out of bounds, not [500]
    // (a one-item list is typed with a trailing comma: "500,").
    const scalar = !text.includes(',') && s.anyOf.some((b) => !canBeArray(b) && b.const === undefined && !b.enum && readsAs(text, b));
    let first: Parsed | null = null;
    for (const b of s.anyOf) {
      if (scalar && canBeArray(b)) continue;
      const r = parseValue(text, b);
      if (r.ok) return r;
      const read = readText(text, b);
      if (read.ok && typeMatches(read.value, b) && !first) first = r;
    }
    return first ?? { ok: false, message: `must be ${describeSchema(s)}` };
  }
  const r = readText(text, s);
  if (!r.ok) return r;
  const m = validateValue(r.value, s);
  return m ? { ok: false, message: m } : r;
}

/** A swept list: values separated by ',' (or ';' when a value may itself be a list). */
export function parseList(text: string, s: JsonSchema): { ok: true; values: unknown[] } | { ok: false; message: string; count: number } {
  const sep = listSeparator(s);
  const items = text
    .split(sep)
    .map((x) => x.trim())
    .filter((x) => x !== '');
  if (!items.length) return { ok: false, message: 'give at least one value', count: 0 };
  const values: unknown[] = [];
  for (let i = 0; i < items.length; i++) {
    const r = parseValue(items[i], s);
    if (!r.ok) return { ok: false, message: `value ${i + 1} (${items[i]}): ${r.message}`, count: items.length };
    values.push(r.value);
  }
  const keys = values.map((v) => JSON.stringify(v));
  const dup = keys.findIndex((k, i) => keys.indexOf(k) !== i);
  // Two equal values would make two grid cells with the same config key.
  if (dup >= 0) return { ok: false, message: `${formatValue(values[dup])} is listed twice`, count: items.length };
  return { ok: true, values };
}

/** A whole number typed into a top-level input (repeats, seed), within [min, max]. */
export function parseInteger(text: string, min: number, max: number): Parsed {
  const t = text.trim();
  if (t === '') return { ok: false, message: 'required' };
  const x = Number(t);
  if (!Number.isFinite(x)) return { ok: false, message: `"${t}" is not a number` };
  if (!Number.isInteger(x)) return { ok: false, message: 'must be an integer' };
  if (x < min) return { ok: false, message: `must be ≥ ${min}` };
  if (x > max) return { ok: false, message: `must be ≤ ${max}` };
  return { ok: true, value: x };
}
