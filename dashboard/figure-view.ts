/**
 * The sweep page's view toggle (band: IQR or ±1 std; centre: median or mean; single
 * repeats on or off) and its download bar (CSV/JSON from the API, SVG/PNG of the figure).
 * The view is a value handed to the figure (FigureContext.options); the choice is kept
 * in localStorage so the live refresh and the next visit keep it.
 */
import { el } from './dom';
import { DEFAULT_FIGURE_OPTIONS } from './figures/common';
import type { FigureOptions } from './figures/types';

const KEY = 'atomsweep-figure-view';

export function loadView(storage: Pick<Storage, 'getItem'> | undefined): FigureOptions {
  try {
    const v = JSON.parse(storage?.getItem(KEY) ?? 'null') as Partial<FigureOptions> | null;
    return {
      band: v?.band === 'std' || v?.band === 'iqr' ? v.band : DEFAULT_FIGURE_OPTIONS.band,
      center: v?.center === 'mean' || v?.center === 'median' ? v.center : DEFAULT_FIGURE_OPTIONS.center,
      repeats: typeof v?.repeats === 'boolean' ? v.repeats : DEFAULT_FIGURE_OPTIONS.repeats,
    };
  } catch {
    return { ...DEFAULT_FIGURE_OPTIONS };
  }
}

export function saveView(storage: Pick<Storage, 'setItem'> | undefined, view: FigureOptions): void {
  storage?.setItem(KEY, JSON.stringify(view));
}

function select(doc: Document, name: string, value: string, options: Array<[string, string]>): HTMLSelectElement {
  const s = el(doc, 'select', { name }, ...options.map(([v, label]) => el(doc, 'option', { value: v }, label)));
  s.value = value;
  return s;
}

const labelled = (doc: Document, text: string, control: HTMLElement) => el(doc, 'label', {}, `${text} `, control);

/** Band / centre / repeats controls; `onChange` gets the new view. */
export function viewControls(doc: Document, view: FigureOptions, onChange: (view: FigureOptions) => void): HTMLElement {
  const band = select(doc, 'band', view.band, [
    ['iqr', 'interquartile range'],
    ['std', '± 1 std'],
  ]);
  const center = select(doc, 'center', view.center, [
    ['median', 'median'],
    ['mean', 'mean'],
  ]);
  const repeats = el(doc, 'input', { type: 'checkbox', name: 'repeats' });
  repeats.checked = view.repeats;
  const changed = () => onChange({ band: band.value as FigureOptions['band'], center: center.value as FigureOptions['center'], repeats: repeats.checked });
  for (const c of [band, center, repeats]) c.addEventListener('change', changed);
  return el(doc, 'div', { class: 'toolbar', id: 'figure-view' }, labelled(doc, 'Band:', band), labelled(doc, 'Line:', center), labelled(doc, 'every repeat', repeats));
}
