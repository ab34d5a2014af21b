/**
 * `npx tsx scripts/spec-sweep.ts exp13 [exp14 …] [--repeats N] [--seed S] [--params JSON] [--grid JSON]`
 *
 * Runs built-in spec experiments' default sweeps in this process on tfjs WASM and prints
 * CPU time, per-config means and claim verdicts (scripts/spec-sweep-run.ts). tfjs-core's
 * ESM build uses extensionless imports Node's loader refuses, so the body is bundled with
 * esbuild first, exactly as node/pool.ts bundles its training threads.
 */
import { buildSync } from 'esbuild';
import { mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const outfile = join(here, '..', 'node_modules', '.cache', 'atomsweep', 'spec-sweep.mjs');
mkdirSync(dirname(outfile), { recursive: true });
buildSync({
  entryPoints: [join(here, 'spec-sweep-run.ts')],
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node22',
  outfile,
  mainFields: ['module', 'main'],
  banner: {
    js: "import { createRequire as __cr } from 'node:module'; import { fileURLToPath as __fu } from 'node:url'; import { dirname as __dn } from 'node:path'; const require = __cr(import.meta.url); const __filename = __fu(import.meta.url); const __dirname = __dn(__filename);",
  },
  logLevel: 'error',
});
process.env.SPEC_SWEEP_WASM_DIR = dirname(createRequire(import.meta.url).resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm')) + '/';
await import(pathToFileURL(outfile).href);
