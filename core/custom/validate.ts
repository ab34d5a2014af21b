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
 *   (core/sweep/request.ts DEFAULT_LIMITS): estimated work, and memory of a lone network.
 */
import { DATA_BLOCKS, FEATURE_BLOCKS, MODEL_BLOCKS, TRAINING_BLOCKS } from '../blocks';
import { ACCURACY_METRICS, ALWAYS_RECORDED, END_ONLY, LOGIT_METRICS, MAX_CHECKPOINTS, scalarsOf } from '../blocks/recorders';
import type { Values } from '../blocks/types';
import { checkClaims, claimAxis, claimMetrics } from '../experiments/claims';
import { MB } from '../experiments/memory';
import { DEFAULT_LIMITS, jsonShapeIssues, zodIssues, type FieldIssue } from '../sweep/request';
import { gridCells } from '../sweep/grid';
import { estimatePackMs } from '../sweep/pack-budget';
import { blockMisfit, parameterSections, specBlocks, specParams, trialCost, trialMemory, trialPlan } from './compile';
import { experimentSpecSchema, MAX_GRID_AXES, MAX_GRID_CELLS, type ExperimentSpec } from './spec';

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
  if (blockIssues.length) return { ok: false, issues: blockIssues };

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
  const base = params.parse({}) as Values;

  // Blocks that do not fit together (checked again per grid cell below).
  if (blocks.training.needsRelatedTask && !blocks.data.related) issues.push({ field: 'data.block', message: `training block '${spec.training.block}' pretrains on a related task, which data block '${spec.data.block}' does not define (use ${Object.values(DATA_BLOCKS).filter((b) => b.related).map((b) => b.kind).join(' or ')})` });
  const baseMisfit = blockMisfit(spec, base, blocks);
  if (baseMisfit) issues.push({ field: `${sections.get(baseMisfit[0]) ?? 'model'}.${baseMisfit[0]}`, message: baseMisfit[1] });
  // Without a model that fits the data nothing can be planned; a training misfit can.
  if (issues.some((i) => i.field.endsWith('.block'))) return issues;
  const plan = trialPlan(spec, base, blocks);
  spec.record.forEach((r, i) => {
    if (plan.data.task === 'regression' && ACCURACY_METRICS.includes(r.metric)) issues.push({ field: `record.${i}.metric`, message: `'${r.metric}' needs class labels; data block '${spec.data.block}' is a regression (record test_loss instead)` });
    if (END_ONLY.includes(r.metric) && r.at !== 'end') issues.push({ field: `record.${i}.at`, message: `${r.metric} is measured once per trial: record it at 'end'` });
    if (r.float32 !== undefined && !LOGIT_METRICS.includes(r.metric)) issues.push({ field: `record.${i}.float32`, message: `only accuracies and losses may be stored as float32, not ${r.metric}` });
    if (r.at === 'end' && r.metric !== 'decision_boundary') {
      for (const key of ['repeats', 'points'] as const) if (r[key] !== undefined) issues.push({ field: `record.${i}.${key}`, message: `'${key}' belongs to a decision_boundary record` });
    }
    if (r.metric === 'class_counts' && plan.data.task === 'regression') issues.push({ field: `record.${i}.metric`, message: `class_counts needs class labels; data block '${spec.data.block}' is a regression` });
    if (r.metric === 'decision_boundary' && (plan.data.task !== 'classification' || plan.data.input !== 2 || plan.data.output !== 2)) {
      issues.push({ field: `record.${i}.metric`, message: `decision_boundary is drawn on the unit square: it needs two input columns and two classes (data block '${spec.data.block}' gives ${plan.data.input} columns${plan.data.task === 'classification' ? ` and ${plan.data.output} classes` : ', a regression'})` });
    }
  });

  (spec.task_shared_by ?? []).forEach((key, i) => {
    if (!sections.has(key)) issues.push({ field: `task_shared_by.${i}`, message: `unknown parameter; the parameters of this spec are ${[...sections.keys()].join(', ')}` });
  });

  // Grid axes.
  const axes = Object.keys(spec.grid);
  let cells = 1;
  for (const axis of axes) {
    const values = spec.grid[axis];
    cells *= values.length;
    if (!sections.has(axis)) {
      issues.push({ field: `grid.${axis}`, message: `unknown parameter; the parameters of this spec are ${[...sections.keys()].join(', ')}` });
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
  const scalars = new Set<string>([...spec.record.flatMap((r) => scalarsOf(r.metric)), ...ALWAYS_RECORDED]);
  const series = new Set<string>(spec.record.filter((r) => r.at === 'checkpoints').map((r) => r.metric));
  const axisSet = new Set(axes);

  // Claims: the format's own checks (axes are parameters, values valid), then axes are grid
  // axes and metrics are recorded.
  for (const issue of checkClaims(spec.claims, params, 'claims')) issues.push({ field: issue.field.replace(/\[(\d+)\]/g, '.$1'), message: issue.message });
  spec.claims.forEach((c, i) => {
    const axis = claimAxis(c);
    const axisField = c.kind === 'trend' ? 'along' : 'by';
    if (axis !== null && sections.has(axis) && !axisSet.has(axis)) issues.push({ field: `claims.${i}.${axisField}`, message: `'${axis}' is not a grid axis (grid: ${axes.join(', ') || 'none'})` });
    for (const key of Object.keys(c.where ?? {})) if (sections.has(key) && !axisSet.has(key)) issues.push({ field: `claims.${i}.where.${key}`, message: `'${key}' is not a grid axis` });
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
    if (!scalars.has(fig.y)) issues.push({ field: 'figure.y', message: `'${fig.y}' is not recorded` });
    else if (fig.x === 'step' && !series.has(fig.y)) issues.push({ field: 'figure.y', message: `x is 'step': record '${fig.y}' at 'checkpoints'` });
    for (const key of ['color', 'facet'] as const) {
      const v = fig[key];
      if (v !== undefined && !axisSet.has(v)) issues.push({ field: `figure.${key}`, message: `'${v}' is not a grid axis` });
    }
  }
  if (issues.length) return issues;

  // Budgets, per grid cell (the sweep checks them again for every request).
  const culprit = (cell: Record<string, unknown>, over: (v: Values) => boolean, fallback: string) => {
    if (over(base)) return fallback;
    const axis = Object.keys(cell).find((k) => over({ ...base, [k]: cell[k] }));
    return axis ? `grid.${axis}` : 'grid';
  };
  const costOf = (v: Values) => trialCost(trialPlan(spec, v, blocks));
  // A lone trial's CPU by the model custom experiments get (DEFAULT_PACK_TIME: no entry for their id).
  const cpuMsOf = (cost: number) => estimatePackMs({ id: '(custom)', cost: () => cost }, [{ params: {} }]);
  const bytesOf = (v: Values) => trialMemory(trialPlan(spec, v, blocks), 1);
  const reported = new Set<string>();
  for (const cell of gridCells(spec.grid)) {
    const values = params.parse(cell) as Values;
    const misfit = blockMisfit(spec, values, blocks);
    if (misfit) {
      const axis = Object.keys(cell).find((k) => blockMisfit(spec, { ...base, [k]: cell[k] }, blocks));
      const field = axis ? `grid.${axis}` : 'grid';
      if (!reported.has(field)) issues.push({ field, message: `grid cell ${JSON.stringify(cell)}: ${misfit[1]}` });
      reported.add(field);
      continue;
    }
    const cellPlan = trialPlan(spec, values, blocks);
    const where = Object.keys(cell).length ? ` (grid cell ${JSON.stringify(cell)})` : '';
    const cost = trialCost(cellPlan);
    if (cost > DEFAULT_LIMITS.maxTrialCost) {
      const field = culprit(cell, (v) => costOf(v) > DEFAULT_LIMITS.maxTrialCost, plan.preparation > DEFAULT_LIMITS.maxTrialCost / 2 ? 'features' : 'training.steps');
      if (!reported.has(field)) issues.push({ field, message: `one trial would need about ${cost.toExponential(2)} work units${where}, above the per-trial budget of ${DEFAULT_LIMITS.maxTrialCost.toExponential(2)} (the Worker CPU limit); reduce steps, rows or widths` });
      reported.add(field);
    }
    // The same CPU budget sweep creation applies (core/sweep/expand.ts), by the custom experiments' pack-time model.
    const cpuMs = cpuMsOf(cost);
    if (cpuMs > DEFAULT_LIMITS.maxTrialCpuMs) {
      const field = culprit(cell, (v) => cpuMsOf(costOf(v)) > DEFAULT_LIMITS.maxTrialCpuMs, 'training.steps');
      if (!reported.has(field)) issues.push({ field, message: `one trial needs about ${Math.round(cpuMs / 1000)} s of CPU${where} by the pack-time model (core/sweep/pack-budget.ts), above the ${Math.round(DEFAULT_LIMITS.maxTrialCpuMs / 1000)} s a trial may use within one Worker invocation; reduce steps, rows or widths` });
      reported.add(field);
    }
    const bytes = trialMemory(cellPlan, 1);
    if (bytes > DEFAULT_LIMITS.maxPackBytes) {
      const field = culprit(cell, (v) => bytesOf(v) > DEFAULT_LIMITS.maxPackBytes, 'model');
      if (!reported.has(field)) issues.push({ field, message: `training one network needs about ${(bytes / MB).toFixed(1)} MB of WebAssembly memory${where} (core/experiments/memory.ts), above the budget of ${(DEFAULT_LIMITS.maxPackBytes / MB).toFixed(0)} MB per pack; reduce widths, rows or the batch` });
      reported.add(field);
    }
    if (cellPlan.checkpointCount > MAX_CHECKPOINTS) {
      const field = 'record';
      if (!reported.has(field)) issues.push({ field, message: `${cellPlan.checkpointCount} checkpoints per trial${where}, above ${MAX_CHECKPOINTS}; record less often (every)` });
      reported.add(field);
    }
  }
  return issues;
}
