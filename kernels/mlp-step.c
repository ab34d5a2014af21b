/*
 * One network's whole training step (forward, the loss's gradient, backward), a block of
 * rows at a time, for the direct step of core/nn/mlp-step.ts.
 *
 * Why: a wide network on a large batch (Exp 4's 2-100-100-2 on 2,000 rows) holds about
 * 5 MB of activations and gradients per step, layer by layer, so each product streamed its
 * operands from beyond the core's cache. Here the rows go through the network in blocks of
 * `block` rows: the block's forward pass, the loss's gradient at its logits, and its
 * backward pass, with only the block's activations (a few hundred KB) and the weights and
 * their gradients in cache.
 *
 * Bits: a layer's output and its input's gradient are sums within a row, computed as the
 * layer-at-a-time products compute them (gemm.c); the loss's gradient is a row's own
 * (losses.c, with the whole batch's row count); the weight and bias gradients are sums over
 * the rows, which continue block after block in row order from the float32 each block left
 * (gemm()'s `accumulate`, add_column_sums): every number is the same sequence of float32
 * operations as the layer-at-a-time step's. Only XNNPACK's summation order (every layer on
 * the per-network path, core/nn/matmul.ts) is done this way. test/core/mlp-step.test.ts
 * compares the two bit for bit.
 *
 * The step is described by an array of ints (core/nn/mlp-step.ts writes it):
 *   [0] layers L  [1] rows  [2] block rows  [3] loss (losses.c)  [4] activation (ACT_*)
 *   [5 .. 5+L]    the widths, input to output
 *   then per layer l: W_l, b_l, dW_l, db_l (byte offsets)
 * and writes the logits of every row (rows × classes) and the gradients; `scratch` holds
 * mlp_step_scratch(desc) floats.
 */

enum { ACT_IDENTITY = 0, ACT_SIGMOID = 1, ACT_RELU = 2 };
enum { DESC_LAYERS = 0, DESC_ROWS = 1, DESC_BLOCK = 2, DESC_LOSS = 3, DESC_ACTIVATION = 4, DESC_SIZES = 5 };

#define DESC_LAYER(desc, l) ((const float **)((desc) + DESC_SIZES + (desc)[DESC_LAYERS] + 1 + 4 * (l)))

/* The scratch's parts, in floats from its start. */
struct step_scratch {
  int wt, act, pre, g0, g1, work, total;
};

INLINE struct step_scratch step_layout(const int *desc) {
  const int L = desc[DESC_LAYERS], R = desc[DESC_BLOCK];
  const int *sizes = desc + DESC_SIZES;
  int wt = 0, hidden = 0, widest = 0, work = 0;
  for (int l = 0; l < L; l++) {
    const int in = sizes[l], out = sizes[l + 1];
    if (l > 0) wt += in * out;
    if (l + 1 < L) hidden += R * out;
    if (out > widest) widest = out;
    /* The three products of layer l: forward (k = in), weight gradient (k = R, n = out), input gradient (k = out, n = in). */
    const int w1 = GEMM_WORK(in, out), w2 = GEMM_WORK(R, out), w3 = GEMM_WORK(out, in);
    if (w1 > work) work = w1;
    if (w2 > work) work = w2;
    if (w3 > work) work = w3;
  }
  struct step_scratch s;
  s.wt = 0;
  s.act = s.wt + wt;
  s.pre = s.act + hidden;
  s.g0 = s.pre + (desc[DESC_ACTIVATION] == ACT_RELU ? hidden : 0);
  s.g1 = s.g0 + R * widest;
  s.work = s.g1 + R * widest;
  /* Vector loads may read past an array's end within a row of 4; the work space is last. */
  s.total = s.work + work + 4;
  return s;
}

/* Layer l's (l ≥ 1) transposed weights within their part of the scratch. */
INLINE float *transposed_weights(const int *desc, float *part, int l) {
  for (int i = 1; i < l; i++) part += desc[DESC_SIZES + i] * desc[DESC_SIZES + i + 1];
  return part;
}

/* Hidden layer l's block of rows (its output, or its input for ReLU) within their part of the scratch. */
INLINE float *hidden_rows(const int *desc, float *part, int l) {
  for (int i = 0; i < l; i++) part += desc[DESC_BLOCK] * desc[DESC_SIZES + i + 1];
  return part;
}

__attribute__((export_name("mlp_step_scratch")))
int mlp_step_scratch(const int *desc) { return step_layout(desc).total; }

__attribute__((export_name("mlp_step")))
void mlp_step(const int *desc, const float *x, const float *y, float *logits, float *scratch, const struct libm_tables *tab) {
  const int L = desc[DESC_LAYERS], rows = desc[DESC_ROWS], R = desc[DESC_BLOCK];
  const int loss = desc[DESC_LOSS], activation = desc[DESC_ACTIVATION];
  const int *sizes = desc + DESC_SIZES;
  const int C = sizes[L];
  const struct step_scratch s = step_layout(desc);
  float *work = scratch + s.work;
  /*
   * The input gradients' Wᵀ: packed by gemm() straight from W's rows where it packs b (as
   * pack_gemm does); otherwise W transposed once for every block.
   */
  const int first_rows = rows < R ? rows : R, last_rows = rows - (rows - 1) / R * R;
  for (int l = 1; l < L; l++)
    if (!packs_b_transposed(first_rows, sizes[l]) || !packs_b_transposed(last_rows, sizes[l]))
      transpose(DESC_LAYER(desc, l)[0], transposed_weights(desc, scratch + s.wt, l), sizes[l], sizes[l + 1]);
  const int post_fwd = activation == ACT_SIGMOID ? POST_SIGMOID : activation == ACT_RELU ? POST_RELU : POST_NONE;
  const int post_bwd = activation == ACT_SIGMOID ? POST_SIGMOID_GRAD : activation == ACT_RELU ? POST_RELU_GRAD : POST_NONE;
  for (int r0 = 0; r0 < rows; r0 += R) {
    const int n = rows - r0 < R ? rows - r0 : R;
    const int more = r0 > 0;
    const float *xr = x + r0 * sizes[0];
    float *zr = logits + r0 * C;
    /* Forward: each layer's product with its bias and activation, as pack_gemm does it. */
    for (int l = 0; l < L; l++) {
      const float **p = DESC_LAYER(desc, l);
      const float *in = l == 0 ? xr : hidden_rows(desc, scratch + s.act, l - 1);
      const int last = l + 1 == L;
      float *out = last ? zr : hidden_rows(desc, scratch + s.act, l);
      float *saved = !last && activation == ACT_RELU ? hidden_rows(desc, scratch + s.pre, l) : 0;
      gemm(in, sizes[l], 1, p[0], sizes[l + 1], 0, out, n, sizes[l + 1], sizes[l], p[1], 0, 0, last ? POST_NONE : post_fwd, saved, work);
    }
    /* The loss's gradient at the block's logits (the batch's row count scales it). */
    float *g = scratch + s.g0, *g_next = scratch + s.g1;
    if (loss == LOSS_SOFTMAX_CROSS_ENTROPY) softmax_cross_entropy_grad(zr, y + r0 * C, g, n, rows, C, tab);
    else mean_squared_error_grad(zr, y + r0 * C, g, n * C, rows, C);
    /* Backward: dW += inputᵀ·g and db += Σ g over the block's rows, then the input's gradient. */
    for (int l = L - 1; l >= 0; l--) {
      float **p = (float **)DESC_LAYER(desc, l);
      const int inner = sizes[l], units = sizes[l + 1];
      const float *in = l == 0 ? xr : hidden_rows(desc, scratch + s.act, l - 1);
      gemm(in, 1, inner, g, units, 0, p[2], inner, units, n, 0, 0, more, POST_NONE, 0, work);
      add_column_sums(g, p[3], n, units, more);
      if (l == 0) break;
      /* The activation's gradient reads its output (sigmoid: this layer's input) or its input (ReLU). */
      const float *y_act = activation == ACT_RELU ? hidden_rows(desc, scratch + s.pre, l - 1) : in;
      if (packs_b_transposed(n, inner))
        gemm(g, units, 1, p[0], units, 1, g_next, n, inner, units, 0, 0, 0, post_bwd, y_act, work);
      else
        gemm(g, units, 1, transposed_weights(desc, scratch + s.wt, l), inner, 0, g_next, n, inner, units, 0, 0, 0, post_bwd, y_act, work);
      float *swap = g;
      g = g_next;
      g_next = swap;
    }
  }
}
