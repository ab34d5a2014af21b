// `node scripts/run-ts.mjs <file.ts> [args]` (through npx/npm, for Node 22): bundles a
// TypeScript script that trains with tfjs and runs it. Used by `npm run bench` (bench/run.ts),
// `npm run spec-sweep` (scripts/spec-sweep.ts), bench/pack-timing.ts and bench/backward-study.ts.
//
// Why bundle instead of `tsx <file.ts>`: tfjs-core registers its gradients only through
// the ESM file dist/register_all_gradients.js, whose imports are extensionless, and
// `./gradients` is both a file and a directory there; Node's ESM resolver (and tsx on top
// of it) refuses that ("Directory import … is not supported"). esbuild resolves it like
// vitest and wrangler do (the `module` entry points, one copy of tfjs-core), so these
// scripts run the same module graph as the tests and the Worker.
import { spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { build } from 'esbuild';

const [entry, ...rest] = process.argv.slice(2);
const outdir = path.resolve('node_modules/.cache/atomsweep-bench');
mkdirSync(outdir, { recursive: true });
const outfile = path.join(outdir, `${path.basename(entry, '.ts')}.cjs`);
await build({
  entryPoints: [entry],
  outfile,
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node22',
  mainFields: ['module', 'main'],
  sourcemap: 'inline',
  logLevel: 'warning',
  external: ['better-sqlite3'],
  // node/libsvm-node.ts resolves packages from import.meta.url, which CJS lacks.
  define: { 'import.meta.url': '__importMetaUrl' },
  banner: { js: "const __importMetaUrl = require('node:url').pathToFileURL(__filename).href;" },
});
const nodeFlags = (process.env.SCRIPT_NODE_FLAGS ?? '').split(' ').filter(Boolean);
const child = spawn(process.execPath, [...nodeFlags, '--enable-source-maps', outfile, ...rest], { stdio: 'inherit' });
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => child.kill(sig));
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
