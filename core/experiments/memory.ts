/**
 * WebAssembly heap estimates for one pack (Experiment.memory). tfjs-wasm keeps every tensor
 * in one WebAssembly memory, which only grows; on Workers it counts against the isolate's
 * 128 MB. A pack of K networks holds, per network (in float32 values):
 *
 * - weights and TF1 Adam's two moments: 3 × parameters, for the whole pack;
 * - plus the largest of three phases that never overlap:
 *   - the gradient step: the gradients (1 × parameters) and about 10 values per row and unit:
 *     the forward pass kept for the backward one (pre-activation, activation), the backward
 *     pass's gradients, the activation derivative's temporaries and the matMul gradients'
 *     transposed copies (measured: 10.4 per row and unit for exp1 with 512 units, 2,000 rows);
 *   - the Adam update (core/nn/adam.ts): the gradients and twelve intermediates per
 *     parameter, all alive until its tidy() ends (13 × parameters) — the peak for most nets;
 *   - evaluation: two values per row and unit of a forward pass over the evaluation rows;
 * - the data arrays of the network (train and test rows, inputs and targets), twice (the
 *   stacked tensor and its batch copy).
 *
 * A lone trial counts as a pack of 2: on a host without atomsweep's kernels it trains
 * beside a shadow twin (core/train/train-pack.ts); with them (no twin) this is an upper bound.
 * Calibration (tfjs-wasm in Node, heap size after training one pack, MiB, measured vs
 * estimated): exp5 default ×16 83.1 vs 90.6; exp8 batch 400 ×16 48.0 vs 63.5; exp1 512 units
 * × 2,000 points ×16 650 vs 693; exp6 dummy_dim 2000 ×16 208 vs 256; exp3 deep n=10000 ×16
 * 375 vs 468; exp4 class_ratio 50 ×4 57.6 vs 82.7. The budget is in the same MiB.
 */
import { convPositions, inputWidth, parameterCount, type ModelSpec } from '../nn/model';

/**
 * Safety factor over the model: emscripten grows the heap in steps and dlmalloc fragments
 * it. With it, measured heaps were 0.70–0.94 of the estimate (see the calibration above);
 * more would cut the notebook's own configurations into needlessly small packs.
 */
export const MEMORY_SAFETY = 1.1;
/** The tfjs-wasm module's static data and stack, outside any tensor. */
export const WASM_BASE_BYTES = 2 * 1024 * 1024;

export interface PackShape {
  model: ModelSpec;
  /** Rows through the network in one training step (the batch, or the whole set). */
  trainRows: number;
  /** Rows of the largest evaluation pass (test set, training set, a decision grid). */
  evalRows: number;
  /** Rows of data per network held as tensors (train + test). */
  dataRows: number;
  /** Values per row and unit an evaluation pass keeps alive (2: pre-activation and activation; 3 with a separate bias add). */
  evalValuesPerUnit?: number;
}

/**
 * Values per row of each layer, input and output included. A conv net's convolution
 * counts as two layers: the im2col patches (positions × kernel²) and the feature maps
 * (positions × filters).
 */
function widths(model: ModelSpec): number[] {
  if (model.kind === 'shared') return [model.input, ...Array(model.depth + 1).fill(model.width), model.output];
  if (model.kind === 'conv') {
    const positions = convPositions(model);
    return [inputWidth(model), positions * model.kernel * model.kernel, positions * model.filters, ...model.hidden, model.output];
  }
  return [model.input, ...model.hidden, model.output];
}

/**
 * Extra values per row and unit that batch normalisation keeps for the gradient step (the
 * centred input, its square, the scaled and shifted values, and about eight full-size
 * gradient temporaries) and for evaluation (centred, scaled, shifted). Measured with
 * tf.profile's peak tensor bytes, 16 networks 64-200-200-2 ReLU on 1,600 rows: 760.9 MiB
 * with BN, 291.5 without, i.e. 11.5 values per row and BN unit.
 *
 * Conv nets (measured the same way, 64-pixel images, 3×3 kernel, 8 filters, hidden 32, 16
 * networks): peak tensors 394 MiB on 1,600 rows (estimate 785) and 38 MiB on 64 (estimate
 * 60, heap 71 after emscripten's growth step): the ten values per row and unit of widths()
 * overcount the patches and maps about twice at large batches, which is kept as margin.
 */
const BATCH_NORM_TRAIN_VALUES = 12;
const BATCH_NORM_EVAL_VALUES = 3;

/** Hidden units that are batch-normalised. */
function batchNormUnits(model: ModelSpec): number {
  return model.kind === 'mlp' && model.batchNorm ? model.hidden.reduce((a, b) => a + b, 0) : 0;
}

/** Networks per pack by default (wrangler.toml MAX_PACK): the pack size creation checks. */
export const FULL_PACK = 16;

/** Estimated peak WASM heap in bytes for a pack of `pack` networks of this shape. */
export function packBytes(shape: PackShape, pack = FULL_PACK): number {
  const k = Math.max(2, pack);
  const p = parameterCount(shape.model);
  const units = widths(shape.model).reduce((a, b) => a + b, 0);
  const bnUnits = batchNormUnits(shape.model);
  const io = inputWidth(shape.model) + shape.model.output;
  // The running mean and variance (2 per BN unit) sit beside the weights.
  const persistent = 3 * p + 2 * bnUnits + 2 * shape.dataRows * io;
  const gradient = p + 10 * shape.trainRows * units + BATCH_NORM_TRAIN_VALUES * shape.trainRows * bnUnits;
  const adam = 13 * p;
  const evaluation = (shape.evalValuesPerUnit ?? 2) * shape.evalRows * units + BATCH_NORM_EVAL_VALUES * shape.evalRows * bnUnits;
  return WASM_BASE_BYTES + MEMORY_SAFETY * 4 * k * (persistent + Math.max(gradient, adam, evaluation));
}

export const MB = 1024 * 1024;
