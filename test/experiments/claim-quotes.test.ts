/**
 * The built-in claims quote the notebook: every claim of experiments 1–12 carries the
 * notebook's own sentence it encodes (`quote`: a finding, or the hypothesis where the notebook
 * reports none), and says what it narrows (`narrows`) only with something to say. Every claim of
 * the catalogue (1–12 and the specs 13–17) still parses with the claim schema.
 */
import { describe, expect, test } from 'vitest';
import { claimSchema } from '../../core/experiments/claims';
import { EXPERIMENTS } from '../../core/experiments/index';

const notebookExperiments = EXPERIMENTS.filter((e) => e.number >= 1 && e.number <= 12);

describe('built-in claims quote the notebook', () => {
  test('the catalogue holds experiments 1–17, the notebook\'s twelve among them', () => {
    expect(EXPERIMENTS.map((e) => e.number)).toEqual(Array.from({ length: 17 }, (_, i) => i + 1));
    expect(notebookExperiments).toHaveLength(12);
  });

  test.each(notebookExperiments.map((e) => [e.id, e] as const))('%s: every claim quotes the sentence it encodes', (_id, e) => {
    expect((e.claims ?? []).filter((c) => c.notebook !== undefined).length).toBeGreaterThan(0);
    for (const c of e.claims ?? []) {
      expect(typeof c.quote, c.statement).toBe('string');
      expect(c.quote!.trim().length, c.statement).toBeGreaterThan(0);
    }
  });

  test.each(EXPERIMENTS.map((e) => [e.id, e] as const))('%s: every claim parses, and narrows is non-empty when present', (_id, e) => {
    for (const c of e.claims ?? []) {
      const parsed = claimSchema.safeParse(c);
      expect(parsed.success, `${c.statement}: ${parsed.success ? '' : parsed.error.message}`).toBe(true);
      if (c.narrows !== undefined) {
        expect(c.narrows.trim().length, c.statement).toBeGreaterThan(0);
        // What a claim narrows is relative to the sentence it quotes.
        expect(c.quote, c.statement).toBeDefined();
      }
    }
  });
});
