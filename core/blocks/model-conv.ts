/**
 * Model block `conv`: a small conv net on side×side single-channel images
 * (core/nn/model.ts ConvSpec): one valid, stride-1 convolution of `filters` kernel×kernel
 * maps with the activation, flattened, then `depth` dense hidden layers of `width` units
 * and a linear output. `architecture: 'mlp'` builds instead the MLP on the same flattened
 * pixels with `depth` hidden layers whose width gives the parameter count closest to the
 * conv net's (mlpMatchingConv): "conv vs an MLP of equal size" as one grid axis.
 */
import { z } from 'zod';
import { ACTIVATIONS } from '../nn/activation-scalar';
import { INITIALIZERS } from '../nn/initializers';
import { mlpMatchingConv, type ConvSpec, type ModelSpec } from '../nn/model';
import type { DataShape, NetworkModelBlock, Values } from './types';

export const ARCHITECTURES = ['conv', 'mlp'] as const;

export const convShape = {
  architecture: z.enum(ARCHITECTURES),
  filters: z.number().int().min(1).max(64),
  kernel: z.number().int().min(1).max(16),
  width: z.number().int().min(1).max(1024),
  depth: z.number().int().min(1).max(4),
  activation: z.enum(ACTIVATIONS),
  initializer: z.enum(INITIALIZERS),
};

type ConvValues = { architecture: (typeof ARCHITECTURES)[number]; filters: number; kernel: number; width: number; depth: number; activation: ConvSpec['activation']; initializer: ConvSpec['initializer'] };

/** The conv net of these values on this data (also what the 'mlp' architecture matches). */
export function convSpecOf(p: ConvValues, data: DataShape): ConvSpec {
  return { kind: 'conv', side: data.side ?? 0, filters: p.filters, kernel: p.kernel, hidden: Array(p.depth).fill(p.width), output: data.output, activation: p.activation, initializer: p.initializer };
}

export const convBlock: NetworkModelBlock = {
  family: 'model',
  kind: 'conv',
  summary: "A small conv net on images (one convolution, dense layers), or with architecture 'mlp' the MLP of equal parameter count.",
  shape: convShape,
  defaults: { architecture: 'conv', filters: 4, kernel: 3, width: 16, depth: 1, activation: 'relu', initializer: 'xavier' },
  build(values: Values, data): ModelSpec {
    const p = values as ConvValues;
    const conv = convSpecOf(p, data);
    return p.architecture === 'conv' ? conv : mlpMatchingConv(conv, p.depth);
  },
  incompatible(values: Values, data) {
    if (data.side === undefined) return 'a conv net needs image data (the images block)';
    if ((values.kernel as number) > data.side) return `kernel ${values.kernel} is larger than the image side ${data.side}`;
    return null;
  },
};
