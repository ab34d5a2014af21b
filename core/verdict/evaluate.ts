/**
 * Evaluates an experiment's claims (core/experiments/claims.ts) on per-trial results with
 * core/stats. Pure: the caller loads the trials (core/verdict/sweep-verdict.ts).
 *
 * Each claim becomes observations {value, stratum, block}: the value at `at` of the trial's
 * metric, the stratum naming the trial's other parameters (so effects are averaged over
 * grid axes the claim does not fix), the block its repeat (paired claims compare within
 * repeats). Several claims per experiment: each is reported on its own 95% CI, and a
 * Holm-adjusted p-value (`pHolm`, over the claims of the experiment that have a p-value)
 * says which results survive a correction for testing several at once.
 */
import { deriveSeed } from '../rng';
import { claimAxis, claimMetrics, type Claim, type ClaimAt, type ClaimKind } from '../experiments/claims';
import type { Series } from '../experiments/types';
import { compareDifference, compareTrend, type Direction, type LevelObservation, type Observation, type Outcome, type StatOptions, type StatResult } from '../stats/compare';
import { sampleSd } from '../stats/describe';

/** What a verdict needs of a finished trial (a row of Store.trialResults). */
export interface TrialValues {
  id: string;
  repeat: number;
  params: Record<string, unknown>;
  scalars: Record<string, number>;
  series: Record<string, Series>;
}

export type NotebookAgreement = 'agrees' | 'disagrees' | 'n/a';

export interface ClaimVerdict extends Omit<StatResult, 'sd'> {
  statement: string;
  kind: ClaimKind;
  metric: string;
  /** What `effect` measures: a difference of means (a − b) or Spearman's ρ. */
  effectKind: 'difference' | 'spearman';
  paired: boolean;
  /** Holm-adjusted p over this experiment's claims. */
  pHolm: number | null;
  /** The notebook's finding and whether this sweep agrees ('n/a': no finding, or not settled here). */
  notebook: NotebookAgreement;
  notebookFound: 'supported' | 'contradicted' | 'inconclusive' | null;
  /** Trials that matched the claim but lacked the metric value. */
  missing: number;
  /** Order claims: each adjacent step, in the claim's order. */
  links?: Array<{ from: unknown; to: unknown; effect: number | null; ci: [number, number] | null; result: Outcome }>;
}

const same = (x: unknown, y: unknown) => JSON.stringify(x) === JSON.stringify(y);

function groups<T>(xs: T[], key: (x: T) => string): T[][] {
  const m = new Map<string, T[]>();
  for (const x of xs) m.set(key(x), [...(m.get(key(x)) ?? []), x]);
  return [...m.values()];
}

function matches(t: TrialValues, where: Record<string, unknown> | undefined): boolean {
  return Object.entries(where ?? {}).every(([k, v]) => same(t.params[k], v));
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

export function holm(ps: Array<number | null>): Array<number | null> {
  const order = ps.map((p, i) => ({ p, i })).filter((x): x is { p: number; i: number } => x.p !== null).sort((a, b) => a.p - b.p);
  const out: Array<number | null> = ps.map(() => null);
  let running = 0;
  order.forEach(({ p, i }, k) => {
    running = Math.max(running, Math.min(1, (order.length - k) * p));
    out[i] = running;
  });
  return out;
}

export function agreement(found: ClaimVerdict['notebookFound'], result: Outcome): NotebookAgreement {
  if (!found) return 'n/a';
  if (found === result) return 'agrees';
  // Not settled here: neither agreement nor disagreement.
  if (result === 'inconclusive') return 'n/a';
  return 'disagrees';
}

interface Side {
  obs: Observation[];
  missing: number;
}

export function evaluateClaim(claim: Claim, trials: TrialValues[], options: StatOptions = {}): Omit<ClaimVerdict, 'pHolm'> {
  const stat = { ...options, seed: deriveSeed(options.seed ?? 0, JSON.stringify(claim)) };
  const axis = claimAxis(claim);
  const paired = claim.kind === 'metrics' || claim.paired === true;
  const pool = trials.filter((t) => matches(t, claim.where));
  const value = (t: TrialValues, metric: string) => (claim.kind === 'curves' ? curveMean(t, metric, claim.steps) : valueAt(t, metric, claim.at));
  const side = (v: unknown): Side => {
    const ts = pool.filter((t) => same(t.params[axis!], v));
    const obs: Observation[] = [];
    for (const t of ts) {
      const x = value(t, claimMetrics(claim)[0]);
      if (x !== undefined) obs.push({ value: x, stratum: stratumOf(t, axis), block: `r${t.repeat}` });
    }
    return { obs, missing: ts.length - obs.length };
  };
  const base = {
    statement: claim.statement,
    kind: claim.kind,
    metric: claimMetrics(claim).join(', '),
    paired,
    notebookFound: claim.notebook ?? null,
  };
  const finish = (r: StatResult, missing: number, effectKind: ClaimVerdict['effectKind'], cells: Observation[][], extra: Partial<ClaimVerdict> = {}) => {
    const { sd: _sd, ...rest } = r;
    const notes = [r.note];
    if (missing) notes.push(`${missing} matching trial(s) lack this metric value`);
    // Repeats that all give one number (a timing shared by a pack, a saturated accuracy) make a
    // point interval: say so, since such an interval reflects no repeat-to-repeat noise.
    const sized = cells.filter((c) => c.length >= 2);
    if (sized.length && sized.every((c) => sampleSd(c.map((x) => x.value)) === 0)) notes.push('every repeat of a config gave the same value, so the interval carries no repeat-to-repeat spread');
    // Percentile intervals from a handful of repeats run narrow; the permutation test is exact.
    if (r.result !== 'inconclusive' && r.p !== null && r.p >= 0.05) notes.push(`the permutation test does not reach p < 0.05 (p = ${r.p.toPrecision(2)}): with this few repeats read the result as suggestive`);
    const note = notes.filter(Boolean).join('; ');
    return { ...base, ...rest, effectKind, missing, notebook: agreement(base.notebookFound, r.result), ...(note ? { note } : { note: undefined }), ...extra };
  };
  const cellsOf = (obs: Observation[]) => groups(obs, (x) => x.stratum);

  switch (claim.kind) {
    case 'difference':
    case 'curves': {
      const a = side(claim.a);
      const b = side(claim.b);
      const r = compareDifference(a.obs, b.obs, paired, claim.expect === 'greater' ? 1 : -1, stat);
      return finish(r, a.missing + b.missing, 'difference', [...cellsOf(a.obs), ...cellsOf(b.obs)]);
    }
    case 'order': {
      const dir: Direction = claim.direction === 'increasing' ? 1 : -1;
      const sides = claim.values.map(side);
      const links = claim.values.slice(1).map((to, i) => {
        // Each step: the later value minus the earlier one has the claimed sign.
        const r = compareDifference(sides[i + 1].obs, sides[i].obs, paired, dir, { ...stat, seed: deriveSeed(stat.seed, i) });
        return { from: claim.values[i], to, r };
      });
      const result: Outcome = links.some((l) => l.r.result === 'contradicted') ? 'contradicted' : links.every((l) => l.r.result === 'supported') ? 'supported' : 'inconclusive';
      // Report the weakest step: the one whose interval comes nearest to (or crosses) 0 on the claimed side.
      const bound = (l: (typeof links)[number]) => (l.r.ci ? (dir === 1 ? l.r.ci[0] : -l.r.ci[1]) : -Infinity);
      const weakest = links.reduce((w, l) => (l.r.result === 'contradicted' ? (w.r.result === 'contradicted' ? w : l) : w.r.result !== 'contradicted' && bound(l) < bound(w) ? l : w));
      const ps = links.map((l) => l.r.p);
      const settle = links.map((l) => l.r.repeatsToSettle).filter((x): x is number => x !== null);
      const r: StatResult = {
        ...weakest.r,
        // The claim holds only if every step holds (intersection–union): its p is the largest.
        p: ps.every((p) => p !== null) ? Math.max(...(ps as number[])) : null,
        result,
        repeatsToSettle: result === 'inconclusive' && settle.length ? Math.max(...settle) : null,
        test: `${weakest.r.test}; per step, the claim needs every step`,
        note: links.map((l) => l.r.note).find(Boolean),
      };
      return finish(r, sides.reduce((k, s) => k + s.missing, 0), 'difference', sides.flatMap((s) => cellsOf(s.obs)), {
        links: links.map((l) => ({ from: l.from, to: l.to, effect: l.r.effect, ci: l.r.ci, result: l.r.result })),
      });
    }
    case 'trend': {
      let levels: unknown[];
      if (claim.values) levels = claim.values;
      else {
        const seen: unknown[] = [];
        for (const t of pool) if (!seen.some((v) => same(v, t.params[claim.along]))) seen.push(t.params[claim.along]);
        levels = seen.every((v) => typeof v === 'number') ? (seen as number[]).sort((x, y) => x - y) : seen;
      }
      const sides = levels.map(side);
      const obs: LevelObservation[] = sides.flatMap((s, level) => s.obs.map((o) => ({ ...o, level })));
      const r = compareTrend(obs, paired, claim.expect === 'increasing' ? 1 : -1, stat);
      return finish(r, sides.reduce((k, s) => k + s.missing, 0), 'spearman', sides.flatMap((s) => cellsOf(s.obs)));
    }
    case 'metrics': {
      // The axis is the metric list; a block is one trial (its layers are measured together).
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
      const r = compareTrend(obs, true, claim.expect === 'increasing' ? 1 : -1, stat);
      const byLevel = groups(obs, (x) => `${x.stratum}|${x.level}`);
      return finish(r, missing, 'spearman', byLevel);
    }
  }
}

/** All claims of an experiment, with Holm-adjusted p-values across them. */
export function evaluateClaims(claims: Claim[], trials: TrialValues[], options: StatOptions = {}): ClaimVerdict[] {
  const verdicts = claims.map((c) => evaluateClaim(c, trials, options));
  const adjusted = holm(verdicts.map((v) => v.p));
  const tested = adjusted.filter((p) => p !== null).length;
  return verdicts.map((v, i) => {
    const pHolm = adjusted[i];
    // Decisive on its own, but not once the experiment's several claims are accounted for.
    const flag = v.result !== 'inconclusive' && v.p !== null && v.p < 0.05 && pHolm !== null && pHolm >= 0.05 ? `not significant after Holm's correction over ${tested} claims` : '';
    return { ...v, pHolm, note: [v.note, flag].filter(Boolean).join('; ') || undefined };
  });
}
