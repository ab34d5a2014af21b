/**
 * Data block `images`: side×side single-channel images of one oriented bar each, plus
 * Gaussian pixel noise (core/data/images.ts): 2 classes (horizontal, vertical) or 4 (and
 * the two diagonals), balanced. Training and test sets are separate draws. No related task.
 */
import { z } from 'zod';
import { generateOrientedBars } from '../data/images';
import type { DataBlock, Values } from './types';

export const imagesShape = {
  n: z.number().int().min(2).max(20_000),
  test_n: z.number().int().min(2).max(20_000),
  side: z.number().int().min(2).max(32),
  /** Std of the Gaussian noise on every pixel (the bar is 1 on a background of 0). */
  noise: z.number().min(0).max(10),
  classes: z.union([z.literal(2), z.literal(4)]),
};

type ImagesValues = { n: number; test_n: number; side: number; noise: number; classes: 2 | 4 };

export const imagesBlock: DataBlock = {
  family: 'data',
  kind: 'images',
  summary: 'side x side images of one oriented bar (horizontal, vertical, and with 4 classes the diagonals) plus pixel noise.',
  shape: imagesShape,
  defaults: { n: 200, test_n: 200, side: 8, noise: 0.5, classes: 4 },
  contentParams: ['noise'],
  related: false,
  describe: (p) => ({ input: (p.side as number) ** 2, output: p.classes as number, task: 'classification', trainRows: p.n as number, testRows: p.test_n as number, side: p.side as number }),
  generate(values: Values, streams) {
    const p = values as ImagesValues;
    const draw = (rng: typeof streams.train, n: number) => generateOrientedBars(rng, { n, side: p.side, noise: p.noise, testSize: 0, classes: p.classes }).train;
    return { train: draw(streams.train, p.n), test: draw(streams.test, p.test_n) };
  },
};
