/**
 * Figure export and loading, in jsdom: the SVG file is well-formed standalone XML holding
 * every Plot SVG of the figure; the loader asks the API only for what the view draws.
 */
import { JSDOM } from 'jsdom';
import { describe, expect, test } from 'vitest';
import { figureSvg } from '../../dashboard/figure-export';
import { loadView, saveView } from '../../dashboard/figure-view';
import { DEFAULT_FIGURE_OPTIONS } from '../../dashboard/figures/common';
import { exp01Figure } from '../../dashboard/figures/exp01';
import { FIGURES } from '../../dashboard/figures';
import { loadFigureData } from '../../dashboard/figures/load';
import { renderFigure } from '../helpers/render';
import { runSweep } from '../helpers/sweep';

describe('figure SVG export', () => {
  test('a standalone SVG: parses as XML, keeps every Plot SVG and the titles, drops controls, escapes the CSS', async () => {
    const { figureData } = await runSweep({ experiment: 'exp1', repeats: 2, params: { steps: 50, n: 10, function: 'sin' }, grid: { width: [2, 4] } });
    const { element } = renderFigure(exp01Figure, figureData);
    element.append(element.ownerDocument.createElement('button'));
    const svgs = element.querySelectorAll('svg').length;
    const text = figureSvg(element, { width: 700.4, height: 500, css: '.a > .b { color: red } /* & < */' });
    const { window } = new JSDOM('');
    const doc = new window.DOMParser().parseFromString(text, 'image/svg+xml');
    expect(doc.querySelector('parsererror')).toBeNull();
    const root = doc.documentElement;
    expect(root.namespaceURI).toBe('http://www.w3.org/2000/svg');
    expect([root.getAttribute('width'), root.getAttribute('height'), root.getAttribute('viewBox')]).toEqual(['701', '500', '0 0 701 500']);
    const fo = root.getElementsByTagName('foreignObject')[0];
    expect(fo.getElementsByTagNameNS('http://www.w3.org/1999/xhtml', 'div').length).toBeGreaterThan(0);
    expect(fo.getElementsByTagNameNS('http://www.w3.org/2000/svg', 'svg')).toHaveLength(svgs);
    expect(fo.getElementsByTagNameNS('http://www.w3.org/1999/xhtml', 'button')).toHaveLength(0);
    expect(fo.getElementsByTagNameNS('http://www.w3.org/1999/xhtml', 'style')[0].textContent).toBe('.a > .b { color: red } /* & < */');
    expect(fo.textContent).toContain('sin(ωx): 4 hidden units, MSE median');
    // The single repeats travel with the figure.
    expect(text).toContain('class="repeats"');
  }, 60_000);
});

describe('figure data loading', () => {
  test('repeats view: one extra request for the drawn metrics of every trial; otherwise none', async () => {
    const asked: string[] = [];
    const get = async <T>(path: string): Promise<T> => {
      asked.push(path);
      if (path.includes('/trials')) return { trials: [{ id: 't.0', status: 'done' }, { id: 't.1', status: 'failed' }] } as T;
      if (path.includes('/aggregate')) return { rows: [] } as T;
      return (path.includes('/configs') ? [] : {}) as T;
    };
    const withRepeats = await loadFigureData(get, 's', 'exp1', FIGURES.exp1, { repeats: true });
    expect(asked.filter((p) => p.includes('/trials'))).toEqual(['/api/sweeps/s/trials?metric=y_pred']);
    expect(withRepeats.repeats!.map((t) => t.id)).toEqual(['t.0']); // done trials only, as the aggregate
    asked.length = 0;
    await loadFigureData(get, 's', 'exp1', FIGURES.exp1);
    expect(asked.filter((p) => p.includes('/trials'))).toEqual([]);
    // exp4 keeps its repeat-0 grid request and adds only test_accuracy for all repeats.
    asked.length = 0;
    await loadFigureData(get, 's', 'exp4', FIGURES.exp4, { repeats: true });
    expect(asked.filter((p) => p.includes('/trials')).sort()).toEqual([
      `/api/sweeps/s/trials?metric=${FIGURES.exp4.trialMetrics!.join(',')}&repeat=0`,
      '/api/sweeps/s/trials?metric=test_accuracy',
    ]);
  });

  test('the view is read back from storage, with defaults for anything missing or malformed', () => {
    const store = new Map<string, string>();
    const storage = { getItem: (k: string) => store.get(k) ?? null, setItem: (k: string, v: string) => void store.set(k, v) };
    expect(loadView(storage)).toEqual(DEFAULT_FIGURE_OPTIONS);
    saveView(storage, { band: 'std', center: 'mean', repeats: false });
    expect(loadView(storage)).toEqual({ band: 'std', center: 'mean', repeats: false });
    store.set('atomsweep-figure-view', '{"band":"ranges","repeats":"yes"}');
    expect(loadView(storage)).toEqual(DEFAULT_FIGURE_OPTIONS);
    store.set('atomsweep-figure-view', 'not json');
    expect(loadView(storage)).toEqual(DEFAULT_FIGURE_OPTIONS);
  });
});
