// Bundles the dashboard (TypeScript + Observable Plot) into dashboard/dist, which the
// Worker serves as static assets.
// Only files whose bytes change are written: a running `npm start` (wrangler dev) watches
// dashboard/dist and reloads on any write, which drops its in-memory queue, so a second
// command (`npm run local`, the tests) that rebuilds the same dashboard must not touch it.
import { build } from 'esbuild';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';

const out = 'dashboard/dist';
mkdirSync(out, { recursive: true });
let written = 0;
function writeIfChanged(file, contents) {
  const bytes = Buffer.from(contents);
  if (existsSync(file) && readFileSync(file).equals(bytes)) return;
  writeFileSync(file, bytes);
  written++;
}
// Split: what only one page needs (json-editor, for the experiment editor) is a chunk of its
// own (chunks/), loaded by that page's dynamic import; chunks of earlier builds are removed.
const result = await build({
  entryPoints: ['dashboard/app.ts'],
  bundle: true,
  splitting: true,
  format: 'esm',
  target: 'es2022',
  outdir: out,
  chunkNames: 'chunks/[name]-[hash]',
  minify: true,
  sourcemap: true,
  logLevel: 'warning',
  write: false,
});
mkdirSync(`${out}/chunks`, { recursive: true });
const fresh = new Set(result.outputFiles.map((f) => resolve(f.path)));
for (const f of readdirSync(`${out}/chunks`)) {
  const file = resolve(`${out}/chunks`, f);
  if (!fresh.has(file)) rmSync(file);
}
for (const f of result.outputFiles) writeIfChanged(f.path, f.contents);
writeIfChanged(`${out}/index.html`, readFileSync('dashboard/index.html'));
writeIfChanged(`${out}/style.css`, readFileSync('dashboard/style.css'));
// Security headers for the static dashboard (the API gets them from Hono's secureHeaders).
// The CSP lives in dashboard/csp.json, which the Node runner (node/http.ts) serves too.
// style-src allows inline styles: Observable Plot puts a <style> element in each figure, and
// json-editor (the experiment editor) sets style attributes on what it builds.
const csp = Object.entries(JSON.parse(readFileSync('dashboard/csp.json', 'utf8')))
  .map(([k, v]) => `${k} ${v.join(' ')}`)
  .join('; ');
writeIfChanged(
  `${out}/_headers`,
  `/*
  Content-Security-Policy: ${csp}
  X-Content-Type-Options: nosniff
  X-Frame-Options: DENY
  Referrer-Policy: no-referrer
  Permissions-Policy: camera=(), microphone=(), geolocation=()
`,
);
console.log(`dashboard built into ${out}/ (${written ? `${written} files changed` : 'unchanged'})`);
