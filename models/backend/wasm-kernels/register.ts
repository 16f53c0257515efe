/**
 * Registers the training kernels the stock tfjs 4.22 wasm backend lacks or runs unaccelerated.
 * Call after importing @tensorflow/tfjs-backend-wasm and before the first tensor op on wasm;
 * idempotent.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { conv2dBackpropFilterWasm } from './conv-backprop-filter';
import { conv2dBackpropInputWasm } from './conv-backprop-input';
import { free, runWasmKernel } from './heap';
import { wrapSimdKernels } from './simd-wrappers';

const replaced = ['Conv2DBackpropFilter', 'Conv2DBackpropInput', 'Identity'] as const;

export function registerWasmTrainingKernels(): void {
  for (const name of replaced) {
    if (tf.getKernel(name, 'wasm')) tf.unregisterKernel(name, 'wasm');
  }
  tf.registerKernel({ kernelName: 'Conv2DBackpropFilter', backendName: 'wasm', kernelFunc: conv2dBackpropFilterWasm as tf.KernelFunc });
  tf.registerKernel({ kernelName: 'Conv2DBackpropInput', backendName: 'wasm', kernelFunc: conv2dBackpropInputWasm as tf.KernelFunc });
  // Identity (hundreds per training step: gradient plumbing, optimizer) shares the buffer with a
  // reference count, as Reshape and the cpu backend's Identity do, instead of copying it.
  wrapBatchMatMul();
  wrapSimdKernels();
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

const WRAPPED = Symbol('face-age wrapped BatchMatMul');

/**
 * The stock BatchMatMul runs XNNPACK only without transposes; with transposeA or transposeB (every
 * matMul gradient) it falls back to a plain loop, ~8x slower. Transposing the operand first with
 * the Transpose kernel and multiplying untransposed is far cheaper. The stock kernel's setupFunc
 * is kept, so this works before or after the backend starts.
 */
function wrapBatchMatMul(): void {
  const stock = tf.getKernel('BatchMatMul', 'wasm');
  if (!stock || (stock.kernelFunc as { [WRAPPED]?: boolean })[WRAPPED]) return;
  const stockFunc = stock.kernelFunc;
  const kernelFunc = ((args: { inputs: tf.NamedTensorInfoMap; backend: unknown; attrs?: tf.NamedAttrMap }) => {
    const { transposeA, transposeB } = (args.attrs ?? {}) as { transposeA?: boolean; transposeB?: boolean };
    if (!transposeA && !transposeB) return stockFunc(args as Parameters<tf.KernelFunc>[0]);
    const backend = args.backend as BackendWasm;
    const swapLast = (t: tf.TensorInfo) => {
      const perm = t.shape.map((_, i) => i);
      const r = perm.length;
      [perm[r - 2], perm[r - 1]] = [perm[r - 1], perm[r - 2]];
      return runWasmKernel(backend, 'Transpose', { x: t }, { perm });
    };
    const size = (t: tf.TensorInfo) => t.shape.reduce((x, y) => x * y, 1);
    const a = args.inputs.a as tf.TensorInfo;
    const b = args.inputs.b as tf.TensorInfo;
    const outSize = size(a) / a.shape[a.shape.length - (transposeA ? 2 : 1)] * b.shape[b.shape.length - (transposeB ? 2 : 1)];
    // Element counts moved: transposes, plus XNNPACK's packing of the right-hand operand.
    const direct = (transposeA ? size(a) : 0) + (transposeB ? size(b) : 0) + size(b);
    const swapped = (transposeB ? 0 : size(b)) + (transposeA ? 0 : size(a)) + outSize + size(a);
    const temps: tf.TensorInfo[] = [];
    const untransposed = (x: tf.TensorInfo, y: tf.TensorInfo) =>
      stockFunc({ ...args, inputs: { a: x, b: y }, attrs: { ...args.attrs, transposeA: false, transposeB: false } } as Parameters<tf.KernelFunc>[0]) as tf.TensorInfo;
    const keep = (t: tf.TensorInfo) => (temps.push(t), t);
    let out: tf.TensorInfo;
    if (direct <= swapped) {
      out = untransposed(transposeA ? keep(swapLast(a)) : a, transposeB ? keep(swapLast(b)) : b);
    } else {
      // C = op(A) op(B) computed as (op(B)^T op(A)^T)^T.
      const ct = keep(untransposed(transposeB ? b : keep(swapLast(b)), transposeA ? a : keep(swapLast(a))));
      out = swapLast(ct);
    }
    for (const t of temps) free(backend, t);
    return out;
  }) as tf.KernelFunc & { [WRAPPED]?: boolean };
  kernelFunc[WRAPPED] = true;
  tf.unregisterKernel('BatchMatMul', 'wasm');
  tf.registerKernel({ ...stock, kernelFunc });
}
