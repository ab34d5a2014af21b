import { describe, expect, it } from 'vitest';
import { loadCeiling } from '../bench/simd-ceiling';

/**
 * bench/simd-ceiling.wasm's loop is the ceiling `bench/simd-ceiling.ts` divides the pack GEMM
 * by: it must do the 32 float32 multiply-then-add operations a step that it is counted for.
 * Checked against the same operations in float32 here, bit for bit.
 */
describe('the SIMD ceiling loop', () => {
  const f = Math.fround;
  function reference(a: number[], b: number[], steps: number): number {
    const c = Array.from({ length: 8 }, (_, v) => b.slice((v % 2) * 4, (v % 2) * 4 + 4));
    for (let s = 0; s < steps; s++) {
      const b0 = b.slice((s % 8) * 4, (s % 8) * 4 + 4), b1 = b.slice(32 + (s % 8) * 4, 32 + (s % 8) * 4 + 4);
      for (let r = 0; r < 4; r++)
        for (let lane = 0; lane < 4; lane++) {
          c[2 * r][lane] = f(c[2 * r][lane] + f(a[r] * b0[lane]));
          c[2 * r + 1][lane] = f(c[2 * r + 1][lane] + f(a[r] * b1[lane]));
        }
    }
    const pair = (x: number[], y: number[]) => x.map((v, i) => f(v + y[i]));
    const s = pair(pair(pair(c[0], c[1]), pair(c[2], c[3])), pair(pair(c[4], c[5]), pair(c[6], c[7])));
    return f(f(f(s[0] + s[1]) + s[2]) + s[3]);
  }

  it.each([0, 1, 7, 8, 9, 100])('computes its 4×8 block over %i steps as float32 multiply-adds', (steps) => {
    const m = loadCeiling();
    const heap = new Float32Array(m.memory.buffer);
    const a = [0.75, -1.25, 0.3, 2.1].map(f);
    const b = Array.from({ length: 64 }, (_, i) => f(Math.sin(i + 1) * 0.5));
    heap.set(a, 0);
    heap.set(b, 4);
    expect(m.ceiling(0, 16, steps)).toBe(reference(a, b, steps));
  });
});
