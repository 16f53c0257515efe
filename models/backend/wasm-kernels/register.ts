/**
 * Registers the training kernels the stock tfjs 4.22 wasm backend lacks or runs unaccelerated.
 * Call after importing @tensorflow/tfjs-backend-wasm and before the first tensor op on wasm;
 * idempotent.
 */
import * as tf from '@tensorflow/tfjs-core';
import { conv2dBackpropFilterWasm } from './conv-backprop-filter';
import { conv2dBackpropInputWasm } from './conv-backprop-input';

const replaced = ['Conv2DBackpropFilter', 'Conv2DBackpropInput'] as const;

export function registerWasmTrainingKernels(): void {
  for (const name of replaced) {
    if (tf.getKernel(name, 'wasm')) tf.unregisterKernel(name, 'wasm');
  }
  tf.registerKernel({ kernelName: 'Conv2DBackpropFilter', backendName: 'wasm', kernelFunc: conv2dBackpropFilterWasm as tf.KernelFunc });
  tf.registerKernel({ kernelName: 'Conv2DBackpropInput', backendName: 'wasm', kernelFunc: conv2dBackpropInputWasm as tf.KernelFunc });
}
