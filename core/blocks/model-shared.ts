/**
 * Model block `shared`: the weight-shared network of the notebook's Exp 2 (core/nn/model.ts
 * SharedSpec): an input layer of `width` units, then ONE width×width matrix (and bias)
 * applied `depth` times, the activation after every layer, a linear output layer sized by
 * the data block. Depth L gives L+1 hidden layers with the parameter count of depth 1
 * (152 for one input, width 10 and two classes), so depth is compared at a fixed size.
 * Weights and biases start Glorot-uniform (TF's get_variable default, as the notebook's).
 */
import { z } from 'zod';
import { ACTIVATIONS } from '../nn/activation-scalar';
import type { SharedSpec } from '../nn/model';
import type { NetworkModelBlock, Values } from './types';

export const sharedShape = {
  width: z.number().int().min(1).max(512),
  depth: z.number().int().min(1).max(64),
  activation: z.enum(ACTIVATIONS),
};

type SharedValues = { width: number; depth: number; activation: SharedSpec['activation'] };

export const sharedBlock: NetworkModelBlock = {
  family: 'model',
  kind: 'shared',
  summary: 'A weight-shared net: an input layer of width units, one width×width layer applied depth times, a linear output layer (the parameter count does not grow with depth).',
  shape: sharedShape,
  defaults: { width: 10, depth: 1, activation: 'relu' },
  build(values: Values, data): SharedSpec {
    const p = values as SharedValues;
    return { kind: 'shared', input: data.input, width: p.width, depth: p.depth, output: data.output, activation: p.activation };
  },
  incompatible: () => null,
};
