/**
 * The built-in experiments written as specs (core/custom/spec.ts), the same data a
 * researcher posts: the notebook's experiments that the block library expresses
 * (all twelve: exp1–exp12) and its open questions (exp13–exp17). Their ids are fixed (`expN`) instead
 * of a content hash, so sweeps and links stay stable when a spec's note is updated.
 */
import { compileSpec, type CompileOptions, type SpecExperiment } from '../../custom/compile';
import type { ExperimentSpecInput } from '../../custom/spec';
import { validateSpec } from '../../custom/validate';
import { exp1Conclusion, exp1Spec } from './exp01-universal-approximation';
import { exp2Conclusion, exp2Spec } from './exp02-depth-fixed-parameters';
import { exp3Conclusion, exp3Spec } from './exp03-data-size-vs-depth';
import { exp4Conclusion, exp4Spec } from './exp04-class-imbalance';
import { exp5Conclusion, exp5Spec } from './exp05-memorisation';
import { exp6Conclusion, exp6Spec } from './exp06-pca-dummy-features';
import { exp7Conclusion, exp7Spec } from './exp07-activations';
import { exp8Conclusion, exp8Spec } from './exp08-batch-size';
import { exp9Conclusion, exp9Spec } from './exp09-loss-functions';
import { exp10Conclusion, exp10Spec } from './exp10-initialisation';
import { exp11Conclusion, exp11Spec } from './exp11-layer-convergence';
import { exp12Conclusion, exp12Spec } from './exp12-regularisation';
import { exp13Spec } from './exp13-batch-size-learning-rate';
import { exp14Spec } from './exp14-batch-norm';
import { exp15Spec } from './exp15-transfer-learning';
import { exp16Spec } from './exp16-layerwise-training';
import { exp17Spec } from './exp17-conv-vs-mlp';

export const OPEN_QUESTIONS_SECTION = 'VI. Open questions';
const HYPERPARAMETERS_SECTION = 'III. Parameters and Hyperparameters';

/** The built-in specs by number, with what their compilation needs beyond the spec. */
export const BUILTIN_SPECS: Array<{ number: number; spec: ExperimentSpecInput; options?: Omit<CompileOptions, 'number'> }> = [
  // Its streams were keyed by config keys that named the width n_hidden.
  { number: 1, spec: exp1Spec, options: { section: 'I. Basics', conclusion: exp1Conclusion, configKeyNames: { width: 'n_hidden' } } },
  // Its code drew 'init' and 'batch' per trial, the spec's own names: no streamNames.
  { number: 2, spec: exp2Spec, options: { section: 'I. Basics', conclusion: exp2Conclusion } },
  {
    number: 3,
    spec: exp3Spec,
    // The repeat's mixture was drawn from the stream 'data' (core/custom/compile.ts streamNames).
    options: { section: 'I. Basics', conclusion: exp3Conclusion, streamNames: { data_task: 'data' } },
  },
  {
    number: 4,
    spec: exp4Spec,
    // The streams its code drew from before it was a spec (core/custom/compile.ts streamNames).
    options: { section: 'II. Datasets', conclusion: exp4Conclusion, streamNames: { data_task: 'covariance', data_train: 'train', data_test: 'test' } },
  },
  // One pool per repeat ('data', keyed by its size and dimension) and one label permutation
  // per repeat and pool size ('label-permutation'), as its code drew them.
  { number: 5, spec: exp5Spec, options: { section: 'II. Datasets', conclusion: exp5Conclusion, streamNames: { data_task: 'data', data_train: 'label-permutation' }, streamKeys: { data_train: ['pool_n'] } } },
  {
    number: 6,
    spec: exp6Spec,
    options: { section: 'II. Datasets', conclusion: exp6Conclusion, streamNames: { data_task: 'data', features_dummy: 'dummy', features_mixing: 'rotation-uniform' } },
  },
  // One data set per repeat, drawn from the stream the code called 'data'.
  { number: 7, spec: exp7Spec, options: { section: HYPERPARAMETERS_SECTION, conclusion: exp7Conclusion, streamNames: { data_task: 'data' } } },
  // One data set per repeat, drawn from the stream the code called 'data'; every trial trains
  // alone with its own clock (its runtime_s record's `per: 'trial'`).
  { number: 8, spec: exp8Spec, options: { section: HYPERPARAMETERS_SECTION, conclusion: exp8Conclusion, streamNames: { data_task: 'data' } } },
  { number: 9, spec: exp9Spec, options: { section: HYPERPARAMETERS_SECTION, conclusion: exp9Conclusion, streamNames: { data_task: 'data' } } },
  { number: 10, spec: exp10Spec, options: { section: HYPERPARAMETERS_SECTION, conclusion: exp10Conclusion, streamNames: { data_task: 'data' } } },
  // Every trial draws its own data, from the stream the code called 'data' (Exp 11 and 12).
  { number: 11, spec: exp11Spec, options: { section: 'V. Weight Evolution', conclusion: exp11Conclusion, streamNames: { data_task: 'data' } } },
  { number: 12, spec: exp12Spec, options: { section: 'V. Weight Evolution', conclusion: exp12Conclusion, streamNames: { data_task: 'data' } } },
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
