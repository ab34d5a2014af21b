/*
 * Elementwise kernels that fuse a chain of tfjs ops into one pass, each keeping the
 * chain's float32 roundings op for op (every op below is one IEEE-rounded float32
 * operation, as in the tfjs-wasm kernels they replace, and the build forbids
 * contraction into fused multiply-adds), so results are bit-identical to the chain.
 * test/core/wasm-kernels.test.ts compares each with the tfjs ops it replaces.
 */
#include <wasm_simd128.h>

/*
 * TF1 Adam (core/nn/adam.ts), for n parameters:
 *   m' = m·β1 + g·(1−β1)
 *   v' = v·β2 + (g·g)·(1−β2)
 *   p' = p − lr_t · (m' / (sqrt(v') + ε))
 * The scalars arrive as float32, exactly as tfjs turns the JS numbers into scalar tensors.
 */
__attribute__((export_name("adam_tf1")))
void adam_tf1(const float *p, const float *m, const float *v, const float *g, float *p_out, float *m_out, float *v_out, int n,
              float beta1, float one_minus_beta1, float beta2, float one_minus_beta2, float lr_t, float epsilon) {
  const v128_t b1 = wasm_f32x4_splat(beta1), c1 = wasm_f32x4_splat(one_minus_beta1);
  const v128_t b2 = wasm_f32x4_splat(beta2), c2 = wasm_f32x4_splat(one_minus_beta2);
  const v128_t lr = wasm_f32x4_splat(lr_t), eps = wasm_f32x4_splat(epsilon);
  int i = 0;
  for (; i + 4 <= n; i += 4) {
    const v128_t gi = wasm_v128_load(g + i);
    const v128_t mi = wasm_f32x4_add(wasm_f32x4_mul(wasm_v128_load(m + i), b1), wasm_f32x4_mul(gi, c1));
    const v128_t vi = wasm_f32x4_add(wasm_f32x4_mul(wasm_v128_load(v + i), b2), wasm_f32x4_mul(wasm_f32x4_mul(gi, gi), c2));
    const v128_t step = wasm_f32x4_mul(lr, wasm_f32x4_div(mi, wasm_f32x4_add(wasm_f32x4_sqrt(vi), eps)));
    wasm_v128_store(m_out + i, mi);
    wasm_v128_store(v_out + i, vi);
    wasm_v128_store(p_out + i, wasm_f32x4_sub(wasm_v128_load(p + i), step));
  }
  for (; i < n; i++) {
    const float gi = g[i];
    const float mi = m[i] * beta1 + gi * one_minus_beta1;
    const float vi = v[i] * beta2 + (gi * gi) * one_minus_beta2;
    m_out[i] = mi;
    v_out[i] = vi;
    p_out[i] = p[i] - lr_t * (mi / (__builtin_sqrtf(vi) + epsilon));
  }
}

/*
 * The sigmoid as tfjs-backend-wasm computes it: its Sigmoid kernel runs XNNPACK's
 * WebAssembly-SIMD sigmoid ("rr2_p5_div"), reproduced here operation for operation with its
 * constants, so that a layer's activation can be applied as the product's output is written
 * (gemm.c) instead of in a separate pass. For z = |x|:
 *   n = round(−z·log2 e) by the magic-bias trick, s = 2^n from n's bits,
 *   t = z + n·ln2_hi + n·ln2_lo (ln 2 in two parts, so the reduction is exact enough),
 *   p = c1 + t·(c2 + t·(c3 + t·(c4 + t·c5))), e = s + (t·s)·p ≈ exp(−z),
 *   f = e / (e + 1), 0 beyond the cutoff where exp(−z) is no longer normal,
 * and the result is f for negative x (sign bit set) and 1 − f otherwise. Every step is one
 * float32 operation in this order. test/core/wasm-kernels.test.ts compares it with tfjs's
 * Sigmoid kernel bit for bit on every float whose top bits it samples, including NaNs,
 * infinities, zeros and subnormals.
 */
#define SIGMOID_MAGIC_BIAS 0x1.8000FEp23f
#define SIGMOID_MINUS_LOG2E -0x1.715476p+0f
#define SIGMOID_LN2_HI 0x1.62E400p-1f
#define SIGMOID_LN2_LO 0x1.7F7D1Cp-20f
#define SIGMOID_C5 -0x1.0F9F9Cp-7f
#define SIGMOID_C4 0x1.573A1Ap-5f
#define SIGMOID_C3 -0x1.555A80p-3f
#define SIGMOID_C2 0x1.FFFDC6p-2f
#define SIGMOID_C1 -0x1.FFFFF6p-1f
#define SIGMOID_DENORM_CUTOFF 0x1.5D589Ep+6f

static inline __attribute__((always_inline)) v128_t sigmoid4(v128_t x) {
  const v128_t one = wasm_f32x4_splat(1.0f);
  const v128_t magic = wasm_f32x4_splat(SIGMOID_MAGIC_BIAS);
  const v128_t z = wasm_f32x4_abs(x);
  v128_t n = wasm_f32x4_add(wasm_f32x4_mul(z, wasm_f32x4_splat(SIGMOID_MINUS_LOG2E)), magic);
  const v128_t s = wasm_i32x4_shl(n, 23);
  n = wasm_f32x4_sub(n, magic);
  v128_t t = wasm_f32x4_add(wasm_f32x4_mul(n, wasm_f32x4_splat(SIGMOID_LN2_HI)), z);
  t = wasm_f32x4_add(wasm_f32x4_mul(n, wasm_f32x4_splat(SIGMOID_LN2_LO)), t);
  v128_t p = wasm_f32x4_add(wasm_f32x4_mul(t, wasm_f32x4_splat(SIGMOID_C5)), wasm_f32x4_splat(SIGMOID_C4));
  p = wasm_f32x4_add(wasm_f32x4_mul(t, p), wasm_f32x4_splat(SIGMOID_C3));
  p = wasm_f32x4_add(wasm_f32x4_mul(t, p), wasm_f32x4_splat(SIGMOID_C2));
  p = wasm_f32x4_add(wasm_f32x4_mul(t, p), wasm_f32x4_splat(SIGMOID_C1));
  t = wasm_f32x4_mul(t, s);
  const v128_t e = wasm_f32x4_add(wasm_f32x4_mul(t, p), s);
  v128_t f = wasm_f32x4_div(e, wasm_f32x4_add(e, one));
  f = wasm_v128_andnot(f, wasm_f32x4_gt(z, wasm_f32x4_splat(SIGMOID_DENORM_CUTOFF)));
  return wasm_v128_bitselect(f, wasm_f32x4_sub(one, f), wasm_i32x4_shr(x, 31));
}

/*
 * Vectors of the sigmoid computed side by side: one vector's chain of ~20 dependent
 * operations (a division among them) left the core idle; six independent chains per
 * iteration took 1.34 → 0.86 ns a value (a 200,000-value array, best of 200; 2 chains 1.19,
 * 4 chains 1.00, 8 chains 0.91).
 */
#define SIGMOID_CHAINS 6

/* out = sigmoid(x) over n elements (in place when out == x). */
static void sigmoid_n(const float *x, float *out, int n) {
  int i = 0;
  for (; i + 4 * SIGMOID_CHAINS <= n; i += 4 * SIGMOID_CHAINS) {
    v128_t v[SIGMOID_CHAINS];
#pragma clang loop unroll(full)
    for (int u = 0; u < SIGMOID_CHAINS; u++) v[u] = sigmoid4(wasm_v128_load(x + i + 4 * u));
#pragma clang loop unroll(full)
    for (int u = 0; u < SIGMOID_CHAINS; u++) wasm_v128_store(out + i + 4 * u, v[u]);
  }
  for (; i + 4 <= n; i += 4) wasm_v128_store(out + i, sigmoid4(wasm_v128_load(x + i)));
  if (i < n) {
    /* The last n mod 4 through one vector: lanes are independent, as in XNNPACK's tail. */
    float in[4] = {0.0f, 0.0f, 0.0f, 0.0f};
    for (int j = i; j < n; j++) in[j - i] = x[j];
    v128_t r = sigmoid4(wasm_v128_load(in));
    float res[4];
    wasm_v128_store(res, r);
    for (int j = i; j < n; j++) out[j] = res[j - i];
  }
}

__attribute__((export_name("sigmoid")))
void sigmoid(const float *x, float *out, int n) { sigmoid_n(x, out, n); }

/*
 * The sigmoid's gradient as tfjs-core writes it, dy · (y · (1 − y)), y the sigmoid's
 * output: three kernels and two temporaries in tfjs, one pass here.
 */
static void sigmoid_grad_n(const float *dy, const float *y, float *out, int n) {
  const v128_t one = wasm_f32x4_splat(1.0f);
  int i = 0;
  for (; i + 4 <= n; i += 4) {
    const v128_t yi = wasm_v128_load(y + i);
    wasm_v128_store(out + i, wasm_f32x4_mul(wasm_v128_load(dy + i), wasm_f32x4_mul(yi, wasm_f32x4_sub(one, yi))));
  }
  for (; i < n; i++) out[i] = dy[i] * (y[i] * (1.0f - y[i]));
}

__attribute__((export_name("sigmoid_grad")))
void sigmoid_grad(const float *dy, const float *y, float *out, int n) { sigmoid_grad_n(dy, y, out, n); }

/*
 * ReLU as tfjs-wasm computes it (XNNPACK's WebAssembly-SIMD kernel): the signed-integer
 * maximum of the bits and 0, so −0 and every float with its sign bit set, NaNs included,
 * give +0, and the rest pass unchanged. Its gradient as tfjs-core writes it is
 * dy · step(x), step(x) = 1 for x > 0, x itself for a NaN, 0 otherwise, of the ReLU's INPUT x:
 * the output cannot tell a NaN with its sign bit set from a negative number, so the forward
 * pass keeps x (`save`) for the backward one.
 */
static void relu_n(const float *x, float *out, float *save, int n) {
  const v128_t zero = wasm_i32x4_splat(0);
  int i = 0;
  for (; i + 4 <= n; i += 4) {
    const v128_t v = wasm_v128_load(x + i);
    if (save) wasm_v128_store(save + i, v);
    wasm_v128_store(out + i, wasm_i32x4_max(v, zero));
  }
  for (; i < n; i++) {
    const float v = x[i];
    if (save) save[i] = v;
    out[i] = __builtin_bit_cast(int32_t, v) > 0 ? v : 0.0f;
  }
}

static inline __attribute__((always_inline)) v128_t step4(v128_t x) {
  const v128_t one = wasm_f32x4_splat(1.0f), zero = wasm_f32x4_splat(0.0f);
  const v128_t s = wasm_v128_bitselect(one, zero, wasm_f32x4_gt(x, zero));
  return wasm_v128_bitselect(s, x, wasm_f32x4_eq(x, x));
}

static void relu_grad_n(const float *dy, const float *x, float *out, int n) {
  int i = 0;
  for (; i + 4 <= n; i += 4) wasm_v128_store(out + i, wasm_f32x4_mul(wasm_v128_load(dy + i), step4(wasm_v128_load(x + i))));
  for (; i < n; i++) out[i] = wasm_f32x4_extract_lane(wasm_f32x4_mul(wasm_f32x4_splat(dy[i]), step4(wasm_f32x4_splat(x[i]))), 0);
}

__attribute__((export_name("relu")))
void relu(const float *x, float *out, int n) { relu_n(x, out, 0, n); }

/* dy · step(x), x the ReLU's input. */
__attribute__((export_name("relu_grad")))
void relu_grad(const float *dy, const float *x, float *out, int n) { relu_grad_n(dy, x, out, n); }

/*
 * What gemm.c applies to a finished block of rows (c, n elements; y laid out as c): for the
 * gradients, y is the activation's output (sigmoid) or input (ReLU); POST_RELU writes its
 * input to y when y is not 0.
 */
enum { POST_NONE = 0, POST_SIGMOID = 1, POST_SIGMOID_GRAD = 2, POST_RELU = 3, POST_RELU_GRAD = 4 };

static inline __attribute__((always_inline)) void apply_post(int post, float *c, const float *y, int n) {
  if (post == POST_SIGMOID) sigmoid_n(c, c, n);
  else if (post == POST_SIGMOID_GRAD) sigmoid_grad_n(c, y, c, n);
  else if (post == POST_RELU) relu_n(c, c, (float *)y, n);
  else if (post == POST_RELU_GRAD) relu_grad_n(c, y, c, n);
}
