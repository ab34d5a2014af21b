/**
 * Evaluates an experiment's claims (core/experiments/claims.ts) on per-trial results.
 * Pure: the caller loads the trials (core/verdict/sweep-verdict.ts).
 *
 * Each claim becomes observations {value, stratum, block}: the value at `at` of the trial's
 * metric, the stratum naming the trial's other parameters (so effects are averaged over grid
 * axes the claim does not fix), the block its repeat (paired claims compare within repeats).
 * The observations become one linear contrast (core/stats/contrast.ts) and one test
 * (core/stats/decide.ts): the label, the p-value and the interval come from that one test, at
 * the level Holm's procedure gives the claim among the experiment's claims, so they agree by
 * construction. `rule` chooses the fixed-sample t-test (a sweep as submitted) or the
 * anytime-valid one (a sweep being settled).
 */
import { claimAxis, claimMetrics, matchesWhere, sameValue, type Claim, type ClaimAt, type ClaimKind } from '../experiments/claims';
import type { Series } from '../experiments/types';
import { pairedContrast, slopeCoefficients, unpairedContrast, type Contrast, type ContrastCell } from '../stats/contrast';
import { ALPHA, holmAdjusted, holmLevels, interval, outcomeOf, PRIOR_G, pValue, repeatsToDecide, testable, tStatistic, type Direction, type Outcome, type Rule } from '../stats/decide';
import { mean, sampleSd } from '../stats/describe';

export type { Outcome, Rule };

/** What a verdict needs of a finished trial (a row of trialResults, core/db/results.ts). */
export interface TrialValues {
  id: string;
  repeat: number;
  params: Record<string, unknown>;
  scalars: Record<string, number>;
  series: Record<string, Series>;
}

export interface Observation {
  value: number;
  stratum: string;
  block: string;
}

export interface LevelObservation extends Observation {
  /** Position on the ordered axis (0, 1, 2, …). */
  level: number;
}

export type NotebookAgreement = 'agrees' | 'disagrees' | 'n/a';

export interface ClaimVerdict {
  statement: string;
  kind: ClaimKind;
  metric: string;
  /** What `effect` measures: a difference of means (a − b) or a slope per step along the axis. */
  effectKind: 'difference' | 'slope';
  paired: boolean;
  rule: Rule;
  effect: number | null;
  /** The interval at `confidence`: every effect the claim's test does not reject. Null: unbounded. */
  ci: [number, number] | null;
  /** 1 − the level the claim was decided at (Holm's level among the experiment's claims). */
  confidence: number;
  /** Standardised effect: the effect over `spread`. */
  d: number | null;
  /** Pooled within-cell standard deviation (unpaired) or of the per-repeat contrasts (paired). */
  spread: number | null;
  n: { a: number; b: number };
  /** Paired comparisons: blocks (repeats) used. */
  pairs?: number;
  /** Repeats per compared cell now (the fewest). */
  repeats: number;
  test: string;
  p: number | null;
  /** Holm-adjusted p over this experiment's claims: the label is decisive exactly when pHolm ≤ 0.05. */
  pHolm: number | null;
  result: Outcome;
  /**
   * Undecided claims: repeats per compared cell that would likely (80%) decide it under the
   * settle rule (anytime-valid, at this claim's level) if effect and spread are as observed.
   */
  repeatsToSettle: number | null;
  /** The notebook's finding and whether this sweep agrees ('n/a': no finding, or not settled here). */
  notebook: NotebookAgreement;
  notebookFound: 'supported' | 'contradicted' | 'inconclusive' | null;
  /** The notebook's sentence this claim encodes, and how the claim narrows it. */
  quote?: string;
  narrows?: string;
  /** Trials that matched the claim but lacked the metric value. */
  missing: number;
  /** Order claims: each adjacent step, in the claim's order. */
  links?: Array<{ from: unknown; to: unknown; effect: number | null; ci: [number, number] | null; result: Outcome }>;
  note?: string;
}


function groupBy<T>(xs: T[], key: (x: T) => string): Map<string, T[]> {
  const m = new Map<string, T[]>();
  for (const x of xs) {
    const k = key(x);
    const list = m.get(k);
    if (list) list.push(x);
    else m.set(k, [x]);
  }
  return m;
}


/** The trial's parameters other than `axis`, as a stable key. */
function stratumOf(t: TrialValues, axis: string | null): string {
  return JSON.stringify(
    Object.keys(t.params)
      .filter((k) => k !== axis)
      .sort()
      .map((k) => [k, t.params[k]]),
  );
}

function valueAt(t: TrialValues, metric: string, at: ClaimAt | undefined): number | undefined {
  if (at === undefined || at === 'final') return t.scalars[metric];
  const s = t.series[metric];
  if (!s || !s.values.length) return undefined;
  if (at === 'last') return s.values[s.values.length - 1];
  const i = s.steps.indexOf(at.step);
  return i < 0 ? undefined : s.values[i];
}

/** Mean of a series over the listed steps (all must be present) or over all its points. */
function curveMean(t: TrialValues, metric: string, steps: number[] | 'all'): number | undefined {
  const s = t.series[metric];
  if (!s || !s.values.length) return undefined;
  const idx = steps === 'all' ? s.values.map((_, i) => i) : steps.map((st) => s.steps.indexOf(st));
  if (idx.some((i) => i < 0)) return undefined;
  return idx.reduce((sum, i) => sum + s.values[i], 0) / idx.length;
}

export function agreement(found: ClaimVerdict['notebookFound'], result: Outcome): NotebookAgreement {
  if (!found) return 'n/a';
  if (found === result) return 'agrees';
  // Not settled here: neither agreement nor disagreement.
  if (result === 'inconclusive') return 'n/a';
  return 'disagrees';
}

/** mean(a) − mean(b), averaged over the strata both sides have (paired: within repeats). */
export function differenceContrast(a: Observation[], b: Observation[], paired: boolean): Contrast | null {
  if (paired) {
    const key = (x: Observation) => `${x.stratum}\u0001${x.block}`;
    const bOf = new Map(b.map((x) => [key(x), x.value]));
    const pairs = a.filter((x) => bOf.has(key(x))).map((x) => ({ block: x.block, diff: x.value - bOf.get(key(x))! }));
    const perBlock = [...groupBy(pairs, (x) => x.block).values()].map((g) => mean(g.map((x) => x.diff)));
    return pairedContrast(perBlock, { a: pairs.length, b: pairs.length });
  }
  const byA = groupBy(a, (x) => x.stratum);
  const byB = groupBy(b, (x) => x.stratum);
  const strata = [...byA.keys()].filter((s) => byB.has(s));
  const S = strata.length;
  const cells: ContrastCell[] = strata.flatMap((s) => [
    { values: byA.get(s)!.map((x) => x.value), coefficient: 1 / S },
    { values: byB.get(s)!.map((x) => x.value), coefficient: -1 / S },
  ]);
  return unpairedContrast(cells, { a: strata.reduce((k, s) => k + byA.get(s)!.length, 0), b: strata.reduce((k, s) => k + byB.get(s)!.length, 0) });
}

/**
 * The least-squares slope of the metric on the level index, averaged over strata (paired:
 * computed within each repeat of each stratum, then averaged per repeat). `blocksPerRepeat`:
 * how many blocks one repeat makes (1 for repeats; the configs for `metrics`, whose blocks are trials).
 */
export function slopeContrast(obs: LevelObservation[], paired: boolean, blocksPerRepeat = 1): Contrast | null {
  const levels = [...new Set(obs.map((x) => x.level))].sort((x, y) => x - y);
  const n = { a: obs.filter((x) => x.level === levels[0]).length, b: obs.filter((x) => x.level === levels[levels.length - 1]).length };
  /** Slope of one set of observations' level means, or null with fewer than two levels. */
  const slopeOf = (xs: LevelObservation[]) => {
    const byLevel = [...groupBy(xs, (x) => String(x.level)).values()];
    if (byLevel.length < 2) return null;
    const c = slopeCoefficients(byLevel.map((g) => g[0].level));
    return byLevel.reduce((s, g, i) => s + c[i] * mean(g.map((x) => x.value)), 0);
  };
  if (paired) {
    const perBlock: number[] = [];
    for (const blockObs of groupBy(obs, (x) => x.block).values()) {
      const slopes = [...groupBy(blockObs, (x) => x.stratum).values()].map(slopeOf).filter((s): s is number => s !== null);
      if (slopes.length) perBlock.push(mean(slopes));
    }
    return pairedContrast(perBlock, n, blocksPerRepeat);
  }
  const strata = [...groupBy(obs, (x) => x.stratum).values()].map((xs) => [...groupBy(xs, (x) => String(x.level)).values()]).filter((cells) => cells.length >= 2);
  const S = strata.length;
  const cells: ContrastCell[] = strata.flatMap((byLevel) => {
    const c = slopeCoefficients(byLevel.map((g) => g[0].level));
    return byLevel.map((g, i) => ({ values: g.map((x) => x.value), coefficient: c[i] / S }));
  });
  return unpairedContrast(cells, n);
}

/** Plain numbers of a contrast for the verdict, and its test description. */
function describeTest(c: Contrast | null, paired: boolean, rule: Rule, level: number): string {
  const design = paired ? `paired: t over ${c?.pairs ?? 0} per-repeat contrasts` : `unpaired: t on ${c ? c.dfOffset : 0} cell means with the pooled within-cell spread`;
  const df = c ? `ν = ${c.df}` : 'no data';
  const how = rule === 'fixed' ? 'fixed-sample Student t' : `anytime-valid t (e-value with prior g = ${PRIOR_G}, p = 1/e)`;
  return `${design} (${df}); ${how}; decided at level ${Number(level.toPrecision(3))}`;
}

interface Decision {
  contrast: Contrast | null;
  p: number | null;
}

/** A claim before Holm's levels are known: its contrasts and the function that decides it at a level. */
interface Pending {
  p: number | null;
  /** The claim's contrast (an order claim: its first step's), for planning repeats. */
  contrast: Contrast | null;
  decide(level: number): ClaimVerdict;
}

function pendingClaim(claim: Claim, trials: TrialValues[], rule: Rule): Pending {
  const axis = claimAxis(claim);
  const paired = claim.kind === 'metrics' || claim.paired === true;
  const pool = trials.filter((t) => matchesWhere(t.params, claim.where));
  const value = (t: TrialValues, metric: string) => (claim.kind === 'curves' ? curveMean(t, metric, claim.steps) : valueAt(t, metric, claim.at));
  const side = (v: unknown) => {
    const ts = pool.filter((t) => sameValue(t.params[axis!], v));
    const obs: Observation[] = [];
    for (const t of ts) {
      const x = value(t, claimMetrics(claim)[0]);
      if (x !== undefined) obs.push({ value: x, stratum: stratumOf(t, axis), block: `r${t.repeat}` });
    }
    return { obs, missing: ts.length - obs.length };
  };
  const decision = (c: Contrast | null): Decision => ({ contrast: c, p: testable(c) ? pValue(c, rule) : null });
  const base = {
    statement: claim.statement,
    kind: claim.kind,
    metric: claimMetrics(claim).join(', '),
    paired,
    rule,
    notebookFound: claim.notebook ?? null,
    ...(claim.quote ? { quote: claim.quote } : {}),
    ...(claim.narrows ? { narrows: claim.narrows } : {}),
  };
  const finish = (
    d: Decision,
    level: number,
    result: Outcome,
    ci: [number, number] | null,
    missing: number,
    effectKind: ClaimVerdict['effectKind'],
    cells: Observation[][],
    extra: Partial<ClaimVerdict> = {},
  ): ClaimVerdict => {
    const c = d.contrast;
    const notes: string[] = [];
    if (!c) notes.push(effectKind === 'slope' ? 'fewer than two levels of the axis have results' : 'no trials on both sides');
    else if (!testable(c)) notes.push('too few repeats to estimate the spread (each compared cell needs two)');
    else if (!ci) notes.push('too few repeats for the anytime-valid rule to decide at any effect size');
    if (missing) notes.push(`${missing} matching trial(s) lack this metric value`);
    // Repeats that all give one number (a timing shared by a pack, a saturated accuracy) make a
    // point interval: say so, since such an interval reflects no repeat-to-repeat noise.
    const sized = cells.filter((cell) => cell.length >= 2);
    if (sized.length && sized.every((cell) => sampleSd(cell.map((x) => x.value)) === 0)) notes.push('every repeat of a config gave the same value, so the interval carries no repeat-to-repeat spread');
    const spread = c && Number.isFinite(c.s) ? c.s : null;
    return {
      ...base,
      effectKind,
      effect: c ? c.estimate : null,
      ci,
      confidence: 1 - level,
      d: c && spread !== null && spread > 0 ? c.estimate / spread : null,
      spread,
      n: c?.n ?? { a: 0, b: 0 },
      ...(paired ? { pairs: c?.pairs ?? 0 } : {}),
      repeats: c ? Math.floor(c.units) : 0,
      test: describeTest(c, paired, rule, level),
      p: d.p,
      pHolm: null,
      result,
      repeatsToSettle: result === 'inconclusive' && testable(c) ? repeatsToDecide(c, 'sequential', level) : null,
      notebook: agreement(base.notebookFound, result),
      missing,
      ...(notes.length ? { note: notes.join('; ') } : {}),
      ...extra,
    };
  };
  const single = (c: Contrast | null, expect: Direction, missing: number, effectKind: ClaimVerdict['effectKind'], cells: Observation[][]): Pending => {
    const d = decision(c);
    return {
      p: d.p,
      contrast: c,
      decide: (level) => finish(d, level, outcomeOf(c, d.p, level, expect), testable(c) ? interval(c, rule, level) : null, missing, effectKind, cells),
    };
  };
  const cellsOf = (obs: Observation[]) => [...groupBy(obs, (x) => x.stratum).values()];

  switch (claim.kind) {
    case 'difference':
    case 'curves': {
      const a = side(claim.a);
      const b = side(claim.b);
      return single(differenceContrast(a.obs, b.obs, paired), claim.expect === 'greater' ? 1 : -1, a.missing + b.missing, 'difference', [...cellsOf(a.obs), ...cellsOf(b.obs)]);
    }
    case 'order': {
      // Supported when every step goes the claimed way (intersection–union: each step at the
      // claim's level); contradicted when some step significantly goes the other way at the
      // level divided by the number of steps (Bonferroni). Under no effect each way errs at
      // most half the level, so p = min(p_all, L·p_against) is a valid p-value.
      const dir: Direction = claim.direction === 'increasing' ? 1 : -1;
      const sides = claim.values.map(side);
      const links = claim.values.slice(1).map((to, i) => ({ from: claim.values[i], to, d: decision(differenceContrast(sides[i + 1].obs, sides[i].obs, paired)) }));
      const L = links.length;
      const along = (l: (typeof links)[number]) => l.d.contrast !== null && Math.sign(l.d.contrast.estimate) === dir;
      const ps = links.map((l) => l.d.p);
      const pAll = ps.every((p) => p !== null) && links.every(along) ? Math.max(...(ps as number[])) : 1;
      const against = links.filter((l) => l.d.p !== null && l.d.contrast!.estimate !== 0 && !along(l));
      const pAgainst = against.length ? Math.min(1, L * Math.min(...against.map((l) => l.d.p!))) : 1;
      const p = ps.some((x) => x === null) && !against.length ? null : Math.min(pAll, pAgainst);
      const missing = sides.reduce((k, s) => k + s.missing, 0);
      const cells = sides.flatMap((s) => cellsOf(s.obs));
      return {
        p,
        contrast: links[0]?.d.contrast ?? null,
        decide: (level) => {
          const linkLevel = (l: (typeof links)[number]) => (along(l) ? level : level / L);
          const linkResult = (l: (typeof links)[number]): Outcome => outcomeOf(l.d.contrast, l.d.p, linkLevel(l), dir);
          const linkCi = (l: (typeof links)[number]) => (testable(l.d.contrast) ? interval(l.d.contrast, rule, linkLevel(l)) : null);
          const result: Outcome = p !== null && p <= level ? (pAgainst <= level ? 'contradicted' : 'supported') : 'inconclusive';
          // The step that decides: the strongest step against, else the weakest step along
          // (by t, which orders the steps as p does without underflowing to a tie at 0).
          const towards = (l: (typeof links)[number]) => (testable(l.d.contrast) ? dir * tStatistic(l.d.contrast) : -Infinity);
          const shown = against.length ? against.reduce((w, l) => (towards(l) < towards(w) ? l : w)) : links.reduce((w, l) => (towards(l) < towards(w) ? l : w));
          const v = finish({ contrast: shown.d.contrast, p }, linkLevel(shown), result, linkCi(shown), missing, 'difference', cells, {
            links: links.map((l) => ({ from: l.from, to: l.to, effect: l.d.contrast?.estimate ?? null, ci: linkCi(l), result: linkResult(l) })),
          });
          return { ...v, test: `${v.test}; per step (${String(shown.from)} → ${String(shown.to)} shown), the claim needs every step` };
        },
      };
    }
    case 'trend': {
      let levels: unknown[];
      if (claim.values) levels = claim.values;
      else {
        const seen: unknown[] = [];
        for (const t of pool) if (!seen.some((v) => sameValue(v, t.params[claim.along]))) seen.push(t.params[claim.along]);
        levels = seen.every((v) => typeof v === 'number') ? (seen as number[]).sort((x, y) => x - y) : seen;
      }
      const sides = levels.map(side);
      const obs: LevelObservation[] = sides.flatMap((s, level) => s.obs.map((o) => ({ ...o, level })));
      return single(slopeContrast(obs, paired), claim.expect === 'increasing' ? 1 : -1, sides.reduce((k, s) => k + s.missing, 0), 'slope', sides.flatMap((s) => cellsOf(s.obs)));
    }
    case 'metrics': {
      // The axis is the metric list; a block is one trial (its metrics are measured together).
      const obs: LevelObservation[] = [];
      let missing = 0;
      for (const t of pool) {
        const values = claim.metrics.map((m) => valueAt(t, m, claim.at));
        if (values.some((v) => v === undefined)) {
          missing++;
          continue;
        }
        values.forEach((value, level) => obs.push({ value: value!, level, stratum: stratumOf(t, null), block: t.id }));
      }
      const configs = new Set(obs.map((x) => x.stratum)).size;
      const byLevel = [...groupBy(obs, (x) => `${x.stratum}|${x.level}`).values()];
      return single(slopeContrast(obs, true, Math.max(1, configs)), claim.expect === 'increasing' ? 1 : -1, missing, 'slope', byLevel);
    }
  }
}

/** Each claim's contrast on these trials (null when it has none), without deciding anything. */
export function claimContrasts(claims: Claim[], trials: TrialValues[]): Array<Contrast | null> {
  return claims.map((c) => pendingClaim(c, trials, 'fixed').contrast);
}

export interface EvaluateOptions {
  /** 'fixed' (default): a sweep as submitted; 'sequential': a sweep being settled. */
  rule?: Rule;
}

/** One claim on its own (level α, no correction for other claims). */
export function evaluateClaim(claim: Claim, trials: TrialValues[], options: EvaluateOptions = {}): ClaimVerdict {
  return evaluateClaims([claim], trials, options)[0];
}

/** All claims of an experiment, each decided at its Holm level (family-wise error ≤ 5%). */
export function evaluateClaims(claims: Claim[], trials: TrialValues[], options: EvaluateOptions = {}): ClaimVerdict[] {
  const rule = options.rule ?? 'fixed';
  const pending = claims.map((c) => pendingClaim(c, trials, rule));
  const ps = pending.map((x) => x.p);
  const levels = holmLevels(ps, ALPHA);
  const adjusted = holmAdjusted(ps);
  return pending.map((x, i) => ({ ...x.decide(levels[i]), pHolm: adjusted[i] }));
}
