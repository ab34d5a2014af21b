/*
 * The one WebAssembly module of atomsweep's own kernels (core/nn/wasm-kernels.ts): the
 * pack GEMM (gemm.c) and the fused elementwise chains (elementwise.c). One module, so a
 * host installs one file.
 */
#include "gemm.c"
#include "elementwise.c"
