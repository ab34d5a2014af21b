import { describe, expect, test } from 'vitest';
import { alternatingBlock } from '../../core/blocks/data-alternating';
import { getExperiment } from '../../core/experiments';
import { specStreams, trialPlan, type SpecExperiment } from '../../core/custom/compile';
import { BUILTIN_SPECS } from '../../core/experiments/specs';
import type { TrialSpec } from '../../core/experiments/types';
import { expandSweep } from '../../core/sweep/expand';
import { SweepRequestError } from '../../core/sweep/request';
import { parameterCount } from '../../core/nn/model';
import { exp02Figure } from '../../dashboard/figures/exp02';
import { formattedSvg, renderFigure } from '../helpers/render';
import { runSweep } from '../helpers/sweep';

const exp2 = getExperiment('exp2') as SpecExperiment;
const { streamOf, dataStreams } = specStreams(exp2.spec, BUILTIN_SPECS.find((b) => b.number === 2)!.options);

function trial(over: Record<string, unknown>, repeat = 0): TrialSpec {
  const params = exp2.params.parse(over);
  return { id: `t.${repeat}`, sweepId: 't', experiment: 'exp2', configKey: `depth=${params.depth}`, repeat, seed: 0, params };
}

describe('exp2 protocol', () => {
  test('defaults: depths 1–3, width 10, 16 points, 15,000 steps of Adam lr 0.003, ReLU, batch 64 (the full set), cross-entropy', () => {
    expect(exp2.grid).toEqual({ depth: [1, 2, 3] });
    expect(exp2.repeats).toBe(5);
    expect(exp2.section).toBe('I. Basics');
    expect(exp2.params.parse({})).toMatchObject({ n: 16, width: 10, depth: 1, activation: 'relu', loss: 'cross_entropy', lr: 0.003, batch_size: 64, steps: 15_000, epochs: null, regularization: 'none' });
    for (const depth of [1, 2, 3]) {
      const plan = trialPlan(exp2.spec, exp2.params.parse({ depth }));
      expect(plan.model).toEqual({ kind: 'shared', input: 1, width: 10, depth, output: 2, activation: 'relu' });
      // random_batch(64) of 16 points: the whole set every step.
      expect(plan.phases).toMatchObject([{ steps: 15_000, batchRows: 16 }]);
      expect(plan.data).toMatchObject({ input: 1, output: 2, trainRows: 16, testRows: 16 });
    }
  });

  test('16 points at i/16 with alternating labels, class 1 at even i; scored on the same points', () => {
    const { train, test } = alternatingBlock.generate({ n: 16 }, dataStreams(trial({})));
    expect(train.n).toBe(16);
    expect(Array.from(train.x)).toEqual(Array.from({ length: 16 }, (_, i) => i / 16));
    expect(Array.from(train.labels)).toEqual(Array.from({ length: 16 }, (_, i) => (i % 2 === 0 ? 1 : 0)));
    expect(Array.from(test.x)).toEqual(Array.from(train.x));
    expect(Array.from(test.labels)).toEqual(Array.from(train.labels));
  });

  test('152 parameters at every default depth (and at any depth: one shared matrix); the work grows with depth', () => {
    expect([1, 2, 3, 10].map((depth) => parameterCount(trialPlan(exp2.spec, exp2.params.parse({ depth })).model!))).toEqual([152, 152, 152, 152]);
    // A row meets the shared 10×10 layer (and its bias) depth times: 152, 262, 372 weights.
    const cost = (depth: number) => exp2.cost(exp2.params.parse({ depth }));
    expect(cost(1)).toBe(15_000 * (16 + 10) * 152 + (16 + 16) * 152);
    expect(cost(3)).toBe(15_000 * (16 + 10) * 372 + (16 + 16) * 372);
  });

  test('the same points for every trial; initial weights and batches per trial (unpaired), under its code\'s stream names', () => {
    expect(exp2.spec.paired).toBe(false);
    const a = trial({ depth: 1 });
    const b = trial({ depth: 2 });
    for (const purpose of ['init', 'batch']) {
      expect(streamOf(a, purpose).uniform()).not.toBe(streamOf(b, purpose).uniform());
      expect(streamOf(trial({ depth: 1 }, 1), purpose).uniform()).not.toBe(streamOf(a, purpose).uniform());
    }
    const x = (t: TrialSpec) => Array.from(alternatingBlock.generate(t.params as Record<string, unknown>, dataStreams(t)).train.x);
    expect(x(b)).toEqual(x(a));
    expect(x(trial({ depth: 1 }, 3))).toEqual(x(a));
  });

  test('refused: a depth or width outside the shared block, one point, a trial beyond the Worker CPU limit', () => {
    for (const bad of [{ depth: 0 }, { depth: 65 }, { width: 513 }, { n: 1 }, { width: 2.5 }]) expect(exp2.params.safeParse(bad).success, JSON.stringify(bad)).toBe(false);
    expect(exp2.params.safeParse({ depth: 64, width: 512 }).success).toBe(true);
    try {
      expandSweep({ experiment: 'exp2', params: { steps: 1_000_000 } }, 's');
      expect.unreachable('a million steps fit the CPU limit');
    } catch (err) {
      expect(err).toBeInstanceOf(SweepRequestError);
      expect((err as SweepRequestError).issues[0]).toMatchObject({ field: 'params.steps', message: expect.stringMatching(/CPU limit/) });
    }
  });
});

describe('exp2 sweep and figure', () => {
  test('a small real sweep records loss, accuracy, 152 params and a score per point, and renders a band per depth', async () => {
    const { figureData } = await runSweep({ experiment: 'exp2', repeats: 2, params: { steps: 200 } });
    const finals = figureData.aggregate.filter((r) => r.step === null);
    expect(finals.filter((r) => r.metric === 'n_params').map((r) => r.mean)).toEqual([152, 152, 152]);
    for (const r of finals.filter((r) => r.metric === 'accuracy')) {
      expect(r.n).toBe(2);
      expect(r.mean).toBeGreaterThanOrEqual(0);
      expect(r.mean).toBeLessThanOrEqual(1);
    }
    expect(figureData.aggregate.filter((r) => r.metric === 'score' && r.config === 'depth=3')).toHaveLength(16);
    // It learns, if only a little in 200 steps (the alternating labels take thousands): in every
    // trial the scores (logit₁ − logit₀) lean toward the labels, the mean score of class-1 points
    // exceeding that of class-0 points by ≥ 0.02 (0.037–0.089; the untrained nets' gap is ≤ 0.01),
    // and the cross-entropy on the 16 points is below ln 2, what predicting 50/50 scores.
    expect(figureData.repeats).toHaveLength(6);
    for (const t of figureData.repeats!) {
      expect(Object.keys(t.scalars).sort()).toEqual(['accuracy', 'loss', 'n_params']);
      const score = t.series.score.values;
      const label = t.series.label.values;
      expect(t.series.x.values).toEqual(Array.from({ length: 16 }, (_, i) => i / 16));
      const meanWhere = (cls: number) => score.filter((_, i) => label[i] === cls).reduce((s, v) => s + v, 0) / 8;
      expect(meanWhere(1) - meanWhere(0), `${t.config} #${t.repeat}`).toBeGreaterThanOrEqual(0.02);
      const crossEntropy = score.reduce((s, z, i) => s + Math.log1p(Math.exp(label[i] === 1 ? -z : z)), 0) / score.length;
      expect(crossEntropy, `${t.config} #${t.repeat}`).toBeLessThan(Math.log(2));
      expect(t.scalars.loss).toBeLessThan(Math.log(2));
      // The loss of the last step's batch, read before its update: float32, as TF computed it.
      expect(Object.is(Math.fround(t.scalars.loss), t.scalars.loss)).toBe(true);
      // Accuracy is read on the same points after training: it agrees with the stored scores.
      const hits = score.filter((z, i) => (z > 0 ? 1 : 0) === label[i]).length;
      expect(t.scalars.accuracy).toBe(hits / 16);
    }
    const { html, element } = renderFigure(exp02Figure, figureData);
    expect(element.querySelectorAll('g[aria-label="area"]')).toHaveLength(3);
    expect(element.querySelectorAll('g[aria-label="link"]')).toHaveLength(3);
    expect(exp02Figure.headline(figureData)).toHaveLength(3);
    await expect(formattedSvg(html)).toMatchFileSnapshot('../__snapshots__/exp02.figure.html');

    // Live, before depth 3 has a finished trial: its panel says it is waiting, no empty axes or NaN.
    const partial = { ...figureData, aggregate: figureData.aggregate.filter((r) => r.config !== 'depth=3') };
    const live = renderFigure(exp02Figure, partial).element;
    expect(live.querySelectorAll('g[aria-label="area"]')).toHaveLength(2);
    expect(live.querySelectorAll('figure.pending')).toHaveLength(1);
    expect(live.querySelector('figure.pending')!.textContent).toContain('waiting for the first finished trial');
    expect(live.textContent).not.toMatch(/NaN|\?\s*params/);
  }, 60_000);
});
