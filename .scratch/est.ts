import { EXPERIMENTS } from '../core/experiments';
import { expandSweep } from '../core/sweep/expand';
const MB = 1024 * 1024;
for (const e of EXPERIMENTS) {
  const s = expandSweep({ experiment: e.id }, 'x');
  let worst = 0, key = '';
  const seen = new Set<string>();
  for (const t of s.trials) { if (seen.has(t.configKey)) continue; seen.add(t.configKey); const b = e.memory(t.params, 16); if (b > worst) { worst = b; key = t.configKey; } }
  console.log(e.id, (worst / MB).toFixed(1), 'MB', key);
}
try { expandSweep({ experiment: 'exp1', repeats: 1, params: { steps: 1, n_hidden: 4096, num_values: 100000 } }, 'h'); } catch (err) { console.log(JSON.stringify((err as any).issues)); }
