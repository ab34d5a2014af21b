/** Multiply-adds of the matrix products of one training step of one MLP, for the benchmarks (bench/) and the account (scripts/account.ts). */
export function macsPerStep(shape: { sizes: number[]; n: number; batchSize: number }): number {
  const B = Math.min(shape.n, shape.batchSize);
  let forward = 0;
  for (let l = 0; l + 1 < shape.sizes.length; l++) forward += shape.sizes[l] * shape.sizes[l + 1];
  const firstLayer = shape.sizes[0] * shape.sizes[1];
  // Backward: dW for every layer, dA for every layer but the first.
  return B * (forward + forward + (forward - firstLayer));
}
