import { describe, expect, test } from 'vitest';
import { EXP8_BATCH_SIZES, exp8, modelFor, numSteps, recordSteps, targetCheckSteps } from '../../core/experiments/exp08-batch-size';
import type { TrialSpec } from '../../core/experiments/types';
import { parameterCount } from '../../core/nn/model';
import { expandSweep } from '../../core/sweep/expand';
import { exp08Figure } from '../../dashboard/figures/exp08';
import { formattedSvg, renderFigure } from '../helpers/render';
import { runSweep } from '../helpers/sweep';
import { useBackend } from '../tf-node';

type P = ReturnType<typeof exp8.params.parse>;
const trials = (overrides: Partial<P>, K: number): TrialSpec<P>[] =>
  Array.from({ length: K }, (_, r) => ({ id: `t.${r}`, sweepId: 't', experiment: 'exp8', configKey: 'c', repeat: r, seed: 8, params: exp8.params.parse(overrides) }));

describe('exp8 protocol', () => {
  test('defaults: MoG d=12 seps 1, n=500 split 400/100, (100,100) sigmoid, Adam 0.003, 150 epochs, records every 10', () => {
    expect(exp8.params.parse({})).toMatchObject({ d: 12, class_seps: 1, covariance_scale: 1, n: 500, test_size: 0.2, hidden: [100, 100], activation: 'sigmoid', initializer: 'xavier', lr: 0.003, num_epochs: 150, store_every: 10, epoch_rows: 'n' });
    expect(exp8.grid).toEqual({ batch_size: [1, 4, 16, 64, 256, 400] });
    expect(exp8.repeats).toBeGreaterThanOrEqual(5);
    expect(parameterCount(modelFor(exp8.params.parse({})))).toBe(12 * 100 + 100 + 100 * 100 + 100 + 100 * 2 + 2);
  });

  test('num_steps = int(150·n/batch) with n = 500, not the 400 training rows (the prose variant is a parameter)', () => {
    expect(EXP8_BATCH_SIZES.map((b) => numSteps(exp8.params.parse({ batch_size: b })))).toEqual([75_000, 18_750, 4687, 1171, 292, 187]);
    expect(EXP8_BATCH_SIZES.map((b) => numSteps(exp8.params.parse({ batch_size: b, epoch_rows: 'train' })))).toEqual([60_000, 15_000, 3750, 937, 234, 150]);
    // A batch so large that int(150·n/batch) = 0 is refused up front.
    expect(exp8.params.safeParse({ batch_size: 20_000, n: 100 }).success).toBe(false);
  });

  test('the default sweep (6 batch sizes × 5 repeats) fits the per-trial budget; batch 1 is the costliest', () => {
    const sweep = expandSweep({ experiment: 'exp8' }, 'x');
    expect(sweep.trials).toHaveLength(30);
    const costs = EXP8_BATCH_SIZES.map((b) => exp8.cost(exp8.params.parse({ batch_size: b })));
    expect(Math.max(...costs)).toBe(costs[0]);
    // Dispatch-bound: batch 1 is charged several times batch 400, not the same.
    expect(costs[0] / costs[5]).toBeGreaterThan(5);
  });

  test('the float-threshold record logic gives exactly 14 records for every notebook batch size', () => {
    for (const b of EXP8_BATCH_SIZES) {
      const steps = numSteps(exp8.params.parse({ batch_size: b }));
      const records = recordSteps(steps, 150, 10);
      expect(records, `batch ${b}`).toHaveLength(14);
      const period = (steps / 150) * 10;
      records.forEach((s, i) => {
        // Step s is the first index strictly above the (i+1)-th threshold.
        expect(s).toBeGreaterThan((i + 1) * period - 1e-9);
        expect(s - 1).toBeLessThanOrEqual((i + 1) * period + 1e-9);
      });
      expect(records[13]).toBeLessThan(steps);
    }
    // Batch 16: thresholds 312.47, 624.93, … → records after steps 313, 625, …
    expect(recordSteps(4687, 150, 10).slice(0, 3)).toEqual([313, 625, 938]);
    expect(recordSteps(75_000, 150, 10)[0]).toBe(5001);
  });

  test('time-to-target checks run once per epoch and end at the last step', () => {
    const checks = targetCheckSteps(187, 150, 1);
    expect(checks).toHaveLength(150);
    expect(checks[checks.length - 1]).toBe(186);
    expect(targetCheckSteps(75_000, 150, 1).slice(0, 2)).toEqual([499, 999]);
  });

  test('records are TRAINING accuracy; timing comes from ctx.now and is absent when the clock is frozen', async () => {
    await useBackend('wasm');
    // n = 53 → 42 training rows and 11 test rows: records are multiples of 1/42, the final
    // test accuracy a multiple of 1/11.
    const small = { n: 53, num_epochs: 30, store_every: 2, batch_size: 8, hidden: [16, 16] };
    const pack = trials(small, 3);
    let clock = 0;
    const wall = await exp8.runPack(pack, { now: () => (clock += 5) });
    const frozen = await exp8.runPack(pack, { now: () => 1000 });
    const steps = numSteps(pack[0].params);
    expect(steps).toBe(198);
    for (const [k, r] of wall.entries()) {
      expect(r.trialId).toBe(pack[k].id);
      const acc = r.series.train_accuracy;
      expect(acc.steps).toEqual(recordSteps(steps, 30, 2));
      expect(acc.values).toHaveLength(14);
      for (const v of acc.values) expect(Math.abs(v * 42 - Math.round(v * 42))).toBeLessThan(1e-4);
      const test = r.scalars.test_accuracy;
      expect(Math.abs(test * 11 - Math.round(test * 11))).toBeLessThan(1e-4);
      expect(r.scalars.runtime_s).toBeGreaterThan(0);
      expect(r.info).toMatchObject({ runtime_clock: 'wall' });
      // The time-to-target checks include the records: the first record above 0.8 bounds it.
      const firstRecord = acc.values.findIndex((v) => v > 0.8);
      if (r.scalars.reached_target === 1) {
        expect(r.scalars.steps_to_target).toBeGreaterThan(0);
        if (firstRecord >= 0) expect(r.scalars.steps_to_target).toBeLessThanOrEqual(acc.steps[firstRecord] + 1);
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
      expect(frozen[k].info).toMatchObject({ runtime_clock: 'frozen' });
    }
    expect(wall.some((r) => r.scalars.reached_target === 1)).toBe(true);
  });

  test('each trial is trained and timed alone: in a pack it gets the numbers and the clock reading it gets by itself', async () => {
    await useBackend('wasm');
    const small = { n: 53, num_epochs: 30, store_every: 2, batch_size: 8, hidden: [16, 16] };
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

  test('memory: trials train one after another, so the estimate is one network\'s (with its shadow twin) whatever the pack', () => {
    const p = exp8.params.parse({ batch_size: 400 });
    expect(exp8.memory(p, 16)).toBe(exp8.memory(p, 1));
  });
});

describe('exp8 sweep and figure', () => {
  test('a small real sweep over three batch sizes: 14 records each, run-time panels, bands', async () => {
    const { figureData } = await runSweep({
      experiment: 'exp8',
      repeats: 2,
      // Target 0.7 (the notebook's is 0.8, which these short runs never reach): the repeats
      // reach it at different checks, so their clocks read differently. It changes no
      // trained number, only which checks run.
      params: { n: 60, num_epochs: 30, store_every: 2, hidden: [16, 16], target_accuracy: 0.7 },
      grid: { batch_size: [4, 16, 48] },
    });
    const records = figureData.aggregate.filter((r) => r.metric === 'train_accuracy');
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
