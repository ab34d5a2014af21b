/**
 * One-dimensional regression targets y = f(x) (Exp 1's universal-approximation fits):
 * sin(ωx), a polynomial with ascending coefficients, or |x|, sampled on a grid of x.
 */
import { z } from 'zod';

export const TARGET_FUNCTIONS = ['sin', 'polynomial', 'abs'] as const;
export type TargetFunctionName = (typeof TARGET_FUNCTIONS)[number];

/** The options naming a target; snake_case like every sweep parameter. */
export const targetOptions = z.object({
  function: z.enum(TARGET_FUNCTIONS).default('sin'),
  /** ω of sin(ωx); the notebook passes 12 (the class default is 6). */
  omega: z.number().min(-1000).max(1000).default(12),
  /** Ascending coefficients: Σ coefs[k]·x^k; the notebook's −2x⁴ + x³ + x² − 2x. */
  coefs: z.array(z.number()).min(1).max(20).default([0, -2, 1, 1, -2]),
});
export type TargetOptions = z.infer<typeof targetOptions>;

export function targetFunction(p: TargetOptions): (x: number) => number {
  switch (p.function) {
    case 'sin':
      return (x) => Math.sin(p.omega * x);
    case 'polynomial':
      return (x) => p.coefs.reduce((s, c, k) => s + c * x ** k, 0);
    case 'abs':
      return Math.abs;
  }
}

/** f at every x, rounded to float32 (the training targets). */
export function sampleTarget(p: TargetOptions, xs: number[]): Float32Array {
  return Float32Array.from(xs.map(targetFunction(p)));
}
