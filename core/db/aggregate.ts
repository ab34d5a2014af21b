import { sql, type SQL } from 'drizzle-orm';

export interface AggregateRow {
  config: string;
  metric: string;
  /** Checkpoint step or point index; null for final scalars. */
  step: number | null;
  mean: number;
  /** Sample standard deviation (n − 1 denominator); null when n = 1. */
  std: number | null;
  n: number;
  /** Median and quartiles (linear interpolation between order statistics, numpy's default). */
  median: number | null;
  q1: number | null;
  q3: number | null;
}

/**
 * The p-quantile of a group as an aggregate over rows ranked k = 0..last by value:
 * h = last·p, value = v[⌊h⌋]·(1 − frac) + v[⌊h⌋ + 1]·frac. SQLite and D1 have no
 * percentile aggregate (nor floor() on D1), so ⌊h⌋ is CAST(h AS INTEGER) (h ≥ 0).
 */
function quantile(p: number): SQL {
  const h = sql.raw(`(last * ${p})`);
  const lo = sql`CAST(${h} AS INTEGER)`;
  return sql`sum(CASE WHEN k = ${lo} THEN v * (1 - (${h} - ${lo})) WHEN k = ${lo} + 1 AND ${h} > ${lo} THEN v * (${h} - ${lo}) END)`;
}

/**
 * Mean, sample std, n, median and quartiles per (config, metric, step) over the done trials of a sweep, in
 * one SQL statement. Series are unnested from their JSON arrays with json_each. The std is
 * two-pass (deviations from a window mean), which avoids the cancellation of the
 * Σx² − (Σx)²/n form when the spread is tiny next to the mean. SQLite and D1 lack a stddev
 * aggregate and D1 forbids power(), hence the explicit form. Quantiles rank the values
 * of each group with row_number() (NULLs last, outside 0..last) and pick the order
 * statistics with a conditional sum.
 */
export function aggregateQuery(sweepId: string, metricNames?: string[], kinds: Array<'series' | 'trace'> = ['series']): SQL {
  const metricFilter = metricNames?.length
    ? sql`AND m.metric IN (${sql.join(
        metricNames.map((m) => sql`${m}`),
        sql`, `,
      )})`
    : sql``;
  const kindFilter = sql.join(
    kinds.map((k) => sql`${k}`),
    sql`, `,
  );
  return sql`
    WITH pts AS (
      SELECT t.config_key AS config, m.metric AS metric, NULL AS step, m.value AS v
      FROM metrics m JOIN trials t ON t.id = m.trial_id
      WHERE t.sweep_id = ${sweepId} AND t.status = 'done' AND m.kind = 'scalar' ${metricFilter}
      UNION ALL
      SELECT t.config_key, m.metric, json_extract(m.steps, '$[' || j.key || ']'), j.value
      FROM metrics m JOIN trials t ON t.id = m.trial_id, json_each(m.points) AS j
      WHERE t.sweep_id = ${sweepId} AND t.status = 'done' AND m.kind IN (${kindFilter}) ${metricFilter}
    ),
    dev AS (
      SELECT config, metric, step, v,
             v - avg(v) OVER (PARTITION BY config, metric, step) AS dv,
             row_number() OVER (PARTITION BY config, metric, step ORDER BY v IS NULL, v) - 1 AS k,
             count(v) OVER (PARTITION BY config, metric, step) - 1 AS last
      FROM pts
    )
    SELECT config, metric, step, avg(v) AS mean,
           CASE WHEN count(v) > 1 THEN sqrt(sum(dv * dv) / (count(v) - 1)) END AS std,
           count(v) AS n,
           ${quantile(0.5)} AS median,
           ${quantile(0.25)} AS q1,
           ${quantile(0.75)} AS q3
    FROM dev
    GROUP BY config, metric, step
    ORDER BY config, metric, step`;
}
