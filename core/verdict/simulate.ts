/**
 * Seeded simulations of the decision rule (core/stats/decide.ts through
 * core/verdict/evaluate.ts): for each claim kind, synthetic sweeps with a known effect and
 * with none, evaluated exactly as a real sweep's trials are. They measure
 *
 *   coverage        how often the claim's interval contains the true effect
 *   false decisions how often a claim with no effect is labelled supported or contradicted
 *   power           how often a claim with the effect is labelled supported
 *
 * at a fixed number of repeats, and under optional stopping (the verdict read after every
 * round of added repeats, stopping at the first decision, as Settle does). The suite asserts
 * the rates (test/stats/simulation.test.ts); `npm run simulate-verdicts` prints the tables the
 * README quotes.
 */
import type { Claim } from '../experiments/claims';
import { deriveSeed, Rng } from '../rng';
import { evaluateClaims, type ClaimVerdict, type Rule, type TrialValues } from './evaluate';

export type Noise = 'normal' | 'skewed';

/** A synthetic claim: how to draw one repeat's trials, and the true effect its contrast estimates. */
export interface Scenario {
  name: string;
  claim: Claim;
  /** Trials of repeat r (every config of the synthetic grid), with or without the effect. */
  repeat(r: number, effect: boolean, rng: Rng, noise: Noise): TrialValues[];
  /** The effect the claim's interval should cover. */
  truth(effect: boolean): number;
}

/** Unit-variance noise: a normal draw, or a centred exponential (skewed, as accuracies near a ceiling are). */
function draw(rng: Rng, noise: Noise): number {
  return noise === 'normal' ? rng.normal() : -Math.log(1 - rng.uniform()) - 1;
}

const trial = (id: string, r: number, params: Record<string, unknown>, scalars: Record<string, number>, series: TrialValues['series'] = {}): TrialValues => ({ id, repeat: r, params, scalars, series });

/** Least-squares slope of means on 0, 1, 2, …: the truth of a trend or metrics claim. */
function slope(means: number[]): number {
  const m = (means.length - 1) / 2;
  let num = 0;
  let den = 0;
  means.forEach((y, l) => {
    num += (l - m) * y;
    den += (l - m) ** 2;
  });
  return num / den;
}

const DELTA = 1;
/** Nonlinear but increasing level means: a trend's truth is the least-squares slope, not a line. */
const TREND = [0, 0.2, 0.9, 1.0];
const LAYERS = [3, 2, 1.5, 1.2];

export const SCENARIOS: Scenario[] = [
  {
    name: 'difference, unpaired (2 strata)',
    claim: { kind: 'difference', statement: 'a beats b', metric: 'm', by: 'arm', a: 'a', b: 'b', expect: 'greater' },
    repeat: (r, effect, rng, noise) =>
      [0, 1].flatMap((s) => [
        trial(`a${s}.${r}`, r, { arm: 'a', s }, { m: s + (effect ? DELTA : 0) + draw(rng, noise) }),
        trial(`b${s}.${r}`, r, { arm: 'b', s }, { m: s + draw(rng, noise) }),
      ]),
    truth: (effect) => (effect ? DELTA : 0),
  },
  {
    name: 'difference, paired',
    claim: { kind: 'difference', statement: 'a beats b within repeats', metric: 'm', by: 'arm', a: 'a', b: 'b', expect: 'greater', paired: true },
    repeat: (r, effect, rng, noise) => {
      const shared = 2 * rng.normal();
      return [trial(`a.${r}`, r, { arm: 'a' }, { m: shared + (effect ? DELTA : 0) + draw(rng, noise) }), trial(`b.${r}`, r, { arm: 'b' }, { m: shared + draw(rng, noise) })];
    },
    truth: (effect) => (effect ? DELTA : 0),
  },
  {
    name: 'curves, paired',
    claim: { kind: 'curves', statement: 'curve a above curve b', metric: 'c', by: 'arm', a: 'a', b: 'b', steps: 'all', expect: 'greater', paired: true },
    repeat: (r, effect, rng, noise) => {
      const shared = 2 * rng.normal();
      const steps = [0, 10, 20, 30, 40];
      const curve = (lift: (k: number) => number) => ({ steps, values: steps.map((_, k) => shared + k * 0.1 + lift(k) + draw(rng, noise)) });
      return [
        trial(`a.${r}`, r, { arm: 'a' }, {}, { c: curve((k) => (effect ? (DELTA * k) / 2 : 0)) }),
        trial(`b.${r}`, r, { arm: 'b' }, {}, { c: curve(() => 0) }),
      ];
    },
    // Mean over the five checkpoints of DELTA·k/2.
    truth: (effect) => (effect ? DELTA : 0),
  },
  {
    name: 'order, unpaired (3 values)',
    claim: { kind: 'order', statement: 'rises from x to y to z', metric: 'm', by: 'level', values: ['x', 'y', 'z'], direction: 'increasing' },
    repeat: (r, effect, rng, noise) => ['x', 'y', 'z'].map((level, k) => trial(`${level}.${r}`, r, { level }, { m: (effect ? 1.5 * DELTA * k : 0) + draw(rng, noise) })),
    // Every step has the same true difference, so the shown step's truth is known.
    truth: (effect) => (effect ? 1.5 * DELTA : 0),
  },
  {
    name: 'trend, unpaired (4 levels)',
    claim: { kind: 'trend', statement: 'rises along w', metric: 'm', along: 'w', expect: 'increasing' },
    repeat: (r, effect, rng, noise) => TREND.map((mu, l) => trial(`w${l}.${r}`, r, { w: l }, { m: (effect ? mu : 0) + draw(rng, noise) })),
    truth: (effect) => (effect ? slope(TREND) : 0),
  },
  {
    name: 'trend, paired (4 levels)',
    claim: { kind: 'trend', statement: 'rises along w within repeats', metric: 'm', along: 'w', expect: 'increasing', paired: true },
    repeat: (r, effect, rng, noise) => {
      const shared = 2 * rng.normal();
      return TREND.map((mu, l) => trial(`w${l}.${r}`, r, { w: l }, { m: shared + (effect ? mu : 0) + draw(rng, noise) }));
    },
    truth: (effect) => (effect ? slope(TREND) : 0),
  },
  {
    name: 'metrics (4 per trial)',
    claim: { kind: 'metrics', statement: 'falls from layer 0 to 3', metrics: ['l0', 'l1', 'l2', 'l3'], expect: 'decreasing' },
    repeat: (r, effect, rng, noise) => {
      const shared = 2 * rng.normal();
      const scalars: Record<string, number> = {};
      LAYERS.forEach((mu, l) => (scalars[`l${l}`] = shared + (effect ? mu : 0) + draw(rng, noise)));
      return [trial(`t.${r}`, r, {}, scalars)];
    },
    truth: (effect) => (effect ? slope(LAYERS) : 0),
  },
];

export interface Rates {
  scenario: string;
  repeats: number;
  sims: number;
  /** Share of intervals containing the true effect (with the effect, and without). */
  coverage: { effect: number; none: number };
  /** Share of no-effect sweeps labelled supported or contradicted. */
  falseDecisions: number;
  /** Share of effect sweeps labelled supported. */
  power: number;
}

const covers = (v: ClaimVerdict, truth: number) => v.ci === null || (v.ci[0] <= truth && truth <= v.ci[1]);

function sweep(s: Scenario, repeats: number, effect: boolean, rng: Rng, noise: Noise): TrialValues[] {
  const out: TrialValues[] = [];
  for (let r = 0; r < repeats; r++) out.push(...s.repeat(r, effect, rng, noise));
  return out;
}

/** Fixed repeats: each of `sims` sweeps evaluated once. */
export function fixedRates(s: Scenario, repeats: number, sims: number, options: { seed?: number; rule?: Rule; noise?: Noise } = {}): Rates {
  const noise = options.noise ?? 'normal';
  const rng = new Rng(deriveSeed(options.seed ?? 0, s.name, repeats, noise));
  let coveredEffect = 0;
  let coveredNone = 0;
  let falseDecisions = 0;
  let supported = 0;
  for (let i = 0; i < sims; i++) {
    const none = evaluateClaims([s.claim], sweep(s, repeats, false, rng, noise), { rule: options.rule })[0];
    if (covers(none, s.truth(false))) coveredNone++;
    if (none.result !== 'inconclusive') falseDecisions++;
    const some = evaluateClaims([s.claim], sweep(s, repeats, true, rng, noise), { rule: options.rule })[0];
    if (covers(some, s.truth(true))) coveredEffect++;
    if (some.result === 'supported') supported++;
  }
  return { scenario: s.name, repeats, sims, coverage: { effect: coveredEffect / sims, none: coveredNone / sims }, falseDecisions: falseDecisions / sims, power: supported / sims };
}

export interface StoppingRates {
  scenario: string;
  rule: Rule;
  /** Repeats at each look: the sweep as submitted, then each round of Settle. */
  looks: number[];
  sims: number;
  /** No effect: share of sweeps decided at some look (the user stops at the first decision). */
  falseDecisions: number;
  /** No effect: share whose interval at the stopping look misses 0. */
  coverageAtStop: number;
  /** With the effect: share supported by the last look, and the mean repeats when stopped. */
  power: number;
  meanRepeats: number;
}

/** Optional stopping: the verdict read at every look, the sweep stopped at its first decision. */
/**
 * `firstLook`: the rule of the first look when it differs (a user who reads the fixed-sample
 * verdict of the sweep as submitted, then settles what it left undecided).
 */
export function stoppingRates(s: Scenario, looks: number[], sims: number, rule: Rule, options: { seed?: number; noise?: Noise; firstLook?: Rule } = {}): StoppingRates {
  const noise = options.noise ?? 'normal';
  const rng = new Rng(deriveSeed(options.seed ?? 0, s.name, 'stopping', looks.join(','), rule, noise, options.firstLook ?? rule));
  const run = (effect: boolean) => {
    const trials: TrialValues[] = [];
    let have = 0;
    let last: ClaimVerdict | null = null;
    for (const [k, n] of looks.entries()) {
      for (; have < n; have++) trials.push(...s.repeat(have, effect, rng, noise));
      last = evaluateClaims([s.claim], trials, { rule: k === 0 ? (options.firstLook ?? rule) : rule })[0];
      if (last.result !== 'inconclusive') break;
    }
    return { verdict: last!, repeats: have };
  };
  let decided = 0;
  let covered = 0;
  let supported = 0;
  let repeats = 0;
  for (let i = 0; i < sims; i++) {
    const none = run(false);
    if (none.verdict.result !== 'inconclusive') decided++;
    if (covers(none.verdict, s.truth(false))) covered++;
    const some = run(true);
    if (some.verdict.result === 'supported') supported++;
    repeats += some.repeats;
  }
  return { scenario: s.name, rule, looks, sims, falseDecisions: decided / sims, coverageAtStop: covered / sims, power: supported / sims, meanRepeats: repeats / sims };
}

/** Several claims with no effect in one experiment: the share of sweeps with any decisive label (family-wise error). */
export function familyRate(claims: number, repeats: number, sims: number, seed = 0): number {
  const rng = new Rng(deriveSeed(seed, 'family', claims, repeats));
  const list: Claim[] = Array.from({ length: claims }, (_, k) => ({ kind: 'difference', statement: `claim ${k}`, metric: `m${k}`, by: 'arm', a: 'a', b: 'b', expect: 'greater', paired: true }));
  let any = 0;
  for (let i = 0; i < sims; i++) {
    const trials: TrialValues[] = [];
    for (let r = 0; r < repeats; r++) {
      for (const arm of ['a', 'b']) {
        const scalars: Record<string, number> = {};
        for (let k = 0; k < claims; k++) scalars[`m${k}`] = rng.normal();
        trials.push(trial(`${arm}.${r}`, r, { arm }, scalars));
      }
    }
    if (evaluateClaims(list, trials).some((v) => v.result !== 'inconclusive')) any++;
  }
  return any / sims;
}

/** The largest rate that a true rate ≤ `rate` gives in `sims` draws, one-sided 99% (normal approximation). */
export function upperTolerance(rate: number, sims: number): number {
  return rate + 2.326 * Math.sqrt((rate * (1 - rate)) / sims);
}
