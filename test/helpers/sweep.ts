/**
 * Runs a real sweep in-process: expand → packs → runTrialPack → SQLite (same schema and
 * queries as D1) → aggregate, and returns what the dashboard would fetch for its figure.
 */
import { expandSweep, packTrials } from '../../core/sweep/expand';
import { runTrialPack, type ExperimentLookup } from '../../core/run/run-trials';
import { DEFAULT_LIMITS } from '../../core/sweep/request';
import { openSqliteStore } from '../../node/sqlite-store';
import { useBackend } from '../tf-node';
import { nodeLibsvm } from '../../node/libsvm-node';
import type { FigureData } from '../../dashboard/figures/types';
import { describeExperiment } from '../../api/routes/experiments';

export async function runSweep(request: Record<string, unknown>, opts: { sweepId?: string; trialMetrics?: string[]; lookup?: ExperimentLookup } = {}) {
  const tf = await useBackend('wasm');
  const { store, sqlite, invocation } = openSqliteStore();
  const id = opts.sweepId ?? 'test';
  const sweep = expandSweep(request, id, DEFAULT_LIMITS, opts.lookup);
  await store.createSweep(sweep, request, 0);
  let t = 1;
  for (const pack of packTrials(sweep.experiment, sweep.trials, 16)) {
    // One invocation per pack, as the hosts run them: D1's query budget applies to each.
    await runTrialPack(invocation(), { sweepId: id, experiment: sweep.experiment.id, trials: pack }, { now: () => t++, backend: tf.getBackend(), libsvm: nodeLibsvm }, opts.lookup);
  }
  const figureData: FigureData = {
    // The same description and configs the API serves (GET /api/experiments/:id, /configs), typed as their JSON answers.
    experiment: describeExperiment(sweep.experiment) as FigureData['experiment'],
    configs: (await store.configs(id)) as FigureData['configs'],
    aggregate: await store.aggregate(id),
    trials: opts.trialMetrics ? ((await store.trialResults(id, opts.trialMetrics)) as FigureData['trials']) : [],
    // Every done trial with all its metrics: figures pick their repeatMetrics (what the
    // dashboard's loader fetches in the repeats view is tested in test/dashboard/load.test.ts).
    repeats: ((await store.trialResults(id)) as FigureData['trials']).filter((t) => t.status === 'done'),
  };
  return { store, sqlite, sweep, figureData };
}
