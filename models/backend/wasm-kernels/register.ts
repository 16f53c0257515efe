/**
 * Registers the training kernels the stock tfjs 4.22 wasm backend lacks or runs unaccelerated.
 * Call after importing @tensorflow/tfjs-backend-wasm and before the first tensor op on wasm;
 * idempotent.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { conv2dBackpropFilterWasm } from './conv-backprop-filter';
import { conv2dBackpropInputWasm } from './conv-backprop-input';

const replaced = ['Conv2DBackpropFilter', 'Conv2DBackpropInput', 'Identity'] as const;

export function registerWasmTrainingKernels(): void {
  for (const name of replaced) {
    if (tf.getKernel(name, 'wasm')) tf.unregisterKernel(name, 'wasm');
  }
  tf.registerKernel({ kernelName: 'Conv2DBackpropFilter', backendName: 'wasm', kernelFunc: conv2dBackpropFilterWasm as tf.KernelFunc });
  tf.registerKernel({ kernelName: 'Conv2DBackpropInput', backendName: 'wasm', kernelFunc: conv2dBackpropInputWasm as tf.KernelFunc });
  // Identity (hundreds per training step: gradient plumbing, optimizer) shares the buffer with a
  // reference count, as Reshape and the cpu backend's Identity do, instead of copying it.
  tf.registerKernel({
    kernelName: 'Identity',
    backendName: 'wasm',
    kernelFunc: ({ inputs, backend }) => {
      const x = inputs.x as tf.TensorInfo;
      (backend as BackendWasm).incRef(x.dataId);
      return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
    },
  });
}
