import type { Rng } from '../rng';

/** A labelled table: `x` is row-major n×d, `labels` holds class indices (or targets for regression). */
export interface Table {
  n: number;
  d: number;
  x: Float32Array;
  labels: Float32Array;
  /** The inputs before rounding to float32, where a data block computes them in float64 (core/blocks/data-target-1d.ts's grid). */
  x64?: Float64Array;
}

export interface Split {
  train: Table;
  test: Table;
}

export function makeTable(n: number, d: number): Table {
  return { n, d, x: new Float32Array(n * d), labels: new Float32Array(n) };
}

export function selectRows(t: Table, rows: ArrayLike<number>): Table {
  const out = makeTable(rows.length, t.d);
  for (let i = 0; i < rows.length; i++) {
    const r = rows[i];
    out.x.set(t.x.subarray(r * t.d, (r + 1) * t.d), i * t.d);
    out.labels[i] = t.labels[r];
  }
  return out;
}

/** The first `n` rows (the protocol's nested training prefixes). */
export function prefix(t: Table, n: number): Table {
  return { n, d: t.d, x: t.x.slice(0, n * t.d), labels: t.labels.slice(0, n) };
}

/**
 * sklearn's `train_test_split(X, y, test_size)`: one shuffle, the first ceil(test·N)
 * shuffled rows are the test set, the rest the training set. `testSize = 0` returns every
 * row, shuffled, as training data (old sklearn behaviour the protocol relies on).
 */
export function trainTestSplit(t: Table, testSize: number, rng: Rng, nTest = Math.ceil(testSize * t.n)): Split {
  const perm = rng.permutation(t.n);
  return { test: selectRows(t, perm.subarray(0, nTest)), train: selectRows(t, perm.subarray(nTest)) };
}

/** Per-column [min, max] of a table's inputs. */
export type ColumnRanges = Array<[number, number]>;

export function columnRanges(t: Table): ColumnRanges {
  return Array.from({ length: t.d }, (_, j): [number, number] => {
    let lo = Infinity;
    let hi = -Infinity;
    for (let i = 0; i < t.n; i++) {
      const v = t.x[i * t.d + j];
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
    return [lo, hi];
  });
}

/** Min–max scaling with given per-column limits: (x − lo)/(hi − lo), 0 where a column is constant. */
export function scaleColumns(t: Table, limits: ColumnRanges): Table {
  const x = new Float32Array(t.x);
  for (let i = 0; i < t.n; i++) {
    for (let j = 0; j < t.d; j++) {
      const [lo, hi] = limits[j];
      x[i * t.d + j] = hi === lo ? 0 : (x[i * t.d + j] - lo) / (hi - lo);
    }
  }
  return { ...t, x };
}

/** Per-column min–max scaling to [0, 1] using the table's own min and range. */
export function minMaxNormalize(t: Table): Table {
  return scaleColumns(t, columnRanges(t));
}

/** Concatenates two tables with the same width. */
export function concatRows(a: Table, b: Table): Table {
  const out = makeTable(a.n + b.n, a.d);
  out.x.set(a.x, 0);
  out.x.set(b.x, a.n * a.d);
  out.labels.set(a.labels, 0);
  out.labels.set(b.labels, a.n);
  return out;
}

/** Counts of each class index in `labels`. */
export function classCounts(t: Table, classes = 2): number[] {
  const counts = new Array(classes).fill(0);
  for (const l of t.labels) counts[l]++;
  return counts;
}

/** Evenly spaced values, numpy's `linspace(start, stop, num)`. */
export function linspace(start: number, stop: number, num: number): number[] {
  if (num === 1) return [start];
  return Array.from({ length: num }, (_, i) => start + ((stop - start) * i) / (num - 1));
}
