import { exp01Figure } from './exp01';
import { exp02Figure } from './exp02';
import { exp03Figure } from './exp03';
import { exp04Figure } from './exp04';
import { exp05Figure } from './exp05';
import { exp06Figure } from './exp06';
import { exp07Figure } from './exp07';
import { exp08Figure } from './exp08';
import { exp09Figure } from './exp09';
import { exp10Figure } from './exp10';
import { exp11Figure } from './exp11';
import { exp12Figure } from './exp12';
import { figureHint, specFigure, type SpecDescription } from './spec-figure';
import type { Figure } from './types';

/** One figure per experiment, keyed by experiment id. */
export const FIGURES: Record<string, Figure> = Object.fromEntries([exp01Figure, exp02Figure, exp03Figure, exp04Figure, exp05Figure, exp06Figure, exp07Figure, exp08Figure, exp09Figure, exp10Figure, exp11Figure, exp12Figure].map((f) => [f.experiment, f]));

/**
 * The figure of an experiment: its own (the built-ins), else the generic band figure of a
 * spec's figure hint followed by the hint's named panels (dashboard/figures/spec-figure.ts,
 * dashboard/figures/panels/), so a fork of a built-in keeps its parent's special views;
 * undefined when neither exists.
 */
export function figureFor(experiment: SpecDescription): Figure | undefined {
  const own = FIGURES[experiment.id];
  if (own) return own;
  const hint = figureHint(experiment);
  return hint ? specFigure(experiment.id, hint, experiment.spec?.record ?? []) : undefined;
}
