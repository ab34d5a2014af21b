/**
 * Experiments 13–17: the notebook's open questions, written as custom experiment specs
 * (core/custom/spec.ts) rather than code. Their ids are fixed (`exp13`…`exp17`) instead of
 * a content hash, so sweeps and links stay stable when a spec's note is updated.
 */
import { compileSpec, type SpecExperiment } from '../../custom/compile';
import type { ExperimentSpecInput } from '../../custom/spec';
import { validateSpec } from '../../custom/validate';
import { exp13Spec } from './exp13-batch-size-learning-rate';
import { exp14Spec } from './exp14-batch-norm';
import { exp15Spec } from './exp15-transfer-learning';
import { exp16Spec } from './exp16-layerwise-training';
import { exp17Spec } from './exp17-conv-vs-mlp';

export const OPEN_QUESTIONS_SECTION = 'VI. Open questions';

/** The built-in specs by number. */
export const BUILTIN_SPECS: Array<{ number: number; spec: ExperimentSpecInput }> = [
  { number: 13, spec: exp13Spec },
  { number: 14, spec: exp14Spec },
  { number: 15, spec: exp15Spec },
  { number: 16, spec: exp16Spec },
  { number: 17, spec: exp17Spec },
];

/** Experiments 13–17 compiled; a built-in spec that fails validation is a programming error. */
export function builtinSpecExperiments(): SpecExperiment[] {
  return BUILTIN_SPECS.map(({ number, spec }) => {
    const v = validateSpec(spec);
    if (!v.ok) throw new Error(`exp${number} spec is invalid: ${v.issues.map((i) => `${i.field}: ${i.message}`).join('; ')}`);
    return compileSpec(`exp${number}`, v.spec, { number, section: OPEN_QUESTIONS_SECTION });
  });
}
