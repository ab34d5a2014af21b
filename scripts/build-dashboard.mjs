// Bundles the dashboard (TypeScript + Observable Plot) into dashboard/dist, which the
// Worker serves as static assets.
import { build } from 'esbuild';
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';

const out = 'dashboard/dist';
mkdirSync(out, { recursive: true });
await build({ entryPoints: ['dashboard/app.ts'], bundle: true, format: 'esm', target: 'es2022', outfile: `${out}/app.js`, minify: true, sourcemap: true, logLevel: 'warning' });
copyFileSync('dashboard/index.html', `${out}/index.html`);
copyFileSync('dashboard/style.css', `${out}/style.css`);
// Security headers for the static dashboard (the API gets them from Hono's secureHeaders).
// The CSP lives in dashboard/csp.json, which the Node runner (node/http.ts) serves too.
// style-src allows inline styles: Observable Plot puts a <style> element in each figure.
const csp = Object.entries(JSON.parse(readFileSync('dashboard/csp.json', 'utf8')))
  .map(([k, v]) => `${k} ${v.join(' ')}`)
  .join('; ');
writeFileSync(
  `${out}/_headers`,
  `/*
  Content-Security-Policy: ${csp}
  X-Content-Type-Options: nosniff
  X-Frame-Options: DENY
  Referrer-Policy: no-referrer
  Permissions-Policy: camera=(), microphone=(), geolocation=()
`,
);
console.log(`dashboard built into ${out}/`);
