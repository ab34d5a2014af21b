/**
 * The new-sweep form's power panel: per claim, the repeats likely to decide it
 * (./estimate.ts powerText) from a dry run of the request as built, for a smallest effect of
 * interest or the latest finished sweep's. The dry run is debounced, and only the answer to
 * the latest one is shown.
 */
import type { Elements } from '../dom';
import { powerText, type ClaimPowerLine } from './estimate';
import { field } from './field';
import type { BuiltRequest } from './request';

/** A dry run of the request (POST /api/sweeps?dryRun=1[&effect=d]). */
export type PlanSweep = (body: unknown, effect: string | null) => Promise<{ status: number; body: { power?: ClaimPowerLine[] } }>;

export interface PowerPanel {
  element: HTMLFieldSetElement;
  effectInput: HTMLInputElement;
  /** Sends a dry run of `built` after `delayMs` of quiet; a request with client-side errors is not sent, and the list empties. */
  schedule: (built: BuiltRequest) => void;
}

export function powerPanel(h: Elements, uid: string, plan: PlanSweep, delayMs: number): PowerPanel {
  const effectInput = h('input', { id: `${uid}-effect`, name: 'effect', type: 'number', min: '0', step: 'any', placeholder: 'from the last sweep', inputmode: 'decimal' });
  const list = h('ul', { class: 'sf-power meta', id: `${uid}-power`, 'aria-live': 'polite' });
  let seq = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;
  function schedule(built: BuiltRequest): void {
    clearTimeout(timer);
    const mine = ++seq;
    if (Object.keys(built.errors).length) return void list.replaceChildren();
    timer = setTimeout(async () => {
      try {
        const res = await plan(built.request, effectInput.value.trim() || null);
        if (mine !== seq) return;
        const lines = res.status === 200 ? (res.body.power ?? []) : [];
        list.replaceChildren(...lines.map((c) => h('li', {}, powerText(c))));
      } catch {
        if (mine === seq) list.replaceChildren();
      }
    }, delayMs);
  }
  const element = h(
    'fieldset',
    { class: 'sf-power-box' },
    h('legend', {}, 'Power: repeats likely to decide each claim'),
    field(h, 'Smallest effect of interest (d)', effectInput, undefined, 'in standard deviations of the repeats; blank: the effect the latest finished sweep of this experiment saw'),
    list,
  );
  return { element, effectInput, schedule };
}
