/**
 * The layering the README states (Layout, under "How a trial travels"): `core/` runs
 * anywhere, so it imports nothing of Node, Cloudflare or the hosts' adapters; no
 * experiment module imports another experiment; the dashboard imports no host code.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return files(path);
    return path.endsWith('.ts') && !path.endsWith('.test.ts') ? [path] : [];
  });
}

/** Every module a file imports: `import … from 'x'`, `export … from 'x'`, `import 'x'`, `import('x')`. */
const importsOf = (path: string) => {
  const text = readFileSync(path, 'utf8');
  return [
    ...[...text.matchAll(/^\s*(?:import|export)\b[^;]*?from\s+'([^']+)'/gms)].map((m) => m[1]),
    ...[...text.matchAll(/^\s*import\s+'([^']+)'/gm)].map((m) => m[1]),
    ...[...text.matchAll(/\bimport\(\s*'([^']+)'\s*\)/g)].map((m) => m[1]),
  ];
};

describe('layering', () => {
  test('the import scan sees what core imports', () => {
    const all = files('core').flatMap(importsOf);
    expect(all).toContain('@tensorflow/tfjs-core');
    expect(all).toContain('zod');
  });

  test('core/ imports nothing of Node, Cloudflare, wrangler or the host adapters, and names no Workers-only type', () => {
    const offences: string[] = [];
    for (const path of files('core')) {
      for (const spec of importsOf(path)) {
        if (/^node:|^better-sqlite3|^wrangler|^@cloudflare\/|^cloudflare:|^@hono\/node-server|(^|\/)(workers|node)\//.test(spec)) offences.push(`${path} imports ${spec}`);
      }
      if (/\b(D1Database|MessageBatch|ExecutionContext|ScheduledController)\b/.test(readFileSync(path, 'utf8'))) offences.push(`${path} names a Workers type`);
    }
    expect(offences).toEqual([]);
  });

  test('no experiment module imports another experiment', () => {
    const offences: string[] = [];
    for (const path of files('core/experiments').filter((p) => /exp\d\d-/.test(p))) {
      for (const spec of importsOf(path)) if (/exp\d\d-/.test(spec)) offences.push(`${path} imports ${spec}`);
    }
    expect(offences).toEqual([]);
  });

  test('the dashboard imports no host code (it talks to the API only)', () => {
    const offences: string[] = [];
    for (const path of files('dashboard')) {
      if (path.includes('/dist/')) continue;
      for (const spec of importsOf(path)) if (/^node:|^better-sqlite3|(^|\/)(workers|node)\//.test(spec)) offences.push(`${path} imports ${spec}`);
    }
    expect(offences).toEqual([]);
  });
});
