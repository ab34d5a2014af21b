import { describe, expect, test } from 'vitest';
import { getExperiment } from '../../core/experiments';
import { compileSpec, trialPlan, type SpecExperiment } from '../../core/custom/compile';
import type { ExperimentSpecInput } from '../../core/custom/spec';
import { validateSpec } from '../../core/custom/validate';
import { BUILTIN_SPECS } from '../../core/experiments/specs';
import { thresholdUpdates, targetCheckUpdates } from '../../core/blocks/recorders';
import { EXP8_BATCH_SIZES, exp8Spec } from '../../core/experiments/specs/exp08-batch-size';
import type { TrialSpec } from '../../core/experiments/types';
import { parameterCount } from '../../core/nn/model';
import { expandSweep } from '../../core/sweep/expand';
import { exp08Figure } from '../../dashboard/figures/exp08';
import { formattedSvg, renderFigure } from '../helpers/render';
import { runSweep } from '../helpers/sweep';
import { useBackend } from '../tf-node';

const exp8 = getExperiment('exp8') as SpecExperiment;
const planOf = (over: Record<string, unknown>) => trialPlan(exp8.spec, exp8.params.parse(over) as Record<string, unknown>);
const trials = (over: Record<string, unknown>, K: number): TrialSpec[] =>
  Array.from({ length: K }, (_, r) => ({ id: `t.${r}`, sweepId: 't', experiment: 'exp8', configKey: 'c', repeat: r, seed: 8, params: exp8.params.parse(over) }));

describe('exp8 protocol (a spec)', () => {
  test('defaults: MoG d=12 seps 1, n=500 split 400/100, (100,100) sigmoid, Adam 0.003, 150 epochs of n rows, records every 10 epochs', () => {
    expect(exp8.params.parse({})).toMatchObject({ d: 12, class_sep: 1, class_sep_decay: 'none', covariance_scale: 1, n: 500, test_size: 0.2, width: 100, depth: 2, activation: 'sigmoid', initializer: 'xavier', lr: 0.003, epochs: 150, epoch_rows: 'all', epoch_rounding: 'floor', loss: 'cross_entropy' });
    expect(exp8.grid).toEqual({ batch_size: [1, 4, 16, 64, 256, 400] });
    expect(exp8.repeats).toBeGreaterThanOrEqual(5);
    expect(exp8.number).toBe(8);
    expect(exp8.section).toBe('III. Parameters and Hyperparameters');
    expect(exp8.claims?.map((c) => ('metric' in c ? c.metric : null))).toEqual(['train_accuracy', 'train_accuracy', 'runtime_s']);
    expect(parameterCount(planOf({}).model!)).toBe(12 * 100 + 100 + 100 * 100 + 100 + 100 * 2 + 2);
  });

  test('num_steps = int(150·n/batch) with n = 500, not the 400 training rows (epoch_rows: train gives the prose variant)', () => {
    expect(EXP8_BATCH_SIZES.map((b) => planOf({ batch_size: b }).recordedSteps)).toEqual([75_000, 18_750, 4687, 1171, 292, 187]);
    expect(EXP8_BATCH_SIZES.map((b) => planOf({ batch_size: b, epoch_rows: 'train' }).recordedSteps)).toEqual([60_000, 15_000, 3750, 937, 234, 150]);
    // The adam block's default rounds up over the training rows.
    expect(EXP8_BATCH_SIZES.map((b) => planOf({ batch_size: b, epoch_rows: 'train', epoch_rounding: 'ceil' }).recordedSteps)).toEqual([60_000, 15_000, 3750, 938, 235, 150]);
  });

  test('the default sweep (6 batch sizes × 5 repeats) fits the per-trial budget; batch 1 is the costliest; one network\'s memory whatever the pack', () => {
    const sweep = expandSweep({ experiment: 'exp8' }, 'x');
    expect(sweep.trials).toHaveLength(30);
    const costs = EXP8_BATCH_SIZES.map((b) => exp8.cost(exp8.params.parse({ batch_size: b })));
    expect(Math.max(...costs)).toBe(costs[0]);
    // Dispatch-bound: batch 1 is charged several times batch 400, not the same.
    expect(costs[0] / costs[5]).toBeGreaterThan(5);
    const p = exp8.params.parse({ batch_size: 400 });
    expect(exp8.memory(p, 16)).toBe(exp8.memory(p, 1));
  });

  test('the float-threshold record schedule gives exactly 14 records for every notebook batch size, one update after the code\'s step index', () => {
    for (const b of EXP8_BATCH_SIZES) {
      const plan = planOf({ batch_size: b });
      const steps = plan.recordedSteps;
      expect(plan.checkpoints, `batch ${b}`).toEqual(thresholdUpdates(steps, 150, 10));
      expect(plan.checkpoints).toHaveLength(14);
      const period = (steps / 150) * 10;
      plan.checkpoints.forEach((u, i) => {
        // Update u follows step index u − 1, the first index strictly above the (i+1)-th threshold.
        expect(u - 1).toBeGreaterThan((i + 1) * period - 1e-9);
        expect(u - 2).toBeLessThanOrEqual((i + 1) * period + 1e-9);
      });
      expect(plan.checkpoints[13]).toBeLessThanOrEqual(steps);
    }
    // Batch 16: thresholds 312.47, 624.93, … → the code's records after steps 313, 625, 938.
    expect(planOf({ batch_size: 16 }).checkpoints.slice(0, 3)).toEqual([314, 626, 939]);
    expect(planOf({ batch_size: 1 }).checkpoints[0]).toBe(5002);
  });

  test('time-to-target checks run once per epoch (between the records) and end at the last update', () => {
    const checks = targetCheckUpdates(187, 150, 1);
    expect(checks).toHaveLength(150);
    expect(checks.at(-1)).toBe(187);
    expect(targetCheckUpdates(75_000, 150, 1).slice(0, 2)).toEqual([500, 1000]);
    const plan = planOf({ batch_size: 400 });
    // The checks that fall on a record are the record's own.
    expect(plan.targetChecks.every((u) => !plan.checkpoints.includes(u))).toBe(true);
    expect(new Set([...plan.targetChecks, ...plan.checkpoints])).toEqual(new Set([...checks, ...plan.checkpoints]));
  });

  test('records are TRAINING accuracy; timing comes from ctx.now and is absent when the clock is frozen', async () => {
    await useBackend('wasm');
    // n = 53 → 42 training rows and 11 test rows: records are multiples of 1/42, the final
    // test accuracy a multiple of 1/11. 30 epochs with records every 10: 2 records.
    const small = { n: 53, epochs: 30, batch_size: 8, width: 16 };
    const pack = trials(small, 3);
    let clock = 0;
    const wall = await exp8.runPack(pack, { now: () => (clock += 5) });
    const frozen = await exp8.runPack(pack, { now: () => 1000 });
    const steps = planOf(small).recordedSteps;
    expect(steps).toBe(Math.trunc((30 * 53) / 8));
    for (const [k, r] of wall.entries()) {
      expect(r.trialId).toBe(pack[k].id);
      const acc = r.series.train_accuracy;
      expect(acc.steps).toEqual(thresholdUpdates(steps, 30, 10));
      expect(acc.values).toHaveLength(2);
      for (const v of acc.values) expect(Math.abs(v * 42 - Math.round(v * 42))).toBeLessThan(1e-4);
      const test = r.scalars.test_accuracy;
      expect(Math.abs(test * 11 - Math.round(test * 11))).toBeLessThan(1e-4);
      expect(r.scalars.num_steps).toBe(steps);
      expect(r.scalars.runtime_s).toBeGreaterThan(0);
      expect(r.info).toMatchObject({ runtime_clock: 'wall' });
      // The time-to-target checks include the records: the first record above 0.8 bounds it.
      const firstRecord = acc.values.findIndex((v) => v > 0.8);
      if (r.scalars.reached_target === 1) {
        expect(r.scalars.steps_to_target).toBeGreaterThan(0);
        if (firstRecord >= 0) expect(r.scalars.steps_to_target).toBeLessThanOrEqual(acc.steps[firstRecord]);
        expect(r.scalars.seconds_to_target).toBeCloseTo((r.scalars.runtime_s * r.scalars.steps_to_target) / steps, 12);
      } else {
        expect(firstRecord).toBe(-1);
        expect(r.scalars.steps_to_target).toBeUndefined();
      }
      // Same numbers with a frozen clock, minus everything timed.
      expect(frozen[k].series).toEqual(r.series);
      expect(frozen[k].scalars.test_accuracy).toBe(test);
      expect(frozen[k].scalars.runtime_s).toBeUndefined();
      expect(frozen[k].scalars.seconds_to_target).toBeUndefined();
      expect(frozen[k].info).toMatchObject({ runtime_clock: 'frozen', runtime_note: expect.stringContaining('did not advance') });
    }
    expect(wall.some((r) => r.scalars.reached_target === 1)).toBe(true);
  });

  test('each trial is trained and timed alone: in a pack it gets the numbers and the clock reading it gets by itself', async () => {
    await useBackend('wasm');
    const small = { n: 53, epochs: 30, batch_size: 8, width: 16 };
    const pack = trials(small, 3);
    // A clock that advances 1 ms per reading: a trial's run time counts the readings of its
    // own clock, so it does not depend on what else its pack trains.
    const counter = () => {
      let t = 0;
      return () => ++t;
    };
    const packed = await exp8.runPack(pack, { now: counter() });
    for (const [k, r] of packed.entries()) {
      const [alone] = await exp8.runPack([pack[k]], { now: counter() });
      expect(r).toEqual({ ...alone, info: { ...alone.info, runtime_note: expect.stringContaining('its pack of 3') } });
      expect(alone.info?.runtime_note).toMatch(/its pack of 1/);
    }
    // Not pack time / pack size: the readings differ with the time-to-target checks each trial
    // still needed (until it reached 0.8).
    expect(new Set(packed.map((r) => r.scalars.steps_to_target)).size).toBeGreaterThan(1);
    expect(new Set(packed.map((r) => r.scalars.runtime_s)).size).toBeGreaterThan(1);
  });
});

/**
 * Exp 8 with its records edited (records every 2 epochs, target 0.7), compiled under its own
 * id and options: the same streams, so the same sweep as its code ran with store_every = 2
 * and target_accuracy = 0.7 (parameters then, record options now).
 */
function variant(edit: (s: ExperimentSpecInput) => void): SpecExperiment {
  const spec = structuredClone(exp8Spec);
  edit(spec);
  const v = validateSpec(spec);
  if (!v.ok) throw new Error(JSON.stringify(v.issues));
  return compileSpec('exp8', v.spec, { ...BUILTIN_SPECS.find((b) => b.number === 8)!.options, number: 8 });
}

describe('exp8 sweep and figure', () => {
  test('a small real sweep over three batch sizes: 14 records each, run-time panels, bands', async () => {
    // Target 0.7 (the notebook's is 0.8, which these short runs never reach): the repeats
    // reach it at different checks, so their clocks read differently. It changes no
    // trained number, only which checks run.
    const short = variant((s) => {
      s.record = s.record.map((r) => (r.metric === 'train_accuracy' && r.at === 'checkpoints' ? { ...r, every_epochs: 2 } : r.metric === 'time_to_target' && r.at === 'end' ? { ...r, target: 0.7 } : r));
    });
    const { figureData } = await runSweep(
      {
        experiment: 'exp8',
        repeats: 2,
        params: { n: 60, epochs: 30, width: 16 },
        grid: { batch_size: [4, 16, 48] },
      },
      { lookup: (id) => (id === 'exp8' ? short : undefined) },
    );
    const records = figureData.aggregate.filter((r) => r.metric === 'train_accuracy' && r.step !== null);
    expect(records).toHaveLength(3 * 14);
    expect(records.every((r) => r.n === 2)).toBe(true);
    // It learns: the training accuracy (0.52, the majority share, or 0.58 at the first record)
    // rises by ≥ 0.05 from the first record to the last at every batch size (+0.19, +0.16,
    // +0.13), and batches of 4 (the most updates) end ≥ 0.7 (0.77).
    for (const batch of [4, 16, 48]) {
      const rows = records.filter((r) => r.config === `batch_size=${batch}`).sort((a, b) => a.step! - b.step!);
      expect(rows.at(-1)!.mean - rows[0].mean, `batch ${batch}`).toBeGreaterThanOrEqual(0.05);
      if (batch === 4) expect(rows.at(-1)!.mean).toBeGreaterThanOrEqual(0.7);
    }
    const runtime = figureData.aggregate.filter((r) => r.metric === 'runtime_s');
    expect(runtime).toHaveLength(3);
    const { html, element } = renderFigure(exp08Figure, figureData);
    const titles = [...element.querySelectorAll('figure h2')].map((h) => h.textContent);
    expect(titles).toEqual(['Test Accuracy', 'Run time', 'Time until acc=0.7']);
    expect(element.querySelector('figure figcaption')?.textContent).toMatch(/TRAINING accuracy/);
    // Three accuracy bands, one run-time band and (when any run reached the target) one time-to-target band.
    const areas = element.querySelectorAll('g[aria-label="area"] path').length;
    expect(areas).toBeGreaterThanOrEqual(4);
    expect(exp08Figure.headline(figureData)).toHaveLength(3);
    expect(exp08Figure.headline(figureData)[0]).toMatch(/^Batch of 4: last record training accuracy .* \(n=2\); final test accuracy/);
    // Each repeat is timed alone (here by the sweep's counting clock), so the run time has a spread.
    expect(runtime.some((r) => r.std! > 0)).toBe(true);
    expect(exp08Figure.headline(figureData).join('\n')).toMatch(/run time [\d.]+ ± [\d.]+ \(n=2\) s per trial/);
    await expect(formattedSvg(html)).toMatchFileSnapshot('../__snapshots__/exp08.figure.html');
  }, 120_000);
});
