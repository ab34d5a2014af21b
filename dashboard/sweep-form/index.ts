/**
 * The "New sweep" form, generated from each experiment's params JSON Schema (the `schema` of
 * GET /api/experiments, made from the zod params by describeExperiment in
 * api/routes/experiments.ts). By concern:
 *   schema.ts    the JSON Schema subset of params: described in words, values checked
 *   values.ts    input text read as values of a schema, swept lists, values as text
 *   request.ts   form state → the POST /api/sweeps body, its size and problems; API issue fields → inputs
 *   estimate.ts  the run-time estimate from finished sweeps, and the power lines' text
 *   params.ts    one parameter's row in the DOM (fixed input, swept list, toggle, help)
 *   power.ts     the power panel (a debounced dry run)
 *   field.ts     one labelled input
 *   view.ts      createSweepForm: the form wired to the DOM it is given
 * Everything but params.ts, power.ts, field.ts and view.ts is pure and tested without a browser.
 */
export { canBeArray, describeSchema, formatValue, validateValue, type JsonSchema } from './schema';
export { formatList, listSeparator, parseInteger, parseList, parseValue, type Parsed } from './values';
export {
  buildRequest,
  formExperiment,
  initialState,
  issueTarget,
  requestJson,
  type BuiltRequest,
  type FieldIssue,
  type FormExperiment,
  type FormState,
  type ParamState,
  type ParamsSchema,
  type SweepRequestBody,
} from './request';
export { estimateFromSweeps, estimateText, formatDuration, powerText, type ClaimPowerLine, type Estimate, type SweepListEntry } from './estimate';
export type { PlanSweep } from './power';
export { createSweepForm, type PostResult, type SweepForm, type SweepFormOptions } from './view';
