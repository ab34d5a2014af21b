import type { Rng } from '../rng';
import { makeTable, trainTestSplit, type Split } from './dataset';

export interface OrientedBarsOptions {
  /** Images in all (train + test). */
  n: number;
  /** Images are side×side, flattened row-major (pixel (i, j) at i·side + j). */
  side?: number;
  /** Std of the Gaussian noise added to every pixel. */
  noise: number;
  /** Fraction of the images in the test set (as trainTestSplit); default 0.2. */
  testSize?: number;
  /** 2: horizontal (0) and vertical (1) bars; 4 adds the diagonal (2) and anti-diagonal (3). */
  classes?: 2 | 4;
}

/**
 * Synthetic single-channel images of oriented bars, a task where a convolution's locality
 * should help. Each image is one bar of length `side` and width 1, value 1 on a background
 * of 0, at a random position, plus N(0, noise²) on every pixel:
 * - class 0: row r, pixels (r, j) for all j;
 * - class 1: column c, pixels (i, c) for all i;
 * - class 2: the diagonal shifted by s, pixels (i, (i + s) mod side);
 * - class 3: the anti-diagonal shifted by s, pixels (i, (side − 1 − i + s) mod side).
 * A full-length diagonal fits at one position only, so the shifted ones wrap around the
 * image (two segments of the same orientation), which gives every class `side` positions.
 *
 * Classes are balanced (image i has class i mod classes, counts differ by at most one),
 * then shuffled and split by trainTestSplit, as the Gaussian mixture is.
 */
export function generateOrientedBars(rng: Rng, o: OrientedBarsOptions): Split {
  const side = o.side ?? 8;
  const classes = o.classes ?? 2;
  if (classes !== 2 && classes !== 4) throw new Error(`classes must be 2 or 4, got ${classes}`);
  if (!Number.isInteger(side) || side < 2) throw new Error(`side must be an integer of at least 2, got ${side}`);
  if (!Number.isInteger(o.n) || o.n < 1) throw new Error(`n must be a positive integer, got ${o.n}`);
  if (!(o.noise >= 0)) throw new Error(`noise must be a non-negative std, got ${o.noise}`);
  const d = side * side;
  const all = makeTable(o.n, d);
  for (let img = 0; img < o.n; img++) {
    const label = img % classes;
    const at = rng.int(side);
    const x = all.x.subarray(img * d, (img + 1) * d);
    for (let t = 0; t < side; t++) {
      const [i, j] = barPixel(label, at, t, side);
      x[i * side + j] = 1;
    }
    for (let p = 0; p < d; p++) x[p] += o.noise * rng.normal();
    all.labels[img] = label;
  }
  return trainTestSplit(all, o.testSize ?? 0.2, rng);
}

/** Pixel t (0 ≤ t < side) of the bar of class `label` at position `at`, as (row, column). */
export function barPixel(label: number, at: number, t: number, side: number): [number, number] {
  switch (label) {
    case 0:
      return [at, t];
    case 1:
      return [t, at];
    case 2:
      return [t, (t + at) % side];
    default:
      return [t, (side - 1 - t + at) % side];
  }
}
