/**
 * The sweep page's verdict panel: for each claim of the experiment's hypothesis, whether
 * this sweep's evidence supports it, with the effect, its 95% CI and the notebook's finding.
 * Text comes from dashboard/verdict-text.ts so the CLI says the same.
 */
import { effectText, headerText, notebookText, num, pValue, RESULT_MARK, type GetJson, type SweepVerdict } from './verdict-text';

/** An element with attributes and children (text children are text nodes: nothing is parsed as HTML). */
export function node<K extends keyof HTMLElementTagNameMap>(doc: Document, tag: K, attrs: Record<string, string>, ...children: Array<Node | string>): HTMLElementTagNameMap[K] {
  const e = doc.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  e.append(...children);
  return e;
}

export function renderVerdict(doc: Document, v: SweepVerdict): HTMLElement {
  // Claims of a custom experiment have no notebook finding: no column of "no finding".
  const withNotebook = v.claims.some((c) => c.notebookFound);
  const settle = (c: SweepVerdict['claims'][number]) => (c.repeatsToSettle ? [node(doc, 'div', { class: 'meta' }, `~${c.repeatsToSettle} repeats might settle it`)] : []);
  const rows = v.claims.map((c) =>
    node(
      doc,
      'tr',
      { class: `claim ${c.result}` },
      node(doc, 'td', { class: `result ${c.result}` }, `${RESULT_MARK[c.result]} ${c.result}`, ...(withNotebook ? [] : settle(c))),
      node(
        doc,
        'td',
        {},
        c.statement,
        ...(c.quote ? [node(doc, 'div', { class: 'quote' }, `Notebook: “${c.quote}”`, ...(c.narrows ? [node(doc, 'div', { class: 'meta' }, `Narrowed: ${c.narrows}`)] : []))] : []),
        ...(c.note ? [node(doc, 'div', { class: 'meta' }, c.note)] : []),
        node(doc, 'div', { class: 'meta' }, c.test),
      ),
      node(doc, 'td', { class: 'num' }, effectText(c)),
      node(doc, 'td', { class: 'num' }, num(c.d)),
      node(doc, 'td', { class: 'num' }, c.paired && c.pairs !== undefined ? `${c.pairs} pairs` : `${c.n.a}/${c.n.b}`),
      node(doc, 'td', { class: 'num' }, `${pValue(c.p)}${c.pHolm !== null && c.pHolm !== c.p ? ` (Holm ${pValue(c.pHolm)})` : ''}`),
      ...(withNotebook ? [node(doc, 'td', { class: `notebook ${c.notebook.replace('/', '')}` }, notebookText(c), ...settle(c))] : []),
    ),
  );
  const table = node(
    doc,
    'table',
    { class: 'verdict' },
    node(doc, 'thead', {}, node(doc, 'tr', {}, ...['Result', 'Claim', 'Effect [CI]', 'd', 'n', 'p', ...(withNotebook ? ['Notebook'] : [])].map((h) => node(doc, 'th', {}, h)))),
    node(doc, 'tbody', {}, ...rows),
  );
  return node(
    doc,
    'div',
    { class: `card${v.provisional ? ' provisional' : ''}`, id: 'verdict' },
    node(doc, 'b', {}, 'Does this sweep support the hypothesis? '),
    node(doc, 'span', { class: 'meta' }, headerText(v)),
    v.claims.length ? table : node(doc, 'p', { class: 'pending' }, 'This experiment states no claims.'),
    node(
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
    const verdict = await get<SweepVerdict>(`/api/sweeps/${sweepId}/verdict`);
    return { verdict, panel: renderVerdict(doc, verdict) };
  } catch (err) {
    return { verdict: null, panel: node(doc, 'div', { class: 'card', id: 'verdict' }, node(doc, 'p', { class: 'error' }, `verdict unavailable: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}`)) };
  }
}

/** The panel alone (loadVerdict without the verdict). */
export async function verdictPanel(get: GetJson, sweepId: string, doc: Document = document): Promise<HTMLElement> {
  return (await loadVerdict(get, sweepId, doc)).panel;
}
