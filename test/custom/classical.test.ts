/** Classical model blocks in specs, and the grid axis over model blocks (core/custom/spec.ts). */
import { describe, expect, test } from 'vitest';
import { compileSpec } from '../../core/custom/compile';
import { experimentSpecJsonSchema, specId, type ExperimentSpec, type ExperimentSpecInput } from '../../core/custom/spec';
import { validateSpec } from '../../core/custom/validate';
import { expandSweep, packTrials } from '../../core/sweep/expand';
import { nodeLibsvm } from '../../node/libsvm-node';
import { useBackend } from '../tf-node';
import { tinySpec } from './fixtures';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Spec = Record<string, any>;

/** The fixture with the MLP swapped for an SVM, the training block left as it is. */
function svmSpec(): Spec {
  return {
    ...structuredClone(tinySpec()),
    model: { block: 'svm' },
    record: [
      { metric: 'test_accuracy', at: 'end' },
      { metric: 'train_accuracy', at: 'end' },
      { metric: 'runtime_s', at: 'end' },
    ],
    grid: { n: [32, 64] },
    claims: [{ kind: 'trend', statement: 'more rows help', metric: 'test_accuracy', along: 'n', expect: 'increasing', paired: true }],
    figure: { x: 'n', y: 'test_accuracy' },
  };
}

/** An MLP against an SVM over two data sizes: the grid axis over model blocks. */
function versusSpec(): Spec {
  return {
    ...svmSpec(),
    model: { block: 'mlp', width: 8, depth: 1 },
    grid: { model: [{ block: 'mlp' }, { block: 'svm' }], n: [32, 64] },
    claims: [{ kind: 'difference', statement: 'the network beats the SVM', metric: 'test_accuracy', by: 'model', a: 'mlp', b: 'svm', expect: 'greater', paired: true }],
    figure: { x: 'n', y: 'test_accuracy', color: 'model' },
  };
}

const edit = (base: () => Spec, change: (s: Spec) => void): unknown => {
  const s = base();
  change(s);
  return s;
};

function parsed(input: unknown): ExperimentSpec {
  const v = validateSpec(input);
  if (!v.ok) throw new Error(JSON.stringify(v.issues));
  return v.spec;
}

describe('validateSpec: classical models and the model axis', () => {
  test('an MLP swapped for an SVM, and an MLP against an SVM, are valid', () => {
    expect(validateSpec(svmSpec())).toMatchObject({ ok: true });
    expect(validateSpec(versusSpec())).toMatchObject({ ok: true });
    for (const block of ['decision_tree', 'sklearn_mlp']) expect(validateSpec({ ...svmSpec(), model: { block } })).toMatchObject({ ok: true });
  });

  const table: Array<[string, unknown, string, RegExp]> = [
    ['classical model recorded at checkpoints', edit(svmSpec, (s) => s.record.push({ metric: 'test_accuracy', at: 'checkpoints', every: 10 })), 'record.3.at', /fits once/],
    ['classical model on regression data', edit(svmSpec, (s) => (s.data = { block: 'target_1d' })), 'model.block', /classifier/],
    ['a metric the classical model cannot measure', edit(svmSpec, (s) => s.record.push({ metric: 'test_loss', at: 'end' })), 'record.3.metric', /cannot measure 'test_loss'/],
    ['sklearn_mlp on four classes', edit(svmSpec, (s) => {
      s.model = { block: 'sklearn_mlp' };
      s.data = { block: 'images', n: 40, test_n: 40 };
      s.grid = {};
      s.claims = [];
      s.figure = undefined;
    }), 'model.block', /two classes/],
    ['grid axis over an inert training parameter', edit(svmSpec, (s) => (s.grid = { lr: [0.001, 0.01] })), 'grid.lr', /training block 'adam', which does nothing here/],
    ['claim by an inert training parameter', edit(svmSpec, (s) => (s.claims = [{ ...s.claims[0], along: 'batch_size' }])), 'claims.0.along', /does nothing here/],
    ['claim where an inert training parameter', edit(svmSpec, (s) => (s.claims = [{ ...s.claims[0], where: { lr: 0.01 } }])), 'claims.0.where.lr', /does nothing here/],
    ['figure colour by an inert training parameter', edit(svmSpec, (s) => (s.figure = { x: 'n', y: 'test_accuracy', color: 'steps' })), 'figure.color', /does nothing here/],
    ['a bad parameter in one model cell', edit(versusSpec, (s) => (s.grid.model[1] = { block: 'svm', svm_c: -1 })), 'grid.model.1.svm_c', /./],
    ['a parameter of another block in a model cell', edit(versusSpec, (s) => (s.grid.model[1] = { block: 'svm', width: 8 })), 'grid.model.1.width', /unknown field/],
    ['an unknown block in a model cell', edit(versusSpec, (s) => (s.grid.model[1] = { block: 'forest' })), 'grid.model.1.block', /unknown model block "forest"/],
    ['two cells with one name', edit(versusSpec, (s) => s.grid.model.push({ block: 'svm', svm_c: 10 })), 'grid.model.2.label', /both named 'svm'/],
    ['a cell that does not fit the data', edit(versusSpec, (s) => (s.grid.model[0] = { block: 'conv' })), 'grid.model.0.block', /image/],
    ['a classical cell recorded at checkpoints', edit(versusSpec, (s) => (s.record = [{ metric: 'test_accuracy', at: 'checkpoints', every: 10 }])), 'record.0.at', /grid\.model\.1 \('svm'\)/],
    ['a model parameter as an axis beside the model axis', edit(versusSpec, (s) => (s.grid.width = [4, 8])), 'grid.width', /set inside the cells of grid\.model/],
    ['a claim naming a cell that does not exist', edit(versusSpec, (s) => (s.claims[0].b = 'tree')), 'claims.0.b', /not a valid model/],
    ['a claim by model without a model axis', edit(svmSpec, (s) => (s.claims = [{ kind: 'difference', statement: 'x', metric: 'test_accuracy', by: 'model', a: 'svm', b: 'mlp', expect: 'greater' }])), 'claims.0.by', /unknown parameter/],
  ];
  test.each(table)('%s → %s', (_name, spec, field, message) => {
    const v = validateSpec(spec);
    expect(v.ok).toBe(false);
    if (v.ok) return;
    const issue = v.issues.find((i) => i.field === field);
    expect(issue, JSON.stringify(v.issues)).toBeDefined();
    expect(issue!.message).toMatch(message);
  });

  test('cells are named by label; claims and where name them', () => {
    const spec = edit(versusSpec, (s) => {
      s.grid.model = [{ block: 'mlp' }, { block: 'mlp', width: 32, label: 'wide' }, { block: 'svm' }, { block: 'svm', svm_c: 10, label: 'svm_c10' }];
      s.claims = [{ kind: 'difference', statement: 'C = 10 beats C = 1', metric: 'test_accuracy', by: 'model', a: 'svm_c10', b: 'svm', expect: 'greater', where: { n: 64 } }];
    });
    expect(validateSpec(spec)).toMatchObject({ ok: true });
  });

  test('the JSON Schema describes the model axis', () => {
    const schema = experimentSpecJsonSchema() as unknown as { properties: { grid: { properties: Record<string, { items: unknown }> } } };
    expect(JSON.stringify(schema.properties.grid.properties.model.items)).toContain('svm_c');
  });
});

describe('compileSpec: classical models', () => {
  test('an SVM spec: the parameters of the blocks that act, its cost and memory from the block; it runs', async () => {
    const e = compileSpec('xsvm', parsed(svmSpec()));
    const defaults = e.params.parse({});
    expect(defaults).toMatchObject({ n: 64, d: 4, svm_c: 1, svm_gamma: 'auto' });
    expect(defaults).not.toHaveProperty('tree_max_depth');
    expect(defaults).not.toHaveProperty('lr');
    expect(defaults).not.toHaveProperty('width');
    expect(e.cost({ ...defaults, n: 64 })).toBeGreaterThan(e.cost({ ...defaults, n: 32 }));
    expect(e.memory(defaults, 1)).toBeGreaterThan(32 * 1024 * 1024);
    const t = { id: 'a', sweepId: 's', experiment: 'xsvm', configKey: 'n=64', repeat: 0, seed: 1, params: defaults };
    const [r] = await e.runPack([t], { libsvm: nodeLibsvm, now: () => 0 });
    expect(Object.keys(r.scalars).sort()).toEqual(['n_params', 'n_support', 'test_accuracy', 'train_accuracy']);
    // A frozen clock: no runtime, and the result says why.
    expect(r.info).toEqual({ runtime_clock: 'frozen' });
    await expect(e.runPack([t], {})).rejects.toThrow(/no loader/);
  });

  test('the model axis is the parameter `model`, its values the labels; cells inherit the spec’s model of their kind', () => {
    const e = compileSpec('xvs', parsed(versusSpec()));
    expect(e.grid).toEqual({ model: ['mlp', 'svm'], n: [32, 64] });
    expect(e.params.parse({})).toMatchObject({ model: 'mlp', lr: 0.003, n: 64 });
    expect(e.params.safeParse({ model: 'tree' }).success).toBe(false);
    expect(e.params.safeParse({ width: 8 }).success).toBe(false);
    const mlp = e.params.parse({ model: 'mlp' });
    const svm = e.params.parse({ model: 'svm' });
    expect(e.packKey!(mlp)).not.toBe(e.packKey!(svm));
    // The mlp cell is the spec's 4 → 8 → 2 network: its cost is the network's.
    expect(e.cost(mlp)).not.toBe(e.cost(svm));
  });

  test('model_axis names the axis parameter: configs, claims, figure and requests read `classifier`', async () => {
    const named = edit(versusSpec, (s) => {
      s.model_axis = 'classifier';
      s.claims[0].by = 'classifier';
      s.figure.color = 'classifier';
      s.record.push({ metric: 'data_sizes', at: 'end' });
    });
    const e = compileSpec('xnamed', parsed(named));
    // The axis keeps its place in the grid (configs read classifier=…,n=…).
    expect(e.grid).toEqual({ classifier: ['mlp', 'svm'], n: [32, 64] });
    expect(e.params.parse({})).toMatchObject({ classifier: 'mlp' });
    expect(e.params.safeParse({ model: 'svm' }).success).toBe(false);
    const sweep = expandSweep({ experiment: 'xnamed', repeats: 1, grid: { classifier: ['svm'], n: [32] } }, 's', undefined, () => e);
    expect(sweep.trials.map((t) => t.configKey)).toEqual(['classifier=svm,n=32']);
    // data_sizes: the trial's rows, from a classical model as from a network.
    await useBackend('wasm');
    const [svm] = await e.runPack(sweep.trials, { libsvm: nodeLibsvm });
    expect(svm.scalars).toMatchObject({ train_size: 32, test_size: 50 });
    const mlp = expandSweep({ experiment: 'xnamed', repeats: 1, params: { classifier: 'mlp', n: 32 } }, 's', undefined, () => e).trials;
    const [net] = await e.runPack(mlp, {});
    expect(net.scalars).toMatchObject({ train_size: 32, test_size: 50 });
    // Refused: a name another parameter has, and the old name in a claim.
    const clash = validateSpec(edit(versusSpec, (s) => (s.model_axis = 'n')));
    expect(clash.ok ? [] : clash.issues).toContainEqual({ field: 'model_axis', message: expect.stringMatching(/already a parameter/) });
    const stale = validateSpec(edit(versusSpec, (s) => (s.model_axis = 'classifier')));
    expect(stale.ok ? [] : stale.issues.map((i) => i.field)).toEqual(expect.arrayContaining(['claims.0.by', 'figure.color']));
  });

  test('the id does not change when a cell spells out what it inherits', async () => {
    const a = parsed(versusSpec());
    const b = parsed(edit(versusSpec, (s) => (s.grid.model = [{ block: 'mlp', width: 8, depth: 1, label: 'mlp' }, { block: 'svm', svm_c: 1 }])));
    expect(await specId(b)).toBe(await specId(a));
    const c = parsed(edit(versusSpec, (s) => (s.grid.model = [{ block: 'mlp', width: 16 }, { block: 'svm' }])));
    expect(await specId(c)).not.toBe(await specId(a));
  });

  test('an MLP against an SVM runs end to end: expandSweep, packs of one model, runPack; deterministic and pack-independent', async () => {
    await useBackend('wasm');
    const e = compileSpec('xvs', parsed(versusSpec()));
    const lookup = (id: string) => (id === e.id ? e : undefined);
    const sweep = expandSweep({ experiment: 'xvs', seed: 5 }, 's', undefined, lookup);
    expect(sweep.trials).toHaveLength(2 * 2 * 2);
    expect(sweep.trials.map((t) => t.configKey)).toContain('model=svm,n=32');
    const packs = packTrials(e, sweep.trials, 16);
    for (const p of packs) expect(new Set(p.map((t) => t.params.model)).size).toBe(1);
    const ctx = { libsvm: nodeLibsvm };
    const results = (await Promise.all(packs.map((p) => e.runPack(p, ctx)))).flat();
    expect(results).toHaveLength(8);
    const byId = new Map(results.map((r) => [r.trialId, r]));
    for (const t of sweep.trials) {
      const r = byId.get(t.id)!;
      expect(r.scalars.test_accuracy).toBeGreaterThanOrEqual(0);
      expect(r.scalars.test_accuracy).toBeLessThanOrEqual(1);
      expect(r.scalars.train_accuracy).toBeGreaterThan(0.4);
      expect(r.scalars.n_params).toBeGreaterThan(0);
      if (t.params.model === 'svm') {
        expect(r.scalars.n_support).toBeGreaterThan(0);
        expect(r.series).toEqual({});
      } else expect(r.scalars.n_params).toBe(4 * 8 + 8 + 8 * 2 + 2);
    }
    // Again, each SVM trial alone: the same numbers (runtime aside).
    const strip = (s: Record<string, number>) => Object.fromEntries(Object.entries(s).filter(([k]) => k !== 'runtime_s'));
    for (const t of sweep.trials.filter((x) => x.params.model === 'svm')) {
      const [alone] = await e.runPack([t], ctx);
      expect(strip(alone.scalars)).toEqual(strip(byId.get(t.id)!.scalars));
    }
    // A sweep request may name the cells by label.
    const svmOnly = expandSweep({ experiment: 'xvs', grid: { model: ['svm'] } }, 'r', undefined, lookup);
    expect(new Set(svmOnly.trials.map((t) => t.params.model))).toEqual(new Set(['svm']));
    expect(() => expandSweep({ experiment: 'xvs', params: { model: 'forest' } }, 'r', undefined, lookup)).toThrow();
  });

  test('a decision tree and sklearn_mlp spec run through runPack', async () => {
    await useBackend('wasm');
    const input = edit(svmSpec, (s) => {
      s.grid = { model: [{ block: 'decision_tree', tree_max_depth: 3, label: 'tree3' }, { block: 'sklearn_mlp', sklearn_hidden: [8], sklearn_max_iter: 10 }] };
      s.record.push({ metric: 'train_loss', at: 'end' });
      s.claims = [];
      s.figure = undefined;
    });
    // train_loss: the tree cannot measure it.
    expect(validateSpec(input)).toMatchObject({ ok: false, issues: [expect.objectContaining({ field: 'record.3.metric' })] });
    (input as Spec).record.pop();
    const e = compileSpec('xcl', parsed(input));
    // Every model fits itself: no training parameters.
    expect(e.params.parse({})).not.toHaveProperty('steps');
    const sweep = expandSweep({ experiment: 'xcl', repeats: 2 }, 't', undefined, (id) => (id === e.id ? e : undefined));
    const packs = packTrials(e, sweep.trials, 16);
    const results = (await Promise.all(packs.map((p) => e.runPack(p, {})))).flat();
    const tree = results.filter((r) => r.scalars.tree_depth !== undefined);
    expect(tree).toHaveLength(2);
    for (const r of tree) expect(r.scalars.tree_depth).toBeLessThanOrEqual(3);
    expect(results.filter((r) => r.scalars.n_iter !== undefined)).toHaveLength(2);
  });
});

// Typed fixtures stay assignable to the input type.
const _typed: ExperimentSpecInput = versusSpec() as ExperimentSpecInput;
void _typed;
