/**
 * Phases of a V8 CPU profile (scripts/profile-trial.ts): which part of a pack's work each
 * sample belongs to, by the functions on its stack. A module of its own so that the test
 * (test/core/shared-blocks.test.ts) loads it without running the profiler.
 */
import type { Profiler } from 'node:inspector';

/**
 * Phases by the functions that do their work (names as in the source; the script runs as
 * an esbuild bundle, which keeps them). The innermost match on a sample's stack wins.
 */
export const PHASES: Record<string, string> = {
  trainPack: 'training',
  fitSklearnMlps: 'training',
  evaluateAccuracy: 'evaluation',
  accuracyOn: 'evaluation',
  predict: 'evaluation',
  decisionGrid: 'decision grid',
  gridLogits: 'decision grid',
  boundaryTraces: 'decision grid',
  repeatData: 'data',
  repeatDataset: 'data',
  exp4Data: 'data',
  drawMixture: 'data',
  stackTables: 'data',
  appendDummy: 'dummy features',
  mixFeatures: 'mixing',
  pcaBasis: 'pca',
  pcaFit: 'pca',
  pcaTransform: 'pca',
  fitPredictSvc: 'svm',
  fitPredictTree: 'tree',
};

/** CPU ms per phase of a V8 CPU profile (see PHASES), and the profile's total. */
export function phaseTimes(profile: Profiler.Profile, phases: Record<string, string> = PHASES): { ms: Map<string, number>; total: number } {
  const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  // The phase of a node: its own function's, else its nearest ancestor's.
  const phaseOf = new Map<number, string>();
  const resolve = (id: number): string => {
    const known = phaseOf.get(id);
    if (known !== undefined) return known;
    const own = phases[nodes.get(id)!.callFrame.functionName];
    const up = parent.get(id);
    const phase = own ?? (up === undefined ? 'other' : resolve(up));
    phaseOf.set(id, phase);
    return phase;
  };
  const ms = new Map<string, number>();
  let total = 0;
  profile.samples?.forEach((id, i) => {
    const dt = (profile.timeDeltas?.[i] ?? 0) / 1000;
    const name = nodes.get(id)!.callFrame.functionName;
    // The profiler's own idle and GC samples are not the pack's work… except GC, which is.
    if (name === '(idle)' || name === '(program)') return;
    const phase = name === '(garbage collector)' ? 'garbage collection' : resolve(id);
    ms.set(phase, (ms.get(phase) ?? 0) + dt);
    total += dt;
  });
  return { ms, total };
}
