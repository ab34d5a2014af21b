import { buildSync } from 'esbuild';
buildSync({ entryPoints: ['.scratch/measure.ts'], bundle: true, platform: 'node', format: 'esm', target: 'node22', outfile: '.scratch/measure.mjs', external: ['better-sqlite3', 'libsvm-js'], mainFields: ['module', 'main'],
  banner: { js: "import { createRequire as __cr } from 'node:module'; import { fileURLToPath as __fu } from 'node:url'; import { dirname as __dn } from 'node:path'; const require = __cr(import.meta.url); const __filename = __fu(import.meta.url); const __dirname = __dn(__filename);" }, logLevel: 'error' });
