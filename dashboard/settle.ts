/**
 * The sweep page's Settle card (GET/POST /api/sweeps/:id/settle, core/settle): before
 * Settle is pressed, what settling the undecided claims would likely take and a budget in
 * trials; once pressed, the settle as it runs (status, round, spent against the budget) and
 * its rounds, which are the verdict's history: each look's result per claim under the
 * anytime-valid rule, with the repeats per cell it saw and the trials added after it.
 * Built from DOM nodes only; a refused POST becomes a line in the card, not an exception.
 */
import { el } from './dom';
import type { SettleAnswer } from './routes';
import { pValue, RESULT_MARK, type SweepVerdict } from './verdict-text';

/** GET /api/sweeps/:id/settle's answer and its parts, typed from the route (dashboard/routes.ts). */
export type { SettleAnswer };
export type SettleState = NonNullable<SettleAnswer['settle']>;
export type SettleRound = SettleState['history'][number];
export type SettleEstimate = SettleAnswer['estimate'];

/** The budget box's default when the estimate is larger: a typed budget may go higher (the server caps a sweep's trials). */
export const DEFAULT_BUDGET_CAP = 1000;

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/** Estimated CPU time: "< 1 s", "4 s", "12 min", "3.5 h". */
export function cpuText(ms: number): string {
  const s = ms / 1000;
  if (s < 1) return '< 1 s';
  if (s < 90) return `${Math.round(s)} s`;
  if (s < 90 * 60) return `${Math.round(s / 60)} min`;
  return `${Number((s / 3600).toPrecision(2))} h`;
}

/** An estimate of CPU time in a sentence: "~4 s", "under 1 s". */
export function aboutCpu(ms: number): string {
  return ms < 1000 ? 'under 1 s' : `~${cpuText(ms)}`;
}

/** What settling would likely take, as the card says it before Settle is pressed. */
export function estimateText(e: SettleEstimate): string {
  if (e.undecided === 0) return 'Every claim is decided under the anytime-valid rule: there is nothing to settle.';
  const reachable = e.undecided - e.unreachable;
  const which = reachable === e.undecided ? (e.undecided === 1 ? 'the undecided claim' : `the ${e.undecided} undecided claims`) : `${reachable} of the ${e.undecided} undecided claims`;
  const noEffect = e.unreachable ? `${plural(e.unreachable, 'claim shows', 'claims show')} no effect yet, so no number of repeats can be promised for ${e.unreachable === 1 ? 'it' : 'them'}` : '';
  if (e.trials > 0 && reachable > 0) return `About ${plural(e.trials, 'more trial', 'more trials')}, ${aboutCpu(e.cpuMs)} of CPU, would likely decide ${which}${noEffect ? `; ${noEffect}` : ''}.`;
  if (noEffect && !reachable) return `${noEffect[0].toUpperCase()}${noEffect.slice(1)}; Settle still adds repeats a round at a time within the budget.`;
  return `Settle adds repeats a round at a time until ${which === 'the undecided claim' ? 'it is' : 'they are'} decided or the budget is spent${noEffect ? `; ${noEffect}` : ''}.`;
}

/** The budget box's starting value: the estimate, capped; blank (the server's default) when there is none. */
export function defaultBudget(e: SettleEstimate): string {
  return e.trials > 0 ? String(Math.min(e.trials, DEFAULT_BUDGET_CAP)) : '';
}

/** The typed budget: {} for blank (the server's default), an error text for anything but a whole number ≥ 1. */
export function parseBudget(value: string, badInput = false): { trials?: number } | { error: string } {
  const text = value.trim();
  if (!text && !badInput) return {};
  const n = Number(text);
  if (badInput || !Number.isInteger(n) || n < 1) return { error: 'The budget is a whole number of trials, at least 1 (or blank for as many trials as the sweep has now).' };
  return { trials: n };
}

/** A refused POST as one line: the API's messages, with the field when it is the budget. */
export function errorText(err: unknown): string {
  const e = err as { status?: unknown; issues?: unknown; message?: unknown } | null;
  if (e && typeof e.status === 'number' && Array.isArray(e.issues) && e.issues.length) {
    const issues = (e.issues as Array<{ field?: string; message?: string }>).map((i) => (i.field && i.field !== 'id' ? `${i.field}: ${i.message}` : String(i.message)));
    return `Settle refused (HTTP ${e.status}): ${issues.join('; ')}`;
  }
  return `Settle failed: ${e && typeof e.message === 'string' ? e.message.split('\n')[0] : String(err)}`;
}

/** What the status means, in words: the reason the server gave, or the status's own meaning. */
export function outcomeText(s: SettleState): string {
  switch (s.status) {
    case 'running':
      return `round ${s.round}: adding repeats; the claims are looked at again when the round's trials have finished`;
    case 'decided':
      return s.reason ?? 'every claim decided';
    case 'exhausted':
      return s.reason ?? 'the budget is spent';
    default:
      return s.reason ?? 'stopped';
  }
}

/** "Round 2 · 12 of 40 trials spent · ~3 s of CPU" (against the CPU budget when there is one). */
export function spentText(s: SettleState): string {
  const cpu = s.budget.cpuMs !== null ? `${aboutCpu(s.spent.cpuMs)} of ${aboutCpu(s.budget.cpuMs)} CPU` : `${aboutCpu(s.spent.cpuMs)} of CPU`;
  return `Round ${s.round} · ${s.spent.trials} of ${plural(s.budget.trials, 'trial')} spent · ${cpu}`;
}

/** One row per look: trials done/total then, each claim's result mark with its repeats per cell, and the trials added after it. */
export function roundsTable(doc: Document, history: SettleRound[]): HTMLTableElement {
  const statements = [...new Set(history.flatMap((r) => r.claims.map((c) => c.statement)))];
  const rows = history.map((r) =>
    el(
      doc,
      'tr',
      { class: 'round' },
      el(doc, 'td', { class: 'num' }, String(r.round)),
      el(doc, 'td', { class: 'num' }, `${r.trials.done}/${r.trials.total}`),
      ...statements.map((statement) => {
        const c = r.claims.find((x) => x.statement === statement);
        if (!c) return el(doc, 'td', { class: 'claim' }, '–');
        const title = `${c.result}, p = ${pValue(c.p)}, ${plural(c.repeats, 'repeat')} per cell${c.repeatsToSettle ? `; ~${c.repeatsToSettle} might settle it` : ''}`;
        return el(doc, 'td', { class: `claim ${c.result}`, title }, el(doc, 'span', { class: 'mark' }, RESULT_MARK[c.result]), ` ${c.repeats}`);
      }),
      el(doc, 'td', { class: 'num' }, r.added.trials ? `+${plural(r.added.trials, 'trial')} in ${plural(r.added.cells, 'cell')} (${aboutCpu(r.added.cpuMs)})` : '–'),
    ),
  );
  return el(
    doc,
    'table',
    { class: 'settle-rounds', id: 'settle-rounds' },
    el(doc, 'thead', {}, el(doc, 'tr', {}, el(doc, 'th', {}, 'Round'), el(doc, 'th', {}, 'Trials'), ...statements.map((s) => el(doc, 'th', { class: 'claim', title: s }, s)), el(doc, 'th', {}, 'Added'))),
    el(doc, 'tbody', {}, ...rows),
  );
}

export interface SettleCardOptions {
  doc: Document;
  /** GET /api/sweeps/:id/settle's answer, or why it could not be read. */
  answer: SettleAnswer | { error: string };
  /** The verdict the page shows (null when it could not be read). */
  verdict: Pick<SweepVerdict, 'claims'> | null;
  /** The sweep's trials are still queued or running (Settle is offered once they have finished). */
  sweepLive: boolean;
  /** POST /api/sweeps/:id/settle; a rejection becomes the card's error line. */
  start: (budget: { trials?: number }) => Promise<unknown>;
  /** Called after a successful POST (the page re-renders and polls while the settle runs). */
  started: () => void;
}

/**
 * The Settle card, or null when there is nothing to show: no settle yet and no claim of the
 * verdict undecided.
 */
export function settleCard(o: SettleCardOptions): HTMLElement | null {
  const { doc } = o;
  const settle = 'error' in o.answer ? null : o.answer.settle;
  const undecided = o.verdict?.claims.some((c) => c.result === 'inconclusive') ?? false;
  if (!settle && !undecided) return null;
  const card = el(
    doc,
    'div',
    { class: `card settle${settle ? ` ${settle.status}` : ''}`, id: 'settle' },
    el(doc, 'b', {}, 'Settle'),
    el(doc, 'span', { class: 'meta' }, ' adds repeats to the cells the undecided claims compare, a round at a time, judged by the anytime-valid rule, until every claim is decided or the budget is spent.'),
  );
  const error = el(doc, 'p', { class: 'error', id: 'settle-error', role: 'alert' });
  if ('error' in o.answer) {
    error.textContent = `Settle unavailable: ${o.answer.error}`;
    card.append(error);
    return card;
  }
  const { estimate } = o.answer;
  if (settle) {
    card.append(
      el(doc, 'p', { id: 'settle-status' }, el(doc, 'span', { class: `status ${settle.status}` }, settle.status), ' ', el(doc, 'span', { class: 'outcome' }, outcomeText(settle))),
      el(doc, 'p', { class: 'meta', id: 'settle-spent' }, spentText(settle)),
    );
    if (settle.history.length) {
      card.append(
        el(doc, 'div', { class: 'settle-history' }, roundsTable(doc, settle.history)),
        el(
          doc,
          'p',
          { class: 'caption' },
          'The verdict’s history: at each look every claim is judged by the anytime-valid rule (✓ supported, ✗ contradicted, ? undecided) on the repeats per cell shown; Added is what the next round ran because of it.',
        ),
      );
    }
  }
  if (settle?.status === 'running') return card;
  if (o.sweepLive) {
    card.append(el(doc, 'p', { class: 'meta' }, 'Settle is offered once the sweep’s trials have finished.'));
    return card;
  }
  card.append(el(doc, 'p', { id: 'settle-estimate' }, estimateText(estimate)));
  if (estimate.undecided === 0) return card;
  const input = el(doc, 'input', { type: 'number', id: 'settle-budget', name: 'trials', min: '1', step: '1', inputmode: 'numeric', placeholder: 'as many as the sweep has' });
  input.value = defaultBudget(estimate);
  const button = el(doc, 'button', { class: 'primary', id: 'settle-start', type: 'submit' }, 'Settle');
  // A form, so Enter in the budget box settles too; nothing is submitted but the POST below.
  const form = el(
    doc,
    'form',
    { class: 'settle-form', novalidate: '' },
    el(doc, 'label', { for: 'settle-budget' }, 'Budget (trials)'),
    input,
    button,
    el(doc, 'span', { class: 'meta' }, `Blank: as many trials as the sweep has now.${settle ? ' Adds to what this settle has spent.' : ''}`),
  );
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    if (button.disabled) return;
    const budget = parseBudget(input.value, input.validity?.badInput ?? false);
    if ('error' in budget) {
      error.textContent = budget.error;
      return;
    }
    error.textContent = '';
    button.disabled = true;
    try {
      await o.start(budget);
    } catch (err) {
      error.textContent = errorText(err);
      button.disabled = false;
      return;
    }
    o.started();
  });
  card.append(form, error);
  return card;
}
