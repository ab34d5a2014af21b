/**
 * Data block `moons`: sklearn's two interleaving half circles with Gaussian noise
 * (core/data/moons.ts), 2 inputs, 2 classes. Training and test rows are separate draws,
 * or with `test_size` one draw of n rows from the task stream, shuffled and split as
 * scikit-learn's train_test_split does (the notebook's data; core/blocks/types.ts).
 *
 * Related task (transfer): the same moons rotated by shift·90° about the origin.
 */
import { z } from 'zod';
import { generateMoons } from '../data/moons';
import type { Table } from '../data/dataset';
import { splitRows, testSizeShape, type DataBlock, type Values } from './types';

export const moonsShape = {
  n: z.number().int().min(2).max(20_000),
  test_n: z.number().int().min(2).max(20_000),
  /** Std of the Gaussian noise added to each coordinate. */
  noise: z.number().min(0).max(10),
  /** null: separate draws; a share: one draw of n rows split as train_test_split (core/blocks/types.ts). */
  test_size: testSizeShape,
};

type MoonsValues = { n: number; test_n: number; noise: number; test_size: number | null };

function rotate(t: Table, angle: number): Table {
  const x = new Float32Array(t.x.length);
  const c = Math.cos(angle);
  const s = Math.sin(angle);
  for (let i = 0; i < t.n; i++) {
    const a = t.x[2 * i];
    const b = t.x[2 * i + 1];
    x[2 * i] = c * a - s * b;
    x[2 * i + 1] = s * a + c * b;
  }
  return { ...t, x };
}

export const moonsBlock: DataBlock = {
  family: 'data',
  kind: 'moons',
  summary: 'Two interleaving half circles with Gaussian noise (sklearn make_moons), 2 inputs, 2 classes.',
  shape: moonsShape,
  defaults: { n: 200, test_n: 200, noise: 0.2, test_size: null },
  contentParams: ['noise'],
  related: true,
  describe: (p) => ({ input: 2, output: 2, task: 'classification', ...splitRows(p as MoonsValues) }),
  incompatible(values: Values) {
    const p = values as MoonsValues;
    if (p.test_size !== null && splitRows(p).trainRows < 2) return ['test_size', `n = ${p.n} rows at test_size ${p.test_size} leave fewer than 2 training rows`];
    return null;
  },
  generate(values: Values, streams, relatedShift) {
    const p = values as MoonsValues;
    const drawn = p.test_size === null ? undefined : generateMoons(streams.task, p.n, p.noise, p.test_size);
    const train = drawn?.train ?? generateMoons(streams.train, p.n, p.noise, 0).train;
    const test = drawn?.test ?? generateMoons(streams.test, p.test_n, p.noise, 0).train;
    if (relatedShift === undefined) return { train, test };
    const angle = (relatedShift * Math.PI) / 2;
    return { train: rotate(train, angle), test: rotate(test, angle) };
  },
};
