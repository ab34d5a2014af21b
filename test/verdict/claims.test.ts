/**
 * The claim format (core/experiments/claims.ts) and the twelve built-ins' claims: valid
 * JSON data, naming real parameters, grid values and recorded metrics.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { EXPERIMENTS, getExperiment } from '../../core/experiments';
import { checkClaims, claimAxis, claimMetrics, claimSchema, claimsSchema } from '../../core/experiments/claims';

const exp1 = getExperiment('exp1')!;

const sourceOf = (n: number) => {
  const file = readdirSync('core/experiments').find((f) => f.startsWith(`exp${String(n).padStart(2, '0')}-`))!;
  // Without the claims themselves, so a metric counts only if the experiment records it.
  return readFileSync(`core/experiments/${file}`, 'utf8').replace(/\n {2}claims: \[[\s\S]*?\n {2}\],/, '');
};

describe('built-in claims', () => {
  test.each(EXPERIMENTS.map((e) => [e.id, e] as const))('%s: valid JSON claims on its own parameters and metrics', (_id, e) => {
    expect(e.claims?.length).toBeGreaterThan(0);
    // Pure data: survives a JSON round trip and the strict schema unchanged.
    const json = JSON.parse(JSON.stringify(e.claims));
    expect(claimsSchema.parse(json)).toEqual(e.claims);
    expect(checkClaims(e.claims!, e.params)).toEqual([]);
    // Spec experiments (exp13–exp17) have no module of their own: core/custom/validate.ts
    // already refuses claims on metrics their recorders do not record.
    const source = 'spec' in e ? null : sourceOf(e.number);
    for (const c of e.claims!) {
      // Recorded in the module (`name:`, `.name =`, a per-layer template) or, when a shared
      // helper records it, documented in the header's "Recorded" as `name`.
      const recorded = (m: string) => [`${m}:`, `.${m} =`, `${m.replace(/\d+$/, '')}\${j}`, `\`${m}\``].some((form) => source!.includes(form));
      if (source !== null) for (const m of claimMetrics(c)) expect(recorded(m), `${e.id} records ${m}`).toBe(true);
      const axis = claimAxis(c);
      // Compared values come from the default grid, so the default sweep can test every claim.
      if (axis && (c.kind === 'difference' || c.kind === 'curves')) for (const v of [c.a, c.b]) expect((e.grid as Record<string, unknown[]>)[axis]).toContainEqual(v);
      if (axis && c.kind === 'order') for (const v of c.values) expect((e.grid as Record<string, unknown[]>)[axis]).toContainEqual(v);
      if (c.kind === 'trend') expect(Object.keys(e.grid)).toContain(c.along);
      for (const [k, v] of Object.entries(c.where ?? {})) expect((e.grid as Record<string, unknown[]>)[k], `${e.id} where ${k}`).toContainEqual(v);
    }
  });
});

describe('claim validation', () => {
  test('schema errors name the field', () => {
    const bad = claimSchema.safeParse({ kind: 'difference', statement: 's', metric: 'mse', a: 1, b: 2, expect: 'greater' });
    expect(bad.success).toBe(false);
    expect(bad.error!.issues.map((i) => i.path.join('.'))).toContain('by');
    const unknownKind = claimSchema.safeParse({ kind: 'vibes', statement: 's', metric: 'mse' });
    expect(unknownKind.error!.issues[0].path).toEqual(['kind']);
    const extra = claimSchema.safeParse({ kind: 'trend', statement: 's', metric: 'mse', along: 'width', expect: 'increasing', code: 'process.exit()' });
    expect(extra.success).toBe(false);
    const badName = claimSchema.safeParse({ kind: 'trend', statement: 's', metric: 'a-b', along: 'width', expect: 'up' });
    expect(badName.error!.issues.map((i) => i.path.join('.')).sort()).toEqual(['expect', 'metric']);
  });

  test('checkClaims: unknown parameters, invalid values and a fixed compared axis, each with its field', () => {
    const issues = checkClaims(
      [
        { kind: 'difference', statement: 's', metric: 'mse', by: 'n_hidden', a: 1, b: 2, expect: 'greater' },
        { kind: 'difference', statement: 's', metric: 'mse', by: 'width', a: 0, b: 2, expect: 'greater', where: { function: 'cos' } },
        { kind: 'trend', statement: 's', metric: 'mse', along: 'width', expect: 'increasing', where: { width: 2, colour: 'red' } },
        { kind: 'order', statement: 's', metric: 'mse', by: 'width', values: [2, 'four'], direction: 'increasing' },
      ],
      exp1.params,
    );
    expect(issues.map((i) => i.field)).toEqual(['claims[0].by', 'claims[1].a', 'claims[1].where.function', 'claims[2].where.width', 'claims[2].where.colour', 'claims[3].values[1]']);
    expect(issues[1].message).toMatch(/0 is not a valid width/);
  });
});
