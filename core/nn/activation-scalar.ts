/** The protocol's hidden-layer nonlinearities by name, and their values on plain numbers (no tfjs). */
export const ACTIVATIONS = ['sigmoid', 'relu', 'tanh', 'square', 'sin', 'sign', 'identity'] as const;
export type Activation = (typeof ACTIVATIONS)[number];

/** The same functions on plain numbers, for plotting activation shapes and for tests. */
export function activateScalar(name: Activation, x: number): number {
  switch (name) {
    case 'sigmoid':
      return 1 / (1 + Math.exp(-x));
    case 'relu':
      return Math.max(0, x);
    case 'tanh':
      return Math.tanh(x);
    case 'square':
      return x * x;
    case 'sin':
      return Math.sin(x);
    case 'sign':
      return Math.sign(x);
    case 'identity':
      return x;
  }
}
