/**
 * Plain-text rendering of a sweep's verdict (GET /api/sweeps/:id/verdict), shared by the
 * dashboard panel (dashboard/verdict.ts), `npm run sweep -- --status` and the catalogue.
 */
import type { ClaimVerdict } from '../core/verdict/evaluate';
import type { SweepVerdict } from '../core/verdict/sweep-verdict';

export type { ClaimVerdict, SweepVerdict };
import type { GetJson } from './figures/load';
import type { VerdictAnswer } from './routes';
export type { GetJson };

export const RESULT_MARK: Record<ClaimVerdict['result'], string> = { supported: '✓', contradicted: '✗', inconclusive: '?' };

/** Three significant digits, a real minus sign, '–' for missing. */
export function num(x: number | null | undefined): string {
  if (x === null || x === undefined || !Number.isFinite(x)) return '–';
  const s = Math.abs(x) >= 1e4 || (x !== 0 && Math.abs(x) < 1e-3) ? x.toExponential(2) : String(Number(x.toPrecision(3)));
  return s.replace('-', '−');
}

export function pValue(p: number | null | undefined): string {
  if (p === null || p === undefined) return '–';
  return p < 0.001 ? '< 0.001' : num(p);
}

/** "p = 0.041" or "p < 0.001". */
const pText = (label: string, p: number | null | undefined) => (p !== null && p !== undefined && p < 0.001 ? `${label} < 0.001` : `${label} = ${pValue(p)}`);

/** "95%", "98.3%": the confidence of a claim's interval. */
export function confidenceText(c: ClaimVerdict): string {
  return `${Number((100 * c.confidence).toPrecision(3))}%`;
}

/** "Δ = −0.12 [−0.37, −0.0012] (95%)" or "slope = −0.05 [−0.09, −0.01] (98.3%)"; an unbounded interval says so. */
export function effectText(c: ClaimVerdict): string {
  const sym = c.effectKind === 'slope' ? 'slope' : 'Δ';
  const ci = c.ci ? ` [${num(c.ci[0])}, ${num(c.ci[1])}]` : c.effect !== null && c.p !== null ? ' [unbounded]' : '';
  return `${sym} = ${num(c.effect)}${ci}${ci ? ` (${confidenceText(c)})` : ''}`;
}

export function statsText(c: ClaimVerdict): string {
  const parts = [
    effectText(c),
    `d = ${num(c.d)}`,
    c.paired && c.pairs !== undefined ? `${c.pairs} pairs` : `n = ${c.n.a}/${c.n.b}`,
    `${pText('p', c.p)}${c.pHolm !== null && c.pHolm !== c.p ? ` (${pText('Holm', c.pHolm)})` : ''}`,
  ];
  if (c.repeatsToSettle) parts.push(`~${c.repeatsToSettle} repeats per cell might settle it`);
  return parts.join(', ');
}

export function notebookText(c: ClaimVerdict): string {
  if (!c.notebookFound) return 'notebook: no finding';
  if (c.notebook === 'n/a') return `notebook found ${c.notebookFound}; not settled here`;
  return `notebook found ${c.notebookFound}: ${c.notebook}`;
}

export function headerText(v: SweepVerdict): string {
  const rule = v.rule === 'sequential' ? ', anytime-valid rule' : '';
  return (v.provisional ? `verdict (provisional: ${v.trials.done}/${v.trials.total} trials done)` : `verdict (${v.trials.done}/${v.trials.total} trials, sweep ${v.status})`).replace(/\)$/, `${rule})`);
}

/** One line: counts of results and notebook agreement. */
export function verdictSummary(v: SweepVerdict): string {
  const count = (f: (c: ClaimVerdict) => boolean) => v.claims.filter(f).length;
  if (!v.claims.length) return `${headerText(v)}: no claims`;
  return (
    `${headerText(v)}: ${count((c) => c.result === 'supported')} supported, ${count((c) => c.result === 'contradicted')} contradicted, ` +
    `${count((c) => c.result === 'inconclusive')} inconclusive of ${v.claims.length} claims; ` +
    `notebook ${count((c) => c.notebook === 'agrees')} agree, ${count((c) => c.notebook === 'disagrees')} disagree`
  );
}

/** The summary, then per claim its result and statement, its numbers, and any note. */
export function verdictLines(v: SweepVerdict): string[] {
  const lines = [verdictSummary(v)];
  for (const c of v.claims) {
    lines.push(`${RESULT_MARK[c.result]} ${c.result.padEnd(12)} ${c.statement}`);
    lines.push(`    ${statsText(c)}; ${notebookText(c)}`);
    if (c.quote) lines.push(`    notebook: “${c.quote}”${c.narrows ? ` (narrowed: ${c.narrows})` : ''}`);
    if (c.note) lines.push(`    note: ${c.note}`);
  }
  return lines;
}

/** The summary, then one line per claim: result, statement, effect and the notebook's finding. */
export function verdictBrief(v: SweepVerdict): string[] {
  return [verdictSummary(v), ...v.claims.map((c) => `${RESULT_MARK[c.result]} ${c.statement}: ${c.result} (${effectText(c)}; ${notebookText(c)})`)];
}

const FORMATS = { full: verdictLines, brief: verdictBrief, summary: (v: SweepVerdict) => [verdictSummary(v)] };

/** Fetches and formats a sweep's verdict; a failure becomes one line instead of an exception. */
export async function verdictReport(get: GetJson, sweepId: string, format: keyof typeof FORMATS = 'full'): Promise<string[]> {
  try {
    return FORMATS[format](await get<VerdictAnswer>(`/api/sweeps/${sweepId}/verdict`));
  } catch (err) {
    return [`verdict unavailable: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}`];
  }
}
