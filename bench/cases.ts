/**
 * The bench's network shapes and synthetic data, shared by bench/run.ts and the
 * reference-loop test so both train exactly the same thing.
 */
import { streamFor, type Rng } from '../core/rng';
import type { LossName } from '../core/nn/losses';
import { initialValues, type MlpSpec } from '../core/nn/model';
import type { PackTrainingSpec } from '../core/train/train-pack';
export { macsPerStep } from '../core/nn/macs';
import { getExperiment } from '../core/experiments';
import { trialPlan, type SpecExperiment } from '../core/custom/compile';
import type { RefLoss, ReferenceSpec } from './reference-loop';

export interface BenchShape {
  id: string;
  /** [input, ...hidden, output] */
  sizes: number[];
  loss: RefLoss & LossName;
  /** Training rows per network (the protocol's typical n for this shape). */
  n: number;
  batchSize: number;
  lr: number;
  note: string;
}

export const SHAPES: BenchShape[] = [
  { id: 'A', sizes: [1, 16, 1], loss: 'mean_squared_error', n: 100, batchSize: 100, lr: 0.003, note: 'Exp 1: 1-16-1, full batch of 100, MSE' },
  { id: 'B', sizes: [12, 100, 100, 2], loss: 'cross_entropy', n: 400, batchSize: 64, lr: 0.003, note: 'Exp 9-12: 12-100-100-2, batch 64 of 400, CE' },
  { id: 'C', sizes: [6, 200, 200, 200, 2], loss: 'cross_entropy', n: 300, batchSize: 64, lr: 0.003, note: 'Exp 5: 6-200-200-200-2, batch 64 of 300, CE' },
  // No experiment trains exactly this at its defaults: it is Exp 4's network on a round
  // 2,000 rows (Exp 4 trains on 1,200 rows at ratio 1 and on ~2,200 tiled rows at ratios
  // 10 to 100: E10, E100 below). Kept so reports stay comparable across runs.
  { id: 'D', sizes: [2, 100, 100, 2], loss: 'cross_entropy', n: 2000, batchSize: 2000, lr: 0.003, note: '2-D: 2-100-100-2, full batch of 2,000, CE (Exp 4\'s network, rounded row count)' },
];

/**
 * Exp 4's step as its protocol runs it (core/experiments/specs/exp04-class-imbalance.ts), at
 * a class ratio with the minority tiled ('tile', the notebook's code): the experiment's own
 * plan of a trial (core/custom/compile.ts trialPlan) gives the network, the training-set
 * size and the batch; the learning rate and loss are its defaults. Only the data are the
 * bench's synthetic rows (timing does not depend on them).
 */
export function exp4Shape(ratio: number): BenchShape {
  const exp4 = getExperiment('exp4') as SpecExperiment;
  const p = exp4.params.parse({ class_ratio: ratio, resample: 'tile' });
  const plan = trialPlan(exp4.spec, p);
  const model = plan.model as MlpSpec;
  // mlpSpec() below builds sigmoid/Xavier MLPs; refuse silently timing another network.
  if (model.kind !== 'mlp' || model.activation !== 'sigmoid' || model.initializer !== 'xavier' || p.loss !== 'cross_entropy') throw new Error('exp4 no longer trains a sigmoid/xavier MLP with cross-entropy: bench/cases.ts mlpSpec builds those');
  const sizes = [model.input, ...model.hidden, model.output];
  const n = plan.data.trainRows;
  if (plan.phases[0].batchRows !== n) throw new Error('exp4 no longer trains on full batches');
  return {
    id: `E${ratio}`,
    sizes,
    loss: 'cross_entropy',
    n,
    batchSize: n,
    lr: p.lr as number,
    note: `Exp 4, class ratio ${ratio}, minority tiled: ${sizes.join('-')}, full batch of its ${n.toLocaleString('en')} training rows (n = ${p.n}), CE`,
  };
}

/** Every shape `npm run bench` knows: the four above (which the reference-loop test checks) and Exp 4's. */
export const BENCH_SHAPES: BenchShape[] = [...SHAPES, exp4Shape(10), exp4Shape(100)];

export function mlpSpec(shape: Pick<BenchShape, 'sizes'>): MlpSpec {
  const s = shape.sizes;
  return { kind: 'mlp', input: s[0], hidden: s.slice(1, -1), output: s[s.length - 1], activation: 'sigmoid', initializer: 'xavier' };
}

export interface NetworkData {
  x: Float32Array;
  y: Float32Array;
}

/**
 * Network k's data: standard-normal inputs; for MSE the target is sin(3·x₀), for
 * cross-entropy a one-hot label from the sign of a fixed linear score plus noise (so the
 * task is learnable and losses move, but its content does not matter for timing).
 */
export function networkData(shape: Pick<BenchShape, 'id' | 'sizes' | 'n' | 'loss'>, k: number): NetworkData {
  const rng = streamFor('bench', shape.id, 'data', k);
  const d = shape.sizes[0];
  const c = shape.sizes[shape.sizes.length - 1];
  const x = new Float32Array(shape.n * d);
  for (let i = 0; i < x.length; i++) x[i] = rng.normal();
  const y = new Float32Array(shape.n * c);
  for (let r = 0; r < shape.n; r++) {
    if (shape.loss === 'mean_squared_error') {
      for (let j = 0; j < c; j++) y[r * c + j] = Math.sin(3 * x[r * d] + j);
    } else {
      let score = 0.5 * rng.normal();
      for (let i = 0; i < d; i++) score += (i % 2 ? -1 : 1) * x[r * d + i];
      y[r * c + (score > 0 ? 1 : 0)] = 1;
    }
  }
  return { x, y };
}

export const initRng = (shapeId: string, k: number): Rng => streamFor('bench', shapeId, 'init', k);
export const batchRng = (shapeId: string, k: number): Rng => streamFor('bench', shapeId, 'batch', k);

/** A trainPack spec for K networks of `shape`, each with its own data and generators. */
export function packSpec(shape: BenchShape, K: number, steps: number, data?: NetworkData[]): PackTrainingSpec {
  const nets = data ?? Array.from({ length: K }, (_, k) => networkData(shape, k));
  return {
    model: mlpSpec(shape),
    initRngs: Array.from({ length: K }, (_, k) => initRng(shape.id, k)),
    batchRngs: Array.from({ length: K }, (_, k) => batchRng(shape.id, k)),
    trainX: nets.slice(0, K).map((d) => d.x),
    trainY: nets.slice(0, K).map((d) => d.y),
    n: shape.n,
    loss: shape.loss,
    lr: shape.lr,
    steps,
    batchSize: shape.batchSize,
  };
}

/** The reference loop's spec and initial weights for network k (the same draws trainPack makes). */
export function referenceSetup(shape: BenchShape, k: number, data?: NetworkData): { spec: ReferenceSpec; initial: Float32Array[] } {
  const { x, y } = data ?? networkData(shape, k);
  return {
    spec: { sizes: shape.sizes, activation: 'sigmoid', loss: shape.loss, lr: shape.lr, batchSize: shape.batchSize, n: shape.n, x, y },
    initial: initialValues(mlpSpec(shape), initRng(shape.id, k)),
  };
}
