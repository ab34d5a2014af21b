/**
 * Fetches everything a figure draws for one sweep, through the API only. Shared by the
 * dashboard and the CLI so both ask for the same metrics and repeats.
 */
import type { AggregateRow, ConfigInfo, ExperimentDescription, Figure, FigureData, TrialRecord } from './types';

export type GetJson = <T>(path: string) => Promise<T>;

/**
 * `opts.repeats`: also fetch every done trial's values of the figure's `repeatMetrics`
 * (the repeats view); headlines and the CLI need only the aggregate.
 */
export async function loadFigureData(get: GetJson, sweepId: string, experimentId: string, figure: Figure | undefined, opts: { repeats?: boolean } = {}): Promise<FigureData> {
  const metricParam = figure?.aggregateMetrics ? `?metric=${figure.aggregateMetrics.join(',')}` : '';
  const repeatParam = figure?.trialRepeat === undefined ? '' : `&repeat=${figure.trialRepeat}`;
  const [experiment, { rows }, configs, trials, repeats] = await Promise.all([
    get<ExperimentDescription>(`/api/experiments/${experimentId}`),
    get<{ rows: AggregateRow[] }>(`/api/sweeps/${sweepId}/aggregate${metricParam}`),
    get<ConfigInfo[]>(`/api/sweeps/${sweepId}/configs`),
    figure?.trialMetrics
      ? get<{ trials: TrialRecord[] }>(`/api/sweeps/${sweepId}/trials?metric=${figure.trialMetrics.join(',')}${repeatParam}`).then((r) => r.trials)
      : Promise.resolve([] as TrialRecord[]),
    opts.repeats && figure?.repeatMetrics?.length
      ? get<{ trials: TrialRecord[] }>(`/api/sweeps/${sweepId}/trials?metric=${figure.repeatMetrics.join(',')}`).then((r) => r.trials.filter((t) => t.status === 'done'))
      : Promise.resolve([] as TrialRecord[]),
  ]);
  return { experiment, configs, aggregate: rows, trials, repeats };
}
