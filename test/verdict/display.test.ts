/**
 * The verdict as text (dashboard/verdict-text.ts: CLI, catalogue) and as the sweep page's
 * panel (dashboard/verdict.ts, rendered in jsdom), from a verdict computed on real numbers.
 */
import { JSDOM } from 'jsdom';
import { describe, expect, test } from 'vitest';
import type { Claim } from '../../core/experiments/claims';
import { evaluateClaims, type TrialValues } from '../../core/verdict/evaluate';
import type { SweepVerdict } from '../../core/verdict/sweep-verdict';
import { renderVerdict, verdictPanel } from '../../dashboard/verdict';
import { num, verdictBrief, verdictLines, verdictReport, verdictSummary } from '../../dashboard/verdict-text';

const claims: Claim[] = [
  { kind: 'difference', statement: 'wide nets fit better', metric: 'loss', by: 'w', a: 16, b: 2, expect: 'less', notebook: 'supported' },
  { kind: 'difference', statement: 'wide nets fit worse', metric: 'loss', by: 'w', a: 16, b: 2, expect: 'greater', notebook: 'supported' },
  { kind: 'difference', statement: 'g beats f', metric: 'loss', by: 'fn', a: 'g', b: 'f', expect: 'greater', paired: true },
];
const trials: TrialValues[] = ['f', 'g'].flatMap((fn) =>
  [2, 16].flatMap((w) => [0, 1, 2, 3].map((r) => ({ id: `${fn}${w}${r}`, repeat: r, params: { fn, w }, scalars: { loss: (w === 2 ? 1 : 0.5) + [0.03, -0.01, 0.02, 0][r] * (fn === 'g' ? 1 : -1) }, series: {} }))),
);
const verdict = (provisional: boolean): SweepVerdict => ({
  sweep: 's1',
  experiment: 'expX',
  status: provisional ? 'running' : 'done',
  provisional,
  trials: { done: 16, total: provisional ? 20 : 16 },
  rule: 'fixed',
  claims: evaluateClaims(claims, trials),
});

describe('verdict text', () => {
  test('numbers: three significant digits, a real minus, exponent for tiny values, – for none', () => {
    expect(num(-0.123456)).toBe('−0.123');
    expect(num(12.345)).toBe('12.3');
    expect(num(0.00012)).toBe('1.20e−4');
    expect(num(null)).toBe('–');
  });

  test('summary counts results and notebook agreement; lines give each claim its result and numbers', () => {
    const v = verdict(false);
    expect(v.claims.map((c) => c.result)).toEqual(['supported', 'contradicted', 'inconclusive']);
    expect(verdictSummary(v)).toBe('verdict (16/16 trials, sweep done): 1 supported, 1 contradicted, 1 inconclusive of 3 claims; notebook 1 agree, 1 disagree');
    const lines = verdictLines(v);
    expect(lines[1]).toBe('✓ supported    wide nets fit better');
    // Three claims: the first decided at Holm's level 0.05/3, so its interval is a 98.3% one.
    expect(lines[2]).toMatch(/^ {4}Δ = −0\.5\d* \[−0\.5\d*, −0\.4\d*\] \(98\.3%\), d = −\d+(\.\d+)?, n = 8\/8, p [=<] [\d.]+ \(Holm [=<] [\d.]+\); notebook found supported: agrees$/);
    expect(lines.find((l) => l.includes('wide nets fit worse'))).toMatch(/^✗ contradicted/);
    const inconclusive = lines.slice(lines.findIndex((l) => l.includes('g beats f')));
    expect(inconclusive[1]).toMatch(/4 pairs, .*~\d+ repeats per cell might settle it; notebook: no finding/);
    expect(verdictBrief(v)[3]).toMatch(/^\? g beats f: inconclusive \(Δ = /);
  });

  test('provisional verdicts say so, with the trials counted', () => {
    expect(verdictSummary(verdict(true))).toMatch(/^verdict \(provisional: 16\/20 trials done\)/);
  });

  test('a failed request is one line, not an exception', async () => {
    const lines = await verdictReport(async () => {
      throw new Error('HTTP 404 not_found\n  id: no sweep');
    }, 'nope');
    expect(lines).toEqual(['verdict unavailable: HTTP 404 not_found']);
  });
});

describe('verdict panel', () => {
  const doc = () => new JSDOM('<!doctype html><body></body>').window.document;

  test('one row per claim, classed by result, with effect, pairs and the notebook column', () => {
    const panel = renderVerdict(doc(), verdict(false));
    expect(panel.id).toBe('verdict');
    const rows = [...panel.querySelectorAll('tbody tr')];
    expect(rows.map((r) => r.className)).toEqual(['claim supported', 'claim contradicted', 'claim inconclusive']);
    const cells = (i: number) => [...rows[i].querySelectorAll('td')].map((td) => td.textContent);
    expect(cells(0)[0]).toBe('✓ supported');
    expect(cells(0)[2]).toMatch(/^Δ = −0\.5/);
    expect(cells(0)[4]).toBe('8/8');
    expect(cells(2)[4]).toBe('4 pairs'); // 4 repeats, each the mean over the 2 widths
    expect(cells(1)[6]).toBe('notebook found supported: disagrees');
    expect(rows[1].querySelector('td.notebook.disagrees')).not.toBeNull();
    expect(panel.classList.contains('provisional')).toBe(false);
  });

  test('claims without a notebook finding (a custom experiment): no Notebook column, repeats-to-settle under the result', () => {
    const own = claims.map(({ notebook: _n, ...c }) => c as Claim);
    const panel = renderVerdict(doc(), { ...verdict(false), claims: evaluateClaims(own, trials) });
    expect([...panel.querySelectorAll('th')].map((th) => th.textContent)).toEqual(['Result', 'Claim', 'Effect [CI]', 'd', 'n', 'p']);
    for (const row of panel.querySelectorAll('tbody tr')) expect(row.querySelectorAll('td')).toHaveLength(6);
    expect(panel.querySelector('td.notebook')).toBeNull();
    // With the notebook's findings the column is there (the test above).
    expect([...renderVerdict(doc(), verdict(false)).querySelectorAll('th')].map((th) => th.textContent)).toContain('Notebook');
  });

  test('a provisional verdict is marked on the panel', () => {
    const panel = renderVerdict(doc(), verdict(true));
    expect(panel.classList.contains('provisional')).toBe(true);
    expect(panel.textContent).toMatch(/provisional: 16\/20 trials done/);
  });

  test('the panel fetches the sweep verdict route and shows an error instead of breaking the page', async () => {
    const asked: string[] = [];
    const ok = await verdictPanel(async <T>(path: string) => (asked.push(path), verdict(false) as T), 's1', doc());
    expect(asked).toEqual(['/api/sweeps/s1/verdict']);
    expect(ok.querySelectorAll('tbody tr')).toHaveLength(3);
    const failed = await verdictPanel(async () => Promise.reject(new Error('500 internal_error')), 's1', doc());
    expect(failed.querySelector('.error')!.textContent).toBe('verdict unavailable: 500 internal_error');
  });
});
