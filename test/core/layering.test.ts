/**
 * The layering the README states ("Where things are"), checked over the import graph:
 *
 * - `core/` runs anywhere: it imports nothing outside core/ and no host package (Node,
 *   Cloudflare, wrangler, SQLite, Hono's Node server), and names no Workers-only type;
 * - `api/` (the host-neutral Hono app) imports core/ and itself, never a host;
 * - the hosts, `workers/` (Cloudflare) and `node/` (the Node runner), import api/ and core/,
 *   never each other;
 * - `dashboard/` and `client/` run in browsers: they import core/ (browser-safe by the first
 *   rule), client/ and themselves, and from api/ only types (the routes' types for the
 *   typed client);
 * - `scripts/` never import `bench/` (the benchmarks may import scripts);
 * - no experiment module imports another experiment, and no figure module (nor a named
 *   panel) imports an experiment's figure module, except the registry (dashboard/figures/index.ts).
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';
import { describe, expect, test } from 'vitest';

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return name === 'dist' || name === 'node_modules' ? [] : files(path);
    return /\.(ts|mjs)$/.test(path) && !path.endsWith('.test.ts') && !path.endsWith('.d.ts') ? [path] : [];
  });
}

interface Import {
  spec: string;
  typeOnly: boolean;
}

/** Every module a file imports: `import … from 'x'`, `export … from 'x'`, `import 'x'`, `import('x')`. */
export function importsOf(text: string): Import[] {
  return [
    ...[...text.matchAll(/^\s*(import|export)(\s+type)?\b[^;]*?from\s+'([^']+)'/gms)].map((m) => ({ spec: m[3], typeOnly: Boolean(m[2]) })),
    ...[...text.matchAll(/^\s*import\s+'([^']+)'/gm)].map((m) => ({ spec: m[1], typeOnly: false })),
    ...[...text.matchAll(/\bimport\(\s*'([^']+)'\s*\)/g)].map((m) => ({ spec: m[1], typeOnly: false })),
  ];
}

/** The top-level folder a relative import lands in ('' for a package). */
function folderOf(from: string, spec: string): string {
  if (!spec.startsWith('.')) return '';
  const target = normalize(join(dirname(from), spec));
  return relative('.', target).split(/[\\/]/)[0];
}

const HOST_PACKAGE = /^node:|^better-sqlite3|^wrangler|^@cloudflare\/|^cloudflare:|^@hono\/node-server|^miniflare/;

/** Folders each layer may import (values), and those it may import types from. */
/** `assets`: folders whose built files (JSON, WebAssembly) a host may bundle, as opposed to their code. */
const RULES: Record<string, { values: string[]; types?: string[]; assets?: string[]; hostPackages: boolean }> = {
  core: { values: ['core'], hostPackages: false },
  api: { values: ['api', 'core'], hostPackages: false },
  workers: { values: ['workers', 'api', 'core'], assets: ['kernels'], hostPackages: true },
  node: { values: ['node', 'api', 'core'], assets: ['kernels', 'dashboard'], hostPackages: true },
  dashboard: { values: ['dashboard', 'core', 'client'], types: ['api'], hostPackages: false },
  client: { values: ['client'], types: ['api', 'core'], hostPackages: false },
  scripts: { values: ['scripts', 'core', 'api', 'client', 'dashboard', 'node', 'workers', 'kernels'], hostPackages: true },
};

/** Offences of one file against its layer's rule. */
export function offences(path: string, text: string): string[] {
  const layer = path.split(/[\\/]/)[0];
  const rule = RULES[layer];
  if (!rule) return [];
  const out: string[] = [];
  for (const { spec, typeOnly } of importsOf(text)) {
    if (!spec.startsWith('.')) {
      if (!rule.hostPackages && HOST_PACKAGE.test(spec)) out.push(`${path} imports ${spec}`);
      continue;
    }
    const folder = folderOf(path, spec);
    const asset = /\.(json|wasm)$/.test(spec) && (rule.assets ?? []).includes(folder);
    const allowed = rule.values.includes(folder) || asset || (typeOnly && (rule.types ?? []).includes(folder));
    if (!allowed) out.push(`${path} imports ${spec}${typeOnly ? ' (types)' : ''}`);
  }
  if (layer === 'core' && /\b(D1Database|MessageBatch|ExecutionContext|ScheduledController)\b/.test(text)) out.push(`${path} names a Workers type`);
  return out;
}

describe('layering', () => {
  test('the import scan sees what core imports', () => {
    const all = files('core').flatMap((p) => importsOf(readFileSync(p, 'utf8')).map((i) => i.spec));
    expect(all).toContain('@tensorflow/tfjs-core');
    expect(all).toContain('zod');
  });

  test.each(Object.keys(RULES))('%s/ imports only what its layer may', (layer) => {
    const found = files(layer).flatMap((p) => offences(p, readFileSync(p, 'utf8')));
    expect(found).toEqual([]);
  });

  test('a wrong import fails the rule (the check can fail)', () => {
    expect(offences('core/sweep/x.ts', "import { createApp } from '../../api/app';")).toEqual(['core/sweep/x.ts imports ../../api/app']);
    expect(offences('core/x.ts', "import Database from 'better-sqlite3';")).toEqual(['core/x.ts imports better-sqlite3']);
    expect(offences('node/x.ts', "import { storeFor } from '../workers/db';")).toEqual(['node/x.ts imports ../workers/db']);
    expect(offences('workers/x.ts', "import { TrialPool } from '../node/pool';")).toEqual(['workers/x.ts imports ../node/pool']);
    expect(offences('node/x.ts', "import { el } from '../dashboard/dom';")).toEqual(['node/x.ts imports ../dashboard/dom']);
    expect(offences('api/x.ts', "import { enqueuePacks } from '../workers/queue-producer';")).toEqual(['api/x.ts imports ../workers/queue-producer']);
    expect(offences('scripts/x.ts', "import { SHAPES } from '../bench/cases';")).toEqual(['scripts/x.ts imports ../bench/cases']);
    expect(offences('dashboard/x.ts', "import { createApp } from '../api/app';")).toEqual(['dashboard/x.ts imports ../api/app']);
    // Types of the routes are the typed client's business, and allowed.
    expect(offences('dashboard/x.ts', "import type { AppType } from '../api/app';")).toEqual([]);
  });

  test('no experiment module imports another experiment', () => {
    const found: string[] = [];
    for (const path of files('core/experiments').filter((p) => /exp\d\d-/.test(p))) {
      for (const { spec } of importsOf(readFileSync(path, 'utf8'))) if (/exp\d\d-/.test(spec)) found.push(`${path} imports ${spec}`);
    }
    expect(found).toEqual([]);
  });

  /** Imports of an experiment's figure module (dashboard/figures/expNN.ts) in the figures outside the registry. */
  const figureOffences = (path: string, text: string) =>
    path.endsWith(join('figures', 'index.ts')) ? [] : importsOf(text).filter(({ spec }) => /(^|\/)exp\d\d$/.test(spec)).map(({ spec }) => `${path} imports ${spec}`);

  test("no figure module or named panel imports an experiment's figure module (only the registry, dashboard/figures/index.ts)", () => {
    expect(files('dashboard/figures').flatMap((p) => figureOffences(p, readFileSync(p, 'utf8')))).toEqual([]);
    // The check can fail.
    expect(figureOffences('dashboard/figures/exp12.ts', "import { cells } from './exp11';")).toEqual(["dashboard/figures/exp12.ts imports ./exp11"]);
    expect(figureOffences('dashboard/figures/panels/x.ts', "import { boundaryPlot } from '../exp04';")).toEqual(['dashboard/figures/panels/x.ts imports ../exp04']);
  });
});
