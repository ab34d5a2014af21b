/**
 * validateSpec: everything that must hold before a spec becomes an experiment, each problem
 * named by its field (`model.width`, `grid.lr`, `claims.0.by`):
 * - JSON shape: no prototype-reaching keys, bounded nesting (core/sweep/request.ts);
 * - block kinds exist; the strict schema (core/custom/spec.ts) with its limits;
 * - each block fits the others (an accuracy needs classes, a classification loss needs
 *   classes, a conv net needs images);
 * - grid axes are parameters, their values valid, at most MAX_GRID_CELLS cells;
 * - claims and the figure name grid axes and recorded metrics (series where they read
 *   steps), and paired claims only on a paired spec;
 * - every grid cell's trial fits the per-invocation budgets the built-ins use
 *   (core/sweep/request.ts DEFAULT_LIMITS): estimated work, and memory of a lone network;
 * - model side: every model the trials fit (the spec's, or each cell of a grid axis over
 *   model blocks, named `grid.model.<i>.<param>`) exists, fits the data and can record what
 *   the spec records (a classical model: classes only, at 'end' only, its metrics); cell
 *   labels are distinct; a grid axis, claim or figure naming a parameter of a block that
 *   does not act (core/custom/compile.ts inertParameters) says so.
 */
import { DATA_BLOCKS, FEATURE_BLOCKS, MODEL_BLOCKS, TRAINING_BLOCKS } from '../blocks';
import { ACCURACY_METRICS, ALWAYS_RECORDED, DEFAULT_TARGET_CHECK_EPOCHS, END_ONLY, LOGIT_METRICS, MAX_CHECKPOINTS, METRICS, PREDICTION_SERIES, scalarsOf, storedScalars, storedSeries, WEIGHT_PATH_METRICS, weightTailMisfit, type Metric } from '../blocks/recorders';
import type { Values } from '../blocks/types';
import { checkClaims, claimAxis, claimMetrics } from '../experiments/claims';
import { MB } from '../experiments/memory';
import { DEFAULT_LIMITS, jsonShapeIssues, zodIssues, type FieldIssue } from '../sweep/request';
import { gridCells } from '../sweep/grid';
import { estimatePackMs } from '../sweep/pack-budget';
import { blockMisfit, experimentGrid, inertParameters, lastUpdateMisfit, MAX_TARGET_CHECKS, modelAxisName, modelChoices, parameterSections, predictionsMisfit, specBlocks, specParams, specPackTime, trainingActs, trialCost, trialMemory, trialPlan } from './compile';
import { PANELS } from './panels';
import { canonicalJson, experimentSpecSchema, MAX_GRID_AXES, MAX_GRID_CELLS, MODEL_AXIS, modelCellLabel, type ExperimentSpec } from './spec';

/** Record options and the metric whose records they belong to (core/blocks/recorders.ts). */
const RECORD_OPTION_OWNERS: Record<string, Metric[]> = {
  repeats: ['decision_boundary'],
  points: ['decision_boundary'],
  layer: ['weight_tail', 'weight_change'],
  entries: ['weight_tail', 'weight_change'],
  converge_fraction: ['weight_change'],
  converge_window: ['weight_change'],
  final_fraction: ['weight_change'],
  threshold: ['weight_stats'],
  on: ['predictions', 'time_to_target'],
  per: ['runtime_s'],
  target: ['time_to_target'],
  check_every_epochs: ['time_to_target'],
};

/** The options of a checkpoint record that say when it records. */
const CHECKPOINT_SCHEDULE = ['every', 'per_run', 'align', 'every_epochs'];

export type SpecValidation = { ok: true; spec: ExperimentSpec } | { ok: false; issues: FieldIssue[] };

/** Nesting a spec needs: spec → claims → claim → where → value, or grid → axis → values → a list value. */
const MAX_SPEC_DEPTH = 6;
/** Recorded points per series and trial (the store keeps every one). */
export { MAX_CHECKPOINTS };

const FAMILIES = { data: DATA_BLOCKS, features: FEATURE_BLOCKS, model: MODEL_BLOCKS, training: TRAINING_BLOCKS } as const;

export function validateSpec(input: unknown): SpecValidation {
  const shape = jsonShapeIssues(input, MAX_SPEC_DEPTH);
  if (shape.length) return { ok: false, issues: shape };
  if (input === null || typeof input !== 'object' || Array.isArray(input)) return { ok: false, issues: [{ field: '(body)', message: 'a spec is a JSON object' }] };

  // Unknown block kinds get their own message (the union's would only say "invalid input").
  const blockIssues: FieldIssue[] = [];
  for (const [family, blocks] of Object.entries(FAMILIES)) {
    const section = (input as Record<string, unknown>)[family];
    if (family === 'features' && section === undefined) continue;
    if (section === null || typeof section !== 'object' || Array.isArray(section)) continue;
    const kind = (section as Record<string, unknown>).block;
    if (typeof kind !== 'string' || !Object.hasOwn(blocks, kind)) {
      blockIssues.push({ field: `${family}.block`, message: `unknown ${family} block ${JSON.stringify(kind)}; known: ${Object.keys(blocks).join(', ')}` });
    }
  }
  // The same for the cells of a grid axis over model blocks.
  const grid = (input as Record<string, unknown>).grid;
  const cells = grid !== null && typeof grid === 'object' ? (grid as Record<string, unknown>)[MODEL_AXIS] : undefined;
  if (Array.isArray(cells)) {
    cells.forEach((cell, i) => {
      const kind = cell !== null && typeof cell === 'object' ? (cell as Record<string, unknown>).block : undefined;
      if (typeof kind !== 'string' || !Object.hasOwn(MODEL_BLOCKS, kind)) {
        blockIssues.push({ field: `grid.${MODEL_AXIS}.${i}.block`, message: `a cell of the model axis is a model block: unknown model block ${JSON.stringify(kind)}; known: ${Object.keys(MODEL_BLOCKS).join(', ')}` });
      }
    });
  }
  if (blockIssues.length) return { ok: false, issues: blockIssues };

  // A schedule on a record measured once (the schema would only say "unknown field").
  const record = (input as Record<string, unknown>).record;
  const scheduleIssues: FieldIssue[] = [];
  if (Array.isArray(record)) {
    record.forEach((r, i) => {
      if (r === null || typeof r !== 'object' || (r as Record<string, unknown>).at !== 'end') return;
      for (const key of CHECKPOINT_SCHEDULE) if ((r as Record<string, unknown>)[key] !== undefined) scheduleIssues.push({ field: `record.${i}.${key}`, message: `'${key}' schedules checkpoints: it belongs to a record at 'checkpoints', and this one is measured once, at 'end'` });
    });
  }
  if (scheduleIssues.length) return { ok: false, issues: scheduleIssues };

  const parsed = experimentSpecSchema.safeParse(input);
  if (!parsed.success) return { ok: false, issues: zodIssues(parsed.error) };
  const spec = parsed.data as ExperimentSpec;
  const issues = semanticIssues(spec);
  return issues.length ? { ok: false, issues } : { ok: true, spec };
}

function semanticIssues(spec: ExperimentSpec): FieldIssue[] {
  const issues: FieldIssue[] = [];
  const blocks = specBlocks(spec);
  const params = specParams(spec);
  const sections = parameterSections(spec);
  const inert = inertParameters(spec);
  const modelCells = spec.grid[MODEL_AXIS];
  const base = params.parse({}) as Values;
  /** The parameter the model axis becomes (model_axis, default 'model'). */
  const axisName = modelAxisName(spec);

  // model_axis names grid.model's parameter: only with one, and not another parameter's name.
  if (spec.model_axis !== undefined) {
    if (!modelCells) issues.push({ field: 'model_axis', message: 'names the parameter of a grid axis over model blocks, and this spec has no grid.model' });
    else if ([blocks.data, spec.features && FEATURE_BLOCKS[spec.features.block], trainingActs(spec) && blocks.training].some((b) => b && Object.hasOwn(b.shape, axisName)) || (axisName !== MODEL_AXIS && Object.hasOwn(spec.grid, axisName))) issues.push({ field: 'model_axis', message: `'${axisName}' is already a parameter or grid axis of this spec; name the model axis otherwise` });
    if (issues.length) return issues;
  }

  // The model axis: distinct labels (they name the cells in configs and claims).
  if (modelCells) {
    const seen = new Map<string, number>();
    modelCells.forEach((cell, i) => {
      const label = modelCellLabel(cell);
      const first = seen.get(label);
      if (first !== undefined) issues.push({ field: `grid.${MODEL_AXIS}.${i}.label`, message: `cells ${first} and ${i} are both named '${label}' (a cell is named by its label, default its block kind): give one a distinct "label"` });
      else seen.set(label, i);
    });
    if (issues.length) return issues;
  }
  /** Where a model choice is written: `model`, or its cell of the model axis. */
  const modelField = (i: number) => (modelCells ? `grid.${MODEL_AXIS}.${i}` : 'model');
  const choices = modelChoices(spec);

  // Blocks that do not fit together (checked again per grid cell below), for every model the trials fit.
  if (trainingActs(spec) && blocks.training.needsRelatedTask && !blocks.data.related) issues.push({ field: 'data.block', message: `training block '${spec.training.block}' pretrains on a related task, which data block '${spec.data.block}' does not define (use ${Object.values(DATA_BLOCKS).filter((b) => b.related).map((b) => b.kind).join(' or ')})` });
  const once = (issue: FieldIssue) => {
    if (!issues.some((i) => i.field === issue.field)) issues.push(issue);
  };
  choices.forEach((choice, i) => {
    const where = modelCells ? `grid.${MODEL_AXIS}.${i} ('${choice.label}'): ` : '';
    const values = modelCells ? (params.parse({ [axisName]: choice.label }) as Values) : base;
    const m = blockMisfit(spec, values, blocks);
    if (m) once(m[0] === 'block' ? { field: `${modelField(i)}.block`, message: m[1] } : { field: `${sections.get(m[0]) ?? 'model'}.${m[0]}`, message: `${where}${m[1]}` });
    const block = choice.block;
    if (!block.classical) return;
    spec.record.forEach((r, j) => {
      if (r.at === 'checkpoints') once({ field: `record.${j}.at`, message: `${where}model block '${block.kind}' fits once, with no updates to record at: record '${r.metric}' at 'end'` });
      else if (!block.metrics.includes(r.metric)) once({ field: `record.${j}.metric`, message: `${where}model block '${block.kind}' cannot measure '${r.metric}' (it measures ${block.metrics.join(', ')})` });
    });
  });
  // Without a model that fits the data nothing can be planned; a training misfit can.
  if (issues.some((i) => i.field.endsWith('.block'))) return issues;
  const plan = trialPlan(spec, base, blocks);
  spec.record.forEach((r, i) => {
    if (plan.data.task === 'regression' && ACCURACY_METRICS.includes(r.metric)) issues.push({ field: `record.${i}.metric`, message: `'${r.metric}' needs class labels; data block '${spec.data.block}' is a regression (record test_loss instead)` });
    if (plan.data.testRows === 0 && r.metric.startsWith('test_')) issues.push({ field: `record.${i}.metric`, message: `'${r.metric}' needs test rows; the data has none (test_n 0): record the training metric instead` });
    if (END_ONLY.includes(r.metric) && r.at !== 'end') issues.push({ field: `record.${i}.at`, message: `${r.metric} is measured once per trial: record it at 'end'` });
    if (r.at === 'checkpoints' && r.align === 'threshold') {
      // The notebook's Exp 8 schedule: its period is in epochs.
      if (r.every_epochs === undefined) issues.push({ field: `record.${i}.every_epochs`, message: "align 'threshold' records every every_epochs epochs (a float threshold, core/blocks/recorders.ts thresholdUpdates): give every_epochs" });
      else if (r.every !== undefined || r.per_run !== undefined) issues.push({ field: `record.${i}.${r.every !== undefined ? 'every' : 'per_run'}`, message: "align 'threshold' spaces its checkpoints by every_epochs: leave every and per_run out" });
      else if (plan.recordedEpochs === null) issues.push({ field: `record.${i}.align`, message: `align 'threshold' counts epochs, and training block '${spec.training.block}' here trains a number of steps: set training.epochs` });
    } else if (r.at === 'checkpoints') {
      if (r.every_epochs !== undefined) issues.push({ field: `record.${i}.every_epochs`, message: "every_epochs belongs to align 'threshold' (the notebook's Exp 8 schedule); with another align give every or per_run" });
      else if ((r.every === undefined) === (r.per_run === undefined)) issues.push({ field: `record.${i}.every`, message: 'give either every (updates between checkpoints) or per_run (checkpoints over the run)' });
      else if (r.per_run !== undefined && r.align !== 'start') issues.push({ field: `record.${i}.per_run`, message: "per_run spaces checkpoints steps/per_run updates apart from the first update: set align 'start'" });
    }
    if (r.metric === 'time_to_target' && r.at === 'end') {
      if (r.target === undefined) issues.push({ field: `record.${i}.target`, message: 'time_to_target needs the accuracy to exceed: give target (between 0 and 1)' });
      if (r.on === 'last_update') issues.push({ field: `record.${i}.on`, message: "time_to_target checks the accuracy on 'train' (default) or 'test' rows" });
      else if (r.on === 'test' && plan.data.testRows === 0) issues.push({ field: `record.${i}.on`, message: "time_to_target on 'test' needs test rows; the data has none (test_n 0)" });
      if (plan.data.task !== 'classification') issues.push({ field: `record.${i}.metric`, message: `time_to_target checks an accuracy, which needs class labels; data block '${spec.data.block}' is a regression` });
      if (plan.recordedEpochs === null) issues.push({ field: `record.${i}.check_every_epochs`, message: `time_to_target checks every check_every_epochs epochs, and training block '${spec.training.block}' here trains a number of steps: set training.epochs` });
      else if (plan.recordedEpochs / (r.check_every_epochs ?? DEFAULT_TARGET_CHECK_EPOCHS) > MAX_TARGET_CHECKS) issues.push({ field: `record.${i}.check_every_epochs`, message: `${Math.floor(plan.recordedEpochs / (r.check_every_epochs ?? DEFAULT_TARGET_CHECK_EPOCHS))} checks per trial, above ${MAX_TARGET_CHECKS}: check less often` });
      if (spec.record.slice(0, i).some((q) => q.metric === 'time_to_target')) issues.push({ field: `record.${i}.metric`, message: 'time_to_target is recorded by an earlier record item (its scalars are stored once)' });
    }
    if (r.float32 !== undefined && !LOGIT_METRICS.includes(r.metric) && r.metric !== 'time_to_target') issues.push({ field: `record.${i}.float32`, message: `only accuracies and losses may be stored as float32, not ${r.metric}` });
    // An option of one metric's records on another's.
    for (const [key, owners] of Object.entries(RECORD_OPTION_OWNERS)) {
      if ((r as Record<string, unknown>)[key] !== undefined && !owners.includes(r.metric)) issues.push({ field: `record.${i}.${key}`, message: `'${key}' belongs to a ${owners.join(' or ')} record` });
    }
    if (WEIGHT_PATH_METRICS.includes(r.metric) && r.at !== 'checkpoints') issues.push({ field: `record.${i}.at`, message: `${r.metric} is a trajectory over training: record it at 'checkpoints'` });
    if (WEIGHT_PATH_METRICS.includes(r.metric) && r.at === 'checkpoints') {
      const layer = r.layer ?? 0;
      const stored = r.metric === 'weight_tail' ? `its trace is one trace, weights_layer${layer}` : `its change is one series, weight_change_layer${layer}`;
      if (spec.record.slice(0, i).some((q) => q.metric === r.metric && q.at === 'checkpoints' && (q.layer ?? 0) === layer)) issues.push({ field: `record.${i}.layer`, message: `layer ${layer} is followed by an earlier ${r.metric} record (${stored})` });
      const misfit = plan.model && weightTailMisfit(r, plan.model, plan.checkpointCount);
      if (misfit) issues.push({ field: `record.${i}.${misfit[0]}`, message: misfit[1] });
    }
    const predictions = r.metric === 'predictions' && predictionsMisfit(spec, plan);
    if (predictions) issues.push({ field: `record.${i}.metric`, message: predictions });
    if (r.metric === 'predictions' && r.at === 'end' && r.on === 'last_update') {
      if (plan.data.task !== 'regression' || plan.data.input !== 1) issues.push({ field: `record.${i}.on`, message: `predictions on 'last_update' store the fit of one input column to one target: they need 1-D regression data (data block '${spec.data.block}' gives ${plan.data.input} columns, ${plan.data.task})` });
      else {
        const misfit = lastUpdateMisfit(spec, plan);
        if (misfit) issues.push({ field: `training.${misfit[0]}`, message: misfit[1] });
      }
    }
    // A metric is stored once, under one name, whichever items record it.
    const first = spec.record.findIndex((o) => o.metric === r.metric);
    if (first !== i && (spec.record[first].name ?? r.metric) !== (r.name ?? r.metric)) issues.push({ field: `record.${i}.name`, message: `${r.metric} is stored once: record item ${first} stores it as '${spec.record[first].name ?? r.metric}'` });
    else if (r.name !== undefined) {
      const own = scalarsOf(r.metric);
      if (own.length !== 1 || own[0] !== r.metric) issues.push({ field: `record.${i}.name`, message: `only a metric of one scalar may be renamed; ${r.metric} stores ${own.length ? own.join(', ') : 'series or traces'} under fixed names` });
      else if (r.name !== r.metric && ((METRICS as readonly string[]).includes(r.name) || ALWAYS_RECORDED.includes(r.name) || PREDICTION_SERIES.includes(r.name) || spec.record.some((o) => o.metric !== r.metric && scalarsOf(o.metric).includes(r.name!))))
        issues.push({ field: `record.${i}.name`, message: `'${r.name}' names another metric or a value every trial stores (${[...METRICS, ...ALWAYS_RECORDED, ...PREDICTION_SERIES].join(', ')}): pick another name` });
      // Two items may share a name when one records at 'checkpoints' (the series) and the other at 'end' (the scalar).
      else if (spec.record.some((o, j) => j !== i && o.metric !== r.metric && o.name === r.name && o.at === r.at))
        issues.push({ field: `record.${i}.name`, message: `another record item is stored as '${r.name}' (two items may share a name only when one records at 'checkpoints', its series, and the other at 'end', its scalar)` });
    }
    if (r.metric === 'class_counts' && plan.data.task === 'regression') issues.push({ field: `record.${i}.metric`, message: `class_counts needs class labels; data block '${spec.data.block}' is a regression` });
    if (r.metric === 'decision_boundary' && (plan.data.task !== 'classification' || plan.data.input !== 2 || plan.data.output !== 2)) {
      issues.push({ field: `record.${i}.metric`, message: `decision_boundary is drawn on the unit square: it needs two input columns and two classes (data block '${spec.data.block}' gives ${plan.data.input} columns${plan.data.task === 'classification' ? ` and ${plan.data.output} classes` : ', a regression'})` });
    }
  });

  // A pool shared by nothing: every trial would draw a pool of its own and keep a prefix.
  if (blocks.data.pooled?.(base) && !spec.paired && spec.task_shared_by === undefined) issues.push({ field: 'data.pool_n', message: 'each trial draws its own pool (the spec is not paired and shares no task): set task_shared_by (e.g. []) so the configs of a repeat share the pool, or pool_n null' });
  const knownParameters = (list: string[], field: string) =>
    list.forEach((key, i) => {
      if (!sections.has(key)) issues.push({ field: `${field}.${i}`, message: `unknown parameter; the parameters of this spec are ${[...sections.keys()].join(', ')}` });
    });
  knownParameters(spec.task_shared_by ?? [], 'task_shared_by');
  if (spec.features_shared_by) {
    if (!spec.features) issues.push({ field: 'features_shared_by', message: 'the feature pipeline\'s streams are shared by these parameters: add a features section, or leave features_shared_by out' });
    else if (trainingActs(spec) && blocks.training.needsRelatedTask) issues.push({ field: 'features_shared_by', message: `training block '${spec.training.block}' draws its pretraining rows through the pipeline from the data streams, so they would be mixed by another matrix than the training rows: leave features_shared_by out` });
    knownParameters(spec.features_shared_by, 'features_shared_by');
  }

  // Grid axes (the model axis's cells were checked above); claims and the figure name the
  // model axis by its parameter.
  const axes = Object.keys(experimentGrid(spec));
  let cells = 1;
  for (const axis of Object.keys(spec.grid)) {
    const values = spec.grid[axis];
    cells *= values.length;
    if (axis === MODEL_AXIS && modelCells) continue;
    if (!sections.has(axis)) {
      issues.push({ field: `grid.${axis}`, message: inert.get(axis) ?? `unknown parameter; the parameters of this spec are ${[...sections.keys()].join(', ')}` });
      continue;
    }
    const type = params.shape[axis];
    values.forEach((v, i) => {
      const r = type.safeParse(v);
      if (!r.success) issues.push({ field: `grid.${axis}.${i}`, message: `${JSON.stringify(v)} is not a valid ${axis}: ${r.error.issues[0]?.message ?? 'invalid'}` });
    });
    if (new Set(values.map((v) => JSON.stringify(v))).size !== values.length) issues.push({ field: `grid.${axis}`, message: 'a value appears twice' });
  }
  if (axes.length > MAX_GRID_AXES) issues.push({ field: 'grid', message: `${axes.length} grid axes, above the limit of ${MAX_GRID_AXES}` });
  if (cells > MAX_GRID_CELLS) issues.push({ field: 'grid', message: `${cells} grid cells, above the limit of ${MAX_GRID_CELLS}` });

  // Metrics: every recorded one is a scalar; checkpoint ones are also series.
  const scalars = new Set<string>([...spec.record.flatMap(storedScalars), ...ALWAYS_RECORDED]);
  const series = new Set<string>(spec.record.flatMap(storedSeries));
  const axisSet = new Set(axes);

  // Claims: the format's own checks (axes are parameters, values valid), then axes are grid
  // axes and metrics are recorded.
  for (const issue of checkClaims(spec.claims, params, 'claims')) {
    const unknown = /^unknown parameter '(.*)'$/.exec(issue.message)?.[1];
    issues.push({ field: issue.field.replace(/\[(\d+)\]/g, '.$1'), message: (unknown !== undefined && inert.get(unknown)) || issue.message });
  }
  const cellValues = new Map(Object.entries(experimentGrid(spec)).map(([k, vs]) => [k, new Set(vs.map((v) => canonicalJson(v)))]));
  spec.claims.forEach((c, i) => {
    const axis = claimAxis(c);
    const axisField = c.kind === 'trend' ? 'along' : 'by';
    if (axis !== null && sections.has(axis) && !axisSet.has(axis)) issues.push({ field: `claims.${i}.${axisField}`, message: `'${axis}' is not a grid axis (grid: ${axes.join(', ') || 'none'})` });
    for (const key of Object.keys(c.where ?? {})) if (sections.has(key) && !axisSet.has(key)) issues.push({ field: `claims.${i}.where.${key}`, message: `'${key}' is not a grid axis` });
    // A claim naming a value the grid never takes would wait for trials that never exist.
    const onGrid = (axisName: string, v: unknown, field: string) => {
      const values = cellValues.get(axisName);
      if (values && !values.has(canonicalJson(v))) issues.push({ field, message: `${JSON.stringify(v)} is not a value of grid axis '${axisName}' (${[...values].join(', ')})` });
    };
    for (const [key, v] of Object.entries(c.where ?? {})) onGrid(key, v, `claims.${i}.where.${key}`);
    if (c.kind === 'difference' || c.kind === 'curves') {
      onGrid(c.by, c.a, `claims.${i}.a`);
      onGrid(c.by, c.b, `claims.${i}.b`);
    }
    if (c.kind === 'order' || c.kind === 'trend') (c.values ?? []).forEach((v, j) => onGrid(claimAxis(c)!, v, `claims.${i}.values.${j}`));
    const readsSeries = c.kind === 'curves' || ('at' in c && c.at !== undefined && c.at !== 'final');
    claimMetrics(c).forEach((m, j) => {
      const field = c.kind === 'metrics' ? `claims.${i}.metrics.${j}` : `claims.${i}.metric`;
      if (!scalars.has(m)) issues.push({ field, message: `'${m}' is not recorded (recorded: ${[...scalars].join(', ')})` });
      else if (readsSeries && !series.has(m)) issues.push({ field, message: `this claim reads '${m}' over steps: record it at 'checkpoints'` });
    });
    // Unpaired trials pair only through a task their repeat shares: across configs that
    // differ in an axis the task is not keyed by.
    const sharesTask = spec.task_shared_by !== undefined && axis !== null && !spec.task_shared_by.includes(axis);
    if (c.paired && !spec.paired && !sharesTask) issues.push({ field: `claims.${i}.paired`, message: spec.task_shared_by ? `the spec is not paired and its trials share a task only within a value of ${spec.task_shared_by.join(', ')}, so a claim comparing along '${axis}' cannot be paired` : 'the spec is not paired (each trial draws its own data), so its claims cannot be paired' });
  });

  // Figure hint.
  const fig = spec.figure;
  if (fig) {
    if (fig.x !== 'step' && !axisSet.has(fig.x)) issues.push({ field: 'figure.x', message: `'step' or a grid axis (grid: ${axes.join(', ') || 'none'})` });
    // Over steps the figure reads a series (weight_change's have no scalar of their name).
    if (fig.x === 'step' ? !series.has(fig.y) && !scalars.has(fig.y) : !scalars.has(fig.y)) issues.push({ field: 'figure.y', message: `'${fig.y}' is not recorded` });
    else if (fig.x === 'step' && !series.has(fig.y)) issues.push({ field: 'figure.y', message: `x is 'step': record '${fig.y}' at 'checkpoints'` });
    for (const key of ['color', 'facet'] as const) {
      const v = fig[key];
      if (v !== undefined && !axisSet.has(v)) issues.push({ field: `figure.${key}`, message: inert.get(v) ?? `'${v}' is not a grid axis` });
    }
    // A panel draws one stored record: without it the panel would stay empty.
    (fig.panels ?? []).forEach((name, i) => {
      const field = `figure.panels.${i}`;
      const needs = PANELS[name].record;
      const items = spec.record.filter((r) => r.metric === needs);
      if (fig.panels!.indexOf(name) !== i) issues.push({ field, message: `'${name}' appears twice` });
      else if (!items.length) issues.push({ field, message: `panel '${name}' draws the '${needs}' record, which this spec does not keep: add {"metric": "${needs}", "at": "${WEIGHT_PATH_METRICS.includes(needs) ? 'checkpoints' : 'end'}"} to record` });
      else if (needs === 'decision_boundary' && items.every((r) => r.at === 'end' && r.repeats === 0)) issues.push({ field, message: "panel 'decision_boundary' draws repeat 0, and the decision_boundary record keeps no repeat (repeats: 0)" });
    });
  }
  if (issues.length) return issues;

  // Budgets, per grid cell (the sweep checks them again for every request).
  const labels = choices.map((c) => c.label);
  const axisField = (axis: string, cell: Record<string, unknown>) => (axis === axisName && modelCells ? `grid.${MODEL_AXIS}.${labels.indexOf(cell[axisName] as string)}` : `grid.${axis}`);
  const culprit = (cell: Record<string, unknown>, over: (v: Values) => boolean, fallback: string) => {
    if (over(base)) return fallback;
    const axis = Object.keys(cell).find((k) => over({ ...base, [k]: cell[k] }));
    return axis ? axisField(axis, cell) : 'grid';
  };
  // A classical model's work is its fit: its own field, not the training block's steps.
  const workField = plan.classical ? modelField(0) : 'training.steps';
  const costOf = (v: Values) => trialCost(trialPlan(spec, v, blocks));
  // A lone trial's CPU by the pack-time model the compiled spec gets (its step path's price, core/sweep/pack-budget.ts).
  const packTime = specPackTime((v) => trialPlan(spec, v, blocks));
  const cpuMsOf = (v: Values) => estimatePackMs({ id: '(custom)', cost: costOf, packTime }, [{ params: v }]);
  const bytesOf = (v: Values) => trialMemory(trialPlan(spec, v, blocks), 1);
  const reported = new Set<string>();
  for (const cell of gridCells(experimentGrid(spec))) {
    const values = params.parse(cell) as Values;
    const cellMisfit = blockMisfit(spec, values, blocks);
    if (cellMisfit) {
      const axis = Object.keys(cell).find((k) => blockMisfit(spec, { ...base, [k]: cell[k] }, blocks));
      const field = axis ? axisField(axis, cell) : 'grid';
      if (!reported.has(field)) issues.push({ field, message: `grid cell ${JSON.stringify(cell)}: ${cellMisfit[1]}` });
      reported.add(field);
      continue;
    }
    const cellPlan = trialPlan(spec, values, blocks);
    const where = Object.keys(cell).length ? ` (grid cell ${JSON.stringify(cell)})` : '';
    const predictions = predictionsMisfit(spec, cellPlan);
    if (predictions) {
      const field = culprit(cell, (v) => predictionsMisfit(spec, trialPlan(spec, v, blocks)) !== null, 'record');
      if (!reported.has(field)) issues.push({ field, message: `${predictions}${where}` });
      reported.add(field);
    }
    const cost = trialCost(cellPlan);
    if (cost > DEFAULT_LIMITS.maxTrialCost) {
      const field = culprit(cell, (v) => costOf(v) > DEFAULT_LIMITS.maxTrialCost, plan.preparation > DEFAULT_LIMITS.maxTrialCost / 2 ? 'features' : workField);
      if (!reported.has(field)) issues.push({ field, message: `one trial would need about ${cost.toExponential(2)} work units${where}, above the per-trial budget of ${DEFAULT_LIMITS.maxTrialCost.toExponential(2)} (the Worker CPU limit); reduce steps, rows or widths` });
      reported.add(field);
    }
    // The same CPU budget sweep creation applies (core/sweep/expand.ts), by the custom experiments' pack-time model.
    const cpuMs = cpuMsOf(values);
    if (cpuMs > DEFAULT_LIMITS.maxTrialCpuMs) {
      const field = culprit(cell, (v) => cpuMsOf(v) > DEFAULT_LIMITS.maxTrialCpuMs, workField);
      if (!reported.has(field)) issues.push({ field, message: `one trial needs about ${Math.round(cpuMs / 1000)} s of CPU${where} by the pack-time model (core/sweep/pack-budget.ts), above the ${Math.round(DEFAULT_LIMITS.maxTrialCpuMs / 1000)} s a trial may use within one Worker invocation; reduce steps, rows or widths` });
      reported.add(field);
    }
    const bytes = trialMemory(cellPlan, 1);
    if (bytes > DEFAULT_LIMITS.maxPackBytes) {
      const field = culprit(cell, (v) => bytesOf(v) > DEFAULT_LIMITS.maxPackBytes, 'model');
      if (!reported.has(field)) issues.push({ field, message: `training one network needs about ${(bytes / MB).toFixed(1)} MB of WebAssembly memory${where} (core/experiments/memory.ts), above the budget of ${(DEFAULT_LIMITS.maxPackBytes / MB).toFixed(0)} MB per pack; reduce widths, rows or the batch` });
      reported.add(field);
    }
    spec.record.forEach((r, i) => {
      const tailOf = (v: Values) => {
        const p = trialPlan(spec, v, blocks);
        return p.model ? weightTailMisfit(r, p.model, p.checkpointCount) : null;
      };
      const misfit = tailOf(values);
      if (!misfit) return;
      const field = culprit(cell, (v) => tailOf(v) !== null, `record.${i}.${misfit[0]}`);
      if (!reported.has(field)) issues.push({ field, message: `${misfit[1]}${where}` });
      reported.add(field);
    });
    if (cellPlan.checkpointCount > MAX_CHECKPOINTS) {
      const field = 'record';
      if (!reported.has(field)) issues.push({ field, message: `${cellPlan.checkpointCount} checkpoints per trial${where}, above ${MAX_CHECKPOINTS}; record less often (every)` });
      reported.add(field);
    }
  }
  return issues;
}
