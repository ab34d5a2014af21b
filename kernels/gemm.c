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
 * Build: `npm run build:kernels` (clang-14 and wasm-ld-14, from Debian's clang-14 and
 * lld-14 packages) compiles it into kernels/atomsweep-kernels.wasm, which is committed.
 */
#include <wasm_simd128.h>

#define INLINE static inline __attribute__((always_inline))

/*
 * Rows per register block: MR×8 outputs in 2·MR accumulators (SIMD registers). 4 measured
 * best (5 and 6 spill in V8's register allocation; so does unrolling the shared dimension).
 * The transposed-A panels below copy MR = 4 floats as one vector.
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
 * A = [m × k] with element (i, p) at a[i·ai + p·ap], B = [k × n] row-major with row
 * stride ldb, C = [m × n] row-major with row stride ldc. mr ≤ MR rows by 8 columns.
 */
INLINE void block8(int mr, const float *a, int ai, int ap, const float *b, int ldb, float *c, int ldc, int k, int mode, const float *bias) {
  v128_t acc0[MR], acc1[MR];
  const v128_t zero = wasm_f32x4_splat(0.0f);
#pragma clang loop unroll(full)
  for (int r = 0; r < MR; r++) {
    acc0[r] = mode != CONTINUE || r >= mr ? zero : wasm_v128_load(c + r * ldc);
    acc1[r] = mode != CONTINUE || r >= mr ? zero : wasm_v128_load(c + r * ldc + 4);
  }
  for (int p = 0; p < k; p++) {
    const v128_t b0 = wasm_v128_load(b + p * ldb);
    const v128_t b1 = wasm_v128_load(b + p * ldb + 4);
#pragma clang loop unroll(full)
    for (int r = 0; r < MR; r++) {
      if (r < mr) {
        const v128_t av = wasm_v128_load32_splat(a + r * ai + p * ap);
        acc0[r] = wasm_f32x4_add(acc0[r], wasm_f32x4_mul(av, b0));
        acc1[r] = wasm_f32x4_add(acc1[r], wasm_f32x4_mul(av, b1));
      }
    }
  }
  if (mode >= BLOCK) {
#pragma clang loop unroll(full)
    for (int r = 0; r < MR; r++) {
      if (r < mr) {
        acc0[r] = wasm_f32x4_add(wasm_f32x4_add(mode == BLOCK_ADD ? wasm_v128_load(c + r * ldc) : zero, acc0[r]), zero);
        acc1[r] = wasm_f32x4_add(wasm_f32x4_add(mode == BLOCK_ADD ? wasm_v128_load(c + r * ldc + 4) : zero, acc1[r]), zero);
      }
    }
  }
  if (bias) {
    const v128_t bias0 = wasm_v128_load(bias), bias1 = wasm_v128_load(bias + 4);
#pragma clang loop unroll(full)
    for (int r = 0; r < MR; r++) {
      acc0[r] = wasm_f32x4_add(acc0[r], bias0);
      acc1[r] = wasm_f32x4_add(acc1[r], bias1);
    }
  }
#pragma clang loop unroll(full)
  for (int r = 0; r < MR; r++) {
    if (r < mr) {
      wasm_v128_store(c + r * ldc, acc0[r]);
      wasm_v128_store(c + r * ldc + 4, acc1[r]);
    }
  }
}

/* MR rows by 4 columns. */
INLINE void block4(int mr, const float *a, int ai, int ap, const float *b, int ldb, float *c, int ldc, int k, int mode, const float *bias) {
  v128_t acc[MR];
  const v128_t zero = wasm_f32x4_splat(0.0f);
#pragma clang loop unroll(full)
  for (int r = 0; r < MR; r++) acc[r] = mode != CONTINUE || r >= mr ? zero : wasm_v128_load(c + r * ldc);
  for (int p = 0; p < k; p++) {
    const v128_t b0 = wasm_v128_load(b + p * ldb);
#pragma clang loop unroll(full)
    for (int r = 0; r < MR; r++) {
      if (r < mr) acc[r] = wasm_f32x4_add(acc[r], wasm_f32x4_mul(wasm_v128_load32_splat(a + r * ai + p * ap), b0));
    }
  }
  const v128_t bias0 = bias ? wasm_v128_load(bias) : zero;
#pragma clang loop unroll(full)
  for (int r = 0; r < MR; r++) {
    if (r < mr) {
      v128_t out = acc[r];
      if (mode >= BLOCK) out = wasm_f32x4_add(wasm_f32x4_add(mode == BLOCK_ADD ? wasm_v128_load(c + r * ldc) : zero, out), zero);
      wasm_v128_store(c + r * ldc, bias ? wasm_f32x4_add(out, bias0) : out);
    }
  }
}

/* MR rows by 1 column, for the last n mod 4 columns. */
INLINE void block1(int mr, const float *a, int ai, int ap, const float *b, int ldb, float *c, int ldc, int k, int mode, const float *bias) {
  float acc[MR];
#pragma clang loop unroll(full)
  for (int r = 0; r < MR; r++) acc[r] = mode != CONTINUE || r >= mr ? 0.0f : c[r * ldc];
  for (int p = 0; p < k; p++) {
    const float bv = b[p * ldb];
#pragma clang loop unroll(full)
    for (int r = 0; r < MR; r++) {
      if (r < mr) acc[r] = acc[r] + a[r * ai + p * ap] * bv;
    }
  }
#pragma clang loop unroll(full)
  for (int r = 0; r < MR; r++) {
    if (r < mr) {
      float out = acc[r];
      if (mode >= BLOCK) out = ((mode == BLOCK_ADD ? c[r * ldc] : 0.0f) + out) + 0.0f;
      c[r * ldc] = bias ? out + bias[0] : out;
    }
  }
}

#define AT(ptr, j) ((ptr) ? (ptr) + (j) : 0)

/*
 * MR rows by the last ncols < 4 columns, the rows in the vector lanes instead of the columns:
 * acol holds, for each p, the MR rows' a values as one vector (stride astride floats between
 * p's). Each output still sums its products in p order, as block1 does, at four outputs per
 * vector operation instead of one (a layer with two outputs, the classes, was scalar).
 */
INLINE void block_narrow(const float *acol, int astride, const float *b, int ldb, float *c, int ldc, int k, int mode, const float *bias, int ncols) {
  const v128_t zero = wasm_f32x4_splat(0.0f);
  v128_t acc[3];
#define COLUMN(ptr, j) wasm_f32x4_make((ptr)[(j)], (ptr)[ldc + (j)], (ptr)[2 * ldc + (j)], (ptr)[3 * ldc + (j)])
#pragma clang loop unroll(full)
  for (int j = 0; j < 3; j++) acc[j] = mode == CONTINUE && j < ncols ? COLUMN(c, j) : zero;
  for (int p = 0; p < k; p++) {
    const v128_t av = wasm_v128_load(acol + p * astride);
#pragma clang loop unroll(full)
    for (int j = 0; j < 3; j++)
      if (j < ncols) acc[j] = wasm_f32x4_add(acc[j], wasm_f32x4_mul(av, wasm_v128_load32_splat(b + p * ldb + j)));
  }
#pragma clang loop unroll(full)
  for (int j = 0; j < 3; j++) {
    if (j < ncols) {
      v128_t out = acc[j];
      if (mode >= BLOCK) out = wasm_f32x4_add(wasm_f32x4_add(mode == BLOCK_ADD ? COLUMN(c, j) : zero, out), zero);
      if (bias) out = wasm_f32x4_add(out, wasm_f32x4_splat(bias[j]));
      c[j] = wasm_f32x4_extract_lane(out, 0);
      c[ldc + j] = wasm_f32x4_extract_lane(out, 1);
      c[2 * ldc + j] = wasm_f32x4_extract_lane(out, 2);
      c[3 * ldc + j] = wasm_f32x4_extract_lane(out, 3);
    }
  }
#undef COLUMN
}

/*
 * `acol` (with `astride`), when not 0, lays out these MR rows of a for block_narrow, which
 * then takes the last n mod 4 columns.
 */
INLINE void rows(int mr, const float *a, int ai, int ap, const float *b, int ldb, const float *packed, const float *acol, int astride, float *c, int ldc, int n, int k, int mode, const float *bias) {
  int j = 0;
  if (packed)
    for (; j + 8 <= n; j += 8) block8(mr, a, ai, ap, packed + j * k, 8, c + j, ldc, k, mode, AT(bias, j));
  for (; j + 8 <= n; j += 8) block8(mr, a, ai, ap, b + j, ldb, c + j, ldc, k, mode, AT(bias, j));
  for (; j + 4 <= n; j += 4) block4(mr, a, ai, ap, b + j, ldb, c + j, ldc, k, mode, AT(bias, j));
  if (acol && mr == MR && j < n) {
    block_narrow(acol, astride, b + j, ldb, c + j, ldc, k, mode, AT(bias, j), n - j);
    return;
  }
  for (; j < n; j++) block1(mr, a, ai, ap, b + j, ldb, c + j, ldc, k, mode, AT(bias, j));
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
 * of 8 contiguous floats: the block8 calls then read the same values in the same order from
 * one stream instead of k rows ldb apart, and use whole cache lines (measured with
 * bench/gemm-shapes.ts, best of 12: a 100×2000 · 2000×100 weight gradient
 * 12 → 16 GMAC/s, a 2000×100 · 100×100 product 17 → 18).
 */
static void pack_panels(const float *b, int ldb, float *packed, int n, int k) {
  for (int j = 0; j + 8 <= n; j += 8) {
    float *dst = packed + j * k;
    for (int p = 0; p < k; p++) {
      wasm_v128_store(dst + p * 8, wasm_v128_load(b + p * ldb + j));
      wasm_v128_store(dst + p * 8 + 4, wasm_v128_load(b + p * ldb + j + 4));
    }
  }
}
/* MR = 4 rows of a (row stride ai), k values each, as k vectors of 4: dst[p·4 + r] = a[r·ai + p]. */
static void transpose_rows(const float *a, int ai, float *dst, int k) {
  int p = 0;
  for (; p + 4 <= k; p += 4) {
    const v128_t r0 = wasm_v128_load(a + p), r1 = wasm_v128_load(a + ai + p);
    const v128_t r2 = wasm_v128_load(a + 2 * ai + p), r3 = wasm_v128_load(a + 3 * ai + p);
    const v128_t t0 = wasm_i32x4_shuffle(r0, r1, 0, 4, 1, 5), t1 = wasm_i32x4_shuffle(r0, r1, 2, 6, 3, 7);
    const v128_t t2 = wasm_i32x4_shuffle(r2, r3, 0, 4, 1, 5), t3 = wasm_i32x4_shuffle(r2, r3, 2, 6, 3, 7);
    wasm_v128_store(dst + p * 4, wasm_i64x2_shuffle(t0, t2, 0, 2));
    wasm_v128_store(dst + (p + 1) * 4, wasm_i64x2_shuffle(t0, t2, 1, 3));
    wasm_v128_store(dst + (p + 2) * 4, wasm_i64x2_shuffle(t1, t3, 0, 2));
    wasm_v128_store(dst + (p + 3) * 4, wasm_i64x2_shuffle(t1, t3, 1, 3));
  }
  for (; p < k; p++)
    for (int r = 0; r < 4; r++) dst[p * 4 + r] = a[r * ai + p];
}

/* Panels pay for their copy only when many row blocks read them (each reads the whole slice). */
#define PACK_MIN_ROWS 32

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
 */
static void gemm(const float *a, int ai, int ap, const float *b, int ldb, float *c, int m, int n, int k, const float *bias, int blocked, int post, const float *y, float *work) {
  const int slice = blocked ? TFJS_BLOCK : KC;
  float *panels = m >= PACK_MIN_ROWS && n >= 8 ? work : 0;
  /* At least one slice, so that k = 0 still writes the output (zeros, or the bias). */
  int p0 = 0;
  do {
    const int kc = k - p0 < slice ? k - p0 : slice;
    const int mode = blocked ? (p0 == 0 ? BLOCK : BLOCK_ADD) : (p0 == 0 ? FRESH : CONTINUE);
    const float *bias_here = p0 + kc >= k ? bias : 0;
    const float *as = a + p0 * ap;
    const float *bs = b + p0 * ldb;
    if (panels) pack_panels(bs, ldb, panels, n, kc);
    const int finish = post != POST_NONE && p0 + kc >= k;
    /*
     * A read transposed (ai = 1, the weight gradient Aᵀ·G): each row block's slice copied to
     * MR contiguous floats per p first, instead of MR floats from a new cache line per p.
     */
    float *apanel = panels && ai == 1 && ap != 1 ? panels + n * kc : 0;
    /* Columns beyond the last 4 (a layer of 2 classes) go to block_narrow, which reads a's rows as vectors. */
    float *narrow = work && n % 4 != 0 && ai != 1 ? work + n * kc : 0;
    int i = 0;
    for (; i + MR <= m; i += MR) {
      if (apanel) {
        for (int p = 0; p < kc; p++) wasm_v128_store(apanel + p * MR, wasm_v128_load(as + i + p * ap));
        rows(MR, apanel, 1, MR, bs, ldb, panels, apanel, MR, c + i * n, n, n, kc, mode, bias_here);
      } else if (ai == 1) {
        rows(MR, as + i, 1, ap, bs, ldb, panels, n % 4 ? as + i : 0, ap, c + i * n, n, n, kc, mode, bias_here);
      } else {
        if (narrow) transpose_rows(as + i * ai, ai, narrow, kc);
        rows(MR, as + i * ai, ai, ap, bs, ldb, panels, narrow, MR, c + i * n, n, n, kc, mode, bias_here);
      }
      if (finish) apply_post(post, c + i * n, y ? y + i * n : 0, MR * n);
    }
    /* The last m mod MR rows, each count with its own fully unrolled copy. */
#define TAIL(r) case r: rows(r, as + i * ai, ai, ap, bs, ldb, panels, 0, 0, c + i * n, n, n, kc, mode, bias_here); break;
    switch (m - i) {
#if MR > 7
      TAIL(7)
#endif
#if MR > 6
      TAIL(6)
#endif
#if MR > 5
      TAIL(5)
#endif
#if MR > 4
      TAIL(4)
#endif
      TAIL(3)
      TAIL(2)
      TAIL(1)
      default: break;
    }
#undef TAIL
    if (finish && i < m) apply_post(post, c + i * n, y ? y + i * n : 0, (m - i) * n);
    p0 += slice;
  } while (p0 < k);
}

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
      const v128_t r0 = wasm_v128_load(src + r * cols + c), r1 = wasm_v128_load(src + (r + 1) * cols + c);
      const v128_t r2 = wasm_v128_load(src + (r + 2) * cols + c), r3 = wasm_v128_load(src + (r + 3) * cols + c);
      const v128_t t0 = wasm_i32x4_shuffle(r0, r1, 0, 4, 1, 5), t1 = wasm_i32x4_shuffle(r0, r1, 2, 6, 3, 7);
      const v128_t t2 = wasm_i32x4_shuffle(r2, r3, 0, 4, 1, 5), t3 = wasm_i32x4_shuffle(r2, r3, 2, 6, 3, 7);
      wasm_v128_store(dst + c * rows_ + r, wasm_i64x2_shuffle(t0, t2, 0, 2));
      wasm_v128_store(dst + (c + 1) * rows_ + r, wasm_i64x2_shuffle(t0, t2, 1, 3));
      wasm_v128_store(dst + (c + 2) * rows_ + r, wasm_i64x2_shuffle(t1, t3, 0, 2));
      wasm_v128_store(dst + (c + 3) * rows_ + r, wasm_i64x2_shuffle(t1, t3, 1, 3));
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
    if (transB) {
      transpose(bn, scratch, n, k);
      bn = scratch;
    }
    gemm(an, ai, ap, bn, n, out + net * m * n, m, n, k, AT(bias, net * n), blocked, post, AT(y, net * m * n), panels);
  }
  for (int net = live; net < K; net++) {
    float *o = out + net * m * n;
    for (int i = 0; i < m; i++)
      for (int j = 0; j < n; j++) o[i * n + j] = bias ? bias[net * n + j] : 0.0f;
    if (post != POST_NONE) apply_post(post, o, AT(y, net * m * n), m * n);
  }
}

/*
 * The gradient of a broadcast bias: out_k [n] = Σ_i dy_k[i][j] over the m rows, for K
 * networks. tfjs sums each column from 0 in row order (its Sum kernel after moving the
 * reduced axis last); accumulating whole rows into the output in the same row order gives
 * every column the same sequence of additions, reading memory in order.
 */
__attribute__((export_name("column_sums")))
void column_sums(const float *dy, float *out, int K, int m, int n) {
  for (int net = 0; net < K; net++) {
    float *o = out + net * n;
    const float *d = dy + net * m * n;
    for (int j = 0; j < n; j++) o[j] = 0.0f;
    for (int i = 0; i < m; i++) {
      int j = 0;
      for (; j + 4 <= n; j += 4) wasm_v128_store(o + j, wasm_f32x4_add(wasm_v128_load(o + j), wasm_v128_load(d + i * n + j)));
      for (; j < n; j++) o[j] = o[j] + d[i * n + j];
    }
  }
}
