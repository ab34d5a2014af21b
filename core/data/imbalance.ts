/**
 * Class imbalance and oversampling (Exp 4): a two-class draw with `class_ratio` majority
 * rows per minority row, and the minority oversampled back up to ratio × its size, either by
 * tiling exact copies (the notebook's code) or by sampling rows with replacement (its prose).
 */
import { z } from 'zod';
import type { Rng } from '../rng';
import { concatRows, makeTable, type Table } from './dataset';

/** 'tile' = the code's exact copies; 'replacement' = the prose; 'none' = plain imbalance. */
export const RESAMPLING = ['none', 'tile', 'replacement'] as const;
export type Resampling = (typeof RESAMPLING)[number];

export const imbalanceOptions = z.object({
  class_ratio: z.number().min(1).max(1000).default(1),
  resample: z.enum(RESAMPLING).default('tile'),
});

/** n_pos = floor(n / (ratio + 1)) rows of class 0 (the minority), the rest class 1. */
export function classSizes(n: number, ratio: number): { minority: number; majority: number } {
  const minority = Math.floor(n / (ratio + 1));
  return { minority, majority: n - minority };
}

/** Train size after resampling: n − n_pos + n_pos·floor(r) (tiling and replacement alike). */
export function resampledSize(n: number, ratio: number, resample: Resampling): number {
  const { minority } = classSizes(n, ratio);
  return resample === 'none' ? n : n - minority + minority * Math.floor(ratio);
}

/**
 * The minority block oversampled to floor(ratio) × its rows: 'tile' repeats the block
 * exactly (no draws), 'replacement' draws that many row indices from `rng`.
 */
export function oversample(minority: Table, ratio: number, resample: Resampling, rng: Rng): Table {
  if (resample === 'tile') {
    const reps = Math.floor(ratio);
    let tiled = minority;
    for (let r = 1; r < reps; r++) tiled = concatRows(tiled, minority);
    return tiled;
  }
  if (resample === 'replacement') {
    const { n: nPos, d } = minority;
    const total = nPos * Math.floor(ratio);
    const rows = Array.from({ length: total }, () => rng.int(nPos));
    const out = makeTable(total, d);
    rows.forEach((r, i) => {
      out.x.set(minority.x.subarray(r * d, (r + 1) * d), i * d);
      out.labels[i] = 0;
    });
    return out;
  }
  return minority;
}
