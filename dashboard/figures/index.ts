import { exp01Figure } from './exp01';
import { exp02Figure } from './exp02';
import type { Figure } from './types';

/** One figure per experiment, keyed by experiment id. */
export const FIGURES: Record<string, Figure> = Object.fromEntries([exp01Figure, exp02Figure].map((f) => [f.experiment, f]));
