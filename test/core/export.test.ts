/**
 * CSV export of a sweep's aggregate and trials through the real routes (Node runner's
 * wiring: Hono app over the SQLite store) after a small real sweep: parsed with an
 * independent RFC 4180 parser, the per-trial rows must recompute the aggregate rows.
 */
import { describe, expect, test } from 'vitest';
import { createApp } from '../../api/app';
import { AGGREGATE_COLUMNS, TRIAL_COLUMNS, csvField, toCsv } from '../../core/export/csv';
import { runSweep } from '../helpers/sweep';

/** RFC 4180: fields separated by commas, records by CRLF, quoted fields with "" for a quote. */
function parseCsv(text: string): string[][] {
  const records: string[][] = [];
  let record: string[] = [];
  let field = '';
  let i = 0;
  let quoted = false;
  while (i < text.length) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') (field += '"'), (i += 2);
      else if (ch === '"') (quoted = false), i++;
      else (field += ch), i++;
    } else if (ch === '"' && field === '') (quoted = true), i++;
    else if (ch === ',') record.push(field), (field = ''), i++;
    else if (ch === '\r' && text[i + 1] === '\n') {
      record.push(field);
      records.push(record);
      (record = []), (field = ''), (i += 2);
    } else if (ch === '\n' || ch === '\r' || ch === '"') throw new Error(`bare ${JSON.stringify(ch)} at ${i}: not RFC 4180`);
    else (field += ch), i++;
  }
  if (field !== '' || record.length) throw new Error('last record not terminated by CRLF');
  return records;
}

const objects = (records: string[][]) => records.slice(1).map((r) => Object.fromEntries(records[0].map((h, i) => [h, r[i]])));
const num = (s: string) => (s === '' ? null : Number(s));

describe('CSV writer', () => {
  test('quotes only what needs quoting, doubles quotes, CRLF records, round-trips through a parser', () => {
    const nasty = ['plain', 'a,b', 'say "hi"', 'two\r\nlines', 'lf\nonly', '', ' padded '];
    const text = toCsv(['name', 'n', 'missing'], nasty.map((s, i) => [s, i + 0.1, null]));
    expect(text.startsWith('name,n,missing\r\nplain,0.1,\r\n"a,b",1.1,\r\n"say ""hi""",2.1,\r\n')).toBe(true);
    const back = parseCsv(text);
    expect(back.slice(1).map((r) => r[0])).toEqual(nasty);
    expect(back.every((r) => r.length === 3)).toBe(true);
    expect([1 / 3, 1e-12, -0, 123456789.123].map((x) => Number(csvField(x)))).toEqual([1 / 3, 1e-12, 0, 123456789.123]);
  });
});

describe('GET /api/sweeps/:id/aggregate|trials?format=csv', () => {
  test('a real sweep: header, filenames, quoting of config keys, and per-trial rows recompute the aggregate', async () => {
    const { store } = await runSweep(
      { experiment: 'exp1', repeats: 3, params: { steps: 120, n: 8 }, grid: { width: [2, 4] } },
      { sweepId: 'csv1' },
    );
    const app = createApp(async (c, next) => {
      c.set('store', store);
      c.set('enqueue', async () => {});
      await next();
    });
    const get = (path: string) => app.request(path, {}, {});

    const agg = await get('/api/sweeps/csv1/aggregate?format=csv');
    expect(agg.status).toBe(200);
    expect(agg.headers.get('content-type')).toMatch(/^text\/csv/);
    expect(agg.headers.get('content-disposition')).toBe('attachment; filename="csv1-aggregate.csv"');
    const aggRecords = parseCsv(await agg.text());
    expect(aggRecords[0]).toEqual([...AGGREGATE_COLUMNS]);
    const aggRows = objects(aggRecords);
    // The same rows as the JSON answer, number for number (shortest round-trip floats).
    const json = (await (await get('/api/sweeps/csv1/aggregate')).json()) as { rows: Array<Record<string, unknown>> };
    expect(aggRows).toHaveLength(json.rows.length);
    aggRows.forEach((r, i) => {
      const j = json.rows[i];
      expect(r.config).toBe(j.config); // "function=sin,width=2": a comma, so quoted
      expect([num(r.step), num(r.n), num(r.mean), num(r.std), num(r.median), num(r.q1), num(r.q3)]).toEqual([j.step, j.n, j.mean, j.std, j.median, j.q1, j.q3]);
    });

    const trialsRes = await get('/api/sweeps/csv1/trials?format=csv&metric=mse,y_pred');
    expect(trialsRes.headers.get('content-disposition')).toBe('attachment; filename="csv1-trials.csv"');
    const trialRecords = parseCsv(await trialsRes.text());
    expect(trialRecords[0]).toEqual([...TRIAL_COLUMNS]);
    const trialRows = objects(trialRecords);
    // 3 functions × 2 widths × 3 repeats = 18 trials × (1 final mse + 1 mse checkpoint + 8 y_pred points).
    expect(trialRows).toHaveLength(18 * (1 + 1 + 8));
    expect(new Set(trialRows.map((r) => r.metric))).toEqual(new Set(['mse', 'y_pred']));

    const checks: Array<[string, string, string]> = [
      ['function=sin,width=4', 'mse', ''],
      ['function=abs,width=2', 'mse', '1'],
      ['function=polynomial,width=4', 'y_pred', '5'],
    ];
    for (const [config, metric, step] of checks) {
      const xs = trialRows.filter((r) => r.config === config && r.metric === metric && r.step === step).map((r) => Number(r.value));
      expect(xs).toHaveLength(3);
      const row = aggRows.find((r) => r.config === config && r.metric === metric && r.step === step)!;
      const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
      expect(Number(row.n)).toBe(3);
      expect(Number(row.mean)).toBeCloseTo(mean, 12);
      expect(Number(row.median)).toBe([...xs].sort((a, b) => a - b)[1]);
    }
  }, 60_000);

  test('an unknown format is a 400 naming the field', async () => {
    const { store } = await runSweep({ experiment: 'exp1', repeats: 1, params: { steps: 10, n: 4, width: 2, function: 'abs' } }, { sweepId: 'csv2' });
    const app = createApp(async (c, next) => {
      c.set('store', store);
      c.set('enqueue', async () => {});
      await next();
    });
    for (const path of ['/api/sweeps/csv2/aggregate?format=xml', '/api/sweeps/csv2/trials?format=CSV']) {
      const res = await app.request(path, {}, {});
      expect(res.status).toBe(400);
      const body = (await res.json()) as { issues: Array<{ field: string }> };
      expect(body.issues.map((i) => i.field)).toContain('query.format');
    }
  });
});
