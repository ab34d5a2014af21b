// Bundles the dashboard (TypeScript + Observable Plot) into dashboard/dist, which the
// Worker serves as static assets.
import { build } from 'esbuild';
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';

const out = 'dashboard/dist';
mkdirSync(out, { recursive: true });
await build({ entryPoints: ['dashboard/app.ts'], bundle: true, format: 'esm', target: 'es2022', outfile: `${out}/app.js`, minify: true, sourcemap: true, logLevel: 'warning' });
copyFileSync('dashboard/index.html', `${out}/index.html`);
copyFileSync('dashboard/style.css', `${out}/style.css`);
// Security headers for the static dashboard (the API gets them from Hono's secureHeaders).
writeFileSync(
  `${out}/_headers`,
  `/*
  Content-Security-Policy: default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'
  X-Content-Type-Options: nosniff
  X-Frame-Options: DENY
  Referrer-Policy: no-referrer
  Permissions-Policy: camera=(), microphone=(), geolocation=()
`,
);
console.log(`dashboard built into ${out}/`);
