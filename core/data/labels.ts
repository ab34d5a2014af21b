/**
 * Label corruption (Exp 5's memorisation test, after Arpit et al.): the labels of a table
 * permuted among its rows. A permutation keeps the class balance exactly and breaks every
 * point–label link, which is what "random labels" means in the notebook (`randomize=True`
 * permutes the one-hot rows).
 */
import { z } from 'zod';
import type { Rng } from '../rng';
import type { Table } from './dataset';

/** true = the generated labels; random = the labels permuted among the rows. */
export const LABELINGS = ['true', 'random'] as const;
export const labelingOption = z.enum(LABELINGS);

/** Row i gets the label of row perm[i] for one permutation drawn from `rng` (n draws). */
export function permuteLabels(t: Table, rng: Rng): Table {
  const perm = rng.permutation(t.n);
  return { ...t, labels: Float32Array.from(perm, (r) => t.labels[r]) };
}
