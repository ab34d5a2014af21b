/**
 * The sweep page's verdict panel: for each claim of the experiment's hypothesis, whether
 * this sweep's evidence supports it, with the effect, its 95% CI and the notebook's finding.
 * Text comes from dashboard/verdict-text.ts so the CLI says the same.
 */
import { el } from './dom';
import type { VerdictAnswer } from './routes';
import { effectText, headerText, notebookText, num, pValue, RESULT_MARK, type GetJson, type SweepVerdict } from './verdict-text';

export function renderVerdict(doc: Document, v: SweepVerdict): HTMLElement {
  // Claims of a custom experiment have no notebook finding: no column of "no finding".
  const withNotebook = v.claims.some((c) => c.notebookFound);
  const settle = (c: SweepVerdict['claims'][number]) => (c.repeatsToSettle ? [el(doc, 'div', { class: 'meta' }, `~${c.repeatsToSettle} repeats might settle it`)] : []);
  const rows = v.claims.map((c) =>
    el(
      doc,
      'tr',
      { class: `claim ${c.result}` },
      el(doc, 'td', { class: `result ${c.result}` }, `${RESULT_MARK[c.result]} ${c.result}`, ...(withNotebook ? [] : settle(c))),
      el(
        doc,
        'td',
        {},
        c.statement,
        ...(c.quote ? [el(doc, 'div', { class: 'quote' }, `Notebook: “${c.quote}”`, ...(c.narrows ? [el(doc, 'div', { class: 'meta' }, `Narrowed: ${c.narrows}`)] : []))] : []),
        ...(c.note ? [el(doc, 'div', { class: 'meta' }, c.note)] : []),
        el(doc, 'div', { class: 'meta' }, c.test),
      ),
      el(doc, 'td', { class: 'num' }, effectText(c)),
      el(doc, 'td', { class: 'num' }, num(c.d)),
      el(doc, 'td', { class: 'num' }, c.paired && c.pairs !== undefined ? `${c.pairs} pairs` : `${c.n.a}/${c.n.b}`),
      el(doc, 'td', { class: 'num' }, `${pValue(c.p)}${c.pHolm !== null && c.pHolm !== c.p ? ` (Holm ${pValue(c.pHolm)})` : ''}`),
      ...(withNotebook ? [el(doc, 'td', { class: `notebook ${c.notebook.replace('/', '')}` }, notebookText(c), ...settle(c))] : []),
    ),
  );
  const table = el(
    doc,
    'table',
    { class: 'verdict' },
    el(doc, 'thead', {}, el(doc, 'tr', {}, ...['Result', 'Claim', 'Effect [CI]', 'd', 'n', 'p', ...(withNotebook ? ['Notebook'] : [])].map((h) => el(doc, 'th', {}, h)))),
    el(doc, 'tbody', {}, ...rows),
  );
  return el(
    doc,
    'div',
    { class: `card${v.provisional ? ' provisional' : ''}`, id: 'verdict' },
    el(doc, 'b', {}, 'Does this sweep support the hypothesis? '),
    el(doc, 'span', { class: 'meta' }, headerText(v)),
    v.claims.length ? table : el(doc, 'p', { class: 'pending' }, 'This experiment states no claims.'),
    el(
      doc,
      'p',
      { class: 'caption' },
      'Supported / contradicted: the claim\'s test rejects "no effect" at its level and the effect has / has not the claimed sign; the interval is every effect that test does not reject, so it excludes 0 exactly then. ' +
        'Δ: difference of means a − b; slope: change per step along the axis. The level is 5% shared among the claims by Holm\'s procedure (Holm p ≤ 0.05 decides), so the interval\'s confidence is 95% or more. ' +
        (v.rule === 'sequential' ? 'Settled sweep: anytime-valid t-test (valid however often the verdict is read as repeats are added). ' : 'Fixed-sample t-test. ') +
        'd is the effect over the spread of repeats.' +
        (v.provisional ? ' Provisional: computed from the trials done so far.' : ''),
    ),
  );
}

/**
 * Fetches the verdict and renders it; an error becomes a line in the panel, not a broken
 * page. The verdict itself comes back too (null on an error): the Settle card reads it.
 */
export async function loadVerdict(get: GetJson, sweepId: string, doc: Document = document): Promise<{ verdict: SweepVerdict | null; panel: HTMLElement }> {
  try {
    // The route's answer (dashboard/routes.ts) is the verdict core/verdict/sweep-verdict.ts computes, as JSON.
    const verdict: SweepVerdict = await get<VerdictAnswer>(`/api/sweeps/${sweepId}/verdict`);
    return { verdict, panel: renderVerdict(doc, verdict) };
  } catch (err) {
    return { verdict: null, panel: el(doc, 'div', { class: 'card', id: 'verdict' }, el(doc, 'p', { class: 'error' }, `verdict unavailable: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}`)) };
  }
}

/** The panel alone (loadVerdict without the verdict). */
export async function verdictPanel(get: GetJson, sweepId: string, doc: Document = document): Promise<HTMLElement> {
  return (await loadVerdict(get, sweepId, doc)).panel;
}
