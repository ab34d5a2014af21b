/**
 * `npm run simulate-verdicts [-- --sims N]`: the decision rule's coverage, false decisions and
 * power by seeded simulation (core/verdict/simulate.ts), as the Markdown tables the README
 * quotes. test/stats/simulation.test.ts asserts the same rates with fewer simulations.
 */
import { familyRate, fixedRates, SCENARIOS, stoppingRates, type Noise } from '../core/verdict/simulate';
import type { Rule } from '../core/verdict/evaluate';

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const SIMS = arg('sims', 10_000);
const pct = (x: number) => `${(100 * x).toFixed(1)}%`;
const out: string[] = [];
const started = Date.now();

function fixedTable(noise: Noise, rule: Rule, repeats: number[]) {
  out.push(`| claim | repeats | coverage (effect) | coverage (none) | false decisions | power |`, `|---|---:|---:|---:|---:|---:|`);
  for (const s of SCENARIOS) {
    for (const n of repeats) {
      const r = fixedRates(s, n, SIMS, { noise, rule });
      out.push(`| ${s.name} | ${n} | ${pct(r.coverage.effect)} | ${pct(r.coverage.none)} | ${pct(r.falseDecisions)} | ${pct(r.power)} |`);
    }
  }
  out.push('');
}

out.push(`# Verdict simulations (${SIMS.toLocaleString('en')} simulated sweeps per row, seeded)`, '');
out.push('Effects planted: a difference of one noise standard deviation; the trend and metrics claims follow increasing but non-linear level means (their truth is the least-squares slope). Paired scenarios add a repeat effect of two standard deviations shared by the configs of a repeat.', '');
out.push('## Fixed-sample rule (a sweep as submitted), normal noise', '');
fixedTable('normal', 'fixed', [3, 5, 10, 20]);
out.push('## Fixed-sample rule, skewed noise (centred exponential)', '');
fixedTable('skewed', 'fixed', [3, 5, 10, 20]);
out.push('## Anytime-valid rule (a settled sweep) read once, normal noise', '');
fixedTable('normal', 'sequential', [5, 10, 20]);

const looks = [5, 10, 15, 20, 25];
out.push(`## Optional stopping: the verdict read at ${looks.join(', ')} repeats, stopped at the first decision`, '');
out.push('| claim | rule | false decisions | coverage at stop (none) | power by 25 | mean repeats (effect) |', '|---|---|---:|---:|---:|---:|');
for (const s of SCENARIOS) {
  for (const [label, rule, firstLook] of [
    ['fixed-sample at every look', 'fixed', undefined],
    ['anytime-valid at every look', 'sequential', undefined],
    ['fixed-sample first, then anytime-valid', 'sequential', 'fixed'],
  ] as Array<[string, Rule, Rule | undefined]>) {
    const r = stoppingRates(s, looks, Math.min(SIMS, 5000), rule, { firstLook });
    out.push(`| ${s.name} | ${label} | ${pct(r.falseDecisions)} | ${pct(r.coverageAtStop)} | ${pct(r.power)} | ${r.meanRepeats.toFixed(1)} |`);
  }
}
out.push('');
out.push('## Several claims with no effect (Holm over the claims of one experiment, fixed-sample rule)', '', '| claims | repeats | any decisive label |', '|---:|---:|---:|');
for (const [claims, repeats] of [
  [3, 5],
  [5, 5],
  [5, 10],
]) out.push(`| ${claims} | ${repeats} | ${pct(familyRate(claims, repeats, SIMS))} |`);
out.push('', `(${((Date.now() - started) / 1000).toFixed(0)} s; \`npm run simulate-verdicts -- --sims ${SIMS}\`)`);
console.log(out.join('\n'));
