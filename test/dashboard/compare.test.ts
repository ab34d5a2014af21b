/**
 * The compare page's pieces on two real small sweeps of Exp 10 that differ in seed and
 * steps: the overlaid figure (jsdom SVG snapshot), the request-diff table and the verdicts.
 */
import * as Plot from '@observablehq/plot';
import { JSDOM } from 'jsdom';
import { describe, expect, test } from 'vitest';
import { cellLabels, compareFigure, comparePage, diffTable, idsFromHash, requestDiff, verdictTable, type CompareSweep } from '../../dashboard/compare';
import { FIGURES } from '../../dashboard/figures';
import type { ConfigInfo } from '../../dashboard/routes';
import { formattedSvg } from '../helpers/render';
import { runSweep } from '../helpers/sweep';

async function sweep(id: string, request: Record<string, unknown>, name: string | null = null): Promise<CompareSweep> {
  const { figureData, store } = await runSweep(request, { sweepId: id });
  const summary = (await store.getSweep(id, 0))!;
  return { id, experiment: summary.experiment, name, seed: summary.seed, repeats: summary.repeats, request: summary.request as CompareSweep['request'], configs: figureData.configs, aggregate: figureData.aggregate };
}

describe('compare page', () => {
  test('two real Exp 10 sweeps: one overlaid figure (colour = sweep, a band each), the request diff, the verdicts', async () => {
    const base = { experiment: 'exp10', repeats: 2, params: { n: 100, width: 12, steps: 30 }, grid: { initializer: ['xavier', 'zeros'] } };
    const a = await sweep('cmpA', { ...base, seed: 0 });
    const b = await sweep('cmpB', { ...base, seed: 7, params: { ...base.params, steps: 50 } }, 'longer');
    const { window } = new JSDOM('<!doctype html><html><body></body></html>');
    const doc = window.document;
    const main = FIGURES.exp10.main!;
    expect(main).toEqual({ metric: 'test_accuracy', final: false, label: 'test accuracy' });

    const fig = compareFigure([a, b], main, { Plot, document: doc, options: { band: 'iqr', center: 'median', repeats: true } });
    doc.body.append(fig);
    // One panel per config; in each, one band and one line per sweep.
    const legend = [...fig.querySelectorAll('[class$="-swatch"]')].map((s) => s.textContent);
    expect(legend).toEqual(['cmpA', 'longer (cmpB)']);
    expect(fig.querySelectorAll('g[aria-label="area"] path')).toHaveLength(2 * 2);
    expect(fig.querySelectorAll('g[aria-label="line"] path')).toHaveLength(2 * 2);
    expect([...fig.querySelectorAll('g[aria-label="fx-axis tick label"] text')].map((t) => t.textContent)).toEqual(['initializer=xavier', 'initializer=zeros']);
       // The two sweeps' lines differ (other seed, other steps).
    const lines = [...fig.querySelectorAll('g[aria-label="line"] path')].map((p) => p.getAttribute('d'));
    expect(new Set(lines).size).toBe(4);
    expect(fig.textContent).toContain('median, IQR band');
    await expect(formattedSvg(fig.outerHTML)).toMatchFileSnapshot('../__snapshots__/compare.figure.html');

    // What differs: seed and steps, nothing else; shared fields follow.
    const diff = requestDiff([a, b]);
    expect(diff.filter((r) => r.differs).map((r) => [r.field, ...r.values])).toEqual([
      ['params.steps', '30', '50'],
      ['seed', '0', '7'],
    ]);
    expect(diff.find((r) => r.field === 'grid.initializer')).toEqual({ field: 'grid.initializer', values: ['["xavier","zeros"]', '["xavier","zeros"]'], differs: false });
    const table = diffTable(doc, [a, b]);
    expect([...table.querySelectorAll('tr.differs td:first-child')].map((td) => td.textContent)).toEqual(['params.steps', 'seed']);
    expect([...table.querySelectorAll('th')].map((th) => th.textContent)).toEqual(['Request field', 'cmpA', 'longer (cmpB)']);

    // Verdicts side by side when any sweep has one; omitted when none does.
    expect(verdictTable(doc, [{ label: 'cmpA', claims: null }, { label: 'cmpB', claims: null }])).toBeNull();
    const v = verdictTable(doc, [
      { label: 'cmpA', claims: [{ statement: 'Xavier beats zeros', result: 'supported', effect: 0.21, ci: [0.1, 0.3] }] },
      { label: 'cmpB', claims: null },
    ])!;
    expect([...v.querySelectorAll('tbody td')].map((td) => td.textContent)).toEqual(['Xavier beats zeros', 'supported (effect 0.210, CI [0.100, 0.300])', 'no verdict']);
  }, 120_000);

  test('configs meet across sweeps by the parameters some sweep varies, not by config key or fixed settings', () => {
    const c = (config: string, index: number, params: ConfigInfo['params']): ConfigInfo => ({ config, index, params });
    const grid3 = { configs: [c('function=sin,n_hidden=4', 0, { function: 'sin', n_hidden: 4, steps: 1500 }), c('function=abs,n_hidden=4', 1, { function: 'abs', n_hidden: 4, steps: 1500 })] };
    const sinOnly = { configs: [c('n_hidden=4', 0, { function: 'sin', n_hidden: 4, steps: 10_000 }), c('n_hidden=16', 1, { function: 'sin', n_hidden: 16, steps: 10_000 })] };
    const labels = cellLabels([grid3, sinOnly]);
    expect([...grid3.configs, ...sinOnly.configs].map((x) => labels.get(x))).toEqual(['function=sin, n_hidden=4', 'function=abs, n_hidden=4', 'function=sin, n_hidden=4', 'function=sin, n_hidden=16']);
  });

  test('the page: fetches only the main metric, shows no verdict card when the route answers 404, refuses mixed experiments', async () => {
    const { window } = new JSDOM('<!doctype html><html><body></body></html>');
    const sweeps: Record<string, { experiment: string }> = { s1: { experiment: 'exp1' }, s2: { experiment: 'exp1' }, s3: { experiment: 'exp2' } };
    const asked: string[] = [];
    const get = async <T>(path: string): Promise<T> => {
      asked.push(path);
      const m = path.match(/^\/api\/sweeps\/(\w+)(\/\w+)?/)!;
      if (m[2] === '/verdict') throw new Error('404 not_found');
      if (m[2] === '/configs') return [{ config: 'c', index: 0, params: {} }] as T;
      if (m[2] === '/aggregate') return { rows: [{ config: 'c', metric: 'mse', step: null, mean: m[1] === 's1' ? 0.1 : 0.3, std: 0.01, n: 3, median: 0.1, q1: 0.09, q3: 0.11 }] } as T;
      return { id: m[1], experiment: sweeps[m[1]].experiment, name: null, seed: 0, repeats: 3, request: { experiment: sweeps[m[1]].experiment, seed: m[1] === 's1' ? 0 : 1 } } as T;
    };
    const ctx = { Plot, document: window.document };
    const parts = await comparePage(idsFromHash('#/compare?ids=s1,s2'), get, ctx, (e) => FIGURES[e]?.main);
    expect(parts.map((p) => p.id || p.tagName)).toEqual(['H2', 'compare-figure', 'compare-requests']);
    expect(asked.filter((p) => p.includes('/aggregate'))).toEqual(['/api/sweeps/s1/aggregate?metric=mse', '/api/sweeps/s2/aggregate?metric=mse']);
    // A final scalar: one dot per sweep and config.
    expect(parts[1].querySelectorAll('g[aria-label="dot"] circle')).toHaveLength(2);
    const mixed = await comparePage(['s1', 's3'], get, ctx, (e) => FIGURES[e]?.main);
    expect(mixed[1].textContent).toMatch(/different experiments \(exp1, exp2\)/);
    expect((await comparePage(['s1'], get, ctx, () => undefined))[1].textContent).toMatch(/two or more/);
  });
});
