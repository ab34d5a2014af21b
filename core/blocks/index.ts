/** The block library: every block a custom experiment spec may name, by family and kind. */
import { adamBlock } from './train-adam';
import { mixtureBlock } from './data-mixture';
import { mlpBlock } from './model-mlp';
import { moonsBlock } from './data-moons';
import { target1dBlock } from './data-target-1d';
import type { DataBlock, ModelBlock, TrainingBlock } from './types';

export const DATA_BLOCKS: Record<string, DataBlock> = { mixture: mixtureBlock, moons: moonsBlock, target_1d: target1dBlock };
export const MODEL_BLOCKS: Record<string, ModelBlock> = { mlp: mlpBlock };
export const TRAINING_BLOCKS: Record<string, TrainingBlock> = { adam: adamBlock };

export const BLOCK_FAMILIES = { data: DATA_BLOCKS, model: MODEL_BLOCKS, training: TRAINING_BLOCKS } as const;
export type BlockFamily = keyof typeof BLOCK_FAMILIES;
