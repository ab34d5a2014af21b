/**
 * The experiment editor in the DOM it is given: a form built by json-editor from the spec's
 * JSON Schema (./schema.ts adapts it), beside it the spec as JSON, kept in step both ways,
 * and a summary of the server's dry run of what is written (POST /api/experiments?dryRun=1:
 * the id, the default sweep's trials and CPU estimate, or the issues, each shown next to its
 * field in the form and listed beside the JSON). Create stores the spec; Run starts its
 * default sweep. The server is the one judge of a spec: json-editor's own checks are off.
 *
 * json-editor runs under the dashboard's CSP (dashboard/csp.json) as configured here: no
 * theme framework or icon library (nothing fetched), the default template engine (no eval),
 * no "Edit JSON" pop-ups (the JSON is beside the form).
 */
import type { JSONEditor as JSONEditorClass } from '@json-editor/json-editor';
import { elementsOf } from '../dom';
import { AXES_BUTTON, editorPath, editorSchema, nearestPath, withBlockDefaults, type Schema } from './schema';

export interface Issue {
  field: string;
  message: string;
}

/** The dry run's answer as the editor reads it (dashboard/routes.ts ExperimentDryRunAnswer). */
export interface Plan {
  id: string;
  trials: number;
  packs: number;
  cpuSeconds: number;
  stored: boolean;
  grid: Record<string, unknown[]>;
  repeats: number;
}

export type PlanResult = { ok: true; plan: Plan } | { ok: false; issues: Issue[] };

export interface SpecEditorOptions {
  document: Document;
  JSONEditor: typeof JSONEditorClass;
  /** GET /api/experiments/schema. */
  schema: Schema;
  /** The spec to start from (a fork's, or a blank one). */
  start: Record<string, unknown>;
  /** POST /api/experiments?dryRun=1; a 400's issues as `{ok: false}`. */
  plan: (spec: unknown) => Promise<PlanResult>;
  /** POST /api/experiments: the stored experiment's id; throws with the issues otherwise. */
  create: (spec: unknown) => Promise<{ id: string; created: boolean }>;
  /** POST /api/sweeps {experiment}: the new sweep's id. */
  run: (experiment: string) => Promise<string>;
  /** Called with the new sweep's id. */
  started: (sweep: string) => void;
  /** Milliseconds of quiet before a dry run (default 400). */
  planDelayMs?: number;
}

export interface SpecEditor {
  element: HTMLElement;
  /** The spec as last written (in the form or as JSON). */
  current: () => unknown;
  destroy: () => void;
}

const seconds = (s: number) => (s < 90 ? `${s.toFixed(s < 10 ? 1 : 0)} s` : s < 5400 ? `${(s / 60).toFixed(1)} min` : `${(s / 3600).toFixed(1)} h`);

export function createSpecEditor(opts: SpecEditorOptions): SpecEditor {
  const h = elementsOf(opts.document);
  const formHolder = h('div', { class: 'se-form', id: 'se-form' });
  const json = h('textarea', { id: 'se-json', spellcheck: 'false', 'aria-label': 'The spec as JSON', rows: '30' });
  const jsonIssues = h('ul', { class: 'se-issues', id: 'se-issues', 'aria-live': 'polite' });
  const summary = h('p', { class: 'se-summary', id: 'se-summary', 'aria-live': 'polite' }, 'Checking…');
  const message = h('p', { class: 'error se-message', id: 'se-message', role: 'alert' });
  const create = h('button', { class: 'primary', id: 'se-create', type: 'button', disabled: '' }, 'Create');
  const run = h('button', { class: 'primary', id: 'se-run', type: 'button', disabled: '' }, 'Run');
  const side = h(
    'div',
    { class: 'se-side' },
    h('div', { class: 'card se-status' }, summary, h('p', { class: 'se-actions' }, create, ' ', run), message),
    h('div', { class: 'card se-json' }, h('label', { for: 'se-json' }, 'JSON'), h('p', { class: 'meta' }, 'Edit either side: the other follows.'), json, jsonIssues),
  );
  const element = h('div', { class: 'spec-editor' }, formHolder, side);

  // Only the grid lists its properties (parameters to sweep), so the one button is the grid's.
  opts.JSONEditor.defaults.languages.en.button_object_properties = AXES_BUTTON;
  const editor = new opts.JSONEditor(formHolder, {
    schema: editorSchema(opts.schema),
    startval: withBlockDefaults(opts.start, opts.schema),
    theme: 'html',
    iconlib: null,
    template: 'default',
    show_errors: 'never',
    disable_edit_json: true,
    disable_properties: true,
    disable_array_delete_all_rows: true,
    disable_array_delete_last_row: true,
    disable_array_reorder: true,
    disable_collapse: true,
    prompt_before_delete: false,
    keep_oneof_values: false,
    use_default_values: true,
    no_additional_properties: true,
    use_name_attributes: false,
    compact: false,
  });

  /** The spec as last written, and where: the JSON text wins while it is what was edited. */
  let current: unknown = opts.start;
  /** The last dry run's plan of the spec as written, if it was valid (its id is what Create stores and Run starts). */
  let planned: Plan | null = null;
  let seq = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;

  const showJson = (value: unknown) => {
    json.value = JSON.stringify(value, null, 2);
  };
  showJson(opts.start);

  function clearMarks(): void {
    for (const mark of formHolder.querySelectorAll('.se-issue')) mark.remove();
    for (const marked of formHolder.querySelectorAll('.se-invalid')) marked.classList.remove('se-invalid');
  }

  /** Each issue next to its field in the form (or the nearest part shown) and in the list beside the JSON. */
  function showIssues(issues: Issue[]): void {
    clearMarks();
    jsonIssues.replaceChildren(...issues.map((i) => h('li', { 'data-field': i.field }, h('code', {}, i.field), ` ${i.message}`)));
    for (const issue of issues) {
      const path = nearestPath(editorPath(issue.field), (p) => !!editor.getEditor(p));
      const target = editor.getEditor(path)?.container ?? formHolder;
      target.classList.add('se-invalid');
      target.append(h('p', { class: 'se-issue', role: 'alert', 'data-field': issue.field }, path === editorPath(issue.field) ? issue.message : `${issue.field}: ${issue.message}`));
    }
  }

  function showPlan(plan: Plan): void {
    const axes = Object.entries(plan.grid);
    summary.replaceChildren(
      h('b', {}, 'Valid. '),
      'id ',
      h('code', { id: 'se-id' }, plan.id),
      plan.stored ? ' (stored already)' : '',
      h('br'),
      h('span', { id: 'se-trials' }, `${plan.trials} trials`),
      ` (${axes.length ? axes.map(([k, v]) => `${v.length} ${k}`).join(' × ') : '1 cell'} × ${plan.repeats} repeats) in ${plan.packs} packs`,
      h('br'),
      h('span', { id: 'se-cpu' }, `about ${seconds(plan.cpuSeconds)} of CPU`),
      ' for the default sweep',
    );
  }

  function schedule(value: unknown): void {
    current = value;
    planned = null;
    create.disabled = true;
    run.disabled = true;
    clearTimeout(timer);
    const mine = ++seq;
    summary.textContent = 'Checking…';
    timer = setTimeout(async () => {
      let result: PlanResult;
      try {
        result = await opts.plan(value);
      } catch (err) {
        result = { ok: false, issues: [{ field: '(request)', message: err instanceof Error ? err.message : String(err) }] };
      }
      if (mine !== seq) return;
      if (result.ok) {
        planned = result.plan;
        showIssues([]);
        showPlan(result.plan);
        create.disabled = result.plan.stored;
        run.disabled = !result.plan.stored;
      } else {
        showIssues(result.issues);
        summary.replaceChildren(h('b', { class: 'error' }, `${result.issues.length} ${result.issues.length === 1 ? 'issue' : 'issues'}`), ' to fix before it can be created.');
      }
    }, opts.planDelayMs ?? 400);
  }

  editor.on('change', () => {
    if (!editor.ready) return;
    // While the JSON is being written, the form follows it and the text stays the user's
    // (json-editor's value may differ: a field it does not know is not in its value).
    if (opts.document.activeElement === json) return;
    const value = editor.getValue();
    if (JSON.stringify(value) === JSON.stringify(current) && planned) return;
    showJson(value);
    schedule(value);
  });

  json.addEventListener('input', () => {
    let parsed: unknown;
    try {
      parsed = JSON.parse(json.value);
    } catch (err) {
      clearTimeout(timer);
      seq++;
      create.disabled = true;
      run.disabled = true;
      showIssues([{ field: '(JSON)', message: err instanceof Error ? err.message : 'not JSON' }]);
      summary.replaceChildren(h('b', { class: 'error' }, 'The JSON does not parse.'));
      return;
    }
    schedule(parsed);
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) editor.setValue(withBlockDefaults(parsed as Record<string, unknown>, opts.schema));
  });

  create.addEventListener('click', async () => {
    message.textContent = '';
    create.disabled = true;
    try {
      const made = await opts.create(current);
      planned = planned && planned.id === made.id ? { ...planned, stored: true } : planned;
      summary.append(h('br'), h('span', { id: 'se-created' }, made.created ? `Created ${made.id}.` : `${made.id} was stored already.`));
      run.disabled = false;
    } catch (err) {
      message.textContent = err instanceof Error ? err.message : String(err);
      create.disabled = false;
    }
  });

  run.addEventListener('click', async () => {
    if (!planned) return;
    message.textContent = '';
    run.disabled = true;
    try {
      opts.started(await opts.run(planned.id));
    } catch (err) {
      message.textContent = err instanceof Error ? err.message : String(err);
      run.disabled = false;
    }
  });

  // The first dry run, of the spec as given (the form's first change may differ only by defaults spelled out).
  schedule(opts.start);
  return {
    element,
    current: () => current,
    destroy: () => {
      clearTimeout(timer);
      seq++;
      editor.destroy();
    },
  };
}
