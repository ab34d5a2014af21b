/**
 * Model block `mlp`: `depth` hidden layers of `width` units (core/nn/model.ts), the
 * activation after each hidden layer, a linear output layer sized by the data block, and
 * one initializer for weights and biases (the notebook's convention), and optionally batch
 * normalisation on every hidden layer (batch statistics in training, running averages when
 * evaluating).
 */
import { z } from 'zod';
import { ACTIVATIONS } from '../nn/activation-scalar';
import { INITIALIZERS } from '../nn/initializers';
import type { MlpSpec } from '../nn/model';
import type { NetworkModelBlock, Values } from './types';

export const mlpShape = {
  width: z.number().int().min(1).max(1024),
  depth: z.number().int().min(1).max(8),
  activation: z.enum(ACTIVATIONS),
  initializer: z.enum(INITIALIZERS),
  /** Batch normalisation after every hidden layer's affine map, before its activation (core/nn/model.ts). */
  batch_norm: z.boolean(),
  /** Std of the 'normal_high' initializer, N(0, std²) (the notebook's 1; 10 in an earlier version of it). */
  normal_high_std: z.number().positive().max(1000),
};

type MlpValues = { width: number; depth: number; activation: MlpSpec['activation']; initializer: MlpSpec['initializer']; batch_norm: boolean; normal_high_std: number };

export const mlpBlock: NetworkModelBlock = {
  family: 'model',
  kind: 'mlp',
  summary: 'A multilayer perceptron: depth hidden layers of width units, a linear output layer.',
  shape: mlpShape,
  defaults: { width: 32, depth: 2, activation: 'relu', initializer: 'xavier', batch_norm: false, normal_high_std: 1 },
  build(values: Values, data): MlpSpec {
    const p = values as MlpValues;
    const spec: MlpSpec = { kind: 'mlp', input: data.input, hidden: Array(p.depth).fill(p.width), output: data.output, activation: p.activation, initializer: p.initializer };
    // The initializers' own default std is 1 (core/nn/initializers.ts): only another value is spelled out.
    if (p.normal_high_std !== undefined && p.normal_high_std !== 1) spec.normalHighStd = p.normal_high_std;
    // Without BN the spec is the plain MLP's, computed exactly as the built-ins' nets.
    return p.batch_norm ? { ...spec, batchNorm: true } : spec;
  },
  incompatible: () => null,
};
