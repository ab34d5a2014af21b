/**
 * `npm run catalogue:compare -- <before.json> <after.json>`: per experiment wall time of
 * two `npm run catalogue` reports (for example ENGINE=baseline vs the packed engine) and
 * the speed-up. When the runs used different repeats, the "before" wall time is scaled to
 * the "after" run's trial count: on the baseline engine every trial is its own queue
 * message and program, so its wall time is the sum of its trials' (scaled numbers are
 * marked "≈").
 */
import { readFileSync } from 'node:fs';

interface Report {
  server: string;
  health?: { engine?: string; maxPack?: number };
  repeats?: number | 'default';
  totalSeconds: number;
  experiments: Array<{ experiment: string; trials?: number; status?: string; wallSeconds?: number }>;
}

const [beforeFile, afterFile] = process.argv.slice(2);
if (!beforeFile || !afterFile) {
  console.error('usage: npm run catalogue:compare -- <before.json> <after.json>');
  process.exit(2);
}
const before = JSON.parse(readFileSync(beforeFile, 'utf8')) as Report;
const after = JSON.parse(readFileSync(afterFile, 'utf8')) as Report;
const label = (r: Report) => `${r.health?.engine ?? '?'} engine, pack ≤ ${r.health?.maxPack ?? '?'}, repeats ${r.repeats ?? 'default'}`;
console.log(`before: ${beforeFile} (${label(before)})`);
console.log(`after:  ${afterFile} (${label(after)})\n`);
console.log('| experiment | trials before | wall before | trials after | wall after | before at after\'s trials | speed-up |');
console.log('|:--|--:|--:|--:|--:|--:|--:|');
let sumBefore = 0;
let sumAfter = 0;
let scaledAny = false;
for (const a of after.experiments) {
  const b = before.experiments.find((x) => x.experiment === a.experiment);
  if (!b?.wallSeconds || !a.wallSeconds || !b.trials || !a.trials) {
    console.log(`| ${a.experiment} | ${b?.trials ?? '—'} | ${b?.wallSeconds?.toFixed(1) ?? '—'} | ${a.trials ?? '—'} | ${a.wallSeconds?.toFixed(1) ?? '—'} | — | — |`);
    continue;
  }
  const scaled = b.trials !== a.trials;
  scaledAny ||= scaled;
  const est = b.wallSeconds * (a.trials / b.trials);
  sumBefore += est;
  sumAfter += a.wallSeconds;
  console.log(`| ${a.experiment} | ${b.trials} | ${b.wallSeconds.toFixed(1)} s | ${a.trials} | ${a.wallSeconds.toFixed(1)} s | ${scaled ? '≈ ' : ''}${est.toFixed(0)} s | ${(est / a.wallSeconds).toFixed(1)}× |`);
}
console.log(`| **whole catalogue** | | | | **${sumAfter.toFixed(0)} s** | **${scaledAny ? '≈ ' : ''}${sumBefore.toFixed(0)} s** | **${(sumBefore / sumAfter).toFixed(1)}×** |`);
