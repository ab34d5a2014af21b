#!/usr/bin/env bash
# `npm run build:kernels`: builds kernels/atomsweep-kernels.c (which includes the other
# kernels/*.c) into the committed kernels/atomsweep-kernels.wasm, and the benchmark's
# bench/simd-ceiling.c into bench/simd-ceiling.wasm.
# Needs clang-19 and wasm-ld-19 (Debian: apt-get install clang-19 lld-19). The hosts and
# CI use the committed .wasm, so only a change to a kernel's C source needs this.
#
# Flags: SIMD128 and bulk memory (zero fills become memory.fill, not a libc memset);
# -ffp-contract=off so no product-then-sum is ever fused (WebAssembly has no FMA anyway,
# this keeps it explicit); the module imports the tfjs backend's memory and exports only
# its entry points.
set -euo pipefail
cd "$(dirname "$0")/.."
for src in kernels/atomsweep-kernels.c bench/simd-ceiling.c; do
  out="${src%.c}.wasm"
  clang-19 --target=wasm32 -O3 -msimd128 -mbulk-memory -ffp-contract=off -nostdlib ${KERNEL_CFLAGS:-} \
    -Wl,--no-entry -Wl,--import-memory -Wl,--strip-all -Wl,--allow-undefined-file=/dev/null \
    -o "$out" "$src"
  # The module must not write memory it does not own: no data segment, no shadow stack.
  node -e '
    const m = new WebAssembly.Module(require("fs").readFileSync(process.argv[1]));
    const imports = WebAssembly.Module.imports(m).map((i) => i.module + "." + i.name);
    if (imports.join() !== "env.memory") throw new Error("unexpected imports: " + imports);
  ' "$out"
  if command -v llvm-objdump-19 >/dev/null && llvm-objdump-19 -d "$out" | grep -q "global.get\|global.set"; then
    echo "$out uses a global (the shadow stack?): refusing" >&2
    exit 1
  fi
  if llvm-objdump-19 -h "$out" 2>/dev/null | grep -q " DATA "; then
    echo "$out has a data segment: refusing" >&2
    exit 1
  fi
  echo "built $out ($(wc -c < "$out") bytes)"
done
