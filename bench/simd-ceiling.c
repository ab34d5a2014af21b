/*
 * The ceiling of a register block like the pack GEMM's (kernels/gemm.c, block8): 4 rows by
 * 8 columns, 8 accumulators, 32 multiply-adds per step of the sum as a 128-bit multiply and
 * a separate add (no fused multiply-add, as the kernels' bits require), but with the 4
 * values of a already in registers, so a step reads only its 2 vectors of b. What V8 makes
 * of this loop is the most such a block can do on a machine; bench/simd-ceiling.ts times it
 * beside the real kernels. Built by scripts/build-kernels.sh into bench/simd-ceiling.wasm.
 *
 * b holds 16 vectors; step s reads vector (s mod 8) and vector 8 + (s mod 8) (from memory, so
 * that no product is the same from step to step and none can be hoisted out of the loop).
 * The accumulators start from b's first two vectors, not from zero: with all eight starting
 * from one zero constant, V8 moved the adds after all eight multiplies, spilled accumulators
 * to the stack and ran at 9.5 GMAC/s instead of 23. Returns the sum of the 8 accumulators'
 * 32 lanes, in a fixed order, so that a test can check the loop against a float32 reference
 * (test/bench-simd-ceiling.test.ts).
 */
#include <wasm_simd128.h>

#define MUL_ADD(c, a, b) c = wasm_f32x4_add(c, wasm_f32x4_mul(a, b))

__attribute__((export_name("ceiling")))
float ceiling(const float *a, const float *b, int steps) {
  const v128_t a0 = wasm_f32x4_splat(a[0]), a1 = wasm_f32x4_splat(a[1]);
  const v128_t a2 = wasm_f32x4_splat(a[2]), a3 = wasm_f32x4_splat(a[3]);
  v128_t c00 = wasm_v128_load(b), c01 = wasm_v128_load(b + 4), c10 = c00, c11 = c01, c20 = c00, c21 = c01, c30 = c00, c31 = c01;
  for (int s = 0; s < steps; s++) {
    const v128_t b0 = wasm_v128_load(b + (s & 7) * 4), b1 = wasm_v128_load(b + 32 + (s & 7) * 4);
    MUL_ADD(c00, a0, b0), MUL_ADD(c01, a0, b1);
    MUL_ADD(c10, a1, b0), MUL_ADD(c11, a1, b1);
    MUL_ADD(c20, a2, b0), MUL_ADD(c21, a2, b1);
    MUL_ADD(c30, a3, b0), MUL_ADD(c31, a3, b1);
  }
  const v128_t s = wasm_f32x4_add(wasm_f32x4_add(wasm_f32x4_add(c00, c01), wasm_f32x4_add(c10, c11)),
                                  wasm_f32x4_add(wasm_f32x4_add(c20, c21), wasm_f32x4_add(c30, c31)));
  return ((wasm_f32x4_extract_lane(s, 0) + wasm_f32x4_extract_lane(s, 1)) + wasm_f32x4_extract_lane(s, 2)) + wasm_f32x4_extract_lane(s, 3);
}
