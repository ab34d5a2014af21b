/**
 * The sweep page's Settle card (dashboard/settle.ts) in jsdom, from a fixed settle state
 * (two looks of an exp1 sweep, as GET /api/sweeps/:id/settle answered it): the estimate
 * before Settle is pressed, the rounds table, the status, and a refused POST as text.
 */
import { JSDOM } from 'jsdom';
import { describe, expect, test, vi } from 'vitest';
import { AtomsweepError } from '../../client';
import { cpuText, DEFAULT_BUDGET_CAP, estimateText, parseBudget, settleCard, type SettleAnswer, type SettleCardOptions, type SettleState } from '../../dashboard/settle';

const SIN = 'sin(12x): the fitting error falls as the hidden layer widens';
const POLY = 'Polynomial: the fitting error falls as the hidden layer widens';
const ABS = '|x|: the fitting error falls as the hidden layer widens';

const settle: SettleState = {
  sweepId: 's1',
  status: 'exhausted',
  round: 2,
  budget: { trials: 30, cpuMs: null },
  spent: { trials: 30, cpuMs: 1272 },
  reason: 'the budget has 0 trials left; the next repeat needs 6',
  history: [
    {
      round: 0,
      at: 1,
      trials: { done: 18, total: 18 },
      claims: [
        { statement: SIN, result: 'inconclusive', p: 1, ci: null, repeats: 3, repeatsToSettle: 57 },
        { statement: POLY, result: 'inconclusive', p: 0.74, ci: null, repeats: 3, repeatsToSettle: 20 },
        { statement: ABS, result: 'inconclusive', p: 0.64, ci: null, repeats: 3, repeatsToSettle: 16 },
      ],
      added: { trials: 12, cpuMs: 272, cells: 6 },
    },
    {
      round: 1,
      at: 2,
      trials: { done: 30, total: 30 },
      claims: [
        { statement: SIN, result: 'inconclusive', p: 1, ci: [-0.97, 0.77], repeats: 5, repeatsToSettle: null },
        { statement: POLY, result: 'supported', p: 0.0004, ci: [-1.5, -0.2], repeats: 5, repeatsToSettle: null },
        { statement: ABS, result: 'contradicted', p: 0.01, ci: [0.001, 0.002], repeats: 5, repeatsToSettle: null },
      ],
      added: { trials: 18, cpuMs: 1000, cells: 6 },
    },
    {
      round: 2,
      at: 3,
      trials: { done: 48, total: 48 },
      claims: [
        { statement: SIN, result: 'inconclusive', p: 0.9, ci: [-0.5, 0.4], repeats: 8, repeatsToSettle: null },
        { statement: POLY, result: 'supported', p: 0.0001, ci: [-1.4, -0.3], repeats: 8, repeatsToSettle: null },
        { statement: ABS, result: 'contradicted', p: 0.002, ci: [0.001, 0.002], repeats: 8, repeatsToSettle: null },
      ],
      added: { trials: 0, cpuMs: 0, cells: 0 },
    },
  ],
  startedAt: 1,
  updatedAt: 3,
};
const estimate = { undecided: 3, trials: 168, cpuMs: 3806, unreachable: 0 };
const inconclusive = { claims: [{ result: 'inconclusive' as const }, { result: 'supported' as const }] };
const decided = { claims: [{ result: 'supported' as const }] };

function mount(answer: SettleAnswer | { error: string }, o: Partial<SettleCardOptions> = {}) {
  const doc = new JSDOM('<!doctype html><body></body>').window.document as Document;
  const start = vi.fn(o.start ?? (async () => ({})));
  const started = vi.fn();
  const card = settleCard({ doc, answer, verdict: inconclusive as SettleCardOptions['verdict'], sweepLive: false, ...o, start, started });
  if (card) doc.body.append(card);
  const $ = <T extends Element = HTMLElement>(sel: string) => doc.querySelector(sel) as T | null;
  return { doc, card, start, started, $ };
}
const flush = () => new Promise((r) => setTimeout(r, 0));

describe('estimate text', () => {
  test('trials and CPU that would likely decide the undecided claims', () => {
    expect(estimateText(estimate)).toBe('About 168 more trials, ~4 s of CPU, would likely decide the 3 undecided claims.');
    expect(estimateText({ undecided: 1, trials: 1, cpuMs: 400, unreachable: 0 })).toBe('About 1 more trial, under 1 s of CPU, would likely decide the undecided claim.');
  });

  test('claims without a visible effect are counted apart: no number of repeats is promised for them', () => {
    expect(estimateText({ undecided: 3, trials: 40, cpuMs: 150_000, unreachable: 2 })).toBe(
      'About 40 more trials, ~3 min of CPU, would likely decide 1 of the 3 undecided claims; 2 claims show no effect yet, so no number of repeats can be promised for them.',
    );
    expect(estimateText({ undecided: 1, trials: 0, cpuMs: 0, unreachable: 1 })).toBe('1 claim shows no effect yet, so no number of repeats can be promised for it; Settle still adds repeats a round at a time within the budget.');
    expect(estimateText({ undecided: 0, trials: 0, cpuMs: 0, unreachable: 0 })).toMatch(/^Every claim is decided/);
  });

  test('CPU time and budgets', () => {
    expect([cpuText(300), cpuText(3806), cpuText(150_000), cpuText(5 * 3600_000)]).toEqual(['< 1 s', '4 s', '3 min', '5 h']);
    expect(parseBudget('')).toEqual({});
    expect(parseBudget(' 12 ')).toEqual({ trials: 12 });
    for (const bad of ['0', '-3', '2.5', 'x']) expect(parseBudget(bad)).toHaveProperty('error');
    expect(parseBudget('', true)).toHaveProperty('error');
  });
});

describe('settle card', () => {
  test('nothing to show: no settle and every claim decided', () => {
    expect(mount({ settle: null, estimate }, { verdict: decided as SettleCardOptions['verdict'] }).card).toBeNull();
    // Once settled, the card (with its history) stays.
    expect(mount({ settle, estimate }, { verdict: decided as SettleCardOptions['verdict'] }).card).not.toBeNull();
  });

  test('before Settle: the estimate, a budget defaulting to it (capped), and the button', () => {
    const { $, card } = mount({ settle: null, estimate });
    expect(card!.id).toBe('settle');
    expect($('#settle-estimate')!.textContent).toBe('About 168 more trials, ~4 s of CPU, would likely decide the 3 undecided claims.');
    expect($<HTMLInputElement>('#settle-budget')!.value).toBe('168');
    expect($('#settle-start')!.textContent).toBe('Settle');
    expect($('#settle-status')).toBeNull();
    expect($('#settle-rounds')).toBeNull();
    expect(mount({ settle: null, estimate: { ...estimate, trials: 50_000 } }).$<HTMLInputElement>('#settle-budget')!.value).toBe(String(DEFAULT_BUDGET_CAP));
    expect(mount({ settle: null, estimate: { ...estimate, trials: 0, unreachable: 3 } }).$<HTMLInputElement>('#settle-budget')!.value).toBe('');
  });

  test('while the sweep still runs, Settle is not offered yet', () => {
    const { $ } = mount({ settle: null, estimate }, { sweepLive: true });
    expect($('#settle-start')).toBeNull();
    expect($('#settle')!.textContent).toContain('once the sweep’s trials have finished');
  });

  test('pressing Settle posts the typed budget, then hands over to the page', async () => {
    const { $, start, started } = mount({ settle: null, estimate });
    $<HTMLInputElement>('#settle-budget')!.value = '12';
    $<HTMLButtonElement>('#settle-start')!.click();
    await flush();
    expect(start).toHaveBeenCalledWith({ trials: 12 });
    expect(started).toHaveBeenCalledOnce();
    expect($('#settle-error')!.textContent).toBe('');
  });

  test('a blank budget asks for the server default; a bad one is refused before posting', async () => {
    const blank = mount({ settle: null, estimate });
    blank.$<HTMLInputElement>('#settle-budget')!.value = '';
    blank.$<HTMLButtonElement>('#settle-start')!.click();
    await flush();
    expect(blank.start).toHaveBeenCalledWith({});
    const bad = mount({ settle: null, estimate });
    bad.$<HTMLInputElement>('#settle-budget')!.value = '0';
    bad.$<HTMLButtonElement>('#settle-start')!.click();
    await flush();
    expect(bad.start).not.toHaveBeenCalled();
    expect(bad.$('#settle-error')!.textContent).toMatch(/^The budget is a whole number of trials, at least 1/);
  });

  test("a refused POST is text in the card, naming the API's field; the button works again", async () => {
    const { $, started } = mount(
      { settle: null, estimate },
      {
        start: async () => {
          throw new AtomsweepError(400, 'invalid_request', [{ field: 'budget.trials', message: 'the sweep holds 18 trials and may hold 20: at most 2 more' }]);
        },
      },
    );
    $<HTMLButtonElement>('#settle-start')!.click();
    await flush();
    expect($('#settle-error')!.textContent).toBe('Settle refused (HTTP 400): budget.trials: the sweep holds 18 trials and may hold 20: at most 2 more');
    expect($<HTMLButtonElement>('#settle-start')!.disabled).toBe(false);
    expect(started).not.toHaveBeenCalled();
    const conflict = mount(
      { settle: null, estimate },
      {
        start: () => Promise.reject(new AtomsweepError(409, 'conflict', [{ field: 'id', message: 'the sweep is already being settled (round 1)' }])),
      },
    );
    conflict.$<HTMLButtonElement>('#settle-start')!.click();
    await flush();
    expect(conflict.$('#settle-error')!.textContent).toBe('Settle refused (HTTP 409): the sweep is already being settled (round 1)');
    const offline = mount({ settle: null, estimate }, { start: () => Promise.reject(new TypeError('Failed to fetch')) });
    offline.$<HTMLButtonElement>('#settle-start')!.click();
    await flush();
    expect(offline.$('#settle-error')!.textContent).toBe('Settle failed: Failed to fetch');
  });

  test('a finished settle: status, reason, spent against the budget, one row per look with each claim’s mark and repeats', () => {
    const { $, doc } = mount({ settle, estimate: { undecided: 1, trials: 100, cpuMs: 2000, unreachable: 1 } });
    expect($('#settle-status .status')!.className).toBe('status exhausted');
    expect($('#settle-status')!.textContent).toBe('exhausted the budget has 0 trials left; the next repeat needs 6');
    expect($('#settle-spent')!.textContent).toBe('Round 2 · 30 of 30 trials spent · ~1 s of CPU');
    expect([...doc.querySelectorAll('#settle-rounds th')].map((th) => th.textContent)).toEqual(['Round', 'Trials', SIN, POLY, ABS, 'Added']);
    const rows = [...doc.querySelectorAll('#settle-rounds tbody tr')].map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent));
    expect(rows).toEqual([
      ['0', '18/18', '? 3', '? 3', '? 3', '+12 trials in 6 cells (under 1 s)'],
      ['1', '30/30', '? 5', '✓ 5', '✗ 5', '+18 trials in 6 cells (~1 s)'],
      ['2', '48/48', '? 8', '✓ 8', '✗ 8', '–'],
    ]);
    expect(doc.querySelector('#settle-rounds tbody tr:nth-child(2) td.claim.supported')!.getAttribute('title')).toBe('supported, p = < 0.001, 5 repeats per cell');
    expect(doc.querySelector('#settle-rounds tbody tr td.claim')!.getAttribute('title')).toBe('inconclusive, p = 1, 3 repeats per cell; ~57 might settle it');
    // An undecided claim is left: Settle is offered again, on top of what was spent.
    expect($('#settle-estimate')!.textContent).toContain('1 claim shows no effect yet');
    expect($('#settle-start')).not.toBeNull();
  });

  test('decided without a reason says every claim is decided; nothing more is offered', () => {
    const { $ } = mount({ settle: { ...settle, status: 'decided', reason: null }, estimate: { undecided: 0, trials: 0, cpuMs: 0, unreachable: 0 } }, { verdict: decided as SettleCardOptions['verdict'] });
    expect($('#settle-status')!.textContent).toBe('decided every claim decided');
    expect($('#settle-start')).toBeNull();
  });

  test('while running: status and round, the rounds so far, no button', () => {
    const running: SettleState = { ...settle, status: 'running', round: 1, reason: null, spent: { trials: 12, cpuMs: 272 }, budget: { trials: 12, cpuMs: 60_000 }, history: settle.history.slice(0, 1) };
    const { $, doc } = mount({ settle: running, estimate });
    expect($('#settle-status')!.textContent).toMatch(/^running round 1: adding repeats/);
    expect($('#settle-spent')!.textContent).toBe('Round 1 · 12 of 12 trials spent · under 1 s of ~60 s CPU');
    expect(doc.querySelectorAll('#settle-rounds tbody tr')).toHaveLength(1);
    expect($('#settle-start')).toBeNull();
    expect($('#settle-budget')).toBeNull();
  });

  test('an unreadable settle state is a line in the card', () => {
    const { $ } = mount({ error: 'HTTP 500 internal_error' });
    expect($('#settle-error')!.textContent).toBe('Settle unavailable: HTTP 500 internal_error');
    expect($('#settle-start')).toBeNull();
  });
});
