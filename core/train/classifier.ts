/**
 * Classifier packs trained on labelled tables (core/data/dataset.ts): per-trial tables go
 * in, one-hot targets and stacked tensors are built here, and checkpoints run recorders
 * (core/train/recorders.ts). A thin layer over trainPack that keeps every call the same:
 * the same arrays in the same order, so the numbers are those of calling trainPack directly.
 */
import type { Engine } from '../engine';
import * as tf from '@tensorflow/tfjs-core';
import type { Table } from '../data/dataset';
import type { LossName } from '../nn/losses';
import type { ModelSpec, NetworkPack } from '../nn/model';
import type { Rng } from '../rng';
import { atCheckpoints, type Recorder } from './recorders';
import { evaluateAccuracy, oneHot, stack3d, trainPack, type Regularization } from './train-pack';

/** Per-trial rows as tensors: inputs [K, n, d] and one-hot targets [K, n, classes]. */
export interface StackedSet {
  n: number;
  x: tf.Tensor3D;
  y: tf.Tensor3D;
}

/** The tables (one per trial, same n and d) stacked for evaluation. */
export function stackTables(tables: Table[], classes = 2): StackedSet {
  const { n, d } = tables[0];
  return { n, x: stack3d(tables.map((t) => t.x), n, d), y: stack3d(tables.map((t) => oneHot(t.labels, classes)), n, classes) };
}

export function disposeSets(...sets: StackedSet[]): void {
  tf.dispose(sets.flatMap((s) => [s.x, s.y]));
}

/** Accuracy of every trial of the pack on its rows of the set. */
export function accuracyOn(net: NetworkPack, set: StackedSet): Promise<number[]> {
  return evaluateAccuracy(net, set.x, set.y);
}

export interface ClassifierTraining {
  model: ModelSpec;
  /** One training table per trial; all share n and d. */
  train: Table[];
  /** Per-trial generators for the initial weights and the mini-batches. */
  initRngs: Rng[];
  batchRngs: Rng[];
  loss: LossName;
  lr: number;
  steps: number;
  /** Rows per step: a number (n or more is the whole set) or 'full'. */
  batchSize: number | 'full';
  regularization?: Regularization;
  /** Steps after whose update the recorders run, in order. */
  checkpoints?: number[];
  recorders?: Recorder[];
  yieldToHost?: () => Promise<void>;
  /** The trial engine (core/engine.ts); default 'packed'. */
  engine?: Readonly<Engine>;
}

/** Trains one classifier per table as one pack (one-hot targets with model.output classes). */
export function trainClassifiers(o: ClassifierTraining) {
  const n = o.train[0].n;
  return trainPack({
    model: o.model,
    initRngs: o.initRngs,
    batchRngs: o.batchRngs,
    trainX: o.train.map((t) => t.x),
    trainY: o.train.map((t) => oneHot(t.labels, o.model.output)),
    n,
    loss: o.loss,
    lr: o.lr,
    steps: o.steps,
    batchSize: o.batchSize === 'full' ? n : o.batchSize,
    regularization: o.regularization,
    checkpoints: o.checkpoints,
    onCheckpoint: o.recorders ? atCheckpoints(o.recorders) : undefined,
    yieldToHost: o.yieldToHost,
    engine: o.engine,
  });
}

export interface Scores<T> {
  trainAccuracy: number[];
  testAccuracy: number[];
  /** What `inspect` read from the trained pack (undefined without one). */
  inspected?: T;
}

/**
 * Trains the pack, then scores every trial on its own training and test tables; `inspect`
 * reads the trained networks (e.g. logits on a grid) before they are disposed.
 */
export async function trainAndScore<T = never>(o: ClassifierTraining, test: Table[], inspect?: (pack: NetworkPack) => Promise<T>): Promise<Scores<T>> {
  const { pack } = await trainClassifiers(o);
  const trainSet = stackTables(o.train, o.model.output);
  const testSet = stackTables(test, o.model.output);
  try {
    const trainAccuracy = await accuracyOn(pack, trainSet);
    const testAccuracy = await accuracyOn(pack, testSet);
    const inspected = inspect ? await inspect(pack) : undefined;
    return { trainAccuracy, testAccuracy, inspected };
  } finally {
    pack.dispose();
    disposeSets(trainSet, testSet);
  }
}
