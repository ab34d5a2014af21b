/**
 * CSV (RFC 4180) for a sweep's results: CRLF line ends, a header row, and a field quoted
 * when it holds a comma, a double quote, CR or LF (quotes doubled inside). Numbers are
 * written with JavaScript's shortest round-trip form, so parsing gives the same float;
 * null and undefined are empty fields. Column orders are fixed here and listed in README.
 */
import type { AggregateRow } from '../db/aggregate';

export type Cell = string | number | boolean | null | undefined;

export function csvField(v: Cell): string {
  if (v === null || v === undefined) return '';
  const s = typeof v === 'number' ? (Number.isFinite(v) ? String(v) : v > 0 ? 'Infinity' : v < 0 ? '-Infinity' : 'NaN') : String(v);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function toCsv(header: readonly string[], rows: Iterable<readonly Cell[]>): string {
  const lines = [header.map(csvField).join(',')];
  for (const r of rows) lines.push(r.map(csvField).join(','));
  return `${lines.join('\r\n')}\r\n`;
}

export const AGGREGATE_COLUMNS = ['config', 'metric', 'step', 'n', 'mean', 'std', 'median', 'q1', 'q3'] as const;

export function aggregateCsv(rows: readonly AggregateRow[]): string {
  return toCsv(
    AGGREGATE_COLUMNS,
    rows.map((r) => [r.config, r.metric, r.step, r.n, r.mean, r.std, r.median, r.q1, r.q3]),
  );
}

interface SeriesValues {
  steps: number[];
  values: number[];
}
/** What the store's trialResults returns, as far as the CSV needs it. */
export interface TrialForCsv {
  id: string;
  config: string;
  repeat: number;
  status: string;
  scalars: Record<string, number>;
  series: Record<string, SeriesValues>;
  traces: Record<string, SeriesValues>;
}

export const TRIAL_COLUMNS = ['trial', 'config', 'repeat', 'status', 'metric', 'kind', 'step', 'value'] as const;

/**
 * One row per trial × metric × step: a final scalar has an empty step; a series or trace
 * has one row per point (a weight trace repeats a step once per tracked entry). A trial
 * with no results yet (queued, failed) gets one row with empty metric so it is not lost.
 */
export function trialsCsv(trials: readonly TrialForCsv[]): string {
  function* rows(): Generator<Cell[]> {
    for (const t of trials) {
      const head = [t.id, t.config, t.repeat, t.status];
      let any = false;
      for (const [metric, value] of Object.entries(t.scalars).sort(byKey)) {
        any = true;
        yield [...head, metric, 'scalar', null, value];
      }
      for (const [kind, all] of [['series', t.series], ['trace', t.traces]] as const) {
        for (const [metric, s] of Object.entries(all).sort(byKey)) {
          any = true;
          for (let i = 0; i < s.values.length; i++) yield [...head, metric, kind, s.steps[i], s.values[i]];
        }
      }
      if (!any) yield [...head, null, null, null, null];
    }
  }
  return toCsv(TRIAL_COLUMNS, rows());
}

const byKey = (a: [string, unknown], b: [string, unknown]) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0);
