/*
 * Matrix products for a pack of K networks, on the tfjs-backend-wasm heap (the pack GEMM).
 *
 * Why: tfjs-wasm sends a plain batch-1 product to XNNPACK, but every call re-packs the
 * weight operand (the operator is cached on a tensor id, and a pack's per-network views
 * are new ids every call), and the backward products need explicit transposes first
 * (core/nn/matmul.ts). This module does all K products of a layer in one call, reads
 * transposed operands in place, and keeps XNNPACK's summation order exactly, so its
 * results are bit-identical to the XNNPACK path it replaces:
 *
 *   out[i][j] = (((0 + a[i][0]·b[0][j]) + a[i][1]·b[1][j]) + …) + a[i][k−1]·b[k−1][j]
 *
 * in float32, each product rounded and then added (WebAssembly SIMD has no fused
 * multiply-add; XNNPACK's wasmsimd GEMM kernels do f32x4.mul then f32x4.add, with the
 * accumulator starting from the packed bias, which tfjs leaves at zero). The vector lanes
 * run over output columns j, never over k, so every output element sees the same
 * sequence of roundings as in XNNPACK; only the speed differs. test/core/wasm-kernels.test.ts
 * checks the bits against the XNNPACK path on many shapes.
 *
 * Memory: the module imports the tfjs backend's memory and owns none of it. It has no
 * data segment and no address-taken locals, so it never touches the shadow stack
 * (scripts/build-kernels.sh checks the disassembly for both).
 *
 * Build: `npm run build:kernels` (clang-19 and wasm-ld-19, from Debian's clang-19 and
 * lld-19 packages) compiles it into kernels/atomsweep-kernels.wasm, which is committed.
 */
#include <wasm_simd128.h>

#define INLINE static inline __attribute__((always_inline))
/*
 * The register blocks are functions of their own: inlined into gemm(), V8 ran out of
 * general registers for their few addresses and reloaded them from the stack every p.
 */
#define KERNEL static __attribute__((noinline))
#define AT(ptr, j) ((ptr) ? (ptr) + (j) : 0)

/*
 * Rows per register block: MR×8 outputs in 2·MR accumulators (SIMD registers). 4 measured
 * best (5 and 6 spill in V8's register allocation; so does unrolling the shared dimension).
 * Every block reads its MR rows of a from a panel, MR floats per p (see gemm()), so that
 * one pointer and constant offsets address them: V8 then folds the offsets into the
 * loads instead of computing MR addresses per p.
 */
#define MR 4

/*
 * How a slice of the shared dimension meets the output block (see gemm() below):
 * FRESH     acc = 0 … ; c = acc                     (XNNPACK order, first slice)
 * CONTINUE  acc = c … ; c = acc                     (XNNPACK order, later slices)
 * BLOCK     acc = 0 … ; c = (0 + acc) + 0           (tfjs's loop, first 48-slice)
 * BLOCK_ADD acc = 0 … ; c = (c + acc) + 0           (tfjs's loop, later 48-slices)
 * tfjs-wasm's own loop adds each 48-long partial sum to the output and then its bias
 * term, which is +0 when there is no bias; the "+ 0" keeps exactly that (it turns a −0
 * into +0). A bias row, when given, is added after that, as a separate tf.add would.
 */
enum { FRESH = 0, CONTINUE = 1, BLOCK = 2, BLOCK_ADD = 3 };

/*
 * The register blocks below compute acc = (c when `cont`, else 0) + Σ_p a·b over MR rows and
 * store it; gemm() applies the tfjs loop's block sums and the bias to whole row blocks after
 * them (blocks_out()), which keeps the kernels small.
 *
 * MR rows by 8 columns: pa is the rows' panel (element (r, p) at pa[p·MR + r]), b = [k × 8…]
 * with row stride ldb (8 for a packed panel of b), C row-major with row stride ldc. Written
 * with one accumulator variable per vector and one a register reused row after row: that
 * is what V8 allocates without spilling. Always all MR rows (gemm() gives the last rows of
 * a product a tile of MR): with a row count, clang moved its tests into the loop.
 */
INLINE void block8(const float *restrict pa, const float *restrict b, int ldb, float *c, int ldc, int k, int cont) {
  const v128_t zero = wasm_f32x4_splat(0.0f);
  v128_t c00 = zero, c01 = zero, c10 = zero, c11 = zero, c20 = zero, c21 = zero, c30 = zero, c31 = zero;
  if (cont) {
    c00 = wasm_v128_load(c), c01 = wasm_v128_load(c + 4);
    c10 = wasm_v128_load(c + ldc), c11 = wasm_v128_load(c + ldc + 4);
    c20 = wasm_v128_load(c + 2 * ldc), c21 = wasm_v128_load(c + 2 * ldc + 4);
    c30 = wasm_v128_load(c + 3 * ldc), c31 = wasm_v128_load(c + 3 * ldc + 4);
  }
  for (int p = 0; p < k; p++) {
    const v128_t b0 = wasm_v128_load(b), b1 = wasm_v128_load(b + 4);
    v128_t a = wasm_v128_load32_splat(pa);
    c00 = wasm_f32x4_add(c00, wasm_f32x4_mul(a, b0)), c01 = wasm_f32x4_add(c01, wasm_f32x4_mul(a, b1));
    a = wasm_v128_load32_splat(pa + 1);
    c10 = wasm_f32x4_add(c10, wasm_f32x4_mul(a, b0)), c11 = wasm_f32x4_add(c11, wasm_f32x4_mul(a, b1));
    a = wasm_v128_load32_splat(pa + 2);
    c20 = wasm_f32x4_add(c20, wasm_f32x4_mul(a, b0)), c21 = wasm_f32x4_add(c21, wasm_f32x4_mul(a, b1));
    a = wasm_v128_load32_splat(pa + 3);
    c30 = wasm_f32x4_add(c30, wasm_f32x4_mul(a, b0)), c31 = wasm_f32x4_add(c31, wasm_f32x4_mul(a, b1));
    pa += MR;
    b += ldb;
  }
  wasm_v128_store(c, c00), wasm_v128_store(c + 4, c01);
  wasm_v128_store(c + ldc, c10), wasm_v128_store(c + ldc + 4, c11);
  wasm_v128_store(c + 2 * ldc, c20), wasm_v128_store(c + 2 * ldc + 4, c21);
  wasm_v128_store(c + 3 * ldc, c30), wasm_v128_store(c + 3 * ldc + 4, c31);
}

/*
 * block8 over the first n8 = n − n mod 8 columns: from b's packed panels (row stride 8,
 * panel j at packed + j·k), or from b in place. Functions of their own, each with the loop
 * over the panels: inlined into gemm(), V8 ran out of general registers for the few
 * addresses and reloaded them from the stack every p; and V8 unrolls a wasm loop only
 * when it is small for its depth, which the p loop is only inside another loop.
 */
KERNEL void panels8(const float *pa, const float *packed, float *c, int ldc, int n8, int k, int cont) {
  for (int j = 0; j < n8; j += 8) block8(pa, packed + j * k, 8, c + j, ldc, k, cont);
}
KERNEL void columns8(const float *pa, const float *b, int ldb, float *c, int ldc, int n8, int k, int cont) {
  for (int j = 0; j < n8; j += 8) block8(pa, b + j, ldb, c + j, ldc, k, cont);
}

/* The same for 4 columns. */
KERNEL void block4(const float *restrict pa, const float *restrict b, int ldb, float *c, int ldc, int k, int cont) {
  const v128_t zero = wasm_f32x4_splat(0.0f);
  v128_t c0 = zero, c1 = zero, c2 = zero, c3 = zero;
  if (cont) {
    c0 = wasm_v128_load(c), c1 = wasm_v128_load(c + ldc);
    c2 = wasm_v128_load(c + 2 * ldc), c3 = wasm_v128_load(c + 3 * ldc);
  }
  for (int p = 0; p < k; p++) {
    const v128_t b0 = wasm_v128_load(b);
    c0 = wasm_f32x4_add(c0, wasm_f32x4_mul(wasm_v128_load32_splat(pa), b0));
    c1 = wasm_f32x4_add(c1, wasm_f32x4_mul(wasm_v128_load32_splat(pa + 1), b0));
    c2 = wasm_f32x4_add(c2, wasm_f32x4_mul(wasm_v128_load32_splat(pa + 2), b0));
    c3 = wasm_f32x4_add(c3, wasm_f32x4_mul(wasm_v128_load32_splat(pa + 3), b0));
    pa += MR;
    b += ldb;
  }
  wasm_v128_store(c, c0), wasm_v128_store(c + ldc, c1);
  wasm_v128_store(c + 2 * ldc, c2), wasm_v128_store(c + 3 * ldc, c3);
}

/*
 * The same for the last ncols < 4 columns, the rows in the vector lanes instead of the
 * columns: for each p, the MR rows' a values are one vector, astride floats apart (the
 * panel's MR, or a transposed a's own row stride, read in place). Each output still sums
 * its products in p order, at MR outputs per vector operation instead of one (a layer
 * with two outputs, the classes, was scalar).
 */
INLINE void narrow(const float *restrict pa, int astride, const float *b, int ldb, float *c, int ldc, int k, int cont, int ncols) {
  const v128_t zero = wasm_f32x4_splat(0.0f);
  v128_t acc[3];
#pragma clang loop unroll(full)
  for (int j = 0; j < 3; j++) acc[j] = cont && j < ncols ? wasm_f32x4_make(c[j], c[ldc + j], c[2 * ldc + j], c[3 * ldc + j]) : zero;
  for (int p = 0; p < k; p++) {
    const v128_t av = wasm_v128_load(pa + p * astride);
#pragma clang loop unroll(full)
    for (int j = 0; j < 3; j++)
      if (j < ncols) acc[j] = wasm_f32x4_add(acc[j], wasm_f32x4_mul(av, wasm_v128_load32_splat(b + p * ldb + j)));
  }
#pragma clang loop unroll(full)
  for (int j = 0; j < 3; j++) {
    if (j < ncols) {
      c[j] = wasm_f32x4_extract_lane(acc[j], 0);
      c[ldc + j] = wasm_f32x4_extract_lane(acc[j], 1);
      c[2 * ldc + j] = wasm_f32x4_extract_lane(acc[j], 2);
      c[3 * ldc + j] = wasm_f32x4_extract_lane(acc[j], 3);
    }
  }
}

/* narrow() for each count of columns: V8 then keeps the accumulators in registers. */
KERNEL void narrow1(const float *pa, int astride, const float *b, int ldb, float *c, int ldc, int k, int cont) { narrow(pa, astride, b, ldb, c, ldc, k, cont, 1); }
KERNEL void narrow2(const float *pa, int astride, const float *b, int ldb, float *c, int ldc, int k, int cont) { narrow(pa, astride, b, ldb, c, ldc, k, cont, 2); }
KERNEL void narrow3(const float *pa, int astride, const float *b, int ldb, float *c, int ldc, int k, int cont) { narrow(pa, astride, b, ldb, c, ldc, k, cont, 3); }
INLINE void block_narrow(const float *pa, int astride, const float *b, int ldb, float *c, int ldc, int k, int cont, int ncols) {
  if (ncols == 1) narrow1(pa, astride, b, ldb, c, ldc, k, cont);
  else if (ncols == 2) narrow2(pa, astride, b, ldb, c, ldc, k, cont);
  else narrow3(pa, astride, b, ldb, c, ldc, k, cont);
}

/*
 * An MR-row block (its panel pa) by all n columns of b: 8 at a time, then 4 (from b's packed
 * panels when `packed`, else from b itself), then the rest.
 */
INLINE void rows(const float *pa, const float *b, int ldb, const float *packed, float *c, int ldc, int n, int k, int cont) {
  const int n8 = n - n % 8;
  if (n8 && packed) panels8(pa, packed, c, ldc, n8, k, cont);
  else if (n8) columns8(pa, b, ldb, c, ldc, n8, k, cont);
  int j = n8;
  if (j + 4 <= n) {
    if (packed) block4(pa, packed + j * k, 4, c + j, ldc, k, cont);
    else block4(pa, b + j, ldb, c + j, ldc, k, cont);
    j += 4;
  }
  if (j < n) block_narrow(pa, MR, b + j, ldb, c + j, ldc, k, cont, n - j);
}

/*
 * A product of fewer than MR rows (a batch of 1 to 3 rows), row by row without panels or
 * tiles: each row of a and b read in place, 8, then 4 columns to a vector and the rest one
 * at a time; acc = (c when `cont`, else 0) + Σ_p a·b in p order, as the register blocks sum.
 * Through the 4-row tile, a batch of 1 computed 4 rows and copied them twice: Exp 8's batch
 * of 1 took a fifth longer a step than before the tile.
 */
static void few_rows(const float *a, int ai, int ap, const float *b, int ldb, float *c, int ldc, int m, int n, int k, int cont) {
  const v128_t zero = wasm_f32x4_splat(0.0f);
  for (int i = 0; i < m; i++) {
    const float *ar = a + i * ai;
    float *cr = c + i * ldc;
    int j = 0;
    for (; j + 8 <= n; j += 8) {
      v128_t acc0 = cont ? wasm_v128_load(cr + j) : zero, acc1 = cont ? wasm_v128_load(cr + j + 4) : zero;
      for (int p = 0; p < k; p++) {
        const v128_t av = wasm_v128_load32_splat(ar + p * ap);
        acc0 = wasm_f32x4_add(acc0, wasm_f32x4_mul(av, wasm_v128_load(b + p * ldb + j)));
        acc1 = wasm_f32x4_add(acc1, wasm_f32x4_mul(av, wasm_v128_load(b + p * ldb + j + 4)));
      }
      wasm_v128_store(cr + j, acc0), wasm_v128_store(cr + j + 4, acc1);
    }
    for (; j + 4 <= n; j += 4) {
      v128_t acc = cont ? wasm_v128_load(cr + j) : zero;
      for (int p = 0; p < k; p++) acc = wasm_f32x4_add(acc, wasm_f32x4_mul(wasm_v128_load32_splat(ar + p * ap), wasm_v128_load(b + p * ldb + j)));
      wasm_v128_store(cr + j, acc);
    }
    for (; j < n; j++) {
      float acc = cont ? cr[j] : 0.0f;
      for (int p = 0; p < k; p++) acc = acc + ar[p * ap] * b[p * ldb + j];
      cr[j] = acc;
    }
  }
}

/*
 * After a slice's kernels over `rows` rows of n (contiguous: row stride n in both): in tfjs's
 * loop order (mode BLOCK or BLOCK_ADD) the slice's sums, in `sums`, go into c as
 * c = ((0 or c) + sum) + 0; then the bias row, when given (the last slice), is added. Each is
 * the float32 addition the register blocks would have done before storing, so the bits are
 * the same. The block sums run over the rows as one array: on narrow layers (Exp 1's 1 and
 * 16 units) a loop per row of 1 column cost a fifth of the step.
 */
INLINE void blocks_out(float *c, const float *sums, int rows_, int n, int mode, const float *bias) {
  const v128_t zero = wasm_f32x4_splat(0.0f);
  const int total = rows_ * n;
  if (mode >= BLOCK) {
    int i = 0;
    if (mode == BLOCK_ADD) {
      for (; i + 4 <= total; i += 4) wasm_v128_store(c + i, wasm_f32x4_add(wasm_f32x4_add(wasm_v128_load(c + i), wasm_v128_load(sums + i)), zero));
      for (; i < total; i++) c[i] = (c[i] + sums[i]) + 0.0f;
    } else {
      for (; i + 4 <= total; i += 4) wasm_v128_store(c + i, wasm_f32x4_add(wasm_f32x4_add(zero, wasm_v128_load(sums + i)), zero));
      for (; i < total; i++) c[i] = (0.0f + sums[i]) + 0.0f;
    }
  }
  if (bias) {
    for (int r = 0; r < rows_; r++) {
      float *cr = c + r * n;
      int j = 0;
      for (; j + 4 <= n; j += 4) wasm_v128_store(cr + j, wasm_f32x4_add(wasm_v128_load(cr + j), wasm_v128_load(bias + j)));
      for (; j < n; j++) cr[j] = cr[j] + bias[j];
    }
  }
}

/*
 * The shared dimension is walked in slices of KC so that a slice of both operands stays
 * in cache while every output block passes over it (a [2000 × 100]ᵀ · [2000 × 100] weight
 * gradient streamed both 0.8 MB operands from memory once per block row). Between slices
 * each accumulator waits in the output as the float32 it already is, so every output
 * still sees one unbroken sequence of additions: slicing changes no bit.
 */
#define KC 256

/*
 * Copies rows 0..k−1 of b's first n − n mod 8 columns into panels of 8 columns, each k rows
 * of 8 contiguous floats, and the next 4 columns (when n mod 8 ≥ 4) into one panel of 4: the
 * block8 and block4 calls then read the same values in the same order from one stream
 * instead of k rows ldb apart, and use whole cache lines (measured with
 * bench/gemm-shapes.ts, best of 12: a 100×2000 · 2000×100 weight gradient 12 → 16 GMAC/s,
 * a 2000×100 · 100×100 product 17 → 18).
 */
static void pack_panels(const float *b, int ldb, float *packed, int n, int k) {
  int j = 0;
  for (; j + 8 <= n; j += 8) {
    float *dst = packed + j * k;
    for (int p = 0; p < k; p++) {
      wasm_v128_store(dst + p * 8, wasm_v128_load(b + p * ldb + j));
      wasm_v128_store(dst + p * 8 + 4, wasm_v128_load(b + p * ldb + j + 4));
    }
  }
  if (j + 4 <= n)
    for (int p = 0; p < k; p++) wasm_v128_store(packed + j * k + p * 4, wasm_v128_load(b + p * ldb + j));
}
/* 4 vectors (rows) → their transpose, in place. */
#define TRANSPOSE4(r0, r1, r2, r3) do { \
    const v128_t t0_ = wasm_i32x4_shuffle(r0, r1, 0, 4, 1, 5), t1_ = wasm_i32x4_shuffle(r0, r1, 2, 6, 3, 7); \
    const v128_t t2_ = wasm_i32x4_shuffle(r2, r3, 0, 4, 1, 5), t3_ = wasm_i32x4_shuffle(r2, r3, 2, 6, 3, 7); \
    r0 = wasm_i64x2_shuffle(t0_, t2_, 0, 2), r1 = wasm_i64x2_shuffle(t0_, t2_, 1, 3); \
    r2 = wasm_i64x2_shuffle(t1_, t3_, 0, 2), r3 = wasm_i64x2_shuffle(t1_, t3_, 1, 3); \
  } while (0)

/*
 * pack_panels for b stored transposed (element (p, j) at bt[j·ldt + p], n a multiple of 4):
 * the same panels straight from the stored rows, 4×4 blocks at a time, instead of a
 * transposed copy of b first and the panels from that (two passes over b).
 */
static void pack_panels_t(const float *bt, int ldt, float *packed, int n, int k) {
  for (int j = 0; j + 4 <= n; j += 4) {
    /* Panels of 8 columns, then one of 4: column j's floats sit at lane j mod 8 of a row of w. */
    const int w = j - j % 8 + 8 <= n - n % 8 ? 8 : 4;
    float *dst = packed + (j - j % 8) * k + j % 8;
    const float *src = bt + j * ldt;
    int p = 0;
    for (; p + 4 <= k; p += 4) {
      v128_t r0 = wasm_v128_load(src + p), r1 = wasm_v128_load(src + ldt + p);
      v128_t r2 = wasm_v128_load(src + 2 * ldt + p), r3 = wasm_v128_load(src + 3 * ldt + p);
      TRANSPOSE4(r0, r1, r2, r3);
      wasm_v128_store(dst + p * w, r0), wasm_v128_store(dst + (p + 1) * w, r1);
      wasm_v128_store(dst + (p + 2) * w, r2), wasm_v128_store(dst + (p + 3) * w, r3);
    }
    for (; p < k; p++)
      for (int r = 0; r < 4; r++) dst[p * w + r] = src[r * ldt + p];
  }
}

/* MR = 4 rows of a (row stride ai), k values each, as k vectors of 4: dst[p·4 + r] = a[r·ai + p]. */
static void transpose_rows(const float *a, int ai, float *dst, int k) {
  int p = 0;
  for (; p + 4 <= k; p += 4) {
    v128_t r0 = wasm_v128_load(a + p), r1 = wasm_v128_load(a + ai + p);
    v128_t r2 = wasm_v128_load(a + 2 * ai + p), r3 = wasm_v128_load(a + 3 * ai + p);
    TRANSPOSE4(r0, r1, r2, r3);
    wasm_v128_store(dst + p * 4, r0), wasm_v128_store(dst + (p + 1) * 4, r1);
    wasm_v128_store(dst + (p + 2) * 4, r2), wasm_v128_store(dst + (p + 3) * 4, r3);
  }
  for (; p < k; p++)
    for (int r = 0; r < 4; r++) dst[p * 4 + r] = a[r * ai + p];
}

/*
 * The panel of rows i..i+mr−1 of op(a) over a slice of kc: dst[p·MR + r] = a[(i + r)·ai + p·ap],
 * rows past mr zero (their outputs are computed and never stored).
 */
static void pack_rows(const float *a, int ai, int ap, float *dst, int mr, int kc) {
  if (mr == MR && ai == 1) {
    for (int p = 0; p < kc; p++) wasm_v128_store(dst + p * MR, wasm_v128_load(a + p * ap));
  } else if (mr == MR && ap == 1) {
    transpose_rows(a, ai, dst, kc);
  } else {
    for (int p = 0; p < kc; p++)
      for (int r = 0; r < MR; r++) dst[p * MR + r] = r < mr ? a[r * ai + p * ap] : 0.0f;
  }
}

/* Panels of b pay for their copy only when many row blocks read them (each reads the whole slice). */
#define PACK_MIN_ROWS 32

/* Whether gemm() packs a b stored transposed (pack_panels_t) for m rows by n columns, rather than reading a transposed copy. */
INLINE int packs_b_transposed(int m, int n) {
  return m >= PACK_MIN_ROWS && n >= 8 && n % 4 == 0;
}

/*
 * tfjs-wasm's own loop (any stacked or transposed product) sums the shared dimension in
 * blocks of 48, each from zero, adding every block's sum to the output: `blocked` keeps
 * that order, slice by slice.
 */
#define TFJS_BLOCK 48

/*
 * c = op(a) · b (+ bias, a row vector of n, added to every row after the last product),
 * in XNNPACK's order, or in tfjs's blocked loop's order when `blocked`; then `post`
 * (elementwise.c) applied to each block of rows as soon as its last slice is written, while
 * the block is still in cache: the activation of a forward layer, or the activation's
 * gradient (y, laid out as c, the activation's output) of a backward product.
 * With `accumulate` (XNNPACK's order only) the sums continue from c's values instead of
 * starting from zero: a product over rows given in parts, each part after the last, is then
 * the same sum as over all of them at once (kernels/mlp-step.c).
 * `work` holds GEMM_WORK(k, n) floats: b's panels, a's panel, two tiles of MR rows (the
 * last m mod MR rows, and the tfjs loop's block sums), and room for a transposed output of
 * fewer than MR rows (below).
 */
#define GEMM_WORK(k, n) (((k) < KC ? (k) : KC) * ((n) + MR) + 3 * MR * (n))
static void gemm(const float *a, int ai, int ap, const float *b, int ldb, int bt, float *c, int m, int n, int k, const float *bias, int blocked, int accumulate, int post, const float *y, float *work) {
  const int slice = blocked ? TFJS_BLOCK : KC;
  const int pack_b = m >= PACK_MIN_ROWS && n >= 8;
  const int kmax = k < KC ? k : KC;
  if (m > 1 && m < MR && ai == 1 && n >= MR && post == POST_NONE && !bt) {
    /*
     * Fewer rows than a register block, a read transposed (the weight gradient of a layer
     * with 2 inputs): cᵀ = bᵀ · a computed instead, b's columns in the vector lanes, into the
     * tiles' space, then transposed into c. Each output is the same products (x·y = y·x in
     * IEEE arithmetic) summed in the same order; the register block computed MR rows for m.
     * One row (a layer with 1 input: Exp 1) is a contiguous row of a, which few_rows reads in
     * place: the transposed product took 5.1 µs for Exp 1's 15 networks (1×100 · 100×16)
     * against 2.8.
     */
    /* After all the transposed product's own work needs (GEMM_WORK(k, m) < this offset, as m < n). */
    float *ct = work + kmax * (n + MR) + 2 * MR * n;
    if (accumulate)
      for (int i = 0; i < m; i++)
        for (int j = 0; j < n; j++) ct[j * m + i] = c[i * n + j];
    gemm(b, 1, ldb, a, ap, 0, ct, n, m, k, 0, blocked, accumulate, POST_NONE, 0, work);
    for (int i = 0; i < m; i++)
      for (int j = 0; j < n; j++) c[i * n + j] = bias ? ct[j * m + i] + bias[j] : ct[j * m + i];
    return;
  }
  float *apanel = work + n * kmax;
  float *tail = apanel + MR * kmax;
  float *sums = tail + MR * n;
  /* At least one slice, so that k = 0 still writes the output (zeros, or the bias). */
  int p0 = 0;
  do {
    const int kc = k - p0 < slice ? k - p0 : slice;
    const int mode = blocked ? (p0 == 0 ? BLOCK : BLOCK_ADD) : (p0 == 0 && !accumulate ? FRESH : CONTINUE);
    const float *bias_here = p0 + kc >= k ? bias : 0;
    const float *as = a + p0 * ap;
    const float *bs = bt ? b + p0 : b + p0 * ldb;
    float *panels = pack_b ? work : 0;
    if (panels && bt) pack_panels_t(bs, ldb, panels, n, kc);
    else if (panels) pack_panels(bs, ldb, panels, n, kc);
    const int finish = post != POST_NONE && p0 + kc >= k;
    if (m < MR && !bt) {
      few_rows(as, ai, ap, bs, ldb, mode >= BLOCK ? sums : c, n, m, n, kc, mode == CONTINUE);
      if (mode >= BLOCK || bias_here) blocks_out(c, sums, m, n, mode, bias_here);
      if (finish) apply_post(post, c, y, m * n);
      p0 += slice;
      continue;
    }
    for (int i = 0; i < m; i += MR) {
      const int mr = m - i < MR ? m - i : MR;
      /* The last m mod MR rows go through a tile of MR (the padding rows' a are zeros). */
      float *out = mr == MR ? c + i * n : tail;
      if (mr < MR)
        for (int r = 0; r < MR; r++)
          for (int j = 0; j < n; j++) tail[r * n + j] = r < mr ? c[(i + r) * n + j] : 0.0f;
      /* tfjs's loop sums each slice from zero apart, then adds it to the output. */
      float *acc = mode >= BLOCK ? sums : out;
      if (n < 4 && ai == 1 && mr == MR) {
        /* A transposed a already holds MR rows per p as one vector: fewer than 4 columns read it in place. */
        block_narrow(as + i, ap, bs, ldb, acc, n, kc, mode == CONTINUE, n);
      } else {
        pack_rows(as + i * ai, ai, ap, apanel, mr, kc);
        rows(apanel, bs, ldb, panels, acc, n, n, kc, mode == CONTINUE);
      }
      if (mode >= BLOCK || bias_here) blocks_out(out, sums, MR, n, mode, bias_here);
      if (mr < MR)
        for (int r = 0; r < mr; r++)
          for (int j = 0; j < n; j++) c[(i + r) * n + j] = tail[r * n + j];
      if (finish) apply_post(post, c + i * n, y ? y + i * n : 0, mr * n);
    }
    p0 += slice;
  } while (p0 < k);
}

/* The work floats pack_gemm needs for a product of shared dimension k and n columns. */
__attribute__((export_name("gemm_work")))
int gemm_work(int k, int n) { return GEMM_WORK(k, n); }

/*
 * dst [cols × rows] = transpose of src [rows × cols], in 4×4 blocks through vector shuffles
 * (a backward product dA = G·Wᵀ transposes W every step; element by element, with every
 * write a row apart, that copy cost as much as a batch-1 product itself).
 */
static void transpose(const float *src, float *dst, int rows_, int cols) {
  int r = 0;
  for (; r + 4 <= rows_; r += 4) {
    int c = 0;
    for (; c + 4 <= cols; c += 4) {
      v128_t r0 = wasm_v128_load(src + r * cols + c), r1 = wasm_v128_load(src + (r + 1) * cols + c);
      v128_t r2 = wasm_v128_load(src + (r + 2) * cols + c), r3 = wasm_v128_load(src + (r + 3) * cols + c);
      TRANSPOSE4(r0, r1, r2, r3);
      wasm_v128_store(dst + c * rows_ + r, r0), wasm_v128_store(dst + (c + 1) * rows_ + r, r1);
      wasm_v128_store(dst + (c + 2) * rows_ + r, r2), wasm_v128_store(dst + (c + 3) * rows_ + r, r3);
    }
    for (; c < cols; c++)
      for (int i = r; i < r + 4; i++) dst[c * rows_ + i] = src[i * cols + c];
  }
  for (; r < rows_; r++)
    for (int c = 0; c < cols; c++) dst[c * rows_ + r] = src[r * cols + c];
}

/*
 * For networks 0..live−1 of a pack: out_k [m × n] = post(op(a_k) · op(b_k) [+ bias_k]), where
 *   op(a_k) = a_k [m × k] (transA = 0) or a_k stored [k × m] read transposed (transA = 1);
 *   op(b_k) = b_k [k × n] (transB = 0) or b_k stored [n × k], transposed into `scratch`
 *             (k·n floats) first (transB = 1).
 * summed in XNNPACK's order, or with `blocked` in tfjs-wasm's own loop's (see gemm()),
 * and bias_k (when `bias` is not 0) is a row of n added to every row of the sum, as tfjs's
 * broadcast Add of a [K, 1, n] bias does: one float32 addition after the last product.
 * Networks live..K−1 of `out` are set to zero, or to their bias (a shadow twin, see
 * core/nn/matmul.ts; its numbers are never read), and `post` applied to that, as the
 * separate elementwise kernel applies it to the whole stacked tensor. `post` is POST_NONE,
 * POST_SIGMOID, or POST_SIGMOID_GRAD with y_k (laid out as out_k) the sigmoid's output.
 * Pointers are byte offsets into the shared memory; every network's operand is dense.
 */
__attribute__((export_name("pack_gemm")))
void pack_gemm(const float *a, const float *b, const float *bias, float *out, float *scratch, float *panels, int K, int live, int m, int n, int k, int transA, int transB, int blocked, int post, const float *y) {
  const int ai = transA ? 1 : k;
  const int ap = transA ? m : 1;
  for (int net = 0; net < live; net++) {
    const float *an = a + net * m * k;
    const float *bn = b + net * k * n;
    /* b stored transposed: packed straight from its rows where gemm() packs it, else transposed first. */
    const int packed_t = transB && packs_b_transposed(m, n);
    if (transB && !packed_t) {
      transpose(bn, scratch, n, k);
      bn = scratch;
    }
    gemm(an, ai, ap, bn, packed_t ? k : n, packed_t, out + net * m * n, m, n, k, AT(bias, net * n), blocked, 0, post, AT(y, net * m * n), panels);
  }
  for (int net = live; net < K; net++) {
    float *o = out + net * m * n;
    for (int i = 0; i < m; i++)
      for (int j = 0; j < n; j++) o[i * n + j] = bias ? bias[net * n + j] : 0.0f;
    if (post != POST_NONE) apply_post(post, o, AT(y, net * m * n), m * n);
  }
}

/*
 * The gradient of a broadcast bias: out [n] = (out with `accumulate`, else 0) + Σ_i dy[i][j]
 * over the m rows. tfjs sums each column from 0 in row order (its Sum kernel after moving
 * the reduced axis last); accumulating whole rows into the output in the same row order
 * gives every column the same sequence of additions, reading memory in order.
 */
static void add_column_sums(const float *d, float *o, int m, int n, int accumulate) {
  if (!accumulate)
    for (int j = 0; j < n; j++) o[j] = 0.0f;
  for (int i = 0; i < m; i++) {
    int j = 0;
    for (; j + 4 <= n; j += 4) wasm_v128_store(o + j, wasm_f32x4_add(wasm_v128_load(o + j), wasm_v128_load(d + i * n + j)));
    for (; j < n; j++) o[j] = o[j] + d[i * n + j];
  }
}

/* The bias gradients of K networks. */
__attribute__((export_name("column_sums")))
void column_sums(const float *dy, float *out, int K, int m, int n) {
  for (int net = 0; net < K; net++) add_column_sums(dy + net * m * n, out + net * n, m, n, 0);
}
