import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { account, profileTable, readTrials, stepCurve, stepMs, trialSteps, type StepCostPoint } from '../../scripts/account';
import { openSqliteStore } from '../../node/sqlite-store';
import { EXPERIMENTS, getExperiment } from '../../core/experiments';
import { trialPlan, type SpecExperiment } from '../../core/custom/compile';

/** A trial's stored parameters: the experiment's defaults with these values, as a sweep stores them. */
const stored = (experiment: string, values: Record<string, unknown>) => JSON.stringify(getExperiment(experiment)!.params.parse(values));

// Two bench shapes: 8,000 and 800,000 multiply-adds per step.
const curve: StepCostPoint[] = [
  { shape: 'A', macs: 8_000, k1: 0.6, k16: 0.06 },
  { shape: 'B', macs: 800_000, k1: 6, k16: 2 },
];

describe('scripts/account.ts arithmetic', () => {
  const dir = mkdtempSync(join(tmpdir(), 'account-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test('per-step cost: 1/K between K = 1 and 16, log–log between shapes, flat below, proportional above', () => {
    expect(stepMs(curve, 8_000, 1).ms).toBeCloseTo(0.6, 12);
    expect(stepMs(curve, 8_000, 16).ms).toBeCloseTo(0.06, 12);
    expect(stepMs(curve, 8_000, 64).ms).toBeCloseTo(0.06, 12);
    // K = 2: 0.06 + 0.54 × (1/2 − 1/16) / (1 − 1/16) = 0.312
    expect(stepMs(curve, 8_000, 2).ms).toBeCloseTo(0.312, 12);
    expect(stepMs(curve, 100, 1)).toEqual({ ms: 0.6, near: 'A' });
    // Geometric midpoint of the MACs → geometric mean of the times.
    expect(stepMs(curve, 80_000, 1).ms).toBeCloseTo(Math.sqrt(0.6 * 6), 12);
    expect(stepMs(curve, 1_600_000, 16)).toEqual({ ms: 4, near: 'B' });
  });

  test('the curve is read from a bench report: engine wasm at K = 1 and 16 only', () => {
    const report = {
      shapes: [
        { id: 'B', macsPerStep: 800_000 },
        { id: 'A', macsPerStep: 8_000 },
      ],
      results: [
        { shape: 'A', engine: 'wasm', K: 1, cpuMsPerTrialStep: 0.6 },
        { shape: 'A', engine: 'wasm', K: 16, cpuMsPerTrialStep: 0.06 },
        { shape: 'A', engine: 'baseline', K: 1, cpuMsPerTrialStep: 99 },
        { shape: 'B', engine: 'wasm', K: 1, cpuMsPerTrialStep: 6 },
        { shape: 'B', engine: 'wasm', K: 16, cpuMsPerTrialStep: 2 },
      ],
    };
    expect(stepCurve(report)).toEqual(curve);
  });

  test('a fixture database: packs counted once, steps × per-step cost predicted, the rest unexplained', () => {
    const file = join(dir, 'fixture.sqlite');
    const { sqlite } = openSqliteStore(file);
    const insertSweep = sqlite.prepare(`insert into sweeps (id, experiment, seed, repeats, request, total, created_at) values (?, ?, 0, 1, '{}', 5, 0)`);
    const insertTrial = sqlite.prepare(`insert into trials (id, sweep_id, config_key, config_index, repeat, params, status, info) values (?, ?, 'c', 0, ?, ?, ?, ?)`);
    const insertScalar = sqlite.prepare(`insert into metrics (trial_id, metric, kind, value) values (?, ?, 'scalar', ?)`);
    insertSweep.run('s1', 'exp1');
    insertSweep.run('s3', 'exp3');
    // Exp 1, 1-16-1 on 100 rows = 8,000 MACs per step (shape A), 1,000 steps.
    const p1 = stored('exp1', { width: 16, n: 100, steps: 1000 });
    const info = (packMs: number, packSize: number) => JSON.stringify({ packMs, packSize });
    // Pack X: 2 trials, 1,000 ms. Packs Y and Z: one trial each, both exactly 500 ms.
    insertTrial.run('s1.0.0', 's1', 0, p1, 'done', info(1000, 2));
    insertTrial.run('s1.0.1', 's1', 1, p1, 'done', info(1000, 2));
    insertTrial.run('s1.0.2', 's1', 2, p1, 'done', info(500, 1));
    insertTrial.run('s1.0.3', 's1', 3, p1, 'done', info(500, 1));
    // Not done: not counted.
    insertTrial.run('s1.0.4', 's1', 4, p1, 'failed', info(9999, 1));
    // Exp 3: an SVM (no network step: all of it unexplained) and an MLP that stopped after 3 epochs.
    insertTrial.run('s3.0.0', 's3', 0, stored('exp3', { classifier: 'svm' }), 'done', info(2000, 1));
    insertTrial.run('s3.1.0', 's3', 1, stored('exp3', { classifier: 'shallow', d: 12, n: 500, train_fraction: 0.8 }), 'done', info(3000, 1));
    insertScalar.run('s3.1.0', 'n_iter', 3);
    insertScalar.run('s3.1.0', 'train_size', 400);
    insertScalar.run('s3.1.0', 'batch_size', 200);
    sqlite.close();

    const rows = account(readTrials(file), curve);
    expect(rows.map((r) => r.experiment)).toEqual(['exp1', 'exp3']);
    const [e1, e3] = rows;
    expect(e1.trials).toBe(4);
    expect(e1.packs).toBe(3);
    expect(e1.measuredS).toBeCloseTo(2, 12);
    // Two trials at K = 2 (0.312 ms/step), two at K = 1 (0.6 ms/step), 1,000 steps each.
    expect(e1.predictedS).toBeCloseTo((2 * 0.312 + 2 * 0.6) * 1000 / 1000, 12);
    expect(e1.unexplainedS).toBeCloseTo(2 - 1.824, 12);
    expect(e1.share).toBeCloseTo((2 - 1.824) / 2, 12);
    expect(e1.near).toBe('A');

    // MLP 12-100-1 on batches of 200: 200 × (1,300 + 1,300 + 100) = 540,000 MACs per step,
    // 3 epochs × 2 batches = 6 steps, between A and B at K = 1.
    const mlpStep = Math.exp(Math.log(0.6) + (Math.log(540_000 / 8_000) / Math.log(100)) * (Math.log(6) - Math.log(0.6)));
    expect(e3.trials).toBe(2);
    expect(e3.measuredS).toBeCloseTo(5, 12);
    expect(e3.predictedS).toBeCloseTo((6 * mlpStep) / 1000, 12);
    expect(e3.unexplainedS).toBeCloseTo(5 - (6 * mlpStep) / 1000, 12);
  });
});

describe('scripts/account.ts follows each experiment\'s plan', () => {
  test('every built-in default trial that trains a network has its phases: the layer widths, rows and updates it trains', () => {
    for (const e of EXPERIMENTS) {
      const params = e.params.parse({}) as Record<string, unknown>;
      const steps = trialSteps(e.id, params, {});
      // An SVM or a tree trains no network; a conv net (Exp 17) is not on the bench's curve of MLP steps.
      const plan = trialPlan((e as SpecExperiment).spec, params);
      if (plan.model?.kind === 'conv' || (plan.classical && plan.classical.block.kind !== 'sklearn_mlp')) {
        expect(steps).toEqual([]);
        continue;
      }
      expect(steps.length, e.id).toBeGreaterThan(0);
      for (const s of steps) {
        expect(s.sizes.length, e.id).toBeGreaterThanOrEqual(2);
        expect(s.rows, e.id).toBeGreaterThan(0);
        expect(s.steps, e.id).toBeGreaterThan(0);
      }
    }
    // Exp 15 pretrains, then fine-tunes: two phases.
    expect(trialSteps('exp15', getExperiment('exp15')!.params.parse({}) as Record<string, unknown>, {}).length).toBe(2);
    // An experiment this build does not know (a fork's, read from another database) gives no phases rather than an error.
    expect(trialSteps('exp99', {}, {})).toEqual([]);
  });
});

describe('scripts/account.ts --profile', () => {
  test('profiled packs: ms per trial, the training share and the two largest other phases', () => {
    const table = profileTable([
      { pack: 'exp6:2000/10', trials: 5, median: { data: 1, mixing: 60, pca: 9, training: 30, other: 0, total: 100 } },
      { pack: 'exp3:svm@2000', trials: 5, median: { 'svm fit': 150, 'svm predict': 50, total: 200 } },
    ]);
    expect(table.split('\n').slice(2)).toEqual(['| exp6:2000/10 | 5 | 100.0 | 30.0% | mixing 60.0%, pca 9.0% |', '| exp3:svm@2000 | 5 | 200.0 | — | svm fit 75.0%, svm predict 25.0% |']);
  });
});
