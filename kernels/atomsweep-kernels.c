/*
 * The one WebAssembly module of atomsweep's own kernels (core/nn/wasm-kernels.ts): the
 * pack GEMM (gemm.c) and the fused elementwise chains (elementwise.c, first: the GEMM applies
 * its activations as it writes). One module, so a host installs one file.
 */
#include "libm.c"
#include "elementwise.c"
#include "gemm.c"
#include "losses.c"
