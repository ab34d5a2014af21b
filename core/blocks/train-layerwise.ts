/**
 * Training block `layerwise`: end-to-end training against greedy layer-wise training of an
 * MLP, at the same number of updates.
 *
 *   schedule 'end_to_end'  every layer trained together for `steps` (or `epochs`) updates;
 *   schedule 'layerwise'   `depth` stages of steps/depth updates each (the remainder to the
 *                          last): stage l trains hidden layer l and a fresh output layer on
 *                          top of layers 1..l−1, which keep their values from the previous
 *                          stages and stay frozen (greedy supervised pretraining).
 * Both then train every layer together for `finetune_steps` more updates (0 by default).
 * Series count updates across all stages; at a checkpoint inside stage l they evaluate the
 * l-layer network of that stage.
 */
import { z } from 'zod';
import { initialValues, parameterLayers, type MlpSpec, type ModelSpec } from '../nn/model';
import { adamDefaults, adamShape, lossIncompatible, phaseSteps, trainPhase, type AdamValues } from './train-adam';
import type { PhasePlan, TrainingBlock, Values } from './types';

export const SCHEDULES = ['end_to_end', 'layerwise'] as const;

export const layerwiseShape = {
  ...adamShape,
  schedule: z.enum(SCHEDULES),
  finetune_steps: z.number().int().min(0).max(1_000_000),
};

type LayerwiseValues = AdamValues & { schedule: (typeof SCHEDULES)[number]; finetune_steps: number };

/** Updates of each greedy stage: steps split evenly over `depth` stages, the remainder to the last. */
export function stageSteps(steps: number, depth: number): number[] {
  const each = Math.floor(steps / depth);
  return Array.from({ length: depth }, (_, l) => (l + 1 === depth ? steps - each * (depth - 1) : each));
}

/** The stage-l network: the first l hidden layers of the model and its output layer. */
export function stageModel(model: MlpSpec, l: number): MlpSpec {
  return { ...model, hidden: model.hidden.slice(0, l) };
}

/** Parameters of the first `layers` hidden layers (weights, biases, and BN's gamma and beta). */
function hiddenParamCount(model: MlpSpec, layers: number): number {
  return layers * (model.batchNorm ? 4 : 2);
}

export const layerwiseBlock: TrainingBlock = {
  family: 'training',
  kind: 'layerwise',
  summary: 'End-to-end training, or greedy layer-wise training (one hidden layer per stage, earlier layers frozen) at the same number of updates; both optionally fine-tuned jointly.',
  shape: layerwiseShape,
  defaults: { ...adamDefaults, schedule: 'end_to_end', finetune_steps: 0 },
  plan(values: Values, data, model): PhasePlan[] {
    const p = values as unknown as LayerwiseValues;
    const rows = { batchRows: Math.min(p.batch_size, data.trainRows), dataRows: data.trainRows + data.testRows, recorded: true, tape: p.regularization !== 'none' };
    const steps = phaseSteps(p, data.trainRows, data.testRows);
    const phases: PhasePlan[] =
      p.schedule === 'end_to_end' || model.kind !== 'mlp'
        ? [{ model, steps, ...rows }]
        : // Stages after the first train with the earlier layers frozen: on the tape.
          stageSteps(steps, model.hidden.length).map((s, l) => ({ model: stageModel(model, l + 1), steps: s, ...rows, tape: rows.tape || l > 0 }));
    if (p.finetune_steps > 0) phases.push({ model, steps: p.finetune_steps, ...rows });
    return phases.filter((ph) => ph.steps > 0);
  },
  async run(input) {
    const p = input.params as unknown as LayerwiseValues;
    const model = input.model as MlpSpec;
    const steps = phaseSteps(p, input.splits[0].train.n, input.splits[0].test.n);
    let net;
    let offset = 0;
    if (p.schedule === 'end_to_end') {
      net = await trainPhase(input, p, { steps, offset, record: true });
      offset += steps;
    } else {
      const stages = stageSteps(steps, model.hidden.length);
      for (let l = 1; l <= stages.length; l++) {
        const stage = stageModel(model, l);
        const frozen = hiddenParamCount(model, l - 1);
        let start: { initialValues?: Float32Array[][]; initialRunningStats?: Float32Array[][]; trainable?: boolean[] } = {};
        if (net) {
          // The earlier layers carry over and stay frozen; the new layer and head are drawn fresh.
          const previous = await net.read();
          const stats = await net.readRunningStats();
          net.dispose();
          const fresh = previous.map((_, k) => initialValues(stage, input.stream(k, `init_stage${l}`)));
          start = {
            initialValues: fresh.map((vals, k) => vals.map((v, i) => (i < frozen ? previous[k][i] : v))),
            trainable: parameterLayers(stage).map((layer) => layer >= l - 1),
          };
          // Running statistics: the earlier layers' carry over, the new layer's start at 0 and 1.
          if (model.batchNorm) start.initialRunningStats = stats.map((s) => [...s.slice(0, 2 * (l - 1)), new Float32Array(model.hidden[l - 1]), new Float32Array(model.hidden[l - 1]).fill(1)]);
        }
        if (stages[l - 1] > 0) {
          net = await trainPhase(input, p, { model: stage, steps: stages[l - 1], offset, record: true, initPurpose: l === 1 ? 'init' : `init_stage${l}`, ...start });
          offset += stages[l - 1];
        }
      }
    }
    if (p.finetune_steps > 0 && net) {
      const values = await net.read();
      const stats = await net.readRunningStats();
      net.dispose();
      net = await trainPhase(input, p, { steps: p.finetune_steps, offset, record: true, batchPurpose: 'finetune_batch', initialValues: values, ...(stats[0]?.length ? { initialRunningStats: stats } : {}) });
    }
    return net!;
  },
  incompatible(values, data, model: ModelSpec) {
    const p = values as unknown as LayerwiseValues;
    if (p.schedule === 'layerwise' && model.kind !== 'mlp') return ['schedule', 'layer-wise training builds an MLP layer by layer: use the mlp model block'];
    if (p.schedule === 'layerwise' && model.kind === 'mlp' && p.epochs === null && p.steps < model.hidden.length) return ['steps', `fewer updates than the ${model.hidden.length} stages`];
    return lossIncompatible(p.loss, data);
  },
};

