/**
 * Exp 3 figure (notebook: 8×8, "Test Accuracy of Various Classifiers"): test accuracy vs
 * training size int(0.8·n) on a log axis, one line with `-o` markers per classifier in the
 * notebook's legend order; the notebook plots the mean over its 3 repeats, here the mean
 * ± 1 std band across repeats. A smaller companion panel shows training accuracy the same
 * way (the code's `accuracy_on='train'` option), which tells fitting from generalising.
 */
import { bandMarks, grid, meanStd, panel, pointsOf, repeatsOf, viewLabel, viewOf, type Point, type RepeatPoint } from './common';
import type { Figure, FigureContext, FigureData } from './types';

// The experiment's `classifier` values (kept here so the dashboard bundle stays free of core's training code).
const CLASSIFIERS = ['svm', 'tree', 'shallow', 'deep'] as const;
type Classifier = (typeof CLASSIFIERS)[number];
/** The notebook's legend, in its order. */
const CLASSIFIER_LABELS: Record<Classifier, string> = {
  svm: 'Support Vector Machine',
  tree: 'Decision Trees',
  shallow: 'Shallow Network',
  deep: 'Deep Network',
};

type Row = Point & { x: number; series: string; classifier: Classifier };

/** Placed at x = the config's training size, labelled by classifier (points and single repeats alike). */
function placed<P extends { config: string; params: Record<string, unknown> }>(data: FigureData, rows: P[]) {
  const size = new Map(pointsOf(data, 'train_size', { final: true }).map((p) => [p.config, p.mean]));
  return rows
    .filter((p) => CLASSIFIERS.includes(p.params.classifier as Classifier) && size.has(p.config))
    .map((p) => {
      const classifier = p.params.classifier as Classifier;
      return { ...p, x: size.get(p.config)!, series: CLASSIFIER_LABELS[classifier], classifier };
    })
    .sort((a, b) => CLASSIFIERS.indexOf(a.classifier) - CLASSIFIERS.indexOf(b.classifier) || a.x - b.x);
}

function rowsOf(data: FigureData, metric: string): Row[] {
  return placed(data, pointsOf(data, metric, { final: true }));
}

function accuracyPlot(ctx: FigureContext, rows: Row[], o: { title: string; y: string; size: number; legend: boolean; repeats: RepeatPoint[] }): Element {
  const { Plot } = ctx;
  const present = CLASSIFIERS.filter((c) => rows.some((r) => r.classifier === c)).map((c) => CLASSIFIER_LABELS[c]);
  return Plot.plot({
    document: ctx.document,
    title: o.title,
    width: o.size,
    height: o.size,
    marginLeft: 55,
    x: { label: 'Training size', type: 'log' },
    y: { label: o.y, grid: true },
    color: { legend: o.legend, domain: present },
    marks: bandMarks(Plot, rows, { fillOpacity: 0.2, r: 3.5, view: viewOf(ctx), repeats: o.repeats, repeatKind: 'dot' }),
  });
}

export const exp03Figure: Figure = {
  experiment: 'exp3',
  aggregateMetrics: ['test_accuracy', 'train_accuracy', 'train_size', 'n_iter', 'converged', 'n_support', 'tree_depth', 'tree_leaves'],
  repeatMetrics: ['test_accuracy', 'train_accuracy'],
  main: { metric: 'test_accuracy', final: true, label: 'test accuracy' },
  headline(data) {
    const rows = rowsOf(data, 'test_accuracy');
    const sizes = [...new Set(rows.map((r) => r.x))].sort((a, b) => a - b);
    if (!sizes.length) return [];
    const ends = sizes.length > 1 ? [sizes[sizes.length - 1], sizes[0]] : [sizes[0]];
    return ends.flatMap((size) =>
      CLASSIFIERS.flatMap((c) => {
        const r = rows.find((p) => p.classifier === c && p.x === size);
        return r ? [`${CLASSIFIER_LABELS[c]}, ${size} training points: test accuracy ${meanStd(r)}`] : [];
      }),
    );
  },
  render(data, ctx) {
    const repeats = (metric: string) => placed(data, repeatsOf(data, metric, { final: true }));
    const main = accuracyPlot(ctx, rowsOf(data, 'test_accuracy'), { title: 'Test Accuracy of Various Classifiers', y: 'Test accuracy', size: 560, legend: true, repeats: repeats('test_accuracy') });
    const train = accuracyPlot(ctx, rowsOf(data, 'train_accuracy'), { title: 'Training accuracy', y: 'Training accuracy', size: 340, legend: false, repeats: repeats('train_accuracy') });
    return grid(ctx, 'figure exp3', [grid(ctx, 'row', [panel(ctx, `Test accuracy vs training size (${viewLabel(viewOf(ctx))} across repeats)`, main), panel(ctx, 'Training accuracy (same fits)', train)])]);
  },
};
