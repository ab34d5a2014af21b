import { describe, expect, test } from 'vitest';
import { alternatingPoints } from '../../core/data/alternating';
import { exp2, modelFor } from '../../core/experiments/exp02-depth-fixed-parameters';
import { parameterCount } from '../../core/nn/model';
import { exp02Figure } from '../../dashboard/figures/exp02';
import { formattedSvg, renderFigure } from '../helpers/render';
import { runSweep } from '../helpers/sweep';

describe('exp2 protocol', () => {
  test('defaults: depths 1–3, width 10, 16 points, 15,000 steps, ReLU, batch 64', () => {
    expect(exp2.grid).toEqual({ depth: [1, 2, 3] });
    expect(exp2.params.parse({})).toMatchObject({ width: 10, n_points: 16, steps: 15_000, lr: 0.003, batch_size: 64, activation: 'relu' });
  });

  test('16 points at i/16 with alternating labels, class 1 at even i', () => {
    const { x, labels } = alternatingPoints(16);
    expect(Array.from(x)).toEqual(Array.from({ length: 16 }, (_, i) => i / 16));
    expect(Array.from(labels)).toEqual(Array.from({ length: 16 }, (_, i) => (i % 2 === 0 ? 1 : 0)));
  });

  test('152 parameters at every default depth', () => {
    expect([1, 2, 3].map((depth) => parameterCount(modelFor(exp2.params.parse({ depth }))))).toEqual([152, 152, 152]);
  });
});

describe('exp2 sweep and figure', () => {
  test('a small real sweep records accuracy, 152 params and a score per point, and renders a band per depth', async () => {
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
      const score = t.series.score.values;
      const label = t.series.label.values;
      const meanWhere = (cls: number) => score.filter((_, i) => label[i] === cls).reduce((s, v) => s + v, 0) / 8;
      expect(meanWhere(1) - meanWhere(0), `${t.config} #${t.repeat}`).toBeGreaterThanOrEqual(0.02);
      const crossEntropy = score.reduce((s, z, i) => s + Math.log1p(Math.exp(label[i] === 1 ? -z : z)), 0) / score.length;
      expect(crossEntropy, `${t.config} #${t.repeat}`).toBeLessThan(Math.log(2));
      expect(t.scalars.loss).toBeLessThan(Math.log(2));
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
