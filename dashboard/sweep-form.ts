/**
 * The "New sweep" form, generated from each experiment's JSON Schema (the `schema` of
 * GET /api/experiments, produced from the zod params by describeExperiment in
 * api/routes/experiments.ts). Every parameter is either fixed (one value → `params`)
 * or swept (a list of values → `grid`); the trial count and a run-time estimate follow
 * every edit, and problems (client-side schema checks or the API's 400 `issues`) are shown
 * next to the input they concern.
 *
 * The parsing, validation and request-building functions are pure so tests can check them
 * without a browser; createSweepForm only wires them to the DOM it is given.
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

export interface FormExperiment {
  id: string;
  title: string;
  question?: string;
  hypothesis?: string;
  defaults: Record<string, unknown>;
  grid: Record<string, unknown[]>;
  repeats: number;
  schema: { properties?: Record<string, JsonSchema>; description?: string };
}

/** What the form reads from GET /api/sweeps (the list), nothing per trial. */
export interface SweepListEntry {
  experiment: string;
  status: string;
  createdAt: number;
  finishedAt: number | null;
  counts: { done: number };
}

export interface FieldIssue {
  field: string;
  message: string;
}

export interface SweepRequestBody {
  experiment: string;
  repeats?: number | string;
  seed?: number | string;
  params?: Record<string, unknown>;
  grid?: Record<string, unknown[]>;
  name?: string;
}

// ---------------------------------------------------------------------------------------
// Values: parse, validate, format

type Parsed = { ok: true; value: unknown } | { ok: false; message: string };

/** Whether a value of this schema may be a list: then a swept list separates values by ';'. */
export function canBeArray(s: JsonSchema): boolean {
  return s.type === 'array' || (s.anyOf ?? []).some(canBeArray);
}

export function listSeparator(s: JsonSchema): ',' | ';' {
  return canBeArray(s) ? ';' : ',';
}

/** Text shown in an input for a value: lists comma-separated, null as "null". */
export function formatValue(v: unknown): string {
  if (Array.isArray(v)) return v.map(formatValue).join(', ');
  if (v === null || v === undefined) return 'null';
  return String(v);
}

export function formatList(values: unknown[], s: JsonSchema): string {
  return values.map(formatValue).join(listSeparator(s) === ';' ? '; ' : ', ');
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

function typeMatches(value: unknown, s: JsonSchema): boolean {
  if (s.anyOf) return s.anyOf.some((b) => typeMatches(value, b));
  if (s.enum || s.const !== undefined) return typeof value === 'string' && (typeof (s.enum?.[0] ?? s.const) === 'string');
  if (s.type === 'integer' || s.type === 'number') return typeof value === 'number';
  if (s.type === 'array') return Array.isArray(value);
  if (s.type === 'null') return value === null;
  return typeof value === s.type;
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

// ---------------------------------------------------------------------------------------
// Form state → request

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

function readInteger(text: string, min: number, max: number): Parsed {
  const t = text.trim();
  if (t === '') return { ok: false, message: 'required' };
  const x = Number(t);
  if (!Number.isFinite(x)) return { ok: false, message: `"${t}" is not a number` };
  if (!Number.isInteger(x)) return { ok: false, message: 'must be an integer' };
  if (x < min) return { ok: false, message: `must be ≥ ${min}` };
  if (x > max) return { ok: false, message: `must be ≤ ${max}` };
  return { ok: true, value: x };
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
  const repeats = readInteger(state.repeats, 1, Number.MAX_SAFE_INTEGER);
  if (!repeats.ok) errors.repeats = repeats.message;
  const seed = readInteger(state.seed, 0, 2 ** 32 - 1);
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

// ---------------------------------------------------------------------------------------
// Run-time estimate from the sweep list

export interface Estimate {
  msPerTrial: number;
  trials: number;
  sweeps: number;
}

/**
 * Mean wall time per trial over this experiment's finished sweeps, from the list alone
 * ((finishedAt − createdAt) / done): it includes queueing and reflects the server's
 * parallelism, which is what a user waits for. Null when none has finished.
 */
export function estimateFromSweeps(sweeps: SweepListEntry[], experiment: string): Estimate | null {
  let ms = 0;
  let trials = 0;
  let n = 0;
  for (const s of sweeps) {
    if (s.experiment !== experiment || s.status !== 'done' || s.finishedAt === null || s.counts.done <= 0) continue;
    ms += Math.max(0, s.finishedAt - s.createdAt);
    trials += s.counts.done;
    n++;
  }
  return trials > 0 ? { msPerTrial: ms / trials, trials, sweeps: n } : null;
}

export function formatDuration(ms: number): string {
  const s = Math.round(ms / 1000);
  if (s < 90) return `${s} s`;
  if (s < 600) return s % 60 ? `${Math.floor(s / 60)} min ${s % 60} s` : `${s / 60} min`;
  const m = Math.round(s / 60);
  return m < 90 ? `${m} min` : `${Math.floor(m / 60)} h ${m % 60} min`;
}

export function estimateText(est: Estimate | null, trials: number | null, experiment: string): string {
  if (!est) return `No trials of ${experiment} have run here yet, so no time estimate.`;
  const base = `from ${est.trials} trial${est.trials === 1 ? '' : 's'} of ${experiment} already run (${est.sweeps} finished sweep${est.sweeps === 1 ? '' : 's'}, ${(est.msPerTrial / 1000).toFixed(est.msPerTrial < 10_000 ? 2 : 0)} s per trial; their parameters may differ)`;
  return trials === null ? `Estimate ${base}.` : `About ${formatDuration(trials * est.msPerTrial)}, ${base}.`;
}

/** Indented JSON with lists of plain values on one line, so a long grid axis stays short. */
export function requestJson(body: unknown): string {
  return JSON.stringify(body, null, 2).replace(/\[\s*\n([^[\]{}]*?)\n\s*\]/g, (_, inner: string) => `[${inner.trim().split(/,\s*\n\s*/).join(', ')}]`);
}

// ---------------------------------------------------------------------------------------
// DOM

export interface PostResult {
  status: number;
  body: { id?: string; error?: string; message?: string; issues?: FieldIssue[] };
}

export interface SweepFormOptions {
  document: Document;
  experiments: FormExperiment[];
  sweeps: SweepListEntry[];
  /** POSTs the body to /api/sweeps and returns status and parsed JSON (never throws on 4xx). */
  post: (body: unknown) => Promise<PostResult>;
  /** Called with the new sweep's id after a 202. */
  created: (id: string) => void;
  initialExperiment?: string;
  /** Prefix of element ids (default "sf"); only needed for two forms in one document. */
  idPrefix?: string;
  /** Bearer token storage (the server may set API_TOKEN); omitted → no token input. */
  token?: { get: () => string | null; set: (value: string) => void };
  /**
   * A dry run of the request (POST /api/sweeps?dryRun=1[&effect=d]): its per-claim power is
   * shown as the form is edited. Omitted → no power panel.
   */
  plan?: (body: unknown, effect: string | null) => Promise<{ status: number; body: { power?: ClaimPowerLine[] } }>;
  /** Milliseconds of quiet before a dry run is sent (default 400). */
  planDelayMs?: number;
}

/** One claim's power in a dry run's answer (core/verdict/power.ts). */
export interface ClaimPowerLine {
  statement: string;
  effect: number | null;
  basis: string | null;
  planned: number;
  repeatsNeeded: number | null;
}

/** One line per claim: how many repeats per cell would likely decide it, and on what assumption. */
export function powerText(c: ClaimPowerLine): string {
  if (c.effect === null) return `${c.statement}: no effect to plan from (no finished sweep of this experiment yet; give a smallest effect)`;
  const d = `d = ${Number(c.effect.toPrecision(2))}`;
  if (c.repeatsNeeded === null) return `${c.statement}: no effect seen (${d}, ${c.basis}): no number of repeats can be promised`;
  const verdict = c.repeatsNeeded <= c.planned ? 'enough' : 'likely too few';
  return `${c.statement}: ~${c.repeatsNeeded} repeats per cell likely decide it; ${c.planned} planned (${verdict}) — ${d}, ${c.basis}`;
}

export interface SweepForm {
  element: HTMLFormElement;
  /** The request as currently built (for tests and the JSON view). */
  current: () => BuiltRequest;
  /** Shows API issues next to their inputs; returns the ones shown in the general list. */
  showIssues: (issues: FieldIssue[]) => FieldIssue[];
}

export function createSweepForm(opts: SweepFormOptions): SweepForm {
  const doc = opts.document;
  const uid = opts.idPrefix ?? 'sf';
  const h = <K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Record<string, string> = {}, ...children: Array<Node | string>): HTMLElementTagNameMap[K] => {
    const e = doc.createElement(tag);
    for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
    e.append(...children);
    return e;
  };

  const select = h('select', { id: `${uid}-experiment`, name: 'experiment' }, ...opts.experiments.map((e) => h('option', { value: e.id }, `${e.id}: ${e.title}`)));
  if (opts.initialExperiment && opts.experiments.some((e) => e.id === opts.initialExperiment)) select.value = opts.initialExperiment;
  const experimentError = h('span', { class: 'field-error', id: `${uid}-experiment-error` });
  const info = h('div', { class: 'sf-info' });
  const paramsBox = h('fieldset', { class: 'sf-params' });
  const repeats = h('input', { id: `${uid}-repeats`, name: 'repeats', type: 'number', min: '1', step: '1', inputmode: 'numeric' });
  const seed = h('input', { id: `${uid}-seed`, name: 'seed', type: 'number', min: '0', max: String(2 ** 32 - 1), step: '1', value: '0', inputmode: 'numeric' });
  const name = h('input', { id: `${uid}-name`, name: 'name', type: 'text', maxlength: '200', autocomplete: 'off' });
  const topErrors: Record<string, HTMLElement> = {
    experiment: experimentError,
    repeats: h('span', { class: 'field-error', id: `${uid}-repeats-error` }),
    seed: h('span', { class: 'field-error', id: `${uid}-seed-error` }),
    name: h('span', { class: 'field-error', id: `${uid}-name-error` }),
  };
  const topInputs: Record<string, HTMLElement> = { experiment: select, repeats, seed, name };
  for (const [k, input] of Object.entries(topInputs)) input.setAttribute('aria-describedby', topErrors[k].id);
  const summary = h('p', { class: 'sf-summary', id: `${uid}-summary`, 'aria-live': 'polite' });
  const estimate = h('p', { class: 'sf-estimate meta', id: `${uid}-estimate` });
  const general = h('div', { class: 'error sf-general', id: `${uid}-general`, role: 'alert' });
  // Power before running: a debounced dry run of the request as built, one line per claim.
  const effectInput = h('input', { id: `${uid}-effect`, name: 'effect', type: 'number', min: '0', step: 'any', placeholder: 'from the last sweep', inputmode: 'decimal' });
  const powerList = h('ul', { class: 'sf-power meta', id: `${uid}-power`, 'aria-live': 'polite' });
  let planSeq = 0;
  let planTimer: ReturnType<typeof setTimeout> | undefined;
  function schedulePlan(built: BuiltRequest): void {
    if (!opts.plan) return;
    clearTimeout(planTimer);
    const seq = ++planSeq;
    if (Object.keys(built.errors).length) return void powerList.replaceChildren();
    planTimer = setTimeout(async () => {
      try {
        const res = await opts.plan!(built.request, effectInput.value.trim() || null);
        if (seq !== planSeq) return;
        const lines = res.status === 200 ? (res.body.power ?? []) : [];
        powerList.replaceChildren(...lines.map((c) => h('li', {}, powerText(c))));
      } catch {
        if (seq === planSeq) powerList.replaceChildren();
      }
    }, opts.planDelayMs ?? 400);
  }
  const submit = h('button', { class: 'primary', type: 'submit' }, 'Start sweep');
  const json = h('textarea', { id: `${uid}-json`, rows: '12', readonly: '', spellcheck: 'false' });
  const editJson = h('button', { type: 'button', id: `${uid}-json-edit` }, 'Edit and send this JSON instead');
  const jsonNote = h('p', { class: 'meta' }, 'The request the form sends, updated as you edit.');
  const advanced = h(
    'details',
    { class: 'sf-advanced', id: `${uid}-advanced` },
    h('summary', {}, 'Advanced: request JSON'),
    jsonNote,
    h('label', { for: json.id }, 'POST /api/sweeps body'),
    json,
    h('p', {}, editJson),
  );
  let jsonMode = false;

  interface Row {
    key: string;
    schema: JsonSchema;
    sweep: HTMLInputElement;
    fixed: HTMLInputElement | HTMLSelectElement;
    values: HTMLInputElement;
    label: HTMLLabelElement;
    error: HTMLElement;
    wrap: HTMLElement;
  }
  let rows: Row[] = [];
  const experiment = () => opts.experiments.find((e) => e.id === select.value)!;

  function fixedInput(key: string, s: JsonSchema, id: string): HTMLInputElement | HTMLSelectElement {
    if (s.enum) return h('select', { id, name: `params.${key}` }, ...s.enum.map((v) => h('option', { value: formatValue(v) }, formatValue(v))));
    if (s.type === 'boolean') return h('input', { id, name: `params.${key}`, type: 'checkbox' });
    if (s.type === 'integer' || s.type === 'number') {
      const attrs: Record<string, string> = { id, name: `params.${key}`, type: 'number', step: s.type === 'integer' ? '1' : 'any' };
      // min/max are inclusive in HTML; exclusive bounds are checked by validateValue and said in the help text.
      if (s.minimum !== undefined) attrs.min = String(s.minimum);
      if (s.maximum !== undefined) attrs.max = String(s.maximum);
      if (s.type === 'integer') attrs.inputmode = 'numeric';
      return h('input', attrs);
    }
    return h('input', { id, name: `params.${key}`, type: 'text', autocomplete: 'off', spellcheck: 'false' });
  }

  function setFixed(row: Row, text: string): void {
    if (row.fixed instanceof doc.defaultView!.HTMLInputElement && row.fixed.type === 'checkbox') row.fixed.checked = text === 'true';
    else row.fixed.value = text;
  }
  function fixedText(row: Row): string {
    if (row.fixed instanceof doc.defaultView!.HTMLInputElement && row.fixed.type === 'checkbox') return row.fixed.checked ? 'true' : 'false';
    // A number input whose text is not a number reports '' (so "required").
    return row.fixed.value;
  }

  function showMode(row: Row): void {
    const swept = row.sweep.checked;
    row.fixed.hidden = swept;
    row.values.hidden = !swept;
    row.label.htmlFor = swept ? row.values.id : row.fixed.id;
    row.wrap.classList.toggle('swept', swept);
  }

  function buildRows(): void {
    const e = experiment();
    const state = initialState(e);
    rows = [];
    const nodes: Node[] = [h('legend', {}, 'Parameters'), h('p', { class: 'meta sf-legend-help' }, 'Fixed: one value for every trial. Swept (tick "sweep"): a list of values, one grid axis; the grid is every combination.')];
    for (const [key, s] of Object.entries(e.schema.properties ?? {})) {
      const id = `${uid}-p-${key}`;
      const fixed = fixedInput(key, s, id);
      const sep = listSeparator(s);
      const values = h('input', {
        id: `${id}-values`,
        name: `grid.${key}`,
        type: 'text',
        autocomplete: 'off',
        spellcheck: 'false',
        placeholder: sep === ';' ? 'values separated by ; (a list value is comma-separated)' : 'values separated by commas',
      });
      const sweep = h('input', { id: `${id}-sweep`, type: 'checkbox', 'aria-label': `sweep ${key} over a list of values` });
      const label = h('label', { for: id, class: 'sf-name' }, key);
      const def = key in e.defaults ? e.defaults[key] : s.default;
      const helpParts = [s.description, describeSchema(s), `default ${formatValue(def)}`, e.grid[key] ? `default grid ${formatList(e.grid[key], s)}` : '', sep === ';' ? 'swept values are separated by ;' : ''].filter(Boolean);
      const help = h('small', { class: 'help', id: `${id}-help` }, helpParts.join(' · '));
      const error = h('span', { class: 'field-error', id: `${id}-error` });
      for (const input of [fixed, values]) input.setAttribute('aria-describedby', `${help.id} ${error.id}`);
      const wrap = h(
        'div',
        { class: 'sf-param', 'data-param': key },
        label,
        h('div', { class: 'sf-input' }, fixed, values),
        h('label', { class: 'sf-toggle', for: sweep.id }, sweep, ' sweep'),
        help,
        error,
      );
      const row: Row = { key, schema: s, sweep, fixed, values, label, error, wrap };
      const p = state.params[key];
      setFixed(row, p.fixed);
      values.value = p.values;
      sweep.checked = p.swept;
      showMode(row);
      sweep.addEventListener('change', () => {
        showMode(row);
        // Start a new list from the fixed value, so ticking "sweep" never loses what was typed.
        if (sweep.checked && !values.value.trim()) values.value = fixedText(row);
        update();
      });
      rows.push(row);
      nodes.push(wrap);
    }
    if (!rows.length) nodes.push(h('p', { class: 'meta' }, 'This experiment has no parameters.'));
    paramsBox.replaceChildren(...nodes);
    repeats.value = state.repeats;
    info.replaceChildren(...(e.question ? [h('p', { class: 'question' }, e.question)] : []), ...(e.hypothesis ? [h('p', {}, h('b', {}, 'Hypothesis: '), e.hypothesis)] : []));
  }

  function readState(): FormState {
    const params: Record<string, ParamState> = {};
    for (const r of rows) params[r.key] = { swept: r.sweep.checked, fixed: fixedText(r), values: r.values.value };
    return { experiment: select.value, params, repeats: repeats.value, seed: seed.value, name: name.value };
  }

  function current(): BuiltRequest {
    return buildRequest(experiment(), readState());
  }

  function setError(target: string, message: string | null): void {
    if (target.startsWith('param:')) {
      const row = rows.find((r) => r.key === target.slice(6));
      if (!row) return;
      row.error.textContent = message ?? '';
      for (const input of [row.fixed, row.values]) input.toggleAttribute('aria-invalid', !!message);
      row.wrap.classList.toggle('invalid', !!message);
      return;
    }
    const span = topErrors[target];
    if (!span) return;
    span.textContent = message ?? '';
    topInputs[target].toggleAttribute('aria-invalid', !!message);
  }

  function clearErrors(): void {
    serverErrors.clear();
    for (const r of rows) setError(`param:${r.key}`, null);
    for (const k of Object.keys(topErrors)) setError(k, null);
    general.replaceChildren();
  }

  /** The API's last messages per target, kept until that input is edited. */
  const serverErrors = new Map<string, string>();

  /** Client-side problems, shown inline as the user types (else the server's last word on that input). */
  function showClientErrors(built: BuiltRequest): void {
    for (const r of rows) setError(`param:${r.key}`, built.errors[`${r.sweep.checked ? 'grid' : 'params'}.${r.key}`] ?? serverErrors.get(`param:${r.key}`) ?? null);
    for (const k of ['repeats', 'seed', 'name']) setError(k, built.errors[k] ?? serverErrors.get(k) ?? null);
  }

  function targetOf(input: EventTarget | null): string | null {
    const row = rows.find((r) => r.fixed === input || r.values === input || r.sweep === input);
    if (row) return `param:${row.key}`;
    return Object.keys(topInputs).find((k) => topInputs[k] === input) ?? null;
  }

  function showIssues(issues: FieldIssue[]): FieldIssue[] {
    const names = rows.map((r) => r.key);
    const rest: FieldIssue[] = [];
    const byTarget = new Map<string, string[]>();
    for (const i of issues) {
      const t = jsonMode ? null : issueTarget(i.field, names);
      if (t === null) rest.push(i);
      // `params.coefs.1` names an item: keep the path; `params.steps` is said by the position.
      else byTarget.set(t, [...(byTarget.get(t) ?? []), /^(params|grid)\.[^.]+\./.test(i.field) ? `${i.field}: ${i.message}` : i.message]);
    }
    serverErrors.clear();
    for (const [t, messages] of byTarget) {
      serverErrors.set(t, messages.join('; '));
      setError(t, messages.join('; '));
    }
    general.replaceChildren(...rest.map((i) => h('div', {}, `${i.field}: ${i.message}`)));
    return rest;
  }

  function update(): void {
    if (jsonMode) return;
    const e = experiment();
    const built = current();
    showClientErrors(built);
    const axes = rows.filter((r) => r.sweep.checked).map((r) => `${built.request.grid?.[r.key]?.length ?? 0} ${r.key}`);
    summary.replaceChildren(
      h('strong', { id: `${uid}-trials` }, built.trials === null ? '? trials' : `${built.trials} trial${built.trials === 1 ? '' : 's'}`),
      ` = ${built.cells} cell${built.cells === 1 ? '' : 's'}${axes.length ? ` (${axes.join(' × ')})` : ''} × ${built.repeats ?? '?'} repeats`,
    );
    estimate.textContent = estimateText(estimateFromSweeps(opts.sweeps, e.id), built.trials, e.id);
    json.value = requestJson(built.request);
    schedulePlan(built);
  }

  function setJsonMode(on: boolean): void {
    jsonMode = on;
    json.readOnly = !on;
    for (const input of [select, repeats, seed, name, ...rows.flatMap((r) => [r.fixed, r.values, r.sweep])]) (input as HTMLInputElement).disabled = on;
    editJson.textContent = on ? 'Back to the form (discards JSON edits)' : 'Edit and send this JSON instead';
    jsonNote.textContent = on ? 'Sending this JSON as typed; the form above is paused.' : 'The request the form sends, updated as you edit.';
    clearErrors();
    if (on) {
      advanced.open = true;
      json.focus();
    } else update();
  }
  editJson.addEventListener('click', () => setJsonMode(!jsonMode));

  select.addEventListener('change', () => {
    serverErrors.clear();
    buildRows();
    clearErrors();
    update();
  });

  const tokenInput = opts.token ? h('input', { id: `${uid}-token`, name: 'token', type: 'password', autocomplete: 'off', placeholder: 'only if the server sets API_TOKEN' }) : null;
  if (tokenInput && opts.token) tokenInput.value = opts.token.get() ?? '';

  const field = (label: string, input: HTMLElement, error?: HTMLElement, help?: string) =>
    h('div', { class: 'sf-field' }, h('label', { for: input.id }, label), input, ...(help ? [h('small', { class: 'help' }, help)] : []), ...(error ? [error] : []));

  const form = h(
    'form',
    { class: 'sweep-form', novalidate: '' },
    field('Experiment', select, experimentError),
    info,
    paramsBox,
    h(
      'fieldset',
      { class: 'sf-run' },
      h('legend', {}, 'Run'),
      field('Repeats', repeats, topErrors.repeats, 'trials per grid cell, each with its own randomness'),
      field('Seed', seed, topErrors.seed, 'the same request with the same seed gives the same numbers'),
      field('Name', name, topErrors.name, 'optional'),
      ...(tokenInput ? [field('API token', tokenInput)] : []),
    ),
    summary,
    estimate,
    ...(opts.plan
      ? [
          h(
            'fieldset',
            { class: 'sf-power-box' },
            h('legend', {}, 'Power: repeats likely to decide each claim'),
            field('Smallest effect of interest (d)', effectInput, undefined, 'in standard deviations of the repeats; blank: the effect the latest finished sweep of this experiment saw'),
            powerList,
          ),
        ]
      : []),
    general,
    h('p', {}, submit),
    advanced,
  );
  const edited = (ev: Event) => {
    const t = targetOf(ev.target);
    if (t) serverErrors.delete(t);
    update();
  };
  form.addEventListener('input', (ev) => {
    if (ev.target === effectInput) return schedulePlan(current());
    if (ev.target !== json) edited(ev);
  });
  form.addEventListener('change', (ev) => {
    if (ev.target !== json && ev.target !== select && ev.target !== effectInput) edited(ev);
  });

  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    if (submit.disabled) return;
    let body: unknown;
    if (jsonMode) {
      clearErrors();
      try {
        body = JSON.parse(json.value);
      } catch (err) {
        general.replaceChildren(h('div', {}, `request JSON: ${err instanceof Error ? err.message : String(err)}`));
        return;
      }
    } else {
      const built = current();
      clearErrors();
      showClientErrors(built);
      if (Object.keys(built.errors).length) {
        general.replaceChildren(h('div', {}, 'Fix the marked values first; nothing was sent.'));
        form.querySelector<HTMLElement>('[aria-invalid]:not([hidden])')?.focus();
        return;
      }
      body = built.request;
    }
    if (tokenInput && opts.token && tokenInput.value) opts.token.set(tokenInput.value);
    submit.disabled = true;
    submit.textContent = 'Starting…';
    try {
      const res = await opts.post(body);
      if (res.status === 202 && res.body.id) {
        opts.created(res.body.id);
        return;
      }
      if (res.body.id) {
        // The sweep exists (e.g. 503 enqueue_failed): its trials are stored, so point at it.
        const link = h('a', { href: `#/sweeps/${res.body.id}` }, `sweep ${res.body.id}`);
        general.replaceChildren(h('div', {}, `${res.status} ${res.body.error ?? ''}: ${res.body.message ?? ''} `, link));
        return;
      }
      const issues = res.body.issues ?? [];
      if (issues.length) {
        showIssues(issues);
        if (!general.textContent) general.replaceChildren(h('div', {}, `The server refused the request (${res.status}); see the marked values.`));
        form.querySelector<HTMLElement>('[aria-invalid]:not([hidden])')?.focus();
      } else general.replaceChildren(h('div', {}, `${res.status} ${res.body.error ?? ''} ${res.body.message ?? ''}`.trim()));
    } catch (err) {
      general.replaceChildren(h('div', {}, `Could not reach the server: ${err instanceof Error ? err.message : String(err)}`));
    } finally {
      submit.disabled = false;
      submit.textContent = 'Start sweep';
    }
  });

  buildRows();
  update();
  return { element: form, current, showIssues };
}
