/** One labelled input of the new-sweep form: label, input, help text and error line (classes styled in dashboard/style.css). */
import type { Elements } from '../dom';

export function field(h: Elements, label: string, input: HTMLElement, error?: HTMLElement, help?: string): HTMLDivElement {
  return h('div', { class: 'sf-field' }, h('label', { for: input.id }, label), input, ...(help ? [h('small', { class: 'help' }, help)] : []), ...(error ? [error] : []));
}
