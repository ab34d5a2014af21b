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
import { estimatePackMs } from '../core/sweep/pack-budget';
const db = new Database(process.argv[2], { readonly: true });
const rows = db.prepare(`select s.experiment, t.params, t.info from trials t join sweeps s on s.id = t.sweep_id where s.name = 'default catalogue'`).all() as Array<{ experiment: string; params: string; info: string }>;
const by = new Map<string, Array<{ params: Record<string, unknown>; packMs: number; packSize: number }>>();
for (const r of rows) {
  const info = JSON.parse(r.info);
  (by.get(r.experiment) ?? by.set(r.experiment, []).get(r.experiment)!).push({ params: JSON.parse(r.params), packMs: info.packMs, packSize: info.packSize });
}
console.log('| experiment | packs | measured s (sum) | estimated s (sum) | est ÷ measured | worst pack est ÷ measured (min, max) |');
for (const [id, trials] of [...by].sort((a, b) => Number(a[0].slice(3)) - Number(b[0].slice(3)))) {
  const e = getExperiment(id)!;
  // Packs: group by (packMs, config) — trials of one pack share packMs and params (content params aside).
  const packs = new Map<string, typeof trials>();
  for (const t of trials) { const key = `${t.packMs}|${t.packSize}|${e.packKey ? e.packKey(t.params) : JSON.stringify(t.params)}`; (packs.get(key) ?? packs.set(key, []).get(key)!).push(t); }
  let m = 0, est = 0; const ratios: number[] = [];
  for (const p of packs.values()) { const ms = p[0].packMs; const es = estimatePackMs(e, p); m += ms; est += es; ratios.push(es / ms); }
  console.log(`| ${id} | ${packs.size} | ${(m / 1000).toFixed(1)} | ${(est / 1000).toFixed(1)} | ${(est / m).toFixed(2)} | ${Math.min(...ratios).toFixed(2)}, ${Math.max(...ratios).toFixed(2)} |`);
}
