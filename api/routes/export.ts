/**
 * `?format=csv` for a sweep's aggregate and trials (`format=json`, the default, stays the
 * JSON body in api/routes/sweeps.ts). The CSV writer is core/export/csv.ts; this file
 * only shapes the response: content type and a download filename.
 */
import type { Context } from 'hono';
import type { AggregateRow } from '../../core/db/aggregate';
import { aggregateCsv, trialsCsv, type TrialForCsv } from '../../core/export/csv';

function csvResponse(c: Context, body: string, filename: string) {
  return c.body(body, 200, {
    'content-type': 'text/csv; charset=utf-8; header=present',
    'content-disposition': `attachment; filename="${filename}"`,
  });
}

/** Sweep ids are [\w.-]; anything else is dropped from the filename. */
const safe = (id: string) => id.replace(/[^\w.-]/g, '_');

export function aggregateCsvResponse(c: Context, sweepId: string, rows: AggregateRow[]) {
  return csvResponse(c, aggregateCsv(rows), `${safe(sweepId)}-aggregate.csv`);
}

export function trialsCsvResponse(c: Context, sweepId: string, trials: TrialForCsv[]) {
  return csvResponse(c, trialsCsv(trials), `${safe(sweepId)}-trials.csv`);
}
