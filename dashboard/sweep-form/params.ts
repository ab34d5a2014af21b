/**
 * The new-sweep form's parameter rows, one per property of the experiment's params schema:
 * an input for the fixed value (a select for an enum, a checkbox for a boolean, a number
 * input with the schema's bounds, else text), a text input for the swept list, the "sweep"
 * toggle between them, the help text (./schema.ts describeSchema) and an error line.
 */
import type { Elements } from '../dom';
import type { FormExperiment, ParamState } from './request';
import { describeSchema, formatValue, type JsonSchema } from './schema';
import { formatList, listSeparator } from './values';

export interface ParamRow {
  key: string;
  schema: JsonSchema;
  sweep: HTMLInputElement;
  fixed: HTMLInputElement | HTMLSelectElement;
  values: HTMLInputElement;
  label: HTMLLabelElement;
  error: HTMLElement;
  wrap: HTMLElement;
}

function fixedInput(h: Elements, key: string, s: JsonSchema, id: string): HTMLInputElement | HTMLSelectElement {
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

const isCheckbox = (row: ParamRow) => row.fixed instanceof row.fixed.ownerDocument.defaultView!.HTMLInputElement && row.fixed.type === 'checkbox';

export function setFixed(row: ParamRow, text: string): void {
  if (isCheckbox(row)) (row.fixed as HTMLInputElement).checked = text === 'true';
  else row.fixed.value = text;
}

/** The fixed value as text ("true"/"false" for a checkbox; a number input whose text is not a number reports '', so "required"). */
export function fixedText(row: ParamRow): string {
  if (isCheckbox(row)) return (row.fixed as HTMLInputElement).checked ? 'true' : 'false';
  return row.fixed.value;
}

/** Shows the fixed input or the swept list, and points the row's label at the one shown. */
export function showMode(row: ParamRow): void {
  const swept = row.sweep.checked;
  row.fixed.hidden = swept;
  row.values.hidden = !swept;
  row.label.htmlFor = swept ? row.values.id : row.fixed.id;
  row.wrap.classList.toggle('swept', swept);
}

/** One parameter's row, filled from `state`; `toggled` runs after the "sweep" box changes. */
export function paramRow(h: Elements, uid: string, e: FormExperiment, key: string, s: JsonSchema, state: ParamState, toggled: () => void): ParamRow {
  const id = `${uid}-p-${key}`;
  const fixed = fixedInput(h, key, s, id);
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
  const wrap = h('div', { class: 'sf-param', 'data-param': key }, label, h('div', { class: 'sf-input' }, fixed, values), h('label', { class: 'sf-toggle', for: sweep.id }, sweep, ' sweep'), help, error);
  const row: ParamRow = { key, schema: s, sweep, fixed, values, label, error, wrap };
  setFixed(row, state.fixed);
  values.value = state.values;
  sweep.checked = state.swept;
  showMode(row);
  sweep.addEventListener('change', () => {
    showMode(row);
    // Start a new list from the fixed value, so ticking "sweep" never loses what was typed.
    if (sweep.checked && !values.value.trim()) values.value = fixedText(row);
    toggled();
  });
  return row;
}
