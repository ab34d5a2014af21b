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
 * The sigmoid's gradient as tfjs-core writes it, dy · (y · (1 − y)), y the sigmoid's
 * output: three kernels and two temporaries in tfjs, one pass here.
 */
__attribute__((export_name("sigmoid_grad")))
void sigmoid_grad(const float *dy, const float *y, float *out, int n) {
  const v128_t one = wasm_f32x4_splat(1.0f);
  int i = 0;
  for (; i + 4 <= n; i += 4) {
    const v128_t yi = wasm_v128_load(y + i);
    wasm_v128_store(out + i, wasm_f32x4_mul(wasm_v128_load(dy + i), wasm_f32x4_mul(yi, wasm_f32x4_sub(one, yi))));
  }
  for (; i < n; i++) out[i] = dy[i] * (y[i] * (1.0f - y[i]));
}
