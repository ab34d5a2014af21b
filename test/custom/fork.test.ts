/**
 * Forking a notebook experiment as data: Exp 4's spec with other class ratios and the SVM
 * in place of its network is a valid experiment that sweeps, records what Exp 4 records
 * (float32 accuracies, class counts, the decision boundary of repeat 0) and can be run.
 */
import { describe, expect, test } from 'vitest';
import { compileSpec, type SpecExperiment } from '../../core/custom/compile';
import { specId, type ExperimentSpecInput } from '../../core/custom/spec';
import { validateSpec } from '../../core/custom/validate';
import { getExperiment } from '../../core/experiments';
import { expandSweep } from '../../core/sweep/expand';
import { GRID_SIDE } from '../../core/train/decision-boundary';
import { nodeLibsvm } from '../../node/libsvm-node';
import { useBackend } from '../tf-node';

const exp4 = getExperiment('exp4') as SpecExperiment;

/** What the editor's Fork sends: the spec, renamed, with the edits. */
function fork(edit: (s: ExperimentSpecInput) => void): ExperimentSpecInput {
  const s = structuredClone(exp4.spec) as unknown as ExperimentSpecInput;
  s.title = `Fork of ${s.title}`;
  delete s.note;
  edit(s);
  return s;
}

describe('a fork of Exp 4', () => {
  test('other ratios and the SVM instead of the network: valid, a new id, the training block inert', async () => {
    const spec = fork((s) => {
      s.grid = { resample: ['none', 'tile'], class_ratio: [1, 20] };
      s.model = { block: 'svm' };
    });
    // The claims at ratios 10 and 100 name values the new grid lacks.
    const before = validateSpec(spec);
    expect(before.ok ? [] : before.issues.map((i) => i.field)).toEqual(['claims.1.where.class_ratio', 'claims.2.where.class_ratio']);
    spec.claims = spec.claims!.filter((c) => c.kind === 'trend');
    const v = validateSpec(spec);
    expect(v.ok ? [] : v.issues).toEqual([]);
    if (!v.ok) return;
    const id = await specId(v.spec);
    expect(id).toMatch(/^x[0-9a-f]{12}$/);
    const e = compileSpec(id, v.spec);
    expect(Object.keys(e.params.shape)).toContain('svm_c');
    expect(Object.keys(e.params.shape)).not.toContain('lr');

    // A small sweep through the same path as a request: 2 × 2 cells × 2 repeats.
    const sweep = expandSweep({ experiment: id, repeats: 2, params: { n: 220, test_n: 60 } }, 's', undefined, () => e);
    expect(sweep.trials).toHaveLength(8);
    await useBackend('wasm');
    const tiled = sweep.trials.filter((t) => t.configKey === 'resample=tile,class_ratio=20');
    const results = await e.runPack(tiled, { libsvm: nodeLibsvm });
    for (const [k, r] of results.entries()) {
      // floor(220 / 21) = 10 minority rows tiled 20 times, 210 majority rows.
      expect(r.scalars).toMatchObject({ n_minority: 200, n_majority: 210, n_train: 410 });
      for (const m of ['test_accuracy', 'train_accuracy']) {
        expect(r.scalars[m]).toBeGreaterThan(0.5);
        expect(Math.fround(r.scalars[m])).toBe(r.scalars[m]);
      }
      // The boundary of repeat 0 only: the SVM's predicted class on the grid as ±1.
      if (tiled[k].repeat === 0) {
        const g = r.traces!.grid_logit1.values;
        expect(g).toHaveLength(GRID_SIDE * GRID_SIDE);
        expect(new Set(g)).toEqual(new Set([1, -1]));
        expect(r.traces!.grid_logit0.values.every((x) => x === 0)).toBe(true);
        expect(r.traces!.test_x1.values).toHaveLength(60);
      } else expect(r.traces).toBeUndefined();
    }
  }, 60_000);

  test('a record the SVM cannot measure is refused naming it', () => {
    const v = validateSpec(fork((s) => {
      s.model = { block: 'svm' };
      s.record = [...s.record, { metric: 'weight_norm', at: 'end' }];
    }));
    expect(v.ok).toBe(false);
    if (!v.ok) expect(v.issues.map((i) => i.field)).toContain('record.4.metric');
  });
});
