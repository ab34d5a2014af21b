/**
 * Data block `alternating`: n points on a line, x_i = i/n, with alternating labels (class 1
 * at even i, class 0 at odd i: the notebook's Exp 2 pattern, core/data/alternating.ts), 1
 * input, 2 classes. Neighbours always disagree, so a network needs many linear pieces to
 * fit all n. The points are fixed (nothing is drawn), and the test rows are the same n
 * points: the notebook scores the fit on the points it trained on.
 */
import { z } from 'zod';
import { alternatingPoints } from '../data/alternating';
import type { Table } from '../data/dataset';
import type { DataBlock, Values } from './types';

export const alternatingShape = {
  n: z.number().int().min(2).max(10_000),
};

export const alternatingBlock: DataBlock = {
  family: 'data',
  kind: 'alternating',
  summary: 'n fixed points x = i/n on [0, 1) with alternating labels (class 1 at even i), 1 input, 2 classes; the test rows are the same points.',
  shape: alternatingShape,
  defaults: { n: 16 },
  contentParams: [],
  related: false,
  describe: (p) => ({ input: 1, output: 2, task: 'classification', trainRows: p.n as number, testRows: p.n as number }),
  generate(values: Values) {
    const n = values.n as number;
    const { x, labels } = alternatingPoints(n);
    const train: Table = { n, d: 1, x, labels };
    // Its own arrays: nothing downstream may change the training rows through the test rows.
    return { train, test: { n, d: 1, x: x.slice(), labels: labels.slice() } };
  },
};
