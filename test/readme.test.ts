/**
 * The README stays true to the tree: every folder "Where things are" names exists and every
 * top-level folder of code is named there, and every report and source file it cites in
 * backticks exists.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { describe, expect, test } from 'vitest';

const readme = readFileSync('README.md', 'utf8');
const section = readme.slice(readme.indexOf('## Where things are'), readme.indexOf('## Quick start'));

describe('README', () => {
  test('"Where things are" names every top-level folder of the repository, and only folders that exist', () => {
    const named = [...section.matchAll(/^\| `([\w-]+)\/` \|/gm)].map((m) => m[1]);
    const folders = readdirSync('.').filter((f) => statSync(f).isDirectory() && !f.startsWith('.') && !['node_modules', 'test-results'].includes(f));
    expect(named.sort()).toEqual(folders.sort());
  });

  test('every file it cites exists (bench reports, sources, tests)', () => {
    const cited = [...readme.matchAll(/`((?:bench|core|api|workers|node|dashboard|client|scripts|test|kernels|migrations)\/[\w./-]+\.(?:ts|mjs|json|md|c|sh|py|sql|wasm))`/g)].map((m) => m[1]);
    expect(cited.length).toBeGreaterThan(50);
    // `expNN` is the README's placeholder for an experiment's number.
    expect(cited.filter((f) => !f.includes('NN') && !existsSync(f))).toEqual([]);
  });
});
