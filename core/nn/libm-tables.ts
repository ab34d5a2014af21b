/**
 * The tables of the expf and logf that tfjs-backend-wasm's Exp and Log kernels call
 * (kernels/libm.c): emscripten's musl, whose versions come from ARM's optimized-routines.
 * Read off the data section of @tensorflow/tfjs-backend-wasm 4.22's .wasm (pinned in
 * package.json); test/core/mlp-step.test.ts checks the functions built on them against
 * tfjs's kernels. Written into the heap once per backend (core/nn/wasm-kernels.ts) because
 * atomsweep's module may own no data.
 */

/** 2^(i/32) as a double's bits, less i << 47 (the exponent the algorithm adds back), i = 0…31. */
export const EXP2F_TABLE: readonly bigint[] = [
  0x3ff0000000000000n, 0x3fefd9b0d3158574n, 0x3fefb5586cf9890fn, 0x3fef9301d0125b51n, 0x3fef72b83c7d517bn, 0x3fef54873168b9aan, 0x3fef387a6e756238n, 0x3fef1e9df51fdee1n,
  0x3fef06fe0a31b715n, 0x3feef1a7373aa9cbn, 0x3feedea64c123422n, 0x3feece086061892dn, 0x3feebfdad5362a27n, 0x3feeb42b569d4f82n, 0x3feeab07dd485429n, 0x3feea47eb03a5585n,
  0x3feea09e667f3bcdn, 0x3fee9f75e8ec5f74n, 0x3feea11473eb0187n, 0x3feea589994cce13n, 0x3feeace5422aa0dbn, 0x3feeb737b0cdc5e5n, 0x3feec49182a3f090n, 0x3feed503b23e255dn,
  0x3feee89f995ad3adn, 0x3feeff76f2fb5e47n, 0x3fef199bdd85529cn, 0x3fef3720dcef9069n, 0x3fef5818dcfba487n, 0x3fef7c97337b9b5fn, 0x3fefa4afa2a490dan, 0x3fefd0765b6e4540n,
];

/** Per sixteenth of the reduced range: 1/c and log c, as doubles' bits. */
export const LOGF_TABLE: readonly (readonly [bigint, bigint])[] = [
  [0x3ff661ec79f8f3ben, 0xbfd57bf7808caaden], [0x3ff571ed4aaf883dn, 0xbfd2bef0a7c06ddbn], [0x3ff49539f0f010b0n, 0xbfd01eae7f513a67n], [0x3ff3c995b0b80385n, 0xbfcb31d8a68224e9n],
  [0x3ff30d190c8864a5n, 0xbfc6574f0ac07758n], [0x3ff25e227b0b8ea0n, 0xbfc1aa2bc79c8100n], [0x3ff1bb4a4a1a343fn, 0xbfba4e76ce8c0e5en], [0x3ff12358f08ae5ban, 0xbfb1973c5a611cccn],
  [0x3ff0953f419900a7n, 0xbfa252f438e10c1en], [0x3ff0000000000000n, 0x0000000000000000n], [0x3fee608cfd9a47acn, 0x3faaa5aa5df25984n], [0x3feca4b31f026aa0n, 0x3fbc5e53aa362eb4n],
  [0x3feb2036576afce6n, 0x3fc526e57720db08n], [0x3fe9c2d163a1aa2dn, 0x3fcbc2860d224770n], [0x3fe886e6037841edn, 0x3fd1058bc8a07ee1n], [0x3fe767dcf5534862n, 0x3fd4043057b6ee09n],
];

/** Bytes of the block kernels/libm.c reads (struct libm_tables). */
export const LIBM_TABLES_BYTES = (32 + 32) * 8;

/** Writes the block at byte offset `at` of the heap. */
export function writeLibmTables(heap: ArrayBuffer, at: number): void {
  const words = new BigUint64Array(heap, at, 64);
  EXP2F_TABLE.forEach((w, i) => (words[i] = w));
  LOGF_TABLE.forEach(([invc, logc], i) => {
    words[32 + 2 * i] = invc;
    words[33 + 2 * i] = logc;
  });
}
