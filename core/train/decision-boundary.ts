/**
 * Decision-boundary traces of 2-D classifiers (Exp 4's panels): both logits on a regular
 * grid over [0, 1]² (the notebook's plot_decision_boundary), and the points drawn over it
 * (a per-class sample of the distinct training points, all test points), rounded so a trace
 * stays a small stored row.
 */
import type { Table } from '../data/dataset';
import { makeTable } from '../data/dataset';
import type { NetworkPack } from '../nn/model';
import type { Series } from '../experiments/types';
import { predict, stack3d } from './train-pack';

/** The 51×51 grid arange(0, 1.02, 0.02)² of plot_decision_boundary, x varying fastest. */
export const GRID_SIDE = 51;
export function decisionGrid(): Float32Array {
  const g = new Float32Array(GRID_SIDE * GRID_SIDE * 2);
  for (let iy = 0; iy < GRID_SIDE; iy++) {
    for (let ix = 0; ix < GRID_SIDE; ix++) {
      const i = iy * GRID_SIDE + ix;
      g[2 * i] = Math.fround(0.02 * ix);
      g[2 * i + 1] = Math.fround(0.02 * iy);
    }
  }
  return g;
}

/** Up to `perClass` distinct rows of each class, in the (shuffled) table order. */
export function distinctSample(t: Table, perClass: number): Table {
  const seen = new Set<string>();
  const taken = [0, 0];
  const rows: number[] = [];
  for (let i = 0; i < t.n; i++) {
    const label = t.labels[i];
    if (taken[label] >= perClass) continue;
    const key = Array.from(t.x.subarray(i * t.d, (i + 1) * t.d)).join(',');
    if (seen.has(key)) continue;
    seen.add(key);
    taken[label]++;
    rows.push(i);
  }
  const out = makeTable(rows.length, t.d);
  rows.forEach((r, i) => {
    out.x.set(t.x.subarray(r * t.d, (r + 1) * t.d), i * t.d);
    out.labels[i] = t.labels[r];
  });
  return out;
}

const round = (v: number, digits: number) => Math.round(v * 10 ** digits) / 10 ** digits;
const range = (n: number) => Array.from({ length: n }, (_, i) => i);

/** Points as three traces (first two features and the label), indexed by point. */
export function pointTraces(prefix: string, t: Table): Record<string, Series> {
  const index = range(t.n);
  const col = (j: number) => index.map((i) => round(t.x[i * t.d + j], 4));
  return {
    [`${prefix}_x1`]: { steps: index, values: col(0) },
    [`${prefix}_x2`]: { steps: index, values: t.d > 1 ? col(1) : index.map(() => 0) },
    [`${prefix}_label`]: { steps: index, values: Array.from(t.labels) },
  };
}

/**
 * One trial's boundary panel: grid_logit0 and grid_logit1 (3 decimals) from its logits on
 * decisionGrid(), `perClass` distinct training points per class and every test point.
 */
export function boundaryTraces(gridLogits: Float32Array, train: Table, test: Table, perClass: number): Record<string, Series> {
  const gridIndex = range(GRID_SIDE * GRID_SIDE);
  return {
    grid_logit0: { steps: gridIndex, values: gridIndex.map((i) => round(gridLogits[2 * i], 3)) },
    grid_logit1: { steps: gridIndex, values: gridIndex.map((i) => round(gridLogits[2 * i + 1], 3)) },
    ...pointTraces('train', distinctSample(train, perClass)),
    ...pointTraces('test', test),
  };
}

/** Every trial's logits on decisionGrid(), [GRID_SIDE² × 2] per trial. */
export async function gridLogits(net: NetworkPack, trials: number): Promise<Float32Array[]> {
  const g = decisionGrid();
  const gx = stack3d(Array.from({ length: trials }, () => g), GRID_SIDE * GRID_SIDE, 2);
  try {
    return await predict(net, gx);
  } finally {
    gx.dispose();
  }
}
