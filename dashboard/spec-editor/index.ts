/**
 * The experiment editor ("New experiment", and "Fork" of an experiment written as a spec):
 *   schema.ts  the spec's JSON Schema adapted for the form; issue fields → form paths; fork and blank specs
 *   view.ts    createSpecEditor: json-editor's form, the JSON beside it, the dry run, Create and Run
 * schema.ts is pure and tested without a browser.
 */
export { AXES_BUTTON, blankSpec, describeParameter, editorPath, editorSchema, forkSpec, libraryParameters, nearestPath, withBlockDefaults, type Schema } from './schema';
export { createSpecEditor, type Issue, type Plan, type PlanResult, type SpecEditor, type SpecEditorOptions } from './view';
