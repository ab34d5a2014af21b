import { test } from 'vitest';
import { exp4 } from '../core/experiments/exp04-class-imbalance';
import { useBackend } from './tf-node';
test('time', async () => {
  const tf = await useBackend('wasm');
  for (const [r, rs] of [[100, 'tile'], [1, 'none']] as const) {
    const p = exp4.params.parse({ class_ratio: r, resample: rs });
    const trials = [0,1,2,3,4].map((i) => ({ id: `t${i}`, sweepId: 's', experiment: 'exp4', configKey: `r=${r},${rs}`, repeat: i, seed: 0, params: p }));
    const t0 = Date.now();
    const res = await exp4.runPack(trials, {});
    console.log(r, rs, Date.now() - t0, 'ms', res.map((x) => x.scalars.test_accuracy), tf.memory().numTensors, Object.keys(res[0].traces!));
  }
}, 600000);
