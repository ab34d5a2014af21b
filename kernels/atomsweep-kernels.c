/*
 * The one WebAssembly module of atomsweep's own kernels (core/nn/wasm-kernels.ts): the
 * pack GEMM (gemm.c) and the fused elementwise chains (elementwise.c, first: the GEMM applies
 * its activations as it writes), the losses' gradients (losses.c) and a network's whole
 * step a block of rows at a time (mlp-step.c). One module, so a host installs one file.
 */
#include "libm.c"
#include "elementwise.c"
#include "gemm.c"
#include "losses.c"
#include "mlp-step.c"
