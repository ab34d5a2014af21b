/**
 * `npx tsx bench/pack-prices.ts <file.sqlite>`
 *
 * How well the pack-time model (core/sweep/pack-budget.ts) estimates the packs a default
 * catalogue really trained: reads the Node runner's database (`npm run local -- --db …`,
 * then `npm run catalogue`), groups each experiment's trials back into their packs (same
 * measured time, size and pack key), and prints per experiment the estimated over the
 * measured time, summed and for its extreme packs (bench/reports/pack-time-paths-2026-12-06.md).
 * A pack's measured time is its wall time (`packMs`); with every thread busy that is about
 * one core's CPU.
 */
import Database from 'better-sqlite3';
import { getExperiment } from '../core/experiments';
import type { Experiment } from '../core/experiments/types';
import { estimatePackMs } from '../core/sweep/pack-budget';

interface Trial {
  params: Record<string, unknown>;
  packMs: number;
  packSize: number;
}

/**
 * The packs an experiment's trials ran in: trials of one pack share its measured time, size
 * and pack key; two packs that took exactly as long fall into one group, split back by size
 * (as scripts/estimate.ts does for its replay).
 */
function packsOf(e: Experiment, trials: Trial[]): Trial[][] {
  const groups = new Map<string, Trial[]>();
  for (const t of trials) {
    const key = `${t.packMs}|${t.packSize}|${e.packKey ? e.packKey(t.params) : JSON.stringify(t.params)}`;
    groups.set(key, [...(groups.get(key) ?? []), t]);
  }
  return [...groups.values()].flatMap((list) => Array.from({ length: Math.ceil(list.length / list[0].packSize) }, (_, i) => list.slice(i * list[0].packSize, (i + 1) * list[0].packSize)));
}

const db = new Database(process.argv[2], { readonly: true, fileMustExist: true });
const rows = db.prepare(`select s.experiment, t.params, t.info from trials t join sweeps s on s.id = t.sweep_id where s.name = 'default catalogue' and t.status = 'done'`).all() as Array<{ experiment: string; params: string; info: string }>;
db.close();
const byExperiment = new Map<string, Trial[]>();
for (const r of rows) {
  const info = JSON.parse(r.info) as { packMs: number; packSize: number };
  byExperiment.set(r.experiment, [...(byExperiment.get(r.experiment) ?? []), { params: JSON.parse(r.params), packMs: info.packMs, packSize: info.packSize }]);
}
console.log('| experiment | packs | measured s (sum) | estimated s (sum) | est ÷ measured | worst pack est ÷ measured (min, max) |');
for (const [id, trials] of [...byExperiment].sort((a, b) => Number(a[0].slice(3)) - Number(b[0].slice(3)))) {
  const e = getExperiment(id)!;
  const packs = packsOf(e, trials);
  const measured = packs.map((p) => p[0].packMs);
  const estimated = packs.map((p) => estimatePackMs(e, p));
  const ratios = packs.map((_, i) => estimated[i] / measured[i]);
  const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
  console.log(`| ${id} | ${packs.length} | ${(sum(measured) / 1000).toFixed(1)} | ${(sum(estimated) / 1000).toFixed(1)} | ${(sum(estimated) / sum(measured)).toFixed(2)} | ${Math.min(...ratios).toFixed(2)}, ${Math.max(...ratios).toFixed(2)} |`);
}
