/** Descriptive statistics on plain arrays: the building blocks of core/stats/contrast.ts. */

export function mean(xs: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < xs.length; i++) s += xs[i];
  return xs.length ? s / xs.length : NaN;
}

/** Sum of squared deviations from the mean. */
export function sumSquares(xs: ArrayLike<number>): number {
  const m = mean(xs);
  let s = 0;
  for (let i = 0; i < xs.length; i++) s += (xs[i] - m) ** 2;
  return s;
}

/** Sample standard deviation (n − 1); NaN below two values. */
export function sampleSd(xs: ArrayLike<number>): number {
  return xs.length < 2 ? NaN : Math.sqrt(sumSquares(xs) / (xs.length - 1));
}
