/**
 * The built-in experiments written as specs (core/custom/spec.ts), the same data a
 * researcher posts: the notebook's experiments that the block library expresses
 * (exp2, exp4 so far) and its open questions (exp13–exp17). Their ids are fixed (`expN`) instead
 * of a content hash, so sweeps and links stay stable when a spec's note is updated.
 */
import { compileSpec, type CompileOptions, type SpecExperiment } from '../../custom/compile';
import type { ExperimentSpecInput } from '../../custom/spec';
import { validateSpec } from '../../custom/validate';
import { exp2Conclusion, exp2Spec } from './exp02-depth-fixed-parameters';
import { exp4Conclusion, exp4Spec } from './exp04-class-imbalance';
import { exp13Spec } from './exp13-batch-size-learning-rate';
import { exp14Spec } from './exp14-batch-norm';
import { exp15Spec } from './exp15-transfer-learning';
import { exp16Spec } from './exp16-layerwise-training';
import { exp17Spec } from './exp17-conv-vs-mlp';

export const OPEN_QUESTIONS_SECTION = 'VI. Open questions';

/** The built-in specs by number, with what their compilation needs beyond the spec. */
export const BUILTIN_SPECS: Array<{ number: number; spec: ExperimentSpecInput; options?: Omit<CompileOptions, 'number'> }> = [
  // Its code drew 'init' and 'batch' per trial, the spec's own names: no streamNames.
  { number: 2, spec: exp2Spec, options: { section: 'I. Basics', conclusion: exp2Conclusion } },
  {
    number: 4,
    spec: exp4Spec,
    // The streams its code drew from before it was a spec (core/custom/compile.ts streamNames).
    options: { section: 'II. Datasets', conclusion: exp4Conclusion, streamNames: { data_task: 'covariance', data_train: 'train', data_test: 'test' } },
  },
  { number: 13, spec: exp13Spec },
  { number: 14, spec: exp14Spec },
  { number: 15, spec: exp15Spec },
  { number: 16, spec: exp16Spec },
  { number: 17, spec: exp17Spec },
];

/** The built-in specs compiled; a built-in spec that fails validation is a programming error. */
export function builtinSpecExperiments(): SpecExperiment[] {
  return BUILTIN_SPECS.map(({ number, spec, options }) => {
    const v = validateSpec(spec);
    if (!v.ok) throw new Error(`exp${number} spec is invalid: ${v.issues.map((i) => `${i.field}: ${i.message}`).join('; ')}`);
    return compileSpec(`exp${number}`, v.spec, { section: OPEN_QUESTIONS_SECTION, ...options, number });
  });
}
