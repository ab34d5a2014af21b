import { describe, expect, test } from 'vitest';
import { configKeyOf, expandSweep, packTrials } from '../../core/sweep/expand';
import { SweepRequestError } from '../../core/sweep/request';

describe('expandSweep', () => {
  test('the default Exp 1 sweep: 3 functions × 3 widths × 5 repeats with deterministic ids', () => {
    const s = expandSweep({ experiment: 'exp1' }, 'abc');
    expect(s.trials).toHaveLength(45);
    expect(s.repeats).toBe(5);
    expect(s.seed).toBe(0);
    expect(s.trials[0]).toMatchObject({ id: 'abc.0.0', configKey: 'function=sin,width=2', repeat: 0 });
    expect(s.trials[44]).toMatchObject({ id: 'abc.8.4', configKey: 'function=abs,width=16', repeat: 4 });
    expect(new Set(s.trials.map((t) => t.id)).size).toBe(45);
    expect(new Set(s.trials.map((t) => t.configKey)).size).toBe(9);
    // The same request expands identically.
    expect(expandSweep({ experiment: 'exp1' }, 'abc').trials).toEqual(s.trials);
  });

  test('params fix a value (dropping that grid axis) and grid replaces or adds axes', () => {
    const s = expandSweep({ experiment: 'exp1', params: { function: 'abs', steps: 10 }, grid: { width: [1, 8], lr: [0.01, 0.1] }, repeats: 2, seed: 7 }, 'x');
    expect(s.trials).toHaveLength(2 * 2 * 2);
    expect(s.grid).toEqual({ width: [1, 8], lr: [0.01, 0.1] });
    expect(s.trials.every((t) => t.params.function === 'abs' && t.params.steps === 10 && t.seed === 7)).toBe(true);
    expect(s.trials.map((t) => t.configKey)).toContain('width=8,lr=0.1');
    expect(configKeyOf({})).toBe('default');
  });

  test('every invalid cell is reported with its field', () => {
    try {
      expandSweep({ experiment: 'exp2', grid: { depth: [1, 0, 99] } }, 'x');
      throw new Error('expected a SweepRequestError');
    } catch (err) {
      expect(err).toBeInstanceOf(SweepRequestError);
      expect((err as SweepRequestError).issues.map((i) => i.field)).toEqual(['grid.depth', 'grid.depth']);
    }
  });

  test('packs group one network shape, at most maxPack networks and within the CPU budget', () => {
    const s = expandSweep({ experiment: 'exp1', repeats: 10 }, 'p');
    const packs = packTrials(s.experiment, s.trials, 16);
    // Three widths × 30 trials each (3 functions × 10 repeats) → two packs per width,
    // balanced (15 + 15, not 16 + 14: the longest pack is as short as two packs allow).
    expect(packs.map((p) => p.length).sort((a, b) => a - b)).toEqual([15, 15, 15, 15, 15, 15]);
    for (const p of packs) expect(new Set(p.map((t) => t.params.width)).size).toBe(1);
    expect(packs.flat().map((t) => t.id).sort()).toEqual(s.trials.map((t) => t.id).sort());
    const cost = s.experiment.cost(s.trials[0].params);
    const tight = packTrials(s.experiment, s.trials.filter((t) => t.params.width === 2), 16, cost * 4);
    expect(tight.every((p) => p.length <= 4)).toBe(true);
    expect(tight.flat()).toHaveLength(30);
  });
});
