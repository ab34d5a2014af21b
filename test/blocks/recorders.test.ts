/**
 * One definition of accuracy: the recorders' hits / rows (core/blocks/recorders.ts
 * accuracyOf), stored as float32 where a record asks (`float32: true`), is bit for bit the
 * float32 mean over rows that TF computes (core/nn/losses.ts packAccuracy), which the
 * notebook's experiments written in TypeScript store.
 */
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, test } from 'vitest';
import { accuracyOf, type CheckpointItem, lossOf, itemCheckpointCount, itemCheckpointUpdates, MAX_TRACE_VALUES, PackRecorder, predictionSeries, type RecordItem, scalarsOf, storedScalars, tailEntries, targetCheckUpdates, thresholdUpdates, weightStatistics, weightTailMisfit } from '../../core/blocks/recorders';
import { compileSpec, trialPlan } from '../../core/custom/compile';
import { validateSpec } from '../../core/custom/validate';
import type { TrialSpec } from '../../core/experiments/types';
import { tinySpec } from '../custom/fixtures';
import { makeTable } from '../../core/data/dataset';
import { initialValues, NetworkPack, type MlpSpec } from '../../core/nn/model';
import { LOSSES, packAccuracy, packLoss } from '../../core/nn/losses';
import { Rng } from '../../core/rng';
import { useBackend } from '../tf-node';
import { DATA_BLOCKS } from '../../core/blocks';
import { GRID_SIDE } from '../../core/train/decision-boundary';
import { MAX_SERIES_POINTS } from '../../core/sweep/request';
import type { z } from 'zod';

describe('accuracy: the recorder and the tfjs kernel agree', () => {
  test.each([1, 7, 60, 300, 1200, 2289, 2601])('%i rows, every hit count, ties and two or three classes', async (rows) => {
    await useBackend('wasm');
    const rng = new Rng(rows);
    for (const classes of [2, 3]) {
      // One network per hit count 0 … rows (at most 64 networks): logits with exact ties too.
      const K = Math.min(rows + 1, 64);
      const logits = new Float32Array(K * rows * classes);
      const targets = new Float32Array(K * rows * classes);
      for (let k = 0; k < K; k++) {
        const hits = Math.round((k / (K - 1 || 1)) * rows);
        for (let i = 0; i < rows; i++) {
          const truth = rng.int(classes);
          targets[(k * rows + i) * classes + truth] = 1;
          const winner = i < hits ? truth : (truth + 1) % classes;
          for (let c = 0; c < classes; c++) logits[(k * rows + i) * classes + c] = c === winner ? 1 : rng.int(3) === 0 ? 1 : rng.uniform() - 2;
        }
      }
      const tfValues = tf.tidy(() => packAccuracy(tf.tensor3d(logits, [K, rows, classes]), tf.tensor3d(targets, [K, rows, classes])).dataSync());
      for (let k = 0; k < K; k++) {
        const per = rows * classes;
        const ours = Math.fround(accuracyOf(logits.subarray(k * per, (k + 1) * per), targets.subarray(k * per, (k + 1) * per), classes));
        expect(Object.is(ours, tfValues[k]), `rows ${rows}, classes ${classes}, network ${k}: ${ours} vs ${tfValues[k]}`).toBe(true);
      }
    }
  });
});

describe('loss: the recorder evaluates the loss training minimises', () => {
  test('every loss, 2 and 3 classes, 1 to 2,000 rows: lossOf (float64) is what packLoss (the tfjs float32 ops training differentiates) computes, to its float32 roundings', async () => {
    await useBackend('wasm');
    const rng = new Rng(11);
    let compared = 0;
    for (const name of LOSSES) {
      for (const classes of [2, 3]) {
        for (const rows of [1, 7, 64, 400, 2000]) {
          // Logits of a trained net's scale, and one-hot targets.
          const logits = Float32Array.from({ length: rows * classes }, () => 3 * rng.normal());
          const targets = new Float32Array(rows * classes);
          for (let i = 0; i < rows; i++) targets[i * classes + rng.int(classes)] = 1;
          const exact = lossOf(name, logits, targets, classes);
          const single = tf.tidy(() => packLoss(name, tf.tensor3d(logits, [1, rows, classes]), tf.tensor3d(targets, [1, rows, classes])).dataSync()[0]);
          // float32 sums of n terms: at most about n roundings of 2^-24 relative to the sum of magnitudes.
          const bound = 4 * rows * classes * 2 ** -24 * Math.max(Math.abs(exact), 1);
          expect(Math.abs(single - exact), `${name}, ${classes} classes, ${rows} rows`).toBeLessThanOrEqual(bound);
          compared++;
        }
      }
    }
    expect(compared).toBe(LOSSES.length * 2 * 5);
  });
});

describe('stored names and the predictions series', () => {
  test("a name renames a metric's scalar; predictions on 'last_update' store x (float64 where kept), y_true and y_pred over the row index", () => {
    expect(storedScalars({ metric: 'loss', name: 'mse' })).toEqual(['mse']);
    expect(storedScalars({ metric: 'train_loss' })).toEqual(['train_loss']);
    expect(scalarsOf('predictions')).toEqual([]);
    const train = makeTable(3, 1);
    train.x.set([0.1, 0.2, 0.3]);
    const series = predictionSeries(train, Float32Array.from([1, 2, 3]), Float32Array.from([1.5, 2.5, 3.5]));
    expect(series.x).toEqual({ steps: [0, 1, 2], values: Array.from(Float32Array.from([0.1, 0.2, 0.3])) });
    expect(series.y_true.values).toEqual([1, 2, 3]);
    expect(series.y_pred.values).toEqual([1.5, 2.5, 3.5]);
    train.x64 = Float64Array.from([0.1, 0.2, 0.3]);
    expect(predictionSeries(train, train.labels, train.labels).x.values).toEqual([0.1, 0.2, 0.3]);
  });
});

describe('weight_tail and weight_stats records', () => {
  const model: MlpSpec = { kind: 'mlp', input: 3, hidden: [4, 5], output: 2, activation: 'sigmoid', initializer: 'xavier' };
  const noSet = { x: null as unknown as tf.Tensor3D, y: [] };

  test('the trace holds the last entries of the chosen weight matrix per checkpoint, snapshot-major, update counts repeated; the shadow twin is dropped', async () => {
    await useBackend('wasm');
    const values = [initialValues(model, new Rng(1)), initialValues(model, new Rng(2))];
    // W1 is 4×5 = 20 entries: 6 of them; W2 is 5×2 = 10 entries: 'entries' 50 keeps all 10.
    const items: RecordItem[] = [
      { metric: 'weight_tail', at: 'checkpoints', every: 1, layer: 1, entries: 6 },
      { metric: 'weight_tail', at: 'checkpoints', every: 1, layer: 2 },
    ];
    const rec = new PackRecorder(items, 1, { test: noSet, train: noSet }, 'mean_squared_error', 2, model);
    const net = new NetworkPack(model, values, 1);
    await rec.record(1, net);
    await rec.record(3, net);
    net.dispose();
    const traces = rec.traces(0);
    expect(Object.keys(traces)).toEqual(['weights_layer1', 'weights_layer2']);
    const w1 = values[0][2];
    const tail = Array.from(w1.subarray(14), (v) => Number(v.toPrecision(7)));
    expect(traces.weights_layer1).toEqual({ steps: [...Array(6).fill(1), ...Array(6).fill(3)], values: [...tail, ...tail] });
    expect(traces.weights_layer2.values.slice(0, 10)).toEqual(Array.from(values[0][4], (v) => Number(v.toPrecision(7))));
    expect(rec.series.size).toBe(0);
  });

  test('weight_change: the L2 norm of the tail\'s step between checkpoints, its settling step and late level; one tail read for a trace and a change of the same layer', async () => {
    await useBackend('wasm');
    const model1: MlpSpec = { ...model, hidden: [4] };
    const items: RecordItem[] = [
      { metric: 'weight_tail', at: 'checkpoints', every: 1, layer: 0, entries: 3 },
      { metric: 'weight_change', at: 'checkpoints', every: 1, layer: 0, entries: 3, converge_window: 1, final_fraction: 0.5 },
    ];
    const rec = new PackRecorder(items, 1, { test: noSet, train: noSet }, 'mean_squared_error', 2, model1);
    // W0 is 3×4: its last 3 entries move by (3, 4, 0), then (0.5, 0, 0), then (0.25, 0, 0).
    const base = initialValues(model1, new Rng(4));
    const moves = [[0, 0, 0], [3, 4, 0], [3.5, 4, 0], [3.75, 4, 0]];
    for (const [i, m] of moves.entries()) {
      const values = base.map((w) => w.slice());
      m.forEach((d, e) => (values[0][9 + e] += d));
      const net = new NetworkPack(model1, [values]);
      await rec.record(2 * i + 1, net);
      net.dispose();
    }
    const net = new NetworkPack(model1, [base]);
    const [scalars] = await rec.final(net, 7);
    net.dispose();
    const change = rec.changeSeries(0).weight_change_layer0;
    expect(change.steps).toEqual([3, 5, 7]);
    // float32 weights: the differences are those of the stored entries, to float32 precision.
    expect(change.values.map((v) => Math.round(v * 1e4) / 1e4)).toEqual([5, 0.5, 0.25]);
    // Below half the maximum (2.5) from the change after update 5 on; late level: the mean of the last half (2 of 3).
    expect(scalars.steps_to_converge_layer0).toBe(5);
    expect(scalars.final_change_layer0).toBe((change.values[1] + change.values[2]) / 2);
    expect(Object.keys(rec.traces(0))).toEqual(['weights_layer0']);
    expect(storedScalars({ metric: 'weight_change', layer: 2 })).toEqual(['steps_to_converge_layer2', 'final_change_layer2']);
    // A change that never settles reports one past the run's updates.
    const still = new PackRecorder([items[1]], 1, { test: noSet, train: noSet }, 'mean_squared_error', 2, model1);
    for (const [i, m] of [[0], [1], [2], [4]].entries()) {
      const values = base.map((w) => w.slice());
      values[0][11] += m[0];
      const n = new NetworkPack(model1, [values]);
      await still.record(i + 1, n);
      n.dispose();
    }
    const n = new NetworkPack(model1, [base]);
    expect((await still.final(n, 4))[0].steps_to_converge_layer0).toBe(5);
    n.dispose();
  });

  test('weight_stats: mean |w| and sparsity over the weight matrices and per matrix, biases excluded, at the threshold given', async () => {
    await useBackend('wasm');
    const values = initialValues(model, new Rng(3));
    values[0].fill(0.01);
    values[1].fill(5); // a bias: not counted
    const rec = new PackRecorder([{ metric: 'weight_stats', at: 'end', threshold: 0.02 }], 1, { test: noSet, train: noSet }, 'mean_squared_error', 2, model);
    const net = new NetworkPack(model, [values]);
    const [scalars] = await rec.final(net);
    net.dispose();
    expect(scalars).toEqual(weightStatistics(model, values, 0.02));
    expect(scalars.sparsity_layer0).toBe(1);
    expect(scalars.mean_abs_weight_layer0).toBeCloseTo(0.01, 7);
    const all = [values[0], values[2], values[4]].flatMap((w) => Array.from(w));
    expect(scalars.mean_abs_weight).toBeCloseTo(all.reduce((s, v) => s + Math.abs(v), 0) / all.length, 12);
    expect(scalarsOf('weight_stats')).toEqual(['mean_abs_weight', 'sparsity']);
    expect(scalarsOf('weight_tail')).toEqual([]);
  });

  test('misfits: a layer the model lacks, a trace above MAX_TRACE_VALUES', () => {
    expect(weightTailMisfit({ metric: 'weight_tail', at: 'checkpoints', every: 1, layer: 3 }, model, 10)?.[0]).toBe('layer');
    expect(weightTailMisfit({ metric: 'weight_tail', at: 'checkpoints', every: 1, layer: 1 }, model, MAX_TRACE_VALUES / 20)).toBeNull();
    expect(weightTailMisfit({ metric: 'weight_tail', at: 'checkpoints', every: 1, layer: 1 }, model, MAX_TRACE_VALUES / 20 + 1)?.[0]).toBe('entries');
    expect(tailEntries({ metric: 'weight_tail', at: 'checkpoints', every: 1, layer: 0 }, model)).toBe(12);
  });
});

describe('records per row fit one D1 row at the largest sizes the schema allows', () => {
  test('predictions (a series over the rows) and the decision boundary (a trace over the grid) stay under MAX_SERIES_POINTS', () => {
    // The most rows any data block may draw for training or test: the predictions series' length.
    const bound = (t: z.ZodType | undefined) => ((t?.toJSONSchema() as { maximum?: number } | undefined)?.maximum ?? 0);
    const most = Math.max(...Object.values(DATA_BLOCKS).flatMap((b) => [bound(b.shape.n as z.ZodType), bound(b.shape.test_n as z.ZodType), bound(b.shape.pool_n as z.ZodType)]));
    expect(most).toBeGreaterThan(0);
    expect(most).toBeLessThanOrEqual(MAX_SERIES_POINTS);
    expect(GRID_SIDE * GRID_SIDE).toBeLessThanOrEqual(MAX_SERIES_POINTS);
    expect(MAX_TRACE_VALUES).toBeLessThanOrEqual(MAX_SERIES_POINTS);
  });
});

describe("Exp 8's records: the threshold schedule, time to a target, trials trained alone, num_steps", () => {
  test("align 'threshold': the code's float threshold, at most trunc(epochs/every_epochs) − 1 records, counted as built", () => {
    // 4687 steps over 150 epochs, every 10: thresholds 312.47, 624.93, 937.4, … → step
    // indices 313, 625, 938 (updates 314, 626, 939); 14 records, the 15th threshold is the end.
    const u = thresholdUpdates(4687, 150, 10);
    expect(u.slice(0, 3)).toEqual([314, 626, 939]);
    expect(u).toHaveLength(14);
    // Strictly after each threshold (a step index equal to it does not record): 100 steps, 10 epochs, every 1 → 10, 20, …
    expect(thresholdUpdates(100, 10, 1)).toEqual([12, 22, 32, 42, 52, 62, 72, 82, 92]);
    // every_epochs above half the epochs: no records at all.
    expect(thresholdUpdates(100, 10, 6)).toEqual([]);
    const item: CheckpointItem = { metric: 'train_accuracy', at: 'checkpoints', align: 'threshold', every_epochs: 10 };
    for (const steps of [187, 292, 1171, 4687, 18_750]) {
      expect(itemCheckpointUpdates(item, steps, 150)).toEqual(thresholdUpdates(steps, 150, 10));
      expect(itemCheckpointCount(item, steps, 150)).toBe(itemCheckpointUpdates(item, steps, 150).length);
    }
    // Without epochs (steps-defined training) the schedule is empty (validation refuses it).
    expect(itemCheckpointUpdates(item, 187, null)).toEqual([]);
  });

  test('time_to_target checks: after the update completing each period of check_every_epochs, within the run', () => {
    expect(targetCheckUpdates(187, 150, 1)).toHaveLength(150);
    expect(targetCheckUpdates(187, 150, 1).slice(0, 4)).toEqual([2, 3, 4, 5]);
    expect(targetCheckUpdates(187, 150, 1).at(-1)).toBe(187);
    expect(targetCheckUpdates(75_000, 150, 1).slice(0, 2)).toEqual([500, 1000]);
    expect(targetCheckUpdates(100, 10, 2.5)).toEqual([25, 50, 75, 100]);
    expect(scalarsOf('time_to_target')).toEqual(['reached_target', 'steps_to_target', 'seconds_to_target']);
    expect(scalarsOf('num_steps')).toEqual(['num_steps']);
  });

  test('a spec recording them: deterministic, the shapes stated, each trial trained alone as it would be in a pack', async () => {
    await useBackend('wasm');
    const input = tinySpec();
    input.training = { ...input.training, epochs: 20, epoch_rows: 'all', epoch_rounding: 'floor' };
    input.record = [
      { metric: 'test_accuracy', at: 'checkpoints', align: 'threshold', every_epochs: 4, float32: true },
      { metric: 'runtime_s', at: 'end', per: 'trial' },
      { metric: 'num_steps', at: 'end' },
      { metric: 'time_to_target', at: 'end', target: 0.6, on: 'test', float32: true },
    ];
    const v = validateSpec(input);
    if (!v.ok) throw new Error(JSON.stringify(v.issues));
    const exp = compileSpec('xtarget', v.spec);
    const params = exp.params.parse({});
    const plan = trialPlan(v.spec, params as Record<string, unknown>);
    // 20 epochs of 64 + 50 rows at batch 16: int(20·114/16) = 142 updates; records after 4, 8, 12, 16 epochs.
    expect(plan.recordedSteps).toBe(142);
    expect(plan.checkpoints).toEqual(thresholdUpdates(142, 20, 4));
    expect(plan.checkpoints).toHaveLength(4);
    expect(plan.targetChecks.length + plan.checkpoints.filter((u) => targetCheckUpdates(142, 20, 1).includes(u)).length).toBe(20);
    // One network's memory whatever the pack.
    expect(exp.memory(params, 8)).toBe(exp.memory(params, 1));
    const trials: TrialSpec[] = [0, 1, 2].map((r) => ({ id: `t.${r}`, sweepId: 't', experiment: 'xtarget', configKey: 'c', repeat: r, seed: 3, params }));
    const counting = () => {
      let t = 0;
      return () => (t += 2);
    };
    const a = await exp.runPack(trials, { now: counting() });
    const b = await exp.runPack(trials, { now: counting() });
    expect(b).toEqual(a);
    const checks = new Set([...plan.checkpoints, ...targetCheckUpdates(142, 20, 1)]);
    for (const [k, r] of a.entries()) {
      expect(r.series.test_accuracy.steps).toEqual(plan.checkpoints);
      expect(r.scalars.num_steps).toBe(142);
      expect(r.scalars.runtime_s).toBeGreaterThan(0);
      expect([0, 1]).toContain(r.scalars.reached_target);
      if (r.scalars.reached_target === 1) {
        // An update count at which a check ran, and its seconds the runtime's share.
        expect(checks.has(r.scalars.steps_to_target)).toBe(true);
        expect(r.scalars.seconds_to_target).toBeCloseTo((r.scalars.runtime_s * r.scalars.steps_to_target) / 142, 12);
        // No record before it was above the target.
        r.series.test_accuracy.steps.forEach((u, i) => {
          if (u < r.scalars.steps_to_target) expect(r.series.test_accuracy.values[i]).toBeLessThanOrEqual(0.6);
        });
      } else {
        expect(r.scalars.steps_to_target).toBeUndefined();
        expect(r.scalars.seconds_to_target).toBeUndefined();
      }
      expect(r.info).toMatchObject({ runtime_clock: 'wall', runtime_note: expect.stringContaining('its pack of 3') });
      // Trained alone, it is what it is in the pack: the same numbers and, on its own clock, the same reading.
      const [alone] = await exp.runPack([trials[k]], { now: counting() });
      expect(alone.scalars).toEqual(r.scalars);
      expect(alone.series).toEqual(r.series);
    }
    expect(a.some((r) => r.scalars.reached_target === 1)).toBe(true);
    // A frozen clock: nothing timed is stored, and the info says so.
    const frozen = await exp.runPack(trials, { now: () => 5 });
    expect(frozen.map((r) => r.scalars.runtime_s)).toEqual([undefined, undefined, undefined]);
    expect(frozen.map((r) => r.scalars.seconds_to_target)).toEqual([undefined, undefined, undefined]);
    expect(frozen[0].info).toMatchObject({ runtime_clock: 'frozen' });
    expect(frozen.map((r) => r.scalars.steps_to_target)).toEqual(a.map((r) => r.scalars.steps_to_target));
  });

  test('without per: trial the pack trains together and runtime_s is its time over its size (the old behaviour)', async () => {
    await useBackend('wasm');
    const input = tinySpec();
    input.record = [...input.record, { metric: 'runtime_s', at: 'end' }];
    const v = validateSpec(input);
    if (!v.ok) throw new Error(JSON.stringify(v.issues));
    const exp = compileSpec('xpack', v.spec);
    const params = exp.params.parse({});
    expect(exp.memory(params, 8)).toBeGreaterThan(exp.memory(params, 1));
    const trials: TrialSpec[] = [0, 1].map((r) => ({ id: `t.${r}`, sweepId: 't', experiment: 'xpack', configKey: 'c', repeat: r, seed: 3, params }));
    let t = 0;
    const out = await exp.runPack(trials, { now: () => (t += 10) });
    expect(out[0].scalars.runtime_s).toBe(out[1].scalars.runtime_s);
    expect(out[0].info).toEqual({ runtime_clock: 'wall' });
  });
});
