/** The block library: every block a custom experiment spec may name, by family and kind. */
import { adamBlock } from './train-adam';
import { alternatingBlock } from './data-alternating';
import { convBlock } from './model-conv';
import { imagesBlock } from './data-images';
import { layerwiseBlock } from './train-layerwise';
import { transferBlock } from './train-transfer';
import { mixtureBlock } from './data-mixture';
import { mlpBlock } from './model-mlp';
import { sharedBlock } from './model-shared';
import { sklearnMlpBlock } from './model-sklearn-mlp';
import { svmBlock } from './model-svm';
import { treeBlock } from './model-tree';
import { moonsBlock } from './data-moons';
import { target1dBlock } from './data-target-1d';
import { pipelineBlock, type FeaturesBlock } from './features-pipeline';
import type { DataBlock, ModelBlock, TrainingBlock } from './types';

export const DATA_BLOCKS: Record<string, DataBlock> = { mixture: mixtureBlock, moons: moonsBlock, target_1d: target1dBlock, images: imagesBlock, alternating: alternatingBlock };
/** Networks (trained by the training block) and classical models (they fit themselves: core/blocks/types.ts ClassicalModelBlock). */
export const MODEL_BLOCKS: Record<string, ModelBlock> = { mlp: mlpBlock, conv: convBlock, svm: svmBlock, decision_tree: treeBlock, sklearn_mlp: sklearnMlpBlock, shared: sharedBlock };
export const TRAINING_BLOCKS: Record<string, TrainingBlock> = { adam: adamBlock, transfer: transferBlock, layerwise: layerwiseBlock };

/** The optional `features` section: transforms of the data block's rows. */
export const FEATURE_BLOCKS: Record<string, FeaturesBlock> = { pipeline: pipelineBlock };

export const BLOCK_FAMILIES = { data: DATA_BLOCKS, features: FEATURE_BLOCKS, model: MODEL_BLOCKS, training: TRAINING_BLOCKS } as const;
export type BlockFamily = keyof typeof BLOCK_FAMILIES;
