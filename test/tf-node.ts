/** Test/Node hosts: tfjs with the WASM SIMD backend loaded from node_modules. */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import '@tensorflow/tfjs-backend-wasm';
import '@tensorflow/tfjs-backend-cpu';
import { installKernelsInNode } from '../node/kernels';

export async function useBackend(name: 'wasm' | 'cpu' = 'wasm'): Promise<typeof tf> {
  if (tf.getBackend() !== name) {
    const ok = await tf.setBackend(name);
    if (!ok) throw new Error(`tfjs backend ${name} failed to initialise`);
  }
  await tf.ready();
  installKernelsInNode();
  return tf;
}
