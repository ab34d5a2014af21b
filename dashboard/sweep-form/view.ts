/**
 * The "New sweep" form in the DOM it is given: the experiment, its parameter rows
 * (./params.ts), repeats, seed and name; the trial count, the run-time estimate and the power
 * panel (./estimate.ts, ./power.ts) follow every edit; problems (client-side checks of
 * ./values.ts or the API's 400 `issues`) are shown next to the input they concern; the
 * request as JSON can be edited and sent instead. Every decision is made by the pure
 * functions of the other modules: this one only wires them to the page.
 */
import type { ErrorBody } from '../../api/errors';
import { elementsOf } from '../dom';
import type { CreatedAnswer } from '../routes';
import { estimateFromSweeps, estimateText, type SweepListEntry } from './estimate';
import { field } from './field';
import { fixedText, paramRow, type ParamRow } from './params';
import { powerPanel, type PlanSweep } from './power';
import { buildRequest, initialState, issueTarget, requestJson, type BuiltRequest, type FieldIssue, type FormExperiment, type FormState, type ParamState } from './request';

/**
 * POST /api/sweeps's answer as the form reads it: the 202's id (dashboard/routes.ts), or the
 * API's error shape (api/errors.ts ErrorBody).
 */
export interface PostResult {
  status: number;
  body: Partial<Pick<CreatedAnswer, 'id'>> & Partial<ErrorBody> & { message?: string };
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
  plan?: PlanSweep;
  /** Milliseconds of quiet before a dry run is sent (default 400). */
  planDelayMs?: number;
}

export interface SweepForm {
  element: HTMLFormElement;
  /** The request as currently built (for tests and the JSON view). */
  current: () => BuiltRequest;
  /** Shows API issues next to their inputs; returns the ones shown in the general list. */
  showIssues: (issues: FieldIssue[]) => FieldIssue[];
}

export function createSweepForm(opts: SweepFormOptions): SweepForm {
  const h = elementsOf(opts.document);
  const uid = opts.idPrefix ?? 'sf';

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
  const power = opts.plan ? powerPanel(h, uid, opts.plan, opts.planDelayMs ?? 400) : null;
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

  let rows: ParamRow[] = [];
  const experiment = () => opts.experiments.find((e) => e.id === select.value)!;

  function buildRows(): void {
    const e = experiment();
    const state = initialState(e);
    rows = Object.entries(e.schema.properties ?? {}).map(([key, s]) => paramRow(h, uid, e, key, s, state.params[key], update));
    paramsBox.replaceChildren(
      h('legend', {}, 'Parameters'),
      h('p', { class: 'meta sf-legend-help' }, 'Fixed: one value for every trial. Swept (tick "sweep"): a list of values, one grid axis; the grid is every combination.'),
      ...(rows.length ? rows.map((r) => r.wrap) : [h('p', { class: 'meta' }, 'This experiment has no parameters.')]),
    );
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
    power?.schedule(built);
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

  const form = h(
    'form',
    { class: 'sweep-form', novalidate: '' },
    field(h, 'Experiment', select, experimentError),
    info,
    paramsBox,
    h(
      'fieldset',
      { class: 'sf-run' },
      h('legend', {}, 'Run'),
      field(h, 'Repeats', repeats, topErrors.repeats, 'trials per grid cell, each with its own randomness'),
      field(h, 'Seed', seed, topErrors.seed, 'the same request with the same seed gives the same numbers'),
      field(h, 'Name', name, topErrors.name, 'optional'),
      ...(tokenInput ? [field(h, 'API token', tokenInput)] : []),
    ),
    summary,
    estimate,
    ...(power ? [power.element] : []),
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
    if (power && ev.target === power.effectInput) return power.schedule(current());
    if (ev.target !== json) edited(ev);
  });
  form.addEventListener('change', (ev) => {
    if (ev.target !== json && ev.target !== select && ev.target !== power?.effectInput) edited(ev);
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
