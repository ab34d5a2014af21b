// `node bench/run-script.mjs <file.ts> [args]` (through npx/npm, for Node 22): bundles a
// TypeScript script that trains with tfjs and runs it, for the reason scripts/bench.mjs
// gives (tfjs-core's gradient registration cannot be imported by tsx). Used by
// bench/pack-timing.ts, bench/backward-study.ts and bench/profile-pack.ts.
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
