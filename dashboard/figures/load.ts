/**
 * Fetches everything a figure draws for one sweep, through the API only. Shared by the
 * dashboard and the CLI so both ask for the same metrics and repeats.
 */
import { allPages } from '../../client';
import type { AggregateAnswer, ConfigInfo, ExperimentDescription, TrialRecord, TrialsPage } from '../routes';
import type { Figure, FigureData } from './types';

/**
 * A GET of a path under the server, answering its JSON (the client's `get`, client/index.ts).
 * Injected, so tests and the CLI pass their own; callers name the answer by its route's type
 * (dashboard/routes.ts).
 */
export type GetJson = <T>(path: string) => Promise<T>;

/** Every trial of a /trials query, following its pages (`next`). */
export function allTrials(get: GetJson, path: string): Promise<TrialRecord[]> {
  const sep = path.includes('?') ? '&' : '?';
  return allPages(
    (cursor) => get<TrialsPage>(cursor ? `${path}${sep}cursor=${encodeURIComponent(cursor)}` : path),
    (p) => p.trials,
  );
}

/**
 * `opts.repeats`: also fetch every done trial's values of the figure's `repeatMetrics`
 * (the repeats view); headlines and the CLI need only the aggregate.
 */
export async function loadFigureData(get: GetJson, sweepId: string, experimentId: string, figure: Figure | undefined, opts: { repeats?: boolean } = {}): Promise<FigureData> {
  const metricParam = figure?.aggregateMetrics ? `?metric=${figure.aggregateMetrics.join(',')}` : '';
  const repeatParam = figure?.trialRepeat === undefined ? '' : `&repeat=${figure.trialRepeat}`;
  const [experiment, { rows }, configs, trials, repeats] = await Promise.all([
    get<ExperimentDescription>(`/api/experiments/${experimentId}`),
    get<AggregateAnswer>(`/api/sweeps/${sweepId}/aggregate${metricParam}`),
    get<ConfigInfo[]>(`/api/sweeps/${sweepId}/configs`),
    figure?.trialMetrics
      ? allTrials(get, `/api/sweeps/${sweepId}/trials?metric=${figure.trialMetrics.join(',')}${repeatParam}`)
      : Promise.resolve([] as TrialRecord[]),
    opts.repeats && figure?.repeatMetrics?.length
      ? allTrials(get, `/api/sweeps/${sweepId}/trials?metric=${figure.repeatMetrics.join(',')}`).then((ts) => ts.filter((t) => t.status === 'done'))
      : Promise.resolve([] as TrialRecord[]),
  ]);
  return { experiment, configs, aggregate: rows, trials, repeats };
}
