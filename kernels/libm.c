/*
 * expf and logf exactly as tfjs-backend-wasm computes them: its Exp and Log kernels call the
 * C library's expf and logf, which in its build (emscripten's musl) are the table-driven
 * algorithms of ARM's optimized-routines. They are reproduced here step for step in double
 * precision, so that the softmax cross-entropy's gradient can run in one pass
 * (losses.c) with the bits of tfjs's ops. The tables are data and this module may own no
 * data segment (scripts/build-kernels.sh), so the host writes them into the heap once and
 * passes their address (core/nn/libm-tables.ts). test/core/mlp-step.test.ts compares both
 * functions with tfjs's kernels on floats across the whole bit range.
 */
#include <stdint.h>

static inline __attribute__((always_inline)) uint32_t f32_bits(float x) { return __builtin_bit_cast(uint32_t, x); }
static inline __attribute__((always_inline)) float f32_from(uint32_t u) { return __builtin_bit_cast(float, u); }
static inline __attribute__((always_inline)) uint64_t f64_bits(double x) { return __builtin_bit_cast(uint64_t, x); }
static inline __attribute__((always_inline)) double f64_from(uint64_t u) { return __builtin_bit_cast(double, u); }

/* The host's tables (core/nn/libm-tables.ts), one block: 2^(i/32) for expf, (1/c, log c) for logf. */
struct libm_tables {
  uint64_t exp2f[32];
  double logf[16][2];
};

/*
 * e^x = 2^(k/32) · 2^(r/32) with x·32/ln 2 = k + r, |r| ≤ 1/2; 2^(k/32) from the table and
 * the exponent bits of k, 2^(r/32) by a cubic. Overflow gives +inf, underflow +0.
 */
static inline float expf_tfjs(float x, const struct libm_tables *t) {
  const uint32_t abstop = (f32_bits(x) >> 20) & 0x7ff;
  if (abstop >= (f32_bits(88.0f) >> 20)) {
    if (f32_bits(x) == f32_bits(-__builtin_inff())) return 0.0f;
    if (abstop >= (f32_bits(__builtin_inff()) >> 20)) return x + x;
    if (x > 0x1.62e42ep6f) return __builtin_inff();
    if (x < -0x1.9fe368p6f) return 0.0f;
  }
  const double z = 0x1.71547652b82fep+0 * 32 * (double)x;
  double kd = z + 0x1.8p+52;
  const uint64_t ki = f64_bits(kd);
  kd -= 0x1.8p+52;
  const double r = z - kd;
  const double s = f64_from(t->exp2f[ki % 32] + (ki << 47));
  const double c0 = 0x1.c6af84b912394p-5 / 32 / 32 / 32, c1 = 0x1.ebfce50fac4f3p-3 / 32 / 32, c2 = 0x1.62e42ff0c52d6p-1 / 32;
  const double p = c0 * r + c1;
  const double r2 = r * r;
  double y = c2 * r + 1;
  y = p * r2 + y;
  y = y * s;
  return (float)y;
}

/*
 * log x = log1p(z/c − 1) + log c + k·ln 2 with x = 2^k·z, z in [0x3f330000, 2·0x3f330000)
 * and c the centre of z's sixteenth of that range (1/c and log c from the table).
 */
static inline float logf_tfjs(float x, const struct libm_tables *t) {
  uint32_t ix = f32_bits(x);
  if (ix == 0x3f800000) return 0.0f;
  if (ix - 0x00800000 >= 0x7f800000 - 0x00800000) {
    if (ix * 2 == 0) return -__builtin_inff();
    if (ix == 0x7f800000) return x;
    /* A NaN made as musl makes it, (x − x)/(x − x), so its sign bit is the machine's as in tfjs's build. */
    if ((ix & 0x80000000) || ix * 2 >= 0xff000000) return (x - x) / (x - x);
    ix = f32_bits(x * 0x1p23f);
    ix -= 23 << 23;
  }
  const uint32_t tmp = ix - 0x3f330000;
  const int i = (tmp >> (23 - 4)) % 16;
  const int k = (int32_t)tmp >> 23;
  const uint32_t iz = ix - (tmp & 0xff800000);
  const double invc = t->logf[i][0], logc = t->logf[i][1];
  const double z = (double)f32_from(iz);
  const double r = z * invc - 1;
  const double y0 = logc + (double)k * 0x1.62e42fefa39efp-1;
  const double r2 = r * r;
  double y = 0x1.5575b0be00b6ap-2 * r + -0x1.ffffef20a4123p-2;
  y = -0x1.00ea348b88334p-2 * r2 + y;
  y = y * r2 + (y0 + r);
  return (float)y;
}

__attribute__((export_name("expf_n")))
void expf_n(const float *x, float *out, int n, const struct libm_tables *t) {
  for (int i = 0; i < n; i++) out[i] = expf_tfjs(x[i], t);
}

__attribute__((export_name("logf_n")))
void logf_n(const float *x, float *out, int n, const struct libm_tables *t) {
  for (int i = 0; i < n; i++) out[i] = logf_tfjs(x[i], t);
}
