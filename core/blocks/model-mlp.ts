/**
 * Model block `mlp`: `depth` hidden layers of `width` units (core/nn/model.ts), the
 * activation after each hidden layer, a linear output layer sized by the data block, and
 * one initializer for weights and biases (the notebook's convention).
 */
import { z } from 'zod';
import { ACTIVATIONS } from '../nn/activation-scalar';
import { INITIALIZERS } from '../nn/initializers';
import type { MlpSpec } from '../nn/model';
import type { ModelBlock, Values } from './types';

export const mlpShape = {
  width: z.number().int().min(1).max(1024),
  depth: z.number().int().min(1).max(8),
  activation: z.enum(ACTIVATIONS),
  initializer: z.enum(INITIALIZERS),
};

type MlpValues = { width: number; depth: number; activation: MlpSpec['activation']; initializer: MlpSpec['initializer'] };

export const mlpBlock: ModelBlock = {
  family: 'model',
  kind: 'mlp',
  summary: 'A multilayer perceptron: depth hidden layers of width units, a linear output layer.',
  shape: mlpShape,
  defaults: { width: 32, depth: 2, activation: 'relu', initializer: 'xavier' },
  build(values: Values, data): MlpSpec {
    const p = values as MlpValues;
    return { kind: 'mlp', input: data.input, hidden: Array(p.depth).fill(p.width), output: data.output, activation: p.activation, initializer: p.initializer };
  },
  incompatible: () => null,
};
