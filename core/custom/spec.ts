/**
 * Custom experiments as data. A spec is JSON: what the experiment asks, one block of each
 * family (core/blocks) with values for its parameters, what to record, the default grid and
 * repeats, the hypothesis as claims (core/experiments/claims.ts, unchanged) and a figure
 * hint. Nothing in it is code: core/custom/validate.ts checks it, core/custom/compile.ts
 * turns it into an Experiment that sweeps, packs, stores and verdicts like a built-in.
 *
 *   {
 *     "title": "…", "question": "…", "hypothesis": "…", "note": "what a run found (optional)",
 *     "data":     { "block": "mixture", "n": 400, "d": 12, "class_sep": 1 },
 *     "model":    { "block": "mlp", "width": 32, "depth": 2, "activation": "relu" },
 *     "training": { "block": "adam", "lr": 0.003, "batch_size": 32, "steps": 1000 },
 *     "record":   [{ "metric": "test_accuracy", "at": "checkpoints", "every": 100 }],
 *     "grid":     { "lr": [0.001, 0.01], "batch_size": [8, 128] },
 *     "repeats":  5,
 *     "paired":   true,
 *     "claims":   [{ "kind": "difference", "metric": "test_accuracy", "by": "lr", "a": 0.01, "b": 0.001, "expect": "greater", … }],
 *     "figure":   { "x": "step", "y": "test_accuracy", "color": "lr", "facet": "batch_size" }
 *   }
 *
 * Parameters are flat: every key of a block except `block` is a parameter with a plain name,
 * unique across the library (`n`, `class_sep`, `width`, `lr`, `batch_size`, …); keys left
 * out take the block's default. Grid axes, claims' `by`/`along`/`where` and the figure name
 * these parameters; a sweep request may fix or sweep any of them like a built-in's.
 * An optional `features` section ({ "block": "pipeline", … }) transforms the data rows
 * (random labels, dummy columns, mixing, PCA: core/blocks/features-pipeline.ts).
 * `paired` (default true): repeat r of every grid cell shares its data, initial-weight and
 * batch generators (so configs are compared within repeats); false gives every trial its own.
 * `task_shared_by` (optional, a list of parameters): the data block's task (what defines the
 * problem, such as the mixture's covariance) is drawn once per repeat and value of these
 * parameters, paired or not: `"paired": false, "task_shared_by": ["class_ratio"]` gives
 * every trial fresh rows of a task that the configs of one repeat and ratio share, so a
 * claim comparing configs within a ratio may be paired; `[]` shares the task by repeat
 * alone (with a test_size split, the rows too; with a mixture's pool, core/blocks/data-mixture.ts
 * pool_n, the pool: one data set per repeat, fresh weights and batches per trial, the
 * notebook's usual design).
 * `features_shared_by` (optional, a list of parameters; needs a `features` section): the
 * feature pipeline draws its dummy columns and mixing matrix from streams of its own, one
 * per repeat and value of these parameters, paired or not, instead of from the data
 * block's streams: `["dummy_dim"]` gives every width of a repeat its own dummy columns
 * and mixing, shared by every pca_dim (Exp 6).
 *
 * Classical models. The model blocks `svm`, `decision_tree` and `sklearn_mlp`
 * (core/blocks/model-svm.ts, model-tree.ts, model-sklearn-mlp.ts) fit themselves: swapping
 * `"model": {"block": "mlp", …}` for `"model": {"block": "svm"}` leaves a valid spec, and the
 * training block, still required, then does nothing. The experiment's parameters are those
 * of the blocks that act, so a grid axis, claim or figure naming a parameter of an inert
 * training block is refused, naming that field. A classical model classifies only, and
 * records at 'end' only (test_accuracy, train_accuracy, runtime_s; sklearn_mlp also the
 * losses, as its binary log-loss).
 *
 * A grid axis over model blocks: `grid.model` lists model blocks, each written as the
 * `model` section is, with an optional `label`:
 *
 *     "grid": { "model": [{ "block": "mlp", "width": 32 }, { "block": "svm" }, { "block": "svm", "svm_c": 10, "label": "svm_c10" }] }
 *
 * A cell of the spec's own model kind starts from the spec's `model` values (its keys
 * replace them, as a grid value replaces a parameter); a cell of another kind starts from
 * that block's defaults. Each cell is named by its `label`, default its block kind; labels
 * are distinct plain names. The compiled experiment has a parameter `model` (or the name
 * `"model_axis"` gives it, such as `"classifier"`) whose values are the labels (configs read
 * `model=svm`, or `classifier=svm`), so claims (`"by": "model", "a": "mlp", "b": "svm"`),
 * `where`, the figure (`"color": "model"`) and sweep requests (`"grid": {"model": ["svm"]}`,
 * `"params": {"model": "mlp"}`) name cells by label. The model blocks' parameters are then
 * set inside the cells, not as flat parameters (a grid axis `width` beside `model` is
 * refused); the training block's parameters act on the network cells and are ignored by the
 * classical ones (a training axis crossed with the model axis fits the same classical model
 * once per value). Cells of different blocks never share a pack.
 */
import { z } from 'zod';
import { claimSchema } from '../experiments/claims';
import { BLOCK_FAMILIES } from '../blocks';
import type { BlockBase } from '../blocks/types';
import { recordSchema } from '../blocks/recorders';
import { PANEL_NAMES } from './panels';

const plainName = z
  .string()
  .min(1)
  .max(100)
  .regex(/^[A-Za-z0-9_]+$/, 'a parameter name (letters, digits, _)');

/** A grid or parameter value: a number, a short string, a boolean, or a short list of numbers. */
const gridValue = z.union([z.number(), z.string().max(200), z.boolean(), z.null(), z.array(z.number()).min(1).max(64)]);

/** The spec schema of one block: `block` names it, every other key is one of its parameters. */
function blockSchema(block: BlockBase) {
  const fields: Record<string, z.ZodType> = { block: z.literal(block.kind) };
  for (const [key, type] of Object.entries(block.shape)) fields[key] = (type as z.ZodType<unknown>).default(block.defaults[key] as never);
  return z.object(fields).strict();
}

function familySchema(family: keyof typeof BLOCK_FAMILIES) {
  const blocks = Object.values(BLOCK_FAMILIES[family]).map(blockSchema);
  return z.discriminatedUnion('block', blocks as unknown as [z.ZodObject, ...z.ZodObject[]]);
}

/** The name of a model cell of grid.model (claims and configs use it). */
const labelName = z
  .string()
  .min(1)
  .max(40)
  .regex(/^[A-Za-z0-9_]+$/, 'a label (letters, digits, _)');

/** A cell of grid.model: a model block, parameters left out inherit (resolveModelCell), an optional label. */
function modelCellSchema() {
  const cells = Object.values(BLOCK_FAMILIES.model).map((block) => {
    const fields: Record<string, z.ZodType> = { block: z.literal(block.kind), label: labelName.optional() };
    for (const [key, type] of Object.entries(block.shape)) fields[key] = (type as z.ZodType<unknown>).optional();
    return z.object(fields).strict();
  });
  return z.discriminatedUnion('block', cells as unknown as [z.ZodObject, ...z.ZodObject[]]);
}

/** Parameter values of one block as a spec gives them. */
export type BlockValues = { block: string } & Record<string, unknown>;
/** A cell of grid.model as the spec gives it. */
export type ModelCell = BlockValues & { label?: string };

/** The grid axis over model blocks. */
export const MODEL_AXIS = 'model';
export const MAX_MODEL_CELLS = 12;

/** A model cell's name in configs and claims: its label, or its block kind. */
export function modelCellLabel(cell: ModelCell): string {
  return cell.label ?? cell.block;
}

/**
 * A model cell's full values: the spec's model values when the cell is of the same kind,
 * else its block's defaults, replaced by the cell's own keys (without its label).
 */
export function resolveModelCell(model: BlockValues, cell: ModelCell): BlockValues {
  const block = (BLOCK_FAMILIES.model as Record<string, BlockBase>)[cell.block];
  const base = cell.block === model.block ? model : { block: cell.block, ...block?.defaults };
  const { label: _label, ...own } = cell;
  return { ...base, ...Object.fromEntries(Object.entries(own).filter(([, v]) => v !== undefined)) } as BlockValues;
}

export const figureSchema = z
  .object({
    /** 'step' (a series over training updates) or a grid axis. */
    x: plainName,
    /** A recorded metric. */
    y: plainName,
    /** A grid axis: one line or band per value. */
    color: plainName.optional(),
    /** A grid axis: one panel per value. */
    facet: plainName.optional(),
    /**
     * Named views drawn after the band figure, each from a record the spec keeps
     * (core/custom/panels.ts): 'decision_boundary', 'weight_traces', 'predictions'.
     */
    panels: z.array(z.enum(PANEL_NAMES)).min(1).max(PANEL_NAMES.length).optional(),
  })
  .strict();
export type FigureHint = z.infer<typeof figureSchema>;

export const MAX_GRID_CELLS = 200;
export const MAX_GRID_AXES = 12;
export const MAX_SPEC_REPEATS = 20;

export const experimentSpecSchema = z
  .object({
    title: z.string().min(1).max(200),
    question: z.string().min(1).max(1000),
    hypothesis: z.string().min(1).max(1000),
    /** What running the default sweep found (free text). */
    note: z.string().max(4000).optional(),
    data: familySchema('data'),
    /** Optional transforms of the data rows (labels, dummy columns, mixing, PCA). */
    features: familySchema('features').optional(),
    model: familySchema('model'),
    training: familySchema('training'),
    record: z.array(recordSchema).min(1).max(20),
    /** Parameter → values; `model` → model blocks (the axis over model blocks, see above). */
    grid: z
      .object({ [MODEL_AXIS]: z.array(modelCellSchema()).min(1).max(MAX_MODEL_CELLS).optional() })
      .catchall(z.array(gridValue).min(1).max(50))
      .superRefine((grid, ctx) => {
        for (const key of Object.keys(grid)) {
          const r = plainName.safeParse(key);
          if (!r.success) ctx.addIssue({ code: 'custom', path: [key], message: r.error.issues[0]?.message ?? 'a parameter name' });
        }
      })
      // The refinement is not JSON Schema: the key rule stated for editors and clients.
      .meta({ propertyNames: { type: 'string', minLength: 1, maxLength: 100, pattern: '^[A-Za-z0-9_]+$' } })
      .default({}),
    repeats: z.number().int().min(1).max(MAX_SPEC_REPEATS).default(5),
    paired: z.boolean().default(true),
    task_shared_by: z.array(plainName).max(MAX_GRID_AXES).optional(),
    /** The name of the parameter grid.model becomes (default 'model'). */
    model_axis: plainName.optional(),
    features_shared_by: z.array(plainName).min(1).max(MAX_GRID_AXES).optional(),
    claims: z.array(claimSchema).max(20).default([]),
    figure: figureSchema.optional(),
  })
  .strict();

/** A spec's grid: parameter → values, and optionally `model` → model cells. */
export type SpecGrid = { [MODEL_AXIS]?: ModelCell[] } & Record<string, unknown[]>;

/** A parsed spec: every block parameter filled in. */
export type ExperimentSpec = Omit<z.infer<typeof experimentSpecSchema>, 'data' | 'features' | 'model' | 'training' | 'grid'> & {
  data: BlockValues;
  features?: BlockValues;
  model: BlockValues;
  training: BlockValues;
  grid: SpecGrid;
};
/** A spec as written (defaults may be left out). */
export type ExperimentSpecInput = Omit<z.input<typeof experimentSpecSchema>, 'data' | 'features' | 'model' | 'training' | 'grid'> & {
  data: BlockValues;
  features?: BlockValues;
  model: BlockValues;
  training: BlockValues;
  grid?: SpecGrid;
};

/** The JSON Schema of a spec (GET /api/experiments/schema), as an author writes it. */
export function experimentSpecJsonSchema() {
  return z.toJSONSchema(experimentSpecSchema, { io: 'input', unrepresentable: 'any' });
}

/** JSON with object keys sorted at every level: equal values give equal text. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/**
 * The spec without block parameters that equal their block's default: what the id hashes,
 * so a parameter the library adds later (with a no-op default) leaves existing ids alone.
 */
export function withoutBlockDefaults(spec: ExperimentSpec): Record<string, unknown> {
  const out: Record<string, unknown> = { ...spec };
  for (const family of Object.keys(BLOCK_FAMILIES) as Array<keyof typeof BLOCK_FAMILIES>) {
    const values = spec[family];
    const block = values && (BLOCK_FAMILIES[family] as Record<string, BlockBase>)[values.block];
    if (!values || !block) continue;
    out[family] = Object.fromEntries(Object.entries(values).filter(([k, v]) => k === 'block' || canonicalJson(v) !== canonicalJson(block.defaults[k])));
  }
  // A model cell without the keys it would inherit anyway (and without a label equal to its kind).
  const cells = spec.grid?.[MODEL_AXIS];
  if (cells) {
    out.grid = {
      ...spec.grid,
      [MODEL_AXIS]: cells.map((cell) => {
        const inherited = resolveModelCell(spec.model, { block: cell.block });
        return Object.fromEntries(Object.entries(cell).filter(([k, v]) => k === 'block' || (k === 'label' ? v !== cell.block : canonicalJson(v) !== canonicalJson(inherited[k]))));
      }),
    };
  }
  return out;
}

/** What a spec's id hashes, in full: two specs are the same experiment exactly when these are equal. */
export function specContent(spec: ExperimentSpec): string {
  return canonicalJson(withoutBlockDefaults(spec));
}

/**
 * The content id of a parsed spec: 'x' + the first 12 hex digits of SHA-256 over the
 * canonical JSON of withoutBlockDefaults(spec), so the same experiment (defaults spelled
 * out or not, keys in any order) always gets the same id, and ids never collide with the
 * built-ins' `expN`.
 */
export async function specId(spec: ExperimentSpec): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(specContent(spec)));
  const hex = Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, '0')).join('');
  return `x${hex.slice(0, 12)}`;
}
