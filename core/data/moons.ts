import type { Rng } from '../rng';
import { makeTable, selectRows, trainTestSplit, type Split } from './dataset';

/**
 * sklearn `make_moons(n, noise)` then a shuffled split: ceil(testSize · n) test rows (80/20
 * by default), or `testRows` when given.
 */
export function generateMoons(rng: Rng, n: number, noise: number, testSize = 0.2, testRows?: number): Split {
  const nOut = Math.floor(n / 2);
  const nIn = n - nOut;
  const t = makeTable(n, 2);
  for (let i = 0; i < nOut; i++) {
    const a = nOut === 1 ? 0 : (Math.PI * i) / (nOut - 1);
    t.x[2 * i] = Math.cos(a);
    t.x[2 * i + 1] = Math.sin(a);
    t.labels[i] = 0;
  }
  for (let i = 0; i < nIn; i++) {
    const a = nIn === 1 ? 0 : (Math.PI * i) / (nIn - 1);
    const r = nOut + i;
    t.x[2 * r] = 1 - Math.cos(a);
    t.x[2 * r + 1] = 1 - Math.sin(a) - 0.5;
    t.labels[r] = 1;
  }
  const shuffled = selectRows(t, rng.permutation(n));
  for (let i = 0; i < shuffled.x.length; i++) shuffled.x[i] += noise * rng.normal();
  return trainTestSplit(shuffled, testSize, rng, testRows);
}
