import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { PANEL_NAMES } from '../../core/custom/panels';
import { experimentSpecJsonSchema } from '../../core/custom/spec';
import { validateSpec } from '../../core/custom/validate';
import { tinySpec } from './fixtures';

// Bad specs are built by editing a good one freely: the validator, not the type checker, must refuse them.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Spec = Record<string, any>;
/** The fixture on 1-D regression data (target_1d, MSE), its accuracy records and claims dropped. */
const regression = (s: Spec): true => {
  s.data = { block: 'target_1d', n: 40 };
  s.training = { ...s.training, loss: 'mean_squared_error', batch_size: 64 };
  s.record = [{ metric: 'test_loss', at: 'end' }, { metric: 'train_loss', at: 'checkpoints', every: 10 }];
  s.grid = { lr: s.grid?.lr ?? [0.01] };
  s.claims = [];
  s.figure = undefined;
  return true;
};
const edit = (change: (s: Spec) => void): unknown => {
  const s = structuredClone(tinySpec()) as Spec;
  change(s);
  return s;
};

describe('validateSpec', () => {
  test('the fixture is valid and defaults are filled in', () => {
    const v = validateSpec(tinySpec());
    expect(v.ok).toBe(true);
    if (v.ok) {
      expect(v.spec.data).toMatchObject({ block: 'mixture', covariance_scale: 1 });
      expect(v.spec.paired).toBe(true);
    }
  });

  // Each bad spec names the field at fault; a validator that accepted it, or blamed another
  // field, fails its row.
  const table: Array<[string, unknown, string]> = [
    ['unknown data block', edit((s) => (s.data = { block: 'spirals' })), 'data.block'],
    ['unknown model block', edit((s) => (s.model = { block: 'transformer' })), 'model.block'],
    ['missing block kind', edit((s) => (s.training = { lr: 0.1 } as never)), 'training.block'],
    ['unknown parameter of a block', edit((s) => (s.model = { ...s.model, dropout: 0.5 })), 'model.dropout'],
    ['wrong type', edit((s) => (s.model = { ...s.model, width: 'wide' })), 'model.width'],
    ['out of bounds', edit((s) => (s.training = { ...s.training, lr: -1 })), 'training.lr'],
    ['unknown top-level field', edit((s) => (s.seed = 4)), 'seed'],
    ['repeats above 20', edit((s) => (s.repeats = 21)), 'repeats'],
    ['repeats 0', edit((s) => (s.repeats = 0)), 'repeats'],
    ['grid axis unknown', edit((s) => (s.grid = { momentum: [0.9] })), 'grid.momentum'],
    ['grid value invalid for its parameter', edit((s) => (s.grid = { width: [8, 0] })), 'grid.width.1'],
    ['grid too large', edit((s) => (s.grid = { width: Array.from({ length: 15 }, (_, i) => i + 1), depth: Array.from({ length: 8 }, (_, i) => i + 1), lr: [0.001, 0.01] })), 'grid'],
    ['claim naming an unknown metric', edit((s) => (s.claims = [{ ...s.claims[0], metric: 'f1_score' }])), 'claims.0.metric'],
    ['claim naming an unrecorded metric', edit((s) => (s.claims = [{ ...s.claims[0], metric: 'train_accuracy' }])), 'claims.0.metric'],
    ['claim by a parameter that is not a grid axis', edit((s) => (s.claims = [{ ...s.claims[0], by: 'width', a: 8, b: 16 }])), 'claims.0.by'],
    ['claim by an unknown parameter', edit((s) => (s.claims = [{ ...s.claims[0], by: 'momentum' }])), 'claims.0.by'],
    ['claim value invalid for its axis', edit((s) => (s.claims = [{ ...s.claims[0], a: -3 }])), 'claims.0.a'],
    ['claim reading steps of an end-only metric', edit((s) => (s.claims = [{ kind: 'curves', statement: 'x', metric: 'test_loss', by: 'lr', a: 0.01, b: 0.001, steps: 'all', expect: 'less' }])), 'claims.0.metric'],
    ['paired claim on an unpaired spec', edit((s) => (s.paired = false)), 'claims.0.paired'],
    ['claim of an unknown kind', edit((s) => (s.claims = [{ ...s.claims[0], kind: 'vibes' } as never])), 'claims.0.kind'],
    ['figure hint x not a grid axis', edit((s) => (s.figure = { x: 'width', y: 'test_accuracy' })), 'figure.x'],
    ['figure hint color not a grid axis', edit((s) => (s.figure = { x: 'step', y: 'test_accuracy', color: 'depth' })), 'figure.color'],
    ['figure hint y not recorded', edit((s) => (s.figure = { x: 'lr', y: 'train_loss' })), 'figure.y'],
    ['figure over steps of an end-only metric', edit((s) => (s.figure = { x: 'step', y: 'weight_norm' })), 'figure.y'],
    ['figure panel of an unknown name', edit((s) => (s.figure = { ...s.figure, panels: ['saliency'] })), 'figure.panels.0'],
    ['figure panel whose record the spec does not keep', edit((s) => (s.figure = { ...s.figure, panels: ['decision_boundary'] })), 'figure.panels.0'],
    ['figure panel of weight traces without a weight_tail record', edit((s) => (s.figure = { ...s.figure, panels: ['predictions', 'weight_traces'] }) && s.record.push({ metric: 'predictions', at: 'end' })), 'figure.panels.1'],
    ['figure panel asked for twice', edit((s) => (s.figure = { ...s.figure, panels: ['predictions', 'predictions'] }) && s.record.push({ metric: 'predictions', at: 'end' })), 'figure.panels.1'],
    ['decision-boundary panel of a record that keeps no repeat', edit((s) => (s.data = { ...s.data, d: 2 }) && (s.figure = { ...s.figure, panels: ['decision_boundary'] }) && s.record.push({ metric: 'decision_boundary', at: 'end', repeats: 0 })), 'figure.panels.0'],
    ['accuracy on a regression', edit((s) => (s.data = { block: 'target_1d' })), 'record.0.metric'],
    ['classification loss on a regression', edit((s) => {
      s.data = { block: 'target_1d' };
      s.record = [{ metric: 'test_loss', at: 'checkpoints', every: 10 }];
      s.claims = [];
      s.figure = undefined;
    }), 'training.loss'],
    ['runtime at checkpoints', edit((s) => s.record.push({ metric: 'runtime_s', at: 'checkpoints', every: 5 })), 'record.3.at'],
    ['checkpoints without every', edit((s) => (s.record = [{ metric: 'test_accuracy', at: 'checkpoints' } as never])), 'record.0.every'],
    ['too many checkpoints', edit((s) => (s.record = [{ metric: 'test_accuracy', at: 'checkpoints', every: 1 }, ...s.record.slice(1)]) && (s.training = { ...s.training, steps: 5000 })), 'record'],
    ['memory over budget (the spec itself)', edit((s) => (s.model = { ...s.model, width: 1024, depth: 8 }) && (s.data = { ...s.data, n: 20_000 }) && (s.training = { ...s.training, batch_size: 20_000, steps: 1 })), 'model'],
    ['memory over budget (a grid axis)', edit((s) => (s.grid = { lr: [0.001, 0.01], batch_size: [16, 20_000] }) && (s.data = { ...s.data, n: 20_000 }) && (s.model = { ...s.model, width: 1024, depth: 8 })), 'grid.batch_size'],
    ['work over budget (the spec itself)', edit((s) => (s.training = { ...s.training, steps: 1_000_000, batch_size: 1000 }) && (s.data = { ...s.data, n: 1000 }) && (s.model = { ...s.model, width: 256, depth: 3 })), 'training.steps'],
    ['work over budget (a grid axis)', edit((s) => (s.grid = { lr: [0.001, 0.01], steps: [40, 1_000_000] }) && (s.data = { ...s.data, n: 1000 }) && (s.training = { ...s.training, batch_size: 1000 }) && (s.model = { ...s.model, width: 256, depth: 3 })), 'grid.steps'],
    ['__proto__ key in a block', JSON.parse('{"title":"t","question":"q","hypothesis":"h","data":{"block":"mixture","__proto__":{"n":5}},"model":{"block":"mlp"},"training":{"block":"adam"},"record":[{"metric":"test_accuracy","at":"end"}]}'), 'data.__proto__'],
    ['__proto__ grid axis', JSON.parse('{"title":"t","question":"q","hypothesis":"h","data":{"block":"mixture"},"model":{"block":"mlp"},"training":{"block":"adam"},"record":[{"metric":"test_accuracy","at":"end"}],"grid":{"__proto__":[1]}}'), 'grid.__proto__'],
    ['constructor key at the top', edit((s) => (s.constructor = 1 as never)), 'constructor'],
    ['too many grid axes', edit((s) => (s.grid = Object.fromEntries(['n', 'test_n', 'd', 'class_sep', 'covariance_scale', 'width', 'depth', 'activation', 'initializer', 'lr', 'batch_size', 'steps', 'loss'].map((k, i) => [k, [[64, 50, 4, 1, 1, 8, 1, 'relu', 'xavier', 0.003, 16, 40, 'cross_entropy'][i]]])))), 'grid'],
    ['feature pipeline over the JavaScript heap budget', edit((s) => (s.features = { block: 'pipeline', dummy_dim: 512 }) && (s.data = { ...s.data, n: 2000, test_n: 2000 })), 'features.dummy_dim'],
    ['unknown features block', edit((s) => (s.features = { block: 'fourier' })), 'features.block'],
    ['more PCA components than columns', edit((s) => (s.features = { block: 'pipeline', pca_dim: 6 })), 'features.pca_dim'],
    ['a grid value with more PCA components than columns', edit((s) => (s.features = { block: 'pipeline' }) && (s.grid = { lr: [0.001, 0.01], pca_dim: [2, 9] })), 'grid.pca_dim'],
    ['conv net on non-image data', edit((s) => (s.model = { block: 'conv' })), 'model.block'],
    ['transfer from a data block without a related task', edit((s) => (s.data = { block: 'images' }) && (s.training = { block: 'transfer' })), 'data.block'],
    ['title too long', edit((s) => (s.title = 'x'.repeat(201))), 'title'],
    ['a claim comparing a value the grid does not take', edit((s) => (s.claims = [{ ...s.claims[0], a: 0.03 }])), 'claims.0.a'],
    ['a claim where a value the grid does not take', edit((s) => (s.grid = { lr: [0.001, 0.01], width: [8, 16] }) && (s.claims = [{ ...s.claims[0], where: { width: 32 } }])), 'claims.0.where.width'],
    ['a trend over values the grid does not take', edit((s) => (s.claims = [{ kind: 'trend', statement: 't', metric: 'test_accuracy', along: 'lr', values: [0.001, 0.1], expect: 'increasing' }])), 'claims.0.values.1'],
    ['a ratio that leaves no minority row', edit((s) => (s.data = { ...s.data, n: 64, class_ratio: 80 })), 'data.class_ratio'],
    ['a grid ratio that leaves no minority row', edit((s) => (s.grid = { lr: [0.001, 0.01], class_ratio: [1, 80] })), 'grid.class_ratio'],
    ['task shared by an unknown parameter', edit((s) => (s.task_shared_by = ['ratio'])), 'task_shared_by.0'],
    ['paired claim along the axis the task is keyed by', edit((s) => (s.paired = false) && (s.task_shared_by = ['lr'])), 'claims.0.paired'],
    ['float32 on a weight norm', edit((s) => (s.record[2] = { metric: 'weight_norm', at: 'end', float32: true })), 'record.2.float32'],
    ['points on a record that is not a decision boundary', edit((s) => (s.record[1] = { metric: 'test_loss', at: 'end', points: 10 })), 'record.1.points'],
    ['class counts at checkpoints', edit((s) => s.record.push({ metric: 'class_counts', at: 'checkpoints', every: 10 })), 'record.3.at'],
    ['a decision boundary on 4-D data', edit((s) => s.record.push({ metric: 'decision_boundary', at: 'end' })), 'record.3.metric'],
    ['a decision boundary on a regression', edit((s) => (s.data = { block: 'target_1d' }) && (s.record = [{ metric: 'test_loss', at: 'end' }, { metric: 'decision_boundary', at: 'end' }]) && (s.training = { ...s.training, loss: 'mean_squared_error' }) && (s.claims = []) && (s.figure = undefined)), 'record.1.metric'],
    ['a pool resampled', edit((s) => (s.data = { ...s.data, pool_n: 400, resample: 'tile', class_ratio: 2 })), 'data.resample'],
    ['a pool with a balanced test set', edit((s) => (s.data = { ...s.data, pool_n: 400, test_balanced: true })), 'data.test_balanced'],
    ['a pool no larger than its test rows', edit((s) => (s.data = { ...s.data, pool_n: 50 })), 'data.test_n'],
    ['a grid size beyond the pool', edit((s) => (s.data = { ...s.data, pool_n: 200 }) && (s.grid = { lr: [0.001, 0.01], n: [64, 400] })), 'grid.n'],
    ['a training fraction that leaves one row', edit((s) => (s.data = { ...s.data, n: 4, train_fraction: 0.3 })), 'data.train_fraction'],
    ['a pool of fewer than 4 rows', edit((s) => (s.data = { ...s.data, pool_n: 3 })), 'data.pool_n'],
    ['data sizes at checkpoints', edit((s) => s.record.push({ metric: 'data_sizes', at: 'checkpoints', every: 10 })), 'record.3.at'],
    ['a model axis name without a model axis', edit((s) => (s.model_axis = 'classifier')), 'model_axis'],
    ['features shared by a parameter without a features section', edit((s) => (s.features_shared_by = ['d'])), 'features_shared_by'],
    ['features shared by an unknown parameter', edit((s) => (s.features = { block: 'pipeline', dummy_dim: 3 }) && (s.features_shared_by = ['width_of_dummies'])), 'features_shared_by.0'],
    ['features shared by with a transfer block (pretraining rows mixed by another matrix)', edit((s) => (s.features = { block: 'pipeline', mixing: 'uniform' }) && (s.features_shared_by = ['dummy_dim']) && (s.training = { block: 'transfer', steps: 40 })), 'features_shared_by'],
    ['dummy columns above 4000', edit((s) => (s.features = { block: 'pipeline', dummy_dim: 4001 })), 'features.dummy_dim'],
    ['a test share out of bounds', edit((s) => (s.data = { ...s.data, test_size: 0.95 })), 'data.test_size'],
    ['a test share that leaves no training row', edit((s) => (s.data = { ...s.data, n: 2, test_size: 0.9 })), 'data.test_size'],
    ['resampling a split draw', edit((s) => (s.data = { ...s.data, test_size: 0.2, class_ratio: 3, resample: 'tile' })), 'data.resample'],
    ['a balanced test draw of a split draw', edit((s) => (s.data = { ...s.data, test_size: 0.2, test_balanced: true })), 'data.test_balanced'],
    ['input width at checkpoints', edit((s) => s.record.push({ metric: 'input_dim', at: 'checkpoints', every: 10 })), 'record.3.at'],
    ['input width of a classical model', edit((s) => (s.model = { block: 'svm' }) && (s.record = [{ metric: 'test_accuracy', at: 'end' }, { metric: 'input_dim', at: 'end' }]) && (s.figure = undefined)), 'record.1.metric'],
    ['a pool with a test share', edit((s) => (s.data = { ...s.data, pool_n: 400, test_size: 0.2 })), 'data.test_size'],
    ['a weight tail at the end', edit((s) => s.record.push({ metric: 'weight_tail', at: 'end' })), 'record.3.at'],
    ['layer on a record that is not a weight tail', edit((s) => (s.record[0] = { ...s.record[0], layer: 1 })), 'record.0.layer'],
    ['entries on a record that is not a weight tail', edit((s) => (s.record[0] = { ...s.record[0], entries: 5 })), 'record.0.entries'],
    ['threshold on a record that is not weight stats', edit((s) => (s.record[1] = { metric: 'test_loss', at: 'end', threshold: 0.01 })), 'record.1.threshold'],
    ['a weight tail of a layer the model lacks', edit((s) => s.record.push({ metric: 'weight_tail', at: 'checkpoints', every: 10, layer: 2 })), 'record.3.layer'],
    ['two weight tails of one layer', edit((s) => s.record.push({ metric: 'weight_tail', at: 'checkpoints', every: 10 }, { metric: 'weight_tail', at: 'checkpoints', every: 10, layer: 0 })), 'record.4.layer'],
    ['a weight change at the end', edit((s) => s.record.push({ metric: 'weight_change', at: 'end' })), 'record.3.at'],
    ['a weight change of a layer the model lacks', edit((s) => s.record.push({ metric: 'weight_change', at: 'checkpoints', every: 10, layer: 2 })), 'record.3.layer'],
    ['two weight changes of one layer', edit((s) => s.record.push({ metric: 'weight_change', at: 'checkpoints', every: 10 }, { metric: 'weight_change', at: 'checkpoints', every: 10, layer: 0 })), 'record.4.layer'],
    ['a settling window on an accuracy', edit((s) => s.record.push({ metric: 'train_accuracy', at: 'checkpoints', every: 10, converge_window: 5 })), 'record.3.converge_window'],
    ['a settling fraction of 0', edit((s) => s.record.push({ metric: 'weight_change', at: 'checkpoints', every: 10, converge_fraction: 0 })), 'record.3.converge_fraction'],
    ['a claim on the settling of a layer not followed', edit((s) => s.record.push({ metric: 'weight_change', at: 'checkpoints', every: 10, layer: 1 }) && s.claims.push({ kind: 'metrics', statement: 's', metrics: ['steps_to_converge_layer0', 'steps_to_converge_layer1'], expect: 'decreasing' })), 'claims.1.metrics.0'],
    ['a renamed weight change', edit((s) => s.record.push({ metric: 'weight_change', at: 'checkpoints', every: 10, name: 'moves' })), 'record.3.name'],
    ['a weight trace above its budget', edit((s) => (s.model = { ...s.model, width: 1024 }) && s.record.push({ metric: 'weight_tail', at: 'checkpoints', every: 1, entries: 2000 })), 'record.3.entries'],
    ['a grid depth whose model lacks the traced layer', edit((s) => (s.model = { ...s.model, depth: 2 }) && s.record.push({ metric: 'weight_tail', at: 'checkpoints', every: 10, layer: 2 }) && (s.grid = { lr: [0.001, 0.01], depth: [2, 1] })), 'grid.depth'],
    ['a grid of steps whose trace is above its budget', edit((s) => (s.model = { ...s.model, width: 128 }) && s.record.push({ metric: 'weight_tail', at: 'checkpoints', every: 1, entries: 500 }) && (s.grid = { lr: [0.001, 0.01], steps: [40, 100] })), 'grid.steps'],
    ['the last batch loss at checkpoints', edit((s) => s.record.push({ metric: 'loss', at: 'checkpoints', every: 10 })), 'record.3.at'],
    ['predictions at checkpoints', edit((s) => s.record.push({ metric: 'predictions', at: 'checkpoints', every: 10 })), 'record.3.at'],
    ['predictions of four classes', edit((s) => (s.data = { block: 'images', classes: 4 }) && s.record.push({ metric: 'predictions', at: 'end' })), 'record.3.metric'],
    ["'on' on a record that is not predictions", edit((s) => (s.record[1] = { metric: 'test_loss', at: 'end', on: 'train' })), 'record.1.on'],
    // Exp 8's options (core/blocks/recorders.ts): epochs-based schedules, time to a target, trials trained alone.
    ['a time-to-target target above 1', edit((s) => (s.training = { ...s.training, epochs: 10 }) && s.record.push({ metric: 'time_to_target', at: 'end', target: 1.5 })), 'record.3.target'],
    ['a time-to-target target below 0', edit((s) => (s.training = { ...s.training, epochs: 10 }) && s.record.push({ metric: 'time_to_target', at: 'end', target: -0.1 })), 'record.3.target'],
    ['a time-to-target without its target', edit((s) => (s.training = { ...s.training, epochs: 10 }) && s.record.push({ metric: 'time_to_target', at: 'end' })), 'record.3.target'],
    ['a time-to-target on steps-defined training', edit((s) => s.record.push({ metric: 'time_to_target', at: 'end', target: 0.8 })), 'record.3.check_every_epochs'],
    ['a time-to-target at checkpoints', edit((s) => (s.training = { ...s.training, epochs: 10 }) && s.record.push({ metric: 'time_to_target', at: 'checkpoints', every: 10 })), 'record.3.at'],
    ['a time-to-target on the last update', edit((s) => (s.training = { ...s.training, epochs: 10 }) && s.record.push({ metric: 'time_to_target', at: 'end', target: 0.8, on: 'last_update' })), 'record.3.on'],
    ['a time-to-target on a regression', edit((s) => regression(s) && (s.training = { ...s.training, epochs: 10 }) && s.record.push({ metric: 'time_to_target', at: 'end', target: 0.8 })), 'record.2.metric'],
    ['two time-to-target records', edit((s) => (s.training = { ...s.training, epochs: 10 }) && s.record.push({ metric: 'time_to_target', at: 'end', target: 0.8 }, { metric: 'time_to_target', at: 'end', target: 0.9 })), 'record.4.metric'],
    ['a target on a record that is not time to target', edit((s) => (s.record[1] = { metric: 'test_loss', at: 'end', target: 0.8 })), 'record.1.target'],
    ['check_every_epochs on a record that is not time to target', edit((s) => (s.record[1] = { metric: 'test_loss', at: 'end', check_every_epochs: 1 })), 'record.1.check_every_epochs'],
    ['per on a record that is not runtime', edit((s) => (s.record[1] = { metric: 'test_loss', at: 'end', per: 'trial' })), 'record.1.per'],
    ['per of an unknown kind', edit((s) => s.record.push({ metric: 'runtime_s', at: 'end', per: 'network' })), 'record.3.per'],
    ['a schedule option on an end record', edit((s) => (s.record[1] = { metric: 'test_loss', at: 'end', every_epochs: 10 })), 'record.1.every_epochs'],
    ["align 'threshold' without every_epochs", edit((s) => (s.training = { ...s.training, epochs: 10 }) && (s.record[0] = { metric: 'test_accuracy', at: 'checkpoints', align: 'threshold' })), 'record.0.every_epochs'],
    ["align 'threshold' with every", edit((s) => (s.training = { ...s.training, epochs: 10 }) && (s.record[0] = { metric: 'test_accuracy', at: 'checkpoints', align: 'threshold', every_epochs: 2, every: 10 })), 'record.0.every'],
    ["align 'threshold' on steps-defined training", edit((s) => (s.record[0] = { metric: 'test_accuracy', at: 'checkpoints', align: 'threshold', every_epochs: 2 })), 'record.0.align'],
    ["every_epochs without align 'threshold'", edit((s) => (s.training = { ...s.training, epochs: 10 }) && (s.record[0] = { metric: 'test_accuracy', at: 'checkpoints', every: 10, every_epochs: 2 })), 'record.0.every_epochs'],
    ['every_epochs of 0', edit((s) => (s.training = { ...s.training, epochs: 10 }) && (s.record[0] = { metric: 'test_accuracy', at: 'checkpoints', align: 'threshold', every_epochs: 0 })), 'record.0.every_epochs'],
    ['an unknown epoch_rows', edit((s) => (s.training = { ...s.training, epochs: 10, epoch_rows: 'n' })), 'training.epoch_rows'],
    ['an unknown epoch_rounding', edit((s) => (s.training = { ...s.training, epochs: 10, epoch_rounding: 'round' })), 'training.epoch_rounding'],
    ['predictions of a grid cell of four classes', edit((s) => (s.data = { block: 'images', classes: 2 }) && (s.grid = { lr: [0.001, 0.01], classes: [2, 4] }) && s.record.push({ metric: 'predictions', at: 'end' })), 'grid.classes'],
    ['a metric stored under a name and without', edit((s) => (s.record[1] = { metric: 'test_loss', at: 'end', name: 'loss' }) && s.record.push({ metric: 'test_loss', at: 'checkpoints', every: 10 })), 'record.3.name'],
    ['predictions on an unknown split', edit((s) => s.record.push({ metric: 'predictions', at: 'end', on: 'validation' })), 'record.3.on'],
    ['a name on a metric of several values', edit((s) => s.record.push({ metric: 'class_counts', at: 'end', name: 'counts' })), 'record.3.name'],
    ['a name on predictions', edit((s) => s.record.push({ metric: 'predictions', at: 'end', name: 'scores' })), 'record.3.name'],
    ['a name that is another metric', edit((s) => (s.record[2] = { metric: 'weight_norm', at: 'end', name: 'test_loss' })), 'record.2.name'],
    ['a name that every trial stores', edit((s) => (s.record[2] = { metric: 'weight_norm', at: 'end', name: 'n_params' })), 'record.2.name'],
    ['a name that is a predictions series', edit((s) => (s.record[2] = { metric: 'weight_norm', at: 'end', name: 'score' })), 'record.2.name'],
    ['two metrics under one name', edit((s) => (s.record[1] = { metric: 'test_loss', at: 'end', name: 'loss' }) && (s.record[2] = { metric: 'weight_norm', at: 'end', name: 'loss' })), 'record.2.name'],
    ['one metric under two names', edit((s) => s.record.push({ metric: 'test_loss', at: 'checkpoints', every: 10, name: 'loss' })), 'record.3.name'],
    ['a name that is not a plain name', edit((s) => (s.record[1] = { metric: 'test_loss', at: 'end', name: 'test loss' })), 'record.1.name'],
    ['a claim naming a renamed metric by its metric', edit((s) => (s.record[0] = { ...s.record[0], name: 'acc' })), 'claims.0.metric'],
    ['alternating points: fewer than two', edit((s) => (s.data = { block: 'alternating', n: 1 })), 'data.n'],
    ['shared model deeper than 64', edit((s) => (s.model = { block: 'shared', depth: 65 })), 'model.depth'],
    ["predictions on 'last_update' of classes", edit((s) => s.record.push({ metric: 'predictions', at: 'end', on: 'last_update' })), 'record.3.on'],
    ['predictions at checkpoints of a regression', edit((s) => regression(s) && s.record.push({ metric: 'predictions', at: 'checkpoints', every: 10 })), 'record.2.at'],
    ["predictions on 'last_update' with mini-batches", edit((s) => regression(s) && (s.training.batch_size = 8) && s.record.push({ metric: 'predictions', at: 'end', on: 'last_update' })), 'training.batch_size'],
    ['an unknown training-input layout', edit((s) => regression(s) && (s.data.train_x = 'sobol')), 'data.train_x'],
    ['two end records stored under one name', edit((s) => (s.record[1] = { ...s.record[1], name: 'err' }) && s.record.push({ metric: 'weight_norm', at: 'end', name: 'err' })), 'record.3.name'],
    ['not an object', [1, 2], '(body)'],
  ];

  test.each(table)('%s → %s', (_name, spec, field) => {
    const v = validateSpec(spec);
    expect(v.ok).toBe(false);
    if (!v.ok) expect(v.issues.map((i) => i.field)).toContain(field);
  });

  test('figure panels: each named panel with the record it draws is valid, and the issue of a missing record says what to add', () => {
    const v = validateSpec(
      edit((s) => {
        s.data = { ...s.data, d: 2 };
        s.record.push({ metric: 'decision_boundary', at: 'end' }, { metric: 'weight_tail', at: 'checkpoints', every: 10, entries: 4 }, { metric: 'predictions', at: 'end' });
        s.figure = { ...s.figure, panels: ['decision_boundary', 'weight_traces', 'predictions'] };
      }),
    );
    expect(v.ok ? [] : v.issues).toEqual([]);
    const missing = validateSpec(edit((s) => (s.figure = { ...s.figure, panels: ['weight_traces'] })));
    expect(missing.ok ? [] : missing.issues).toEqual([
      { field: 'figure.panels.0', message: `panel 'weight_traces' draws the 'weight_tail' record, which this spec does not keep: add {"metric": "weight_tail", "at": "checkpoints"} to record` },
    ]);
    const unknown = validateSpec(edit((s) => (s.figure = { ...s.figure, panels: ['saliency'] })));
    expect(unknown.ok ? [] : unknown.issues.map((i) => i.field)).toEqual(['figure.panels.0']);
  });

  test("a fit on the grid: predictions in full batch, and a series and a scalar stored under one name, claimable", () => {
    const v = validateSpec(
      edit((s) => {
        regression(s);
        s.data.train_x = 'grid';
        s.record = [
          { metric: 'loss', at: 'end', name: 'mse' },
          { metric: 'predictions', at: 'end', on: 'last_update' },
          { metric: 'train_loss', at: 'checkpoints', every: 10, name: 'mse' },
        ];
        s.claims = [{ kind: 'difference', statement: 's', metric: 'mse', by: 'lr', a: 0.01, b: 0.001, expect: 'less', paired: true }];
        s.figure = { x: 'step', y: 'mse', color: 'lr' };
      }),
    );
    expect(v.ok ? [] : v.issues).toEqual([]);
  });

  test('weight change per layer: its series drawn over steps, its settling steps and late change claimable across layers', () => {
    const v = validateSpec(
      edit((s) => {
        s.record.push(
          { metric: 'weight_tail', at: 'checkpoints', every: 2, align: 'start', layer: 1 },
          ...[0, 1].map((layer) => ({ metric: 'weight_change' as const, at: 'checkpoints' as const, every: 2, align: 'start' as const, layer, entries: 8, converge_window: 3 })),
        );
        s.claims.push({ kind: 'metrics', statement: 'later layers settle sooner', metrics: ['steps_to_converge_layer0', 'steps_to_converge_layer1'], expect: 'decreasing' });
        s.claims.push({ kind: 'difference', statement: 'lr moves layer 1 more late', metric: 'final_change_layer1', by: 'lr', a: 0.01, b: 0.001, expect: 'greater', paired: true });
        s.figure = { x: 'step', y: 'weight_change_layer1', color: 'lr' };
      }),
    );
    expect(v.ok ? [] : v.issues).toEqual([]);
  });

  test('unpaired trials sharing a task may pair a claim along another axis; the class counts are claimable scalars', () => {
    const v = validateSpec(
      edit((s) => {
        s.paired = false;
        s.task_shared_by = ['class_ratio'];
        s.grid = { lr: [0.001, 0.01], class_ratio: [1, 4] };
        s.record.push({ metric: 'class_counts', at: 'end' });
        s.claims.push({ kind: 'trend', statement: 'n_train stays', metric: 'n_train', along: 'class_ratio', expect: 'decreasing' });
      }),
    );
    expect(v.ok ? [] : v.issues).toEqual([]);
  });

  test('a pool shared by every config of a repeat (task_shared_by: []): unpaired trials pair along any axis; data sizes are claimable', () => {
    const v = validateSpec(
      edit((s) => {
        s.data = { ...s.data, pool_n: 400, test_n: 100, train_fraction: 0.8 };
        s.paired = false;
        s.task_shared_by = [];
        s.grid = { lr: [0.001, 0.01], n: [20, 300] };
        s.record.push({ metric: 'data_sizes', at: 'end' });
        s.claims.push({ kind: 'trend', statement: 'more rows', metric: 'train_size', along: 'n', expect: 'increasing', paired: true });
      }),
    );
    expect(v.ok ? [] : v.issues).toEqual([]);
  });

  test('one split draw, a pipeline with streams per repeat and dummy_dim, the input width recorded and claimed: valid', () => {
    const v = validateSpec(
      edit((s) => {
        s.data = { block: 'mixture', n: 60, test_size: 0.25, d: 4 };
        s.features = { block: 'pipeline', dummy_dim: 3, mixing: 'uniform', pca_dim: 2 };
        s.paired = false;
        s.task_shared_by = ['n'];
        s.features_shared_by = ['dummy_dim'];
        s.grid = { lr: [0.001, 0.01], dummy_dim: [3, 30] };
        s.record.push({ metric: 'input_dim', at: 'end' });
        s.claims.push({ kind: 'trend', statement: 'the width stays', metric: 'input_dim', along: 'dummy_dim', expect: 'increasing' });
      }),
    );
    expect(v.ok ? [] : v.issues).toEqual([]);
  });

  test('a renamed metric is claimed and drawn by its name; the last batch loss and predictions record on the alternating points with the shared net', () => {
    const v = validateSpec(
      edit((s) => {
        s.data = { block: 'alternating', n: 16 };
        s.model = { block: 'shared', width: 10, depth: 2 };
        s.record = [
          { metric: 'train_accuracy', at: 'checkpoints', every: 10, float32: true, name: 'accuracy' },
          { metric: 'train_accuracy', at: 'end', name: 'accuracy' },
          { metric: 'loss', at: 'end' },
          { metric: 'predictions', at: 'end', on: 'train' },
        ];
        s.claims = [{ ...s.claims[0], metric: 'accuracy' }];
        s.figure = { x: 'step', y: 'accuracy', color: 'lr' };
      }),
    );
    expect(v.ok ? [] : v.issues).toEqual([]);
    // Regression: predictions store the output itself.
    const r = validateSpec(edit((s) => (s.data = { block: 'target_1d' }) && (s.training = { ...s.training, loss: 'mean_squared_error' }) && (s.record = [{ metric: 'predictions', at: 'end' }, { metric: 'loss', at: 'end' }]) && (s.claims = []) && (s.figure = undefined)));
    expect(r.ok ? [] : r.issues).toEqual([]);
  });

  test('2·10⁸ checkpoints are counted, not built: refused naming record and training', () => {
    // 10,000 epochs of 20,000 rows at batch 1, recorded every update.
    const spec = edit((s) => {
      s.data.n = 20_000;
      s.training = { block: 'adam', lr: 0.003, batch_size: 1, epochs: 10_000 };
      s.record = [{ metric: 'test_accuracy', at: 'checkpoints', every: 1 }];
    });
    const v = validateSpec(spec);
    expect(v.ok).toBe(false);
    if (!v.ok) {
      expect(v.issues).toContainEqual({ field: 'record', message: expect.stringMatching(/^200000000 checkpoints per trial.*above 1000/) });
      expect(v.issues.some((i) => i.field === 'training.steps' && /work units|s of CPU/.test(i.message))).toBe(true);
    }
  });

  test.each(['toString', 'constructor', '__proto__', 'hasOwnProperty'])('a claim comparing by %s names claims.0.by (not a 500)', (by) => {
    const v = validateSpec(edit((s) => (s.claims[0].by = by)));
    expect(v.ok).toBe(false);
    if (!v.ok) expect(v.issues).toContainEqual({ field: 'claims.0.by', message: `unknown parameter '${by}'` });
  });

  test('every issue carries a message', () => {
    const v = validateSpec(edit((s) => (s.grid = { momentum: [1] })));
    expect(v.ok).toBe(false);
    if (!v.ok) for (const i of v.issues) expect(i.message.length).toBeGreaterThan(5);
  });
});

describe('the README example', () => {
  test('is a valid spec', () => {
    const readme = readFileSync('README.md', 'utf8');
    const section = readme.slice(readme.indexOf('## Custom experiments: specs as data'));
    const json = section.slice(section.indexOf('```json') + 7, section.indexOf('```', section.indexOf('```json') + 7));
    const v = validateSpec(JSON.parse(json));
    expect(v.ok ? [] : v.issues).toEqual([]);
  });
});

describe('experimentSpecJsonSchema', () => {
  test('describes the blocks and their parameters with bounds', () => {
    const schema = experimentSpecJsonSchema() as { properties: Record<string, { oneOf?: Array<{ properties: Record<string, { maximum?: number }> }> }> };
    expect(Object.keys(schema.properties)).toEqual(expect.arrayContaining(['title', 'data', 'model', 'training', 'record', 'grid', 'claims', 'figure']));
    const data = schema.properties.data.oneOf ?? (schema.properties.data as { anyOf?: never[] }).anyOf;
    expect(JSON.stringify(data)).toContain('"mixture"');
    expect(JSON.stringify(schema.properties.model)).toContain('"maximum":1024');
  });

  test("lists the panel names the figure hint may ask for (the editor's choices)", () => {
    const schema = experimentSpecJsonSchema() as unknown as { properties: { figure: { properties: { panels: { type: string; items: { enum: string[] } } } } } };
    expect(schema.properties.figure.properties.panels).toMatchObject({ type: 'array', items: { enum: [...PANEL_NAMES] } });
  });
});
