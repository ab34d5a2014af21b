/**
 * Named figure panels (core/custom/panels.ts, dashboard/figures/panels/): the dashboard's
 * registry against core's table, and each panel drawn as SVG from small real sweeps of
 * specs that ask for it, trained in-process and fetched as the dashboard's loader fetches
 * (aggregate, repeat 0's traces, every repeat's series): formatted snapshots a reviewer can
 * read. Also the spec figure with panels (the band figure, then the panels), and the fork
 * of a built-in: a new id, its parent's views.
 */
import { beforeAll, describe, expect, test } from 'vitest';
import { describeExperiment } from '../../api/routes/experiments';
import { compileSpec } from '../../core/custom/compile';
import { PANEL_NAMES, PANELS } from '../../core/custom/panels';
import { specId, type ExperimentSpecInput } from '../../core/custom/spec';
import { validateSpec } from '../../core/custom/validate';
import { getExperiment } from '../../core/experiments';
import { builtinSpecExperiments } from '../../core/experiments/specs';
import type { Experiment } from '../../core/experiments/types';
import { figureFor, FIGURES } from '../../dashboard/figures';
import { PANEL_REGISTRY } from '../../dashboard/figures/panels';
import { MAX_PANEL_CONFIGS, panelConfigs } from '../../dashboard/figures/panels/layout';
import type { Figure, FigureData } from '../../dashboard/figures/types';
import { formattedSvg, renderFigure } from '../helpers/render';
import { runSweep } from '../helpers/sweep';
import { JSDOM } from 'jsdom';
import * as Plot from '@observablehq/plot';
import { DEFAULT_FIGURE_OPTIONS } from '../../dashboard/figures/common';

/** A spec's figure and the data the dashboard would load for it, from a small real sweep. */
async function sweepOf(input: ExperimentSpecInput, request: Record<string, unknown> = {}): Promise<{ figure: Figure; data: FigureData }> {
  const checked = validateSpec(input);
  if (!checked.ok) throw new Error(JSON.stringify(checked.issues));
  const id = await specId(checked.spec);
  const experiment = compileSpec(id, checked.spec) as unknown as Experiment;
  const lookup = (x: string) => (x === id ? experiment : getExperiment(x));
  const { store, figureData } = await runSweep({ experiment: id, ...request }, { lookup, sweepId: id });
  const figure = figureFor(figureData.experiment)!;
  // As dashboard/figures/load.ts: the figure's trial metrics of its trial repeat only.
  const trials = figure.trialMetrics ? ((await store.trialResults(id, figure.trialMetrics, figure.trialRepeat)) as FigureData['trials']) : [];
  return { figure, data: { ...figureData, trials } };
}

/** One panel of a spec's figure, rendered alone in the default view. */
function renderPanel(name: keyof typeof PANELS, data: FigureData, x: string) {
  const { window } = new JSDOM('<!doctype html><html><body></body></html>');
  const ctx = { Plot, document: window.document, options: DEFAULT_FIGURE_OPTIONS };
  const spec = data.experiment.spec as { record: Array<{ metric: string; at: string; layer?: number }> };
  const element = PANEL_REGISTRY[name].render(data, ctx, { x, record: spec.record });
  window.document.body.append(element);
  return { html: element.outerHTML, element };
}

/**
 * formattedSvg with Plot's clip-path ids numbered from 1 in this markup: Plot counts them
 * over the process, so without this a snapshot would depend on the tests run before it.
 */
function snapshotSvg(html: string): string {
  const ids = new Map<string, number>();
  return formattedSvg(html).replace(/plot-clip-\d+/g, (id) => `plot-clip-${ids.get(id) ?? ids.set(id, ids.size + 1).get(id)}`);
}

const titles = (element: Element) => [...element.querySelectorAll('h2')].map((h) => h.textContent);

/** Two-feature mixture, a small MLP: every record a panel draws. */
const networkSpec: ExperimentSpecInput = {
  title: 'Panels of a network',
  question: 'What do the panels show?',
  hypothesis: 'They show the stored records.',
  // Min–max scaled: the decision grid covers [0, 1]².
  data: { block: 'mixture', n: 60, test_n: 24, d: 2, class_sep: 1.5, scaling: 'minmax' },
  model: { block: 'mlp', width: 4, depth: 1, activation: 'relu' },
  training: { block: 'adam', lr: 0.01, batch_size: 60, steps: 40 },
  record: [
    { metric: 'test_accuracy', at: 'end' },
    { metric: 'decision_boundary', at: 'end', repeats: 1, points: 20 },
    { metric: 'weight_tail', at: 'checkpoints', every: 10, layer: 0, entries: 6 },
    { metric: 'weight_tail', at: 'checkpoints', every: 10, layer: 1, entries: 4 },
    { metric: 'predictions', at: 'end' },
  ],
  grid: { width: [4, 8] },
  repeats: 2,
  figure: { x: 'width', y: 'test_accuracy', panels: ['decision_boundary', 'weight_traces', 'predictions'] },
};

/** The same data fitted by the SVM: its grid holds the predicted class. */
const svmSpec: ExperimentSpecInput = {
  ...networkSpec,
  title: 'Panels of an SVM',
  model: { block: 'svm' },
  record: [
    { metric: 'test_accuracy', at: 'end' },
    { metric: 'decision_boundary', at: 'end', repeats: 1, points: 20 },
  ],
  grid: { svm_c: [1, 10] },
  figure: { x: 'svm_c', y: 'test_accuracy', panels: ['decision_boundary'] },
};

/** A 1-D fit: the last update's predictions (Exp 1's record), and a regression's test predictions. */
const fitSpec = (on: 'last_update' | 'test'): ExperimentSpecInput => ({
  title: `Panels of a fit (${on})`,
  question: 'What do the panels show?',
  hypothesis: 'They show the stored records.',
  data: { block: 'target_1d', n: 12, test_n: 10, function: 'sin', omega: 3, train_x: 'grid' },
  model: { block: 'mlp', width: 4, depth: 1, activation: 'sigmoid' },
  training: { block: 'adam', loss: 'mean_squared_error', lr: 0.01, batch_size: 64, steps: 30 },
  record: [
    { metric: 'test_loss', at: 'end' },
    { metric: 'predictions', at: 'end', on },
  ],
  grid: { width: [2, 4] },
  repeats: 2,
  figure: { x: 'width', y: 'test_loss', panels: ['predictions'] },
});

describe('named panels', () => {
  test("the dashboard's registry has one panel per name of core/custom/panels.ts, each drawing the record core names", () => {
    expect(Object.keys(PANEL_REGISTRY).sort()).toEqual([...PANEL_NAMES].sort());
    for (const name of PANEL_NAMES) {
      expect(PANEL_REGISTRY[name].name).toBe(name);
      expect(PANEL_REGISTRY[name].record).toBe(PANELS[name].record);
    }
  });

  test('with more configs than a panel shows: those at the largest value of the x axis, at most MAX_PANEL_CONFIGS', () => {
    const configs = [1, 2, 5, 10].flatMap((ratio, i) =>
      ['none', 'tile'].map((resample, j) => ({ config: `resample=${resample},class_ratio=${ratio}`, index: 2 * i + j, params: { resample, class_ratio: ratio } })),
    );
    const data = { configs } as unknown as FigureData;
    const { shown, note } = panelConfigs(data, 'class_ratio');
    expect(shown.map((c) => c.config)).toEqual(['resample=none,class_ratio=10', 'resample=tile,class_ratio=10']);
    expect(note).toBe('2 of 8 configs, those at class_ratio=10');
    // Over steps there is no largest value: the first ones in grid order.
    expect(panelConfigs(data, 'step').shown).toHaveLength(MAX_PANEL_CONFIGS);
    // Few configs: all of them, no note.
    expect(panelConfigs({ configs: configs.slice(0, 4) } as unknown as FigureData, 'class_ratio')).toEqual({ shown: configs.slice(0, 4), note: null });
  });

  describe('a network', () => {
    let figure: Figure;
    let data: FigureData;
    beforeAll(async () => {
      ({ figure, data } = await sweepOf(networkSpec));
    }, 120_000);

    test("the spec figure loads what its panels read: repeat 0's traces, the predictions' series", () => {
      expect(figure.trialRepeat).toBe(0);
      expect(figure.trialMetrics).toEqual(expect.arrayContaining(['grid_logit0', 'grid_logit1', 'train_x1', 'test_label', 'weights_layer0', 'weights_layer1', 'label']));
      expect(figure.aggregateMetrics).toEqual(expect.arrayContaining(['test_accuracy', 'score', 'label']));
      expect(figure.repeatMetrics).toEqual(expect.arrayContaining(['test_accuracy', 'score']));
      expect(new Set(data.trials.map((t) => t.repeat))).toEqual(new Set([0]));
    });

    test('the spec figure with panels: the band figure, then each panel in the order of the hint', () => {
      const { element } = renderFigure(figure, data);
      const sections = [...element.querySelectorAll('section.named-panel')].map((s) => (s as HTMLElement).dataset.panel);
      expect(sections).toEqual(['decision_boundary', 'weight_traces', 'predictions']);
      // The band figure comes first, as without panels.
      expect(element.firstElementChild!.querySelector('h2')!.textContent).toBe('test_accuracy against width');
      expect(element.querySelector('p.meta')!.textContent).toBe('test_accuracy at the end of training, against width: median, IQR band, faint: single repeats.');
    });

    test('decision_boundary: per config, training and test points of repeat 0 over its logit contour', async () => {
      const { html, element } = renderPanel('decision_boundary', data, 'width');
      expect([...element.querySelectorAll('.panel > h4')].map((h) => h.textContent)).toEqual(['width=4 (repeat 0)', 'width=8 (repeat 0)']);
      expect(titles(element)).toEqual(['training data', expect.stringMatching(/^test data, accuracy \d\.\d\d$/), 'training data', expect.stringMatching(/^test data, accuracy \d\.\d\d$/)]);
      // Per plot: the filled contours, the boundary line, both classes' points.
      expect(element.querySelectorAll('svg')).toHaveLength(4);
      expect(element.querySelectorAll('g[aria-label="contour"]')).toHaveLength(4 * 2);
      // The test plots show every test point (24), the training plots at most 20 per class.
      const dots = [...element.querySelectorAll('svg')].map((svg) => svg.querySelectorAll('g[aria-label="dot"] circle').length);
      expect(dots[1]).toBe(24);
      expect(dots[0]).toBeLessThanOrEqual(40);
      await expect(snapshotSvg(html)).toMatchFileSnapshot('../__snapshots__/panel.decision_boundary.figure.html');
    });

    test('weight_traces: per traced matrix a row, per config the lines of repeat 0', async () => {
      const { html, element } = renderPanel('weight_traces', data, 'width');
      expect(titles(element)).toEqual(['width=4, weights_layer0 (repeat 0)', 'width=8, weights_layer0 (repeat 0)', 'width=4, weights_layer1 (repeat 0)', 'width=8, weights_layer1 (repeat 0)']);
      // One line per tracked entry: 6 of W0, 4 of W1.
      const lines = [...element.querySelectorAll('svg')].map((svg) => svg.querySelectorAll('g[aria-label="line"] path').length);
      expect(lines).toEqual([6, 6, 4, 4]);
      await expect(snapshotSvg(html)).toMatchFileSnapshot('../__snapshots__/panel.weight_traces.figure.html');
    });

    test('predictions of two classes: the score over the test rows, a band over repeats, the true class under it', async () => {
      const { html, element } = renderPanel('predictions', data, 'width');
      expect([...element.querySelectorAll('.panel > h4')].map((h) => h.textContent)).toEqual(['width=4', 'width=8']);
      // Per config: the score plot and the class strip; no x column in two features: the row index.
      expect(element.querySelectorAll('svg')).toHaveLength(4);
      expect([...element.querySelectorAll('g[aria-label="x-axis label"]')].map((g) => g.textContent?.trim())).toEqual(['row →', 'row →', 'row →', 'row →']);
      // Each repeat's score as a faint line: 2 repeats per config.
      expect(element.querySelectorAll('g.repeats path')).toHaveLength(2 * 2);
      await expect(snapshotSvg(html)).toMatchFileSnapshot('../__snapshots__/panel.predictions.figure.html');
    });
  });

  test('decision_boundary of a classical model: its predicted class as the contour, the same panel', async () => {
    const { figure, data } = await sweepOf(svmSpec);
    const { html, element } = renderFigure(figure, data);
    const section = element.querySelector('section.named-panel[data-panel="decision_boundary"]')!;
    expect([...section.querySelectorAll('.panel > h4')].map((h) => h.textContent)).toEqual(['svm_c=1 (repeat 0)', 'svm_c=10 (repeat 0)']);
    expect(section.querySelectorAll('svg')).toHaveLength(4);
    // The grid holds ±1: the contour of logit₁ − 0 at 0 is the boundary.
    const logit1 = data.trials[0].traces.grid_logit1.values;
    expect(new Set(logit1)).toEqual(new Set([-1, 1]));
    // Per plot: class 1's region in blue, class 0's in red (as their points), the boundary line.
    for (const svg of section.querySelectorAll('svg')) {
      expect([...svg.querySelectorAll('g[aria-label="contour"] > g')].map((g) => g.getAttribute('fill') ?? g.getAttribute('stroke'))).toEqual(['#2166ac', '#b2182b', 'none']);
    }
    await expect(snapshotSvg(html)).toMatchFileSnapshot('../__snapshots__/panel.svm.figure.html');
  }, 120_000);

  test('decision_boundary where a model predicts one class on the whole square: the square shaded in its colour, no boundary line', () => {
    const side = 51 * 51;
    const trace = (values: number[]) => ({ steps: values.map((_, i) => i), values });
    const trial = {
      trial: 't.0',
      config: 'svm_c=1',
      repeat: 0,
      status: 'done',
      params: { svm_c: 1 },
      scalars: {},
      series: {},
      traces: { grid_logit0: trace(Array(side).fill(0)), grid_logit1: trace(Array(side).fill(1)), train_x1: trace([0.2]), train_x2: trace([0.3]), train_label: trace([1]), test_x1: trace([0.5]), test_x2: trace([0.5]), test_label: trace([0]) },
    };
    const data = { experiment: { id: 'x', grid: { svm_c: [1] }, spec: { record: [] } }, configs: [{ config: 'svm_c=1', index: 0, params: { svm_c: 1 } }], aggregate: [], trials: [trial] } as unknown as FigureData;
    const { element } = renderPanel('decision_boundary', data, 'svm_c');
    // Every point inside the grid's square: no word about unscaled data.
    expect(element.querySelector('p.caption')!.textContent).not.toContain('outside');
    trial.traces.test_x1 = trace([1.5]);
    expect(renderPanel('decision_boundary', data, 'svm_c').element.querySelector('p.caption')!.textContent).toContain('1 points lie outside [0, 1]²');
    const plots = [...element.querySelectorAll('svg')];
    expect(plots).toHaveLength(2);
    for (const svg of plots) {
      // Class 1 everywhere: blue, as its points.
      expect(svg.querySelector('g[aria-label="rect"]')?.getAttribute('fill')).toBe('#2166ac');
      expect(svg.querySelectorAll('g[aria-label="contour"] path')).toHaveLength(0);
    }
  });

  test("predictions of a fit: the true y and the predicted y against x (Exp 1's record, 'last_update')", async () => {
    const { figure, data } = await sweepOf(fitSpec('last_update'));
    const { html, element } = renderPanel('predictions', data, 'width');
    expect(titles(element)).toEqual(['width=2', 'width=4']);
    expect([...element.querySelectorAll('g[aria-label="x-axis label"]')].map((g) => g.textContent?.trim())).toEqual(['x →', 'x →']);
    // Per config: the true curve and the predicted band with its centre line, and 2 faint repeats.
    expect(element.querySelectorAll('g.repeats path')).toHaveLength(2 * 2);
    expect(element.textContent).toContain('true y');
    expect(figure.repeatMetrics).toContain('y_pred');
    await expect(snapshotSvg(html)).toMatchFileSnapshot('../__snapshots__/panel.predictions.fit.figure.html');
  }, 120_000);

  test("predictions of a regression on its test rows: the target (label) and the output (score) as a fit, not as classes", async () => {
    const { data } = await sweepOf(fitSpec('test'));
    const { element } = renderPanel('predictions', data, 'width');
    expect(element.textContent).toContain('true y');
    // One plot per config against x, y on the target's scale; no class strip.
    expect([...element.querySelectorAll('g[aria-label="y-axis label"]')].map((g) => g.textContent?.trim())).toEqual(['↑ y', '↑ y']);
    expect([...element.querySelectorAll('g[aria-label="x-axis label"]')].map((g) => g.textContent?.trim())).toEqual(['x →', 'x →']);
  }, 120_000);

  test("a fork of a built-in: a new id, the generic figure and its parent's panels", () => {
    const parents: Record<string, string[]> = { exp1: ['predictions'], exp2: ['predictions'], exp4: ['decision_boundary'], exp12: ['weight_traces'] };
    for (const e of builtinSpecExperiments().filter((b) => b.id in parents)) {
      const description = describeExperiment(e as unknown as Experiment);
      expect(figureFor(description)).toBe(FIGURES[e.id]);
      const fork = figureFor({ ...description, id: 'x0123456789ab' })!;
      expect(fork.experiment).toBe('x0123456789ab');
      expect(e.spec.figure?.panels).toEqual(parents[e.id]);
      // It loads what the parent's panels read.
      if (e.id === 'exp4') expect(fork).toMatchObject({ trialRepeat: 0, trialMetrics: expect.arrayContaining(['grid_logit1', 'test_x1']) });
      if (e.id === 'exp12') expect(fork).toMatchObject({ trialRepeat: 0, trialMetrics: ['weights_layer0'] });
      if (e.id === 'exp1') expect(fork.aggregateMetrics).toEqual(expect.arrayContaining(['mse', 'x', 'y_true', 'y_pred']));
    }
  });
});
