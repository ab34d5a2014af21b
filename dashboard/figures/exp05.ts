/**
 * Exp 5 figure (notebook: 12×6, two panels). Left, "Neural Network Memorization": training
 * accuracy at the LAST checkpoint (acc[-1], step 2250) against n, mean ± 1 std band over
 * repeats, ylim [0, 1.04], legend "True labels"/"Random labels". Right, "Training Accuracy
 * (n=150)": training accuracy at every checkpoint with bands. The x axis shows the updates
 * applied at each checkpoint (1, 251, …, 2251: the notebook's step indices 0, 250, …, 2250,
 * measured after that step's update); the notebook labelled the same points
 * linspace(250, 2500, 10) as "Epoch", the step index plus one interval, which the caption notes.
 */
import { bandMarks, grid, meanStd, pointsOf, repeatsOf, viewLabel, viewOf, type Point, type RepeatPoint } from './common';
import type { Figure, FigureContext, FigureData } from './types';

const LABEL: Record<string, string> = { true: 'True labels', random: 'Random labels' };
const ORDER = ['True labels', 'Random labels'];
const COLORS = ['#1f77b4', '#ff7f0e'];

type Row = Point & { x: number; series: string };

const seriesOf = (p: { params: Record<string, unknown> }) => LABEL[String(p.params.labels)] ?? String(p.params.labels);

function lastCheckpoint(data: FigureData): Row[] {
  return atLast(pointsOf(data, 'train_accuracy', { final: false }));
}

/** Rows at the last checkpoint, placed at x = n (points and single repeats alike). */
function atLast<P extends { step: number | null; params: Record<string, unknown> }>(curve: P[]): Array<P & { x: number; series: string }> {
  const last = Math.max(...curve.map((p) => Number(p.step)));
  return curve
    .filter((p) => p.step === last)
    .map((p) => ({ ...p, x: Number(p.params.n), series: seriesOf(p) }))
    .sort((a, b) => ORDER.indexOf(a.series) - ORDER.indexOf(b.series) || a.x - b.x);
}

/** n = 150 when swept (the notebook's ns[2]), else the middle n. */
function focusN(data: FigureData): number | undefined {
  const ns = [...new Set(data.configs.map((c) => Number(c.params.n)))].sort((a, b) => a - b);
  return ns.includes(150) ? 150 : ns[Math.floor((ns.length - 1) / 2)];
}

function bands(ctx: FigureContext, rows: Row[], o: { title: string; x: string; yDomain?: [number, number]; caption?: string; ticks?: number[]; repeats: RepeatPoint[]; repeatKind: 'line' | 'dot' }): Element {
  const { Plot } = ctx;
  return Plot.plot({
    document: ctx.document,
    title: o.title,
    caption: o.caption,
    width: 460,
    height: 360,
    marginLeft: 50,
    x: { label: o.x, ticks: o.ticks },
    y: { label: 'Training Accuracy', grid: true, domain: o.yDomain },
    color: { legend: true, domain: ORDER.filter((s) => rows.some((r) => r.series === s)), range: COLORS },
    marks: bandMarks(Plot, rows, { fillOpacity: 0.3, r: 2.5, view: viewOf(ctx), repeats: o.repeats, repeatKind: o.repeatKind }),
  });
}

export const exp05Figure: Figure = {
  experiment: 'exp5',
  aggregateMetrics: ['train_accuracy'],
  repeatMetrics: ['train_accuracy'],
  main: { metric: 'train_accuracy', final: false, label: 'training accuracy' },
  headline(data) {
    const rows = lastCheckpoint(data);
    const ns = [...new Set(rows.map((r) => r.x))].sort((a, b) => a - b);
    const shown = new Set([focusN(data), ns[ns.length - 1]]);
    return rows.filter((r) => shown.has(r.x)).map((r) => `${r.series}, n=${r.x}: training accuracy after ${r.step} updates ${meanStd(r)}`);
  },
  render(data, ctx) {
    const rows = lastCheckpoint(data);
    const step = rows[0]?.step ?? 0;
    const left = bands(ctx, rows, {
      title: 'Neural Network Memorization',
      x: 'Number of training points (n)',
      yDomain: [0, 1.04],
      ticks: [...new Set(rows.map((r) => r.x))],
      caption: `Training accuracy at the last checkpoint (after ${step} updates), ${viewLabel(viewOf(ctx))} over repeats.`,
      repeats: atLast(repeatsOf(data, 'train_accuracy', { final: false })),
      repeatKind: 'dot',
    });
    const n = focusN(data);
    const curve: Row[] = pointsOf(data, 'train_accuracy', { final: false })
      .filter((p) => Number(p.params.n) === n)
      .map((p) => ({ ...p, x: Number(p.step), series: seriesOf(p) }));
    const curveRepeats = repeatsOf(data, 'train_accuracy', { final: false })
      .filter((p) => Number(p.params.n) === n)
      .map((p) => ({ ...p, x: Number(p.step), series: seriesOf(p) }));
    const steps = [...new Set(curve.map((r) => r.x))].sort((a, b) => a - b);
    const every = steps.length > 1 ? steps[1] - steps[0] : 0;
    const right = bands(ctx, curve, {
      title: `Training Accuracy (n=${n})`,
      x: 'Updates applied',
      ticks: steps,
      repeats: curveRepeats,
      repeatKind: 'line',
      caption: `Checkpoints after ${steps.join(', ')} updates (step indices ${steps.map((s) => s - 1).join(', ')}). The notebook labels these points ${steps.map((s) => s - 1 + every).join(', ')} ("Epoch", linspace), shifted by one interval.`,
    });
    return grid(ctx, 'figure exp5 row', [left, right]);
  },
};
