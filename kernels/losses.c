/*
 * Gradients of the per-network losses with respect to the logits, d(Σ_k loss_k)/dz, in one
 * pass, with the float32 roundings of the tfjs ops they replace (core/nn/losses.ts packLoss
 * differentiated by tfjs-core's gradients on tfjs-wasm): the direct step (core/nn/mlp-step.ts)
 * otherwise spends a dozen tfjs dispatches on tensors of a few columns, which is most of a
 * small network's step. z, t and g are [K, B, C] (K·B rows of C classes), B rows per network.
 * test/core/mlp-step.test.ts compares each with tf.grad of packLoss bit for bit.
 */

enum { LOSS_SOFTMAX_CROSS_ENTROPY = 1, LOSS_MEAN_SQUARED_ERROR = 2 };

/*
 * −mean_B(Σ_c t·logSoftmax(z)). Backwards through tfjs's ops: the mean gives every row
 * (−1·1)/B; the sum over classes passes it on; the product with the targets gives
 * g_c = (−1/B)·t_c; logSoftmax's own gradient is g − (Σ_c g_c)·exp(logSoftmax(z)), with
 * logSoftmax(z) = (z − max z) − log Σ_c exp(z_c − max z) computed as tfjs computes it
 * (its Max, Sub, Exp, Sum from 0, Log, Sub; expf and logf in libm.c).
 */
static void softmax_cross_entropy_grad(const float *z, const float *t, float *g, int rows, int B, int C, const struct libm_tables *tab) {
  const float per_row = -1.0f / (float)B;
  for (int r = 0; r < rows; r++) {
    const float *zr = z + r * C, *tr = t + r * C;
    float *gr = g + r * C;
    float max = zr[0];
    for (int c = 1; c < C; c++)
      if (zr[c] > max) max = zr[c];
    float sum = 0.0f;
    for (int c = 0; c < C; c++) sum += expf_tfjs(zr[c] - max, tab);
    const float log_sum = logf_tfjs(sum, tab);
    float dsum = 0.0f;
    for (int c = 0; c < C; c++) dsum += per_row * tr[c];
    for (int c = 0; c < C; c++) {
      const float log_softmax = (zr[c] - max) - log_sum;
      gr[c] = per_row * tr[c] - dsum * expf_tfjs(log_softmax, tab);
    }
  }
}

/* mean_{B,C}((z − t)²): (1·1)/(B·C) from the mean, times the square's 2·(z − t). */
static void mean_squared_error_grad(const float *z, const float *t, float *g, int n, int B, int C) {
  const float per_value = 1.0f / (float)(B * C);
  for (int i = 0; i < n; i++) g[i] = per_value * ((z[i] - t[i]) * 2.0f);
}

__attribute__((export_name("loss_grad")))
void loss_grad(int loss, const float *z, const float *t, float *g, int K, int B, int C, const struct libm_tables *tab) {
  if (loss == LOSS_SOFTMAX_CROSS_ENTROPY) softmax_cross_entropy_grad(z, t, g, K * B, B, C, tab);
  else if (loss == LOSS_MEAN_SQUARED_ERROR) mean_squared_error_grad(z, t, g, K * B * C, B, C);
}
