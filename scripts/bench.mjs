// `npm run bench [-- flags]`: runs bench/run.ts (flags are documented there).
//
// Why bundle instead of `tsx bench/run.ts`: tfjs-core registers its gradients only through
// the ESM file dist/register_all_gradients.js, whose imports are extensionless, and
// `./gradients` is both a file and a directory there; Node's ESM resolver (and tsx on top
// of it) refuses that ("Directory import … is not supported"). esbuild resolves it like
// vitest and wrangler do (the `module` entry points, one copy of tfjs-core), so the bench
// runs the same module graph as the tests and the Worker.
import { spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { build } from 'esbuild';

const outdir = path.resolve('node_modules/.cache/atomsweep-bench');
mkdirSync(outdir, { recursive: true });
const outfile = path.join(outdir, 'run.cjs');
await build({
  entryPoints: ['bench/run.ts'],
  outfile,
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node22',
  mainFields: ['module', 'main'],
  sourcemap: 'inline',
  logLevel: 'warning',
});

const child = spawn(process.execPath, ['--enable-source-maps', outfile, ...process.argv.slice(2)], { stdio: 'inherit' });
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => child.kill(sig));
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
