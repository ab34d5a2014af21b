/**
 * Exp 11 as a spec (core/experiments/specs/exp11-layer-convergence.ts): the protocol's
 * defaults, its weight tails and their change norms against a training done by hand, the
 * settling rule, and a small sweep through the store to the figure.
 */
import { describe, expect, test } from 'vitest';
import { type CheckpointItem, stepsToConverge, tailEntries } from '../../core/blocks/recorders';
import { trialPlan, type SpecExperiment } from '../../core/custom/compile';
import { classCounts } from '../../core/data/dataset';
import { getExperiment } from '../../core/experiments';
import { inverseSeps } from '../../core/experiments/common';
import type { TrialSpec } from '../../core/experiments/types';
import { parameterCount } from '../../core/nn/model';
import { oneHot, trainPack } from '../../core/train/train-pack';
import { exp11Figure } from '../../dashboard/figures/exp11';
import { formattedSvg, renderFigure } from '../helpers/render';
import { builtinStreams, dataOf } from '../helpers/spec-training';
import { runSweep } from '../helpers/sweep';
import { useBackend } from '../tf-node';

const exp11 = getExperiment('exp11') as SpecExperiment;

function trialsOf(over: Record<string, unknown>, repeats: number): TrialSpec[] {
  const p = exp11.params.parse(over);
  return Array.from({ length: repeats }, (_, r) => ({ id: `t.0.${r}`, sweepId: 't', experiment: 'exp11', configKey: 'default', repeat: r, seed: 7, params: p }));
}

const tailItems = () => exp11.spec.record.filter((r): r is CheckpointItem => r.metric === 'weight_tail' && r.at === 'checkpoints');

describe('exp11 protocol', () => {
  test('defaults: d=12, seps 1/(i+1), n=500 (400/100), 12→(50,50,50)→2 sigmoid/Xavier, MSE, Adam 0.003, 750 steps, batch 64, tails of 50 every 2 steps', () => {
    const p = exp11.params.parse({});
    expect(p).toMatchObject({ d: 12, class_sep: 1, class_sep_decay: 'inverse', covariance_scale: 1, n: 500, test_size: 0.2, width: 50, depth: 3, activation: 'sigmoid', initializer: 'xavier', loss: 'mean_squared_error', lr: 0.003, steps: 750, batch_size: 64 });
    expect(exp11.grid).toEqual({});
    expect(exp11.repeats).toBe(5);
    expect(exp11.section).toBe('V. Weight Evolution');
    const plan = trialPlan(exp11.spec, p);
    // W0 12×50 + W1 50×50 + W2 50×50 + W3 50×2 and their biases.
    expect(parameterCount(plan.model!)).toBe(12 * 50 + 50 + 2 * (50 * 50 + 50) + 50 * 2 + 2);
    expect(tailItems().map((i) => [i.layer, tailEntries(i, plan.model!)])).toEqual([[0, 50], [1, 50], [2, 50], [3, 50]]);
    // The notebook's snapshots: after the update of steps 0, 2, …, 748.
    expect(plan.checkpoints).toHaveLength(375);
    expect([plan.checkpoints[0], plan.checkpoints[1], plan.checkpoints.at(-1)]).toEqual([1, 3, 749]);
    expect(() => exp11.params.parse({ bogus: 1 })).toThrow();
  });

  test('a weight trace stays one bounded D1 row: snapshots × entries ≤ 40,000 values, refused by name above', () => {
    expect(exp11.refusal!(exp11.params.parse({ steps: 1600 }))).toBeNull(); // 800 × 50
    expect(exp11.refusal!(exp11.params.parse({ steps: 1602 }))).toEqual({ param: 'record', message: expect.stringContaining('801 checkpoints × 50 entries = 40050 values') });
  });

  test('data: 400 train / 100 test rows, 250 per class, class-1 mean 1/(i+1)', () => {
    const [t] = trialsOf({}, 1);
    const m = dataOf(exp11, t);
    expect([m.train.n, m.test.n, m.train.d]).toEqual([400, 100, 12]);
    const counts = classCounts(m.train).map((c, i) => c + classCounts(m.test)[i]);
    expect(counts).toEqual([250, 250]);
    expect(inverseSeps(12)[11]).toBeCloseTo(1 / 12, 12);
  });

  test('the traces are the last 50 entries of each row-major flattened matrix and the change series their L2 steps, as a training by hand sees them', async () => {
    await useBackend('wasm');
    const trials = trialsOf({ steps: 7 }, 2);
    const results = await exp11.runPack(trials, {});
    // The same training by hand, reading every parameter at the spec's checkpoints.
    const { streamOf } = builtinStreams(exp11);
    const plan = trialPlan(exp11.spec, trials[0].params as Record<string, unknown>);
    const splits = trials.map((t) => dataOf(exp11, t));
    const full: Float32Array[][][] = []; // [checkpoint][k][param]
    const { pack } = await trainPack({
      model: plan.model!,
      initRngs: trials.map((t) => streamOf(t, 'init')),
      batchRngs: trials.map((t) => streamOf(t, 'batch')),
      trainX: splits.map((s) => s.train.x),
      trainY: splits.map((s) => oneHot(s.train.labels)),
      n: 400,
      loss: 'mean_squared_error',
      lr: 0.003,
      steps: 7,
      batchSize: 64,
      checkpoints: plan.checkpoints.map((u) => u - 1),
      onCheckpoint: async (_, net) => void full.push(await net.read()),
    });
    pack.dispose();
    expect(plan.checkpoints).toEqual([1, 3, 5, 7]);
    const weightIndex = [0, 2, 4, 6]; // W0, W1, W2, W3 among [W0, b0, W1, b1, …]
    for (let k = 0; k < 2; k++) {
      const r = results[k];
      weightIndex.forEach((pi, j) => {
        const trace = r.traces![`weights_layer${j}`];
        expect(trace.steps).toEqual([1, 3, 5, 7].flatMap((u) => Array(50).fill(u)));
        for (let i = 0; i < 4; i++) {
          const flat = full[i][k][pi];
          const tail = Array.from(flat.subarray(flat.length - 50), (v) => Number(v.toPrecision(7)));
          expect(trace.values.slice(i * 50, (i + 1) * 50)).toEqual(tail);
        }
        // weight_change = ‖tail_i − tail_{i−1}‖₂ of the unrounded float32 entries.
        const change = r.series[`weight_change_layer${j}`];
        expect(change.steps).toEqual([3, 5, 7]);
        change.values.forEach((v, i) => {
          const a = full[i][k][pi];
          const b = full[i + 1][k][pi];
          let s = 0;
          for (let e = a.length - 50; e < a.length; e++) s += (b[e] - a[e]) ** 2;
          expect(v).toBe(Math.sqrt(s));
          expect(v).toBeGreaterThan(0);
        });
        expect(r.scalars[`final_change_layer${j}`]).toBe(change.values.at(-1)); // the last tenth of 3 values is 1
        expect([3, 5, 7, 8]).toContain(r.scalars[`steps_to_converge_layer${j}`]);
      });
      // W3 is 50×2: its last 50 entries are rows 25–49 × both outputs.
      const w3 = full[2][k][6];
      const rows = Array.from({ length: 25 }, (_, q) => [w3[(25 + q) * 2], w3[(25 + q) * 2 + 1]]).flat();
      expect(r.traces!.weights_layer3.values.slice(100, 150)).toEqual(rows.map((v) => Number(v.toPrecision(7))));
    }
  }, 60_000);

  test('steps_to_converge: first step from which the smoothed change stays below the fraction of its maximum', () => {
    const steps = [3, 5, 7, 9, 11, 13];
    expect(stepsToConverge({ steps, values: [1, 0.8, 0.6, 0.3, 0.2, 0.1] }, 0.5, 1, 14)).toBe(9);
    // A late spike above the threshold postpones it.
    expect(stepsToConverge({ steps, values: [1, 0.8, 0.3, 0.2, 0.6, 0.1] }, 0.5, 1, 14)).toBe(13);
    // Never settles: the last change is still above the level, so one past the run.
    expect(stepsToConverge({ steps, values: [1, 0.2, 0.2, 0.2, 0.2, 0.9] }, 0.5, 1, 14)).toBe(14);
    // Smoothing (centred window of 3) removes an isolated spike that would postpone it.
    const spiky = { steps: [3, 5, 7, 9, 11, 13, 15, 17], values: [1, 1, 0.1, 0.1, 0.7, 0.1, 0.1, 0.1] };
    expect(stepsToConverge(spiky, 0.5, 1, 18)).toBe(13);
    expect(stepsToConverge(spiky, 0.5, 3, 18)).toBe(7);
  });
});

describe('exp11 sweep and figure', () => {
  test('a small real sweep: change norms aggregate per layer and step, traces stay per trial, figure renders', async () => {
    const metrics = exp11Figure.trialMetrics!;
    // Width 2: tails of 24, 4, 4 and 4 entries (whole matrices below 50), a readable snapshot.
    const { figureData } = await runSweep({ experiment: 'exp11', repeats: 2, params: { steps: 40, width: 2 } }, { trialMetrics: metrics });
    const agg = figureData.aggregate;
    for (let j = 0; j < 4; j++) {
      const rows = agg.filter((r) => r.metric === `weight_change_layer${j}`);
      // After updates 3, 5, …, 39: every snapshot but the first (update 1).
      expect(rows.map((r) => r.step)).toEqual(Array.from({ length: 19 }, (_, i) => 2 * i + 3));
      for (const r of rows) {
        expect(r.n).toBe(2);
        expect(r.mean).toBeGreaterThan(0);
      }
      expect(agg.filter((r) => r.metric === `steps_to_converge_layer${j}` && r.step === null)).toHaveLength(1);
      // Traces are not aggregated.
      expect(agg.some((r) => r.metric === `weights_layer${j}`)).toBe(false);
    }
    expect(agg.filter((r) => r.metric === 'test_accuracy' && r.step !== null)).toHaveLength(20);
    expect(figureData.trials).toHaveLength(2);
    expect(figureData.trials[0].traces.weights_layer0.values).toHaveLength(20 * 24);
    expect(figureData.trials[0].traces.weights_layer3.values).toHaveLength(20 * 4);

    const { html, element } = renderFigure(exp11Figure, figureData);
    const titles = [...element.querySelectorAll('h2')].map((h) => h.textContent);
    expect(titles).toEqual([0, 1, 2, 3].map((j) => `Layer ${j} weights (repeat 0)`).concat([0, 1, 2, 3].map((j) => expect.stringMatching(new RegExp(`^Layer ${j} convergence`)))));
    // Figure A: one line per traced entry (24 + 4 + 4 + 4); Figure B: 4 mean lines with 4 std bands.
    expect(element.querySelectorAll('g[aria-label="line"] path').length - element.querySelectorAll('g.repeats path').length).toBe(36 + 4);
    // Figure B also draws each repeat's change norm faintly: 4 layers × 2 repeats.
    expect(element.querySelectorAll('g.repeats path')).toHaveLength(4 * 2);
    expect(element.querySelectorAll('g[aria-label="area"] path')).toHaveLength(4);
    const lines = exp11Figure.headline(figureData);
    expect(lines).toHaveLength(5);
    expect(lines[0]).toMatch(/^layer 0: settles at step .* \(n=2\)/);
    await expect(formattedSvg(html)).toMatchFileSnapshot('../__snapshots__/exp11.figure.html');
  }, 60_000);
});
