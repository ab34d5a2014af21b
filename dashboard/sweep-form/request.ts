/**
 * The new-sweep form's state and the request it sends (POST /api/sweeps). Every parameter
 * is either fixed (one value → `params`) or swept (a list of values → `grid`); its text is
 * read and checked by ./values.ts. Pure, so tests check requests against the server's own
 * expansion (core/sweep/expand.ts) without a browser.
 */
import type { SweepRequest } from '../../client';
import type { FieldIssue } from '../../core/sweep/request';
import type { ExperimentDescription } from '../routes';
import { formatValue, type JsonSchema } from './schema';
import { formatList, listSeparator, parseInteger, parseList, parseValue } from './values';

export type { FieldIssue };

/** An experiment's params schema as the form reads it: one JsonSchema per parameter. */
export interface ParamsSchema {
  properties?: Record<string, JsonSchema>;
  description?: string;
}

/** What the form reads of an experiment description (GET /api/experiments, dashboard/routes.ts). */
export type FormExperiment = Pick<ExperimentDescription, 'id' | 'title' | 'question' | 'hypothesis' | 'defaults' | 'grid' | 'repeats'> & { schema: ParamsSchema };

/**
 * An experiment description for the form. The route types `schema` as any JSON Schema
 * (zod's JSONSchema); what z.toJSONSchema emits for params objects is the subset in ./schema.ts.
 */
export function formExperiment(e: ExperimentDescription): FormExperiment {
  return { ...e, schema: e.schema as ParamsSchema };
}

/**
 * The body the form sends: the route's request (POST /api/sweeps, `SweepRequest` of
 * client/index.ts), except that repeats and seed stay as typed while they are invalid, so the
 * JSON view shows them.
 */
export type SweepRequestBody = Omit<SweepRequest, 'repeats' | 'seed'> & { repeats?: number | string; seed?: number | string };

export interface ParamState {
  swept: boolean;
  /** The fixed value as text (a select's value, "true"/"false" for a checkbox). */
  fixed: string;
  /** The swept list as text. */
  values: string;
}

export interface FormState {
  experiment: string;
  params: Record<string, ParamState>;
  repeats: string;
  seed: string;
  name: string;
}

export interface BuiltRequest {
  request: SweepRequestBody;
  /** Problems keyed like the API's issue fields: `params.x`, `grid.x`, `repeats`, `seed`, `name`. */
  errors: Record<string, string>;
  cells: number;
  repeats: number | null;
  trials: number | null;
}

export function initialState(e: FormExperiment): FormState {
  const params: Record<string, ParamState> = {};
  for (const [key, s] of Object.entries(e.schema.properties ?? {})) {
    const def = key in e.defaults ? e.defaults[key] : s.default;
    const grid = e.grid[key];
    params[key] = {
      swept: Array.isArray(grid),
      fixed: formatValue(def),
      values: Array.isArray(grid) ? formatList(grid, s) : formatValue(def),
    };
  }
  return { experiment: e.id, params, repeats: String(e.repeats), seed: '0', name: '' };
}

/**
 * The request the form would send, the client-side problems, and the size of the sweep.
 * A fixed parameter goes to `params` when it differs from the default or replaces a
 * default grid axis (fixing it is what removes the axis on the server); every swept one
 * goes to `grid`. Invalid values are kept as typed so the JSON view shows them.
 */
export function buildRequest(e: FormExperiment, state: FormState): BuiltRequest {
  const errors: Record<string, string> = {};
  const params: Record<string, unknown> = {};
  const grid: Record<string, unknown[]> = {};
  let cells = 1;
  for (const [key, s] of Object.entries(e.schema.properties ?? {})) {
    const p = state.params[key];
    if (!p) continue;
    if (p.swept) {
      const r = parseList(p.values, s);
      if (r.ok) {
        grid[key] = r.values;
        cells *= r.values.length;
      } else {
        errors[`grid.${key}`] = r.message;
        grid[key] = p.values.split(listSeparator(s)).map((x) => x.trim()).filter(Boolean);
        cells *= r.count;
      }
    } else {
      const r = parseValue(p.fixed, s);
      if (!r.ok) {
        errors[`params.${key}`] = r.message;
        params[key] = p.fixed;
      } else if (key in e.grid || JSON.stringify(r.value) !== JSON.stringify(e.defaults[key])) params[key] = r.value;
    }
  }
  const repeats = parseInteger(state.repeats, 1, Number.MAX_SAFE_INTEGER);
  if (!repeats.ok) errors.repeats = repeats.message;
  const seed = parseInteger(state.seed, 0, 2 ** 32 - 1);
  if (!seed.ok) errors.seed = seed.message;
  if (state.name.length > 200) errors.name = 'at most 200 characters';
  const request: SweepRequestBody = {
    experiment: e.id,
    repeats: repeats.ok ? (repeats.value as number) : state.repeats,
    seed: seed.ok ? (seed.value as number) : state.seed,
  };
  if (Object.keys(params).length) request.params = params;
  if (Object.keys(grid).length) request.grid = grid;
  if (state.name.trim()) request.name = state.name.trim();
  const r = repeats.ok ? (repeats.value as number) : null;
  return { request, errors, cells, repeats: r, trials: r === null ? null : cells * r };
}

/**
 * Where an API issue belongs: `param:<name>` for `params.<name>…`/`grid.<name>…`, the
 * name of a top-level input (`repeats`, `seed`, `name`, `experiment`), or null for issues
 * about the whole request (`grid` over the trial cap, `(body)`), shown above the button.
 */
export function issueTarget(field: string, paramNames: Iterable<string>): string | null {
  const names = new Set(paramNames);
  const m = field.match(/^(params|grid)\.([^.]+)/);
  if (m && names.has(m[2])) return `param:${m[2]}`;
  if (['repeats', 'seed', 'name', 'experiment'].includes(field)) return field;
  return null;
}

/** Indented JSON with lists of plain values on one line, so a long grid axis stays short. */
export function requestJson(body: unknown): string {
  return JSON.stringify(body, null, 2).replace(/\[\s*\n([^[\]{}]*?)\n\s*\]/g, (_, inner: string) => `[${inner.trim().split(/,\s*\n\s*/).join(', ')}]`);
}
