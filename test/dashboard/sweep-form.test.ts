/**
 * The new-sweep form (dashboard/sweep-form/) in jsdom, fed with the real experiment
 * descriptions the API serves (describeExperiment in api/routes/experiments.ts), and
 * its requests checked against the real server-side expansion (core/sweep/expand.ts).
 */
import { JSDOM } from 'jsdom';
import { describe, expect, test, vi } from 'vitest';
import { EXPERIMENTS } from '../../core/experiments';
import { expandSweep } from '../../core/sweep/expand';
import { SweepRequestError } from '../../core/sweep/request';
import {
  buildRequest,
  createSweepForm,
  estimateFromSweeps,
  estimateText,
  initialState,
  issueTarget,
  parseList,
  parseValue,
  requestJson,
  type FormExperiment,
  type PostResult,
  type SweepListEntry,
} from '../../dashboard/sweep-form';
import { describeExperiment } from '../../api/routes/experiments';

// Through JSON, exactly as the dashboard receives it.
const ALL = JSON.parse(JSON.stringify(EXPERIMENTS.map(describeExperiment))) as FormExperiment[];
const exp = (id: string) => ALL.find((e) => e.id === id)!;
const prop = (id: string, key: string) => exp(id).schema.properties![key];
/** A union of a bounded number, a name and a list (a mixture's class separations, as JSON Schema). */
const UNION = {
  default: 1,
  anyOf: [
    { type: 'number', minimum: -100, maximum: 100 },
    { type: 'string', const: 'inverse' },
    { minItems: 1, maxItems: 4096, type: 'array', items: { type: 'number' } },
  ],
} as unknown as ReturnType<typeof prop>;
/** A list of bounded integers (hidden widths, as JSON Schema): no built-in has one since they are specs. */
const INTEGER_LIST = { default: [50, 50, 50], minItems: 1, maxItems: 8, type: 'array', items: { type: 'integer', minimum: 1, maximum: 1024 } } as unknown as ReturnType<typeof prop>;

function mount(opts: { experiment?: string; post?: (body: unknown) => Promise<PostResult>; sweeps?: SweepListEntry[]; experiments?: FormExperiment[] } = {}) {
  const { window } = new JSDOM('<!doctype html><html><body></body></html>');
  const document = window.document as Document;
  const created = vi.fn();
  const post = vi.fn(opts.post ?? (async () => ({ status: 202, body: { id: 'new1' } })));
  const form = createSweepForm({ document, experiments: opts.experiments ?? ALL, sweeps: opts.sweeps ?? [], post, created, initialExperiment: opts.experiment });
  document.body.append(form.element);
  const $ = <T extends Element = HTMLInputElement>(sel: string) => document.querySelector(sel) as unknown as T;
  const row = (key: string) => ({
    fixed: $(`#sf-p-${key}`),
    values: $(`#sf-p-${key}-values`),
    sweep: $(`#sf-p-${key}-sweep`),
    label: $<HTMLLabelElement>(`#sf-params label.sf-name[for^="sf-p-${key}"], [data-param="${key}"] label.sf-name`),
    error: $<HTMLElement>(`[data-param="${key}"] .field-error`),
    help: $<HTMLElement>(`#sf-p-${key}-help`),
  });
  const type = (input: HTMLInputElement | HTMLSelectElement, value: string) => {
    input.value = value;
    input.dispatchEvent(new window.Event('input', { bubbles: true }));
  };
  const toggle = (box: HTMLInputElement, on: boolean) => {
    box.checked = on;
    box.dispatchEvent(new window.Event('change', { bubbles: true }));
  };
  const submit = async () => {
    form.element.dispatchEvent(new window.Event('submit', { bubbles: true, cancelable: true }));
    await new Promise((r) => setTimeout(r, 0));
  };
  const trials = () => $<HTMLElement>('#sf-trials').textContent;
  return { window, document, form, $, row, type, toggle, submit, trials, post, created };
}

describe('inputs generated from the schema', () => {
  test('exp1: numbers with bounds and step, enums as selects, lists as text, defaults prefilled, default grid swept', () => {
    const { row } = mount({ experiment: 'exp1' });
    const n = row('width');
    expect(n.fixed.type).toBe('number');
    expect([n.fixed.min, n.fixed.max, n.fixed.step]).toEqual(['1', '1024', '1']);
    expect(n.fixed.value).toBe('2');
    // A default grid axis starts swept, its list visible and labelled, the single input hidden.
    expect(n.sweep.checked).toBe(true);
    expect(n.values.value).toBe('2, 4, 16');
    expect([n.values.hidden, n.fixed.hidden]).toEqual([false, true]);
    expect(n.label.htmlFor).toBe(n.values.id);
    expect(n.help.textContent).toContain('integer, 1 ≤ x ≤ 1024');

    const lr = row('lr');
    // exclusiveMinimum 0 cannot be an HTML min: no min attribute, said in the help text instead.
    expect([lr.fixed.type, lr.fixed.step, lr.fixed.max, lr.fixed.getAttribute('min')]).toEqual(['number', 'any', '10', null]);
    expect(lr.fixed.value).toBe('0.003');
    expect(lr.help.textContent).toContain('0 < x ≤ 10');
    expect(lr.sweep.checked).toBe(false);
    expect(lr.label.htmlFor).toBe(lr.fixed.id);

    const fn = row('function');
    expect(fn.fixed.tagName).toBe('SELECT');
    expect([...(fn.fixed as unknown as HTMLSelectElement).options].map((o) => o.value)).toEqual(['sin', 'polynomial', 'abs']);
    expect(fn.values.value).toBe('sin, polynomial, abs');
    expect((row('activation').fixed as unknown as HTMLSelectElement).value).toBe('sigmoid');

    const coefs = row('coefs');
    expect([coefs.fixed.type, coefs.fixed.value]).toEqual(['text', '0, -2, 1, 1, -2']);
    expect(coefs.help.textContent).toContain('1–20 items');
  });

  test('exp12 boolean as a checkbox, integer lists, exp7 enums, unions, exp4 null defaults, exp3 the model axis', () => {
    const a = mount({ experiment: 'exp12' });
    expect([a.row('batch_norm').fixed.type, a.row('batch_norm').fixed.checked]).toEqual(['checkbox', false]);
    const withList = structuredClone(exp('exp1'));
    withList.schema.properties!.n_hidden = INTEGER_LIST;
    const h = mount({ experiments: [withList] });
    expect(h.row('n_hidden').fixed.value).toBe('50, 50, 50');
    expect(h.row('n_hidden').help.textContent).toContain('integers (each 1 ≤ x ≤ 1024)');
    const b = mount({ experiment: 'exp7' });
    expect(b.row('activation').values.value).toBe('relu, tanh, square, sin, sign, identity');
    const withUnion = structuredClone(exp('exp1'));
    withUnion.schema.properties!.class_seps = { ...UNION, default: 'inverse' };
    const c = mount({ experiments: [withUnion] });
    expect([c.row('class_seps').fixed.type, c.row('class_seps').fixed.value]).toEqual(['text', 'inverse']);
    expect(mount({ experiment: 'exp4' }).row('pool_n').fixed.value).toBe('null');
    // A spec's grid axis over model blocks: one parameter, its values the cells' labels.
    expect(mount({ experiment: 'exp3' }).row('classifier').values.value).toBe('svm, tree, shallow, deep');
  });

  test("a schema's description becomes the parameter's help text", () => {
    const e = structuredClone(exp('exp1'));
    e.schema.properties!.steps.description = 'gradient steps per trial';
    const { row } = mount({ experiments: [e] });
    expect(row('steps').help.textContent).toMatch(/^gradient steps per trial · integer/);
    expect(row('steps').fixed.getAttribute('aria-describedby')).toContain(row('steps').help.id);
  });

  test('switching experiment rebuilds the parameters', () => {
    const { $, row, window, trials } = mount({ experiment: 'exp1' });
    const select = $<HTMLSelectElement>('#sf-experiment');
    select.value = 'exp7';
    select.dispatchEvent(new window.Event('change', { bubbles: true }));
    expect(row('function').fixed).toBeNull();
    expect(row('noise').fixed.value).toBe('0.1');
    expect(trials()).toBe('30 trials');
  });
});

describe('values', () => {
  test('parse and check against bounds, integer, enum, items and unions', () => {
    expect(parseValue('0', prop('exp1', 'width'))).toEqual({ ok: false, message: 'must be ≥ 1' });
    expect(parseValue('2.5', prop('exp1', 'width'))).toEqual({ ok: false, message: 'must be an integer' });
    expect(parseValue('5000', prop('exp1', 'width'))).toEqual({ ok: false, message: 'must be ≤ 1024' });
    expect(parseValue('0', prop('exp1', 'lr'))).toEqual({ ok: false, message: 'must be > 0' });
    expect(parseValue('x', prop('exp1', 'lr'))).toEqual({ ok: false, message: '"x" is not a number' });
    expect(parseValue('cos', prop('exp1', 'function'))).toEqual({ ok: false, message: 'must be one of sin, polynomial, abs' });
    expect(parseValue('1, 2000', INTEGER_LIST)).toEqual({ ok: false, message: 'item 2 (2000): must be ≤ 1024' });
    const seps = UNION;
    expect(parseValue('inverse', seps)).toEqual({ ok: true, value: 'inverse' });
    expect(parseValue('1.5', seps)).toEqual({ ok: true, value: 1.5 });
    expect(parseValue('1, 2', seps)).toEqual({ ok: true, value: [1, 2] });
    expect(parseValue('500', seps)).toEqual({ ok: false, message: 'must be ≤ 100' });
    expect(parseValue('500,', seps)).toEqual({ ok: true, value: [500] });
    expect(parseValue('null', prop('exp4', 'pool_n'))).toEqual({ ok: true, value: null });
    expect(parseValue('7', prop('exp4', 'pool_n'))).toEqual({ ok: true, value: 7 });
  });

  test('swept lists split on commas, or on ";" when a value may itself be a list', () => {
    expect(parseList('2, 8,32', prop('exp1', 'width'))).toEqual({ ok: true, values: [2, 8, 32] });
    expect(parseList('30, 30; 10', INTEGER_LIST)).toEqual({ ok: true, values: [[30, 30], [10]] });
    expect(parseList('none; 10; 1', prop('exp6', 'pca_dim'))).toMatchObject({ ok: false });
    expect(parseList('none, 10, 1', prop('exp6', 'pca_dim'))).toEqual({ ok: true, values: ['none', 10, 1] });
    expect(parseList('2, 0', prop('exp1', 'width'))).toEqual({ ok: false, message: 'value 2 (0): must be ≥ 1', count: 2 });
    expect(parseList('2, 2', prop('exp1', 'width'))).toEqual({ ok: false, message: '2 is listed twice', count: 2 });
    expect(parseList(' ', prop('exp1', 'width'))).toMatchObject({ ok: false, message: 'give at least one value' });
  });
});

describe('trial count', () => {
  test('follows the grid lists, the sweep toggles and the repeats as the user edits', () => {
    const { row, type, toggle, trials, $ } = mount({ experiment: 'exp1' });
    expect(trials()).toBe('45 trials');
    type(row('width').values, '2, 8');
    expect(trials()).toBe('30 trials');
    toggle(row('function').sweep, false);
    expect(trials()).toBe('10 trials');
    toggle(row('lr').sweep, true);
    type(row('lr').values, '0.001, 0.01, 0.1');
    expect(trials()).toBe('30 trials');
    type($('#sf-repeats'), '2');
    expect(trials()).toBe('12 trials');
    expect($<HTMLElement>('#sf-summary').textContent).toBe('12 trials = 6 cells (2 width × 3 lr) × 2 repeats');
  });

  test("equals the server's expansion of the request the form builds, for every experiment's defaults and an edited exp1", () => {
    for (const e of ALL) {
      const built = buildRequest(e, initialState(e));
      expect(built.errors, e.id).toEqual({});
      expect(expandSweep(built.request, 'x').trials.length, e.id).toBe(built.trials);
      // The defaults as a form request are the default sweep.
      expect(expandSweep(built.request, 'x').trials.map((t) => t.params)).toEqual(expandSweep({ experiment: e.id }, 'x').trials.map((t) => t.params));
    }
    const e = exp('exp1');
    const s = initialState(e);
    s.params.function.swept = false;
    s.params.function.fixed = 'abs';
    s.params.width.values = '2, 8';
    s.params.steps.swept = true;
    s.params.steps.values = '10, 20';
    s.repeats = '3';
    const built = buildRequest(e, s);
    expect(built.trials).toBe(12);
    expect(expandSweep(built.request, 'x').trials).toHaveLength(12);
  });
});

describe('request', () => {
  test('fixed values go to params (only when changed or replacing a grid axis), swept lists to grid', () => {
    const { form, row, type, toggle, $ } = mount({ experiment: 'exp1' });
    expect(form.current().request).toEqual({ experiment: 'exp1', repeats: 5, seed: 0, grid: { function: ['sin', 'polynomial', 'abs'], width: [2, 4, 16] } });
    toggle(row('function').sweep, false);
    type(row('steps').fixed, '200');
    type(row('coefs').fixed, '1, 2');
    type(row('width').values, '2, 32');
    type($('#sf-seed'), '7');
    type($('#sf-name'), ' small ');
    expect(form.current().request).toEqual({
      experiment: 'exp1',
      repeats: 5,
      seed: 7,
      params: { function: 'sin', coefs: [1, 2], steps: 200 },
      grid: { width: [2, 32] },
      name: 'small',
    });
    // The advanced view shows the same JSON, lists of values on one line.
    expect(JSON.parse($<HTMLTextAreaElement>('#sf-json').value)).toEqual(form.current().request);
    expect($<HTMLTextAreaElement>('#sf-json').value).toContain('"coefs": [1, 2]');
    expect(requestJson({ grid: { x: ['a, b', 'c'], y: [[1, 2], [3]] } })).toBe('{\n  "grid": {\n    "x": ["a, b", "c"],\n    "y": [\n      [1, 2],\n      [3]\n    ]\n  }\n}');
  });

  test('on 202 the created sweep id is handed on', async () => {
    const m = mount({ experiment: 'exp2', post: async () => ({ status: 202, body: { id: 'abc123' } }) });
    await m.submit();
    expect(m.post).toHaveBeenCalledWith({ experiment: 'exp2', repeats: 5, seed: 0, grid: { depth: [1, 2, 3] } });
    expect(m.created).toHaveBeenCalledWith('abc123');
  });

  test('the hand-edited JSON is sent as typed', async () => {
    const m = mount({ experiment: 'exp1' });
    m.$<HTMLButtonElement>('#sf-json-edit').click();
    const json = m.$<HTMLTextAreaElement>('#sf-json');
    expect(json.readOnly).toBe(false);
    expect(m.row('steps').fixed.disabled).toBe(true);
    json.value = '{"experiment":"exp1","repeats":1,"params":{"steps":5}}';
    await m.submit();
    expect(m.post).toHaveBeenCalledWith({ experiment: 'exp1', repeats: 1, params: { steps: 5 } });
    json.value = '{oops';
    await m.submit();
    expect(m.post).toHaveBeenCalledTimes(1);
    expect(m.$<HTMLElement>('#sf-general').textContent).toMatch(/^request JSON: /);
  });
});

describe('errors next to their inputs', () => {
  test('client-side schema checks mark the input and nothing is sent', async () => {
    const m = mount({ experiment: 'exp1' });
    m.type(m.row('steps').fixed, '0');
    m.type(m.row('lr').fixed, '0');
    m.type(m.row('width').values, '2, 2.5');
    m.type(m.$('#sf-repeats'), '0');
    expect(m.row('steps').error.textContent).toBe('must be ≥ 1');
    expect(m.row('lr').error.textContent).toBe('must be > 0');
    expect(m.row('width').error.textContent).toBe('value 2 (2.5): must be an integer');
    expect(m.$<HTMLElement>('#sf-repeats-error').textContent).toBe('must be ≥ 1');
    expect(m.row('steps').fixed.hasAttribute('aria-invalid')).toBe(true);
    expect(m.row('omega').fixed.hasAttribute('aria-invalid')).toBe(false);
    await m.submit();
    expect(m.post).not.toHaveBeenCalled();
    // The first marked visible input (in page order) gets the focus.
    expect(m.document.activeElement).toBe(m.row('width').values);
    m.type(m.row('steps').fixed, '10');
    expect(m.row('steps').error.textContent).toBe('');
  });

  test("the API's 400 issues land next to their inputs; whole-request issues above the button", async () => {
    // The real server-side issues for a request the client cannot judge (cap on repeats,
    // trial cost), plus hand-written ones for paths the form cannot produce.
    let serverIssues: Array<{ field: string; message: string }> = [];
    try {
      expandSweep({ experiment: 'exp1', repeats: 101 }, 'x');
    } catch (err) {
      serverIssues = (err as SweepRequestError).issues;
    }
    expect(serverIssues).toEqual([{ field: 'repeats', message: 'at most 100' }]);
    const issues = [
      ...serverIssues,
      { field: 'params.steps', message: 'Too big' },
      { field: 'grid.width', message: 'Too small: expected number to be >=1' },
      { field: 'params.coefs.1', message: 'Expected number' },
      { field: 'grid', message: '9 cells × 1000 repeats = 9000 trials, above the cap of 5000' },
      { field: 'params.nope', message: 'unknown parameter of exp1' },
    ];
    const m = mount({ experiment: 'exp1', post: async () => ({ status: 400, body: { error: 'invalid_request', issues } }) });
    await m.submit();
    expect(m.post).toHaveBeenCalledTimes(1);
    expect(m.created).not.toHaveBeenCalled();
    expect(m.$<HTMLElement>('#sf-repeats-error').textContent).toBe('at most 100');
    expect(m.row('steps').error.textContent).toBe('Too big');
    expect(m.row('width').error.textContent).toBe('Too small: expected number to be >=1');
    expect(m.row('coefs').error.textContent).toBe('params.coefs.1: Expected number');
    expect(m.row('lr').error.textContent).toBe('');
    // Editing one input clears the server's message there only.
    m.type(m.row('steps').fixed, '300');
    expect(m.row('steps').error.textContent).toBe('');
    expect(m.$<HTMLElement>('#sf-repeats-error').textContent).toBe('at most 100');
    expect(m.row('width').error.textContent).toBe('Too small: expected number to be >=1');
    expect([...m.$<HTMLElement>('#sf-general').children].map((c) => c.textContent)).toEqual([
      'grid: 9 cells × 1000 repeats = 9000 trials, above the cap of 5000',
      'params.nope: unknown parameter of exp1',
    ]);
  });

  test('issue fields map to parameters, top-level inputs or the whole request', () => {
    const names = Object.keys(exp('exp1').schema.properties!);
    expect(issueTarget('params.width', names)).toBe('param:width');
    expect(issueTarget('grid.steps', names)).toBe('param:steps');
    expect(issueTarget('params.coefs.0', names)).toBe('param:coefs');
    expect(issueTarget('repeats', names)).toBe('repeats');
    expect(issueTarget('seed', names)).toBe('seed');
    expect(issueTarget('grid', names)).toBeNull();
    expect(issueTarget('(body)', names)).toBeNull();
    expect(issueTarget('grid.unknown', names)).toBeNull();
  });

  test('a sweep stored but not enqueued (503 with id) is linked, not lost', async () => {
    const m = mount({ experiment: 'exp2', post: async () => ({ status: 503, body: { error: 'enqueue_failed', id: 's1', message: 'queue down' } }) });
    await m.submit();
    expect(m.created).not.toHaveBeenCalled();
    expect(m.$<HTMLAnchorElement>('#sf-general a').getAttribute('href')).toBe('#/sweeps/s1');
  });
});

describe('run-time estimate', () => {
  const list: SweepListEntry[] = [
    { experiment: 'exp1', status: 'done', createdAt: 0, finishedAt: 90_000, counts: { done: 45 } },
    { experiment: 'exp1', status: 'done', createdAt: 1000, finishedAt: 31_000, counts: { done: 15 } },
    { experiment: 'exp1', status: 'running', createdAt: 0, finishedAt: null, counts: { done: 3 } },
    { experiment: 'exp2', status: 'done', createdAt: 0, finishedAt: 1_000_000, counts: { done: 10 } },
  ];

  test('mean wall time per trial of the finished sweeps of the same experiment, from the list alone', () => {
    expect(estimateFromSweeps(list, 'exp1')).toEqual({ msPerTrial: 120_000 / 60, trials: 60, sweeps: 2 });
    expect(estimateFromSweeps(list, 'exp7')).toBeNull();
    expect(estimateText(estimateFromSweeps(list, 'exp1'), 45, 'exp1')).toBe(
      'About 1 min 30 s, from 60 trials of exp1 already run (2 finished sweeps, 2.00 s per trial; their parameters may differ).',
    );
    expect(estimateText(null, 45, 'exp7')).toBe('No trials of exp7 have run here yet, so no time estimate.');
  });

  test('shown on the form and following the trial count', () => {
    const m = mount({ experiment: 'exp1', sweeps: list });
    expect(m.$<HTMLElement>('#sf-estimate').textContent).toMatch(/^About 1 min 30 s, from 60 trials of exp1/);
    m.type(m.$('#sf-repeats'), '10');
    expect(m.$<HTMLElement>('#sf-estimate').textContent).toMatch(/^About 3 min, from 60 trials of exp1/);
  });
});

describe('power before running', () => {
  test('a dry run of the request as edited lists, per claim, the repeats likely to decide it; the latest answer wins', async () => {
    const { window } = new JSDOM('<!doctype html><html><body></body></html>');
    const document = window.document as Document;
    const asked: Array<{ body: unknown; effect: string | null }> = [];
    const plan = vi.fn(async (body: unknown, effect: string | null) => {
      asked.push({ body, effect });
      const repeats = (body as { repeats: number }).repeats;
      return {
        status: 200,
        body: {
          power: [
            { statement: 'deeper is better', effect: effect ? Number(effect) : 0.8, basis: effect ? `smallest effect of interest: d = ${effect}` : 'sweep s1 (5 repeats)', planned: repeats, repeatsNeeded: 12 },
            { statement: 'no effect here', effect: 0, basis: 'sweep s1 (5 repeats)', planned: repeats, repeatsNeeded: null },
          ],
        },
      };
    });
    const form = createSweepForm({ document, experiments: ALL, sweeps: [], post: async () => ({ status: 202, body: { id: 'x' } }), created: () => {}, initialExperiment: 'exp2', plan, planDelayMs: 0 });
    document.body.append(form.element);
    const settle = () => new Promise((r) => setTimeout(r, 20));
    await settle();
    const lines = () => [...document.querySelectorAll('#sf-power li')].map((li) => li.textContent);
    expect(asked.at(-1)).toEqual({ body: { experiment: 'exp2', repeats: 5, seed: 0, grid: { depth: [1, 2, 3] } }, effect: null });
    expect(lines()).toEqual([
      'deeper is better: ~12 repeats per cell likely decide it; 5 planned (likely too few) — d = 0.8, sweep s1 (5 repeats)',
      'no effect here: no effect seen (d = 0, sweep s1 (5 repeats)): no number of repeats can be promised',
    ]);
    const repeats = document.querySelector('#sf-repeats') as HTMLInputElement;
    repeats.value = '12';
    repeats.dispatchEvent(new window.Event('input', { bubbles: true }));
    const effect = document.querySelector('#sf-effect') as HTMLInputElement;
    effect.value = '0.5';
    effect.dispatchEvent(new window.Event('input', { bubbles: true }));
    await settle();
    expect(asked.at(-1)).toMatchObject({ body: { repeats: 12 }, effect: '0.5' });
    expect(lines()[0]).toBe('deeper is better: ~12 repeats per cell likely decide it; 12 planned (enough) — d = 0.5, smallest effect of interest: d = 0.5');
    // A request the form itself refuses is not sent, and the panel empties.
    const sent = plan.mock.calls.length;
    repeats.value = '0';
    repeats.dispatchEvent(new window.Event('input', { bubbles: true }));
    await settle();
    expect(plan.mock.calls.length).toBe(sent);
    expect(lines()).toEqual([]);
  });
});
