/**
 * Alternating labels on a line (Exp 2's depth test): x_i = i/n, label 1 for even i and 0
 * for odd i, the notebook's [[0,1],[1,0]] pattern resized to n points. Neighbours always
 * disagree, so a network needs many linear pieces to fit all n.
 */
export function alternatingPoints(n: number): { x: Float32Array; labels: Float32Array } {
  return {
    x: Float32Array.from({ length: n }, (_, i) => i / n),
    labels: Float32Array.from({ length: n }, (_, i) => (i % 2 === 0 ? 1 : 0)),
  };
}
