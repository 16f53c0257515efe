/**
 * Stock wasm kernels given a faster path through the SIMD module (simd-module.ts) for the cases
 * training hits most, the stock kernel (and its setupFunc) kept for everything else:
 *  - LeakyRelu (stock: a scalar C++ loop, ~0.75 ms per 1M values): y = x > 0 ? x : alpha * x,
 *    which is the activation-gradient kernel with dy = x.
 *  - Sum over every axis but the last (the bias gradient of every conv, dy [B, H, W, C] -> [C]):
 *    the stock kernel first transposes C to the front; here it is one pass of column sums.
 *  - Conv2D and FusedConv2D (bias, no activation), stride 1: Winograd for 3x3 filters (winograd.ts),
 *    the shift form for fewer than 8 output channels (narrow-conv.ts).
 */
import * as tf from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { alias, f32Offset, free, heapF32 } from './heap';
import { leakyReluGradSimd } from './fused-simd';
import { simdKernels } from './simd-module';
import { narrowConv } from './narrow-conv';
import { winogradConv } from './winograd';

const WRAPPED = Symbol('face-age SIMD wrapper');
type Args = Parameters<tf.KernelFunc>[0];

/** Replaces the kernelFunc of a stock wasm kernel; `fast` returns null to fall back. Idempotent. */
function wrap(name: string, fast: (args: Args) => tf.TensorInfo | null): void {
  const stock = tf.getKernel(name, 'wasm');
  if (!stock || (stock.kernelFunc as { [WRAPPED]?: boolean })[WRAPPED]) return;
  const stockFunc = stock.kernelFunc;
  const kernelFunc = ((args: Args) => fast(args) ?? stockFunc(args)) as tf.KernelFunc & { [WRAPPED]?: boolean };
  kernelFunc[WRAPPED] = true;
  tf.unregisterKernel(name, 'wasm');
  tf.registerKernel({ ...stock, kernelFunc });
}

function leakyRelu(args: Args): tf.TensorInfo | null {
  const x = args.inputs.x as tf.TensorInfo;
  if (x.dtype !== 'float32') return null;
  return leakyReluGradSimd(args.backend as BackendWasm, x, x, (args.attrs as { alpha: number }).alpha);
}

function columnSum(args: Args): tf.TensorInfo | null {
  const backend = args.backend as BackendWasm;
  const x = args.inputs.x as tf.TensorInfo;
  const { axis, keepDims } = args.attrs as { axis: number | number[]; keepDims: boolean };
  const rank = x.shape.length;
  const axes = tf.util.parseAxisParam(axis, x.shape).sort((a, b) => a - b);
  const c = x.shape[rank - 1];
  const npix = x.shape.slice(0, -1).reduce((a, b) => a * b, 1);
  const k = simdKernels(backend.wasm);
  if (!k || x.dtype !== 'float32' || rank < 2 || axes.length !== rank - 1 || axes.some((a, i) => a !== i) || c % 4 !== 0 || c === 0 || npix === 0) return null;
  const out = backend.makeOutput([c], 'float32');
  const scratch = backend.makeOutput([2 * c], 'float32'); // float64 sums
  const heap = heapF32(backend);
  const [o, s] = [out, scratch].map((t) => f32Offset(backend, t));
  const sums = new Float64Array(heap.buffer, s * 4, c);
  sums.fill(0);
  k.colsum(f32Offset(backend, x) * 4, npix, c * 4, s * 4);
  for (let i = 0; i < c; i++) heap[o + i] = sums[i];
  free(backend, scratch);
  return keepDims ? alias(out, [...new Array(rank - 1).fill(1), c]) : out;
}

/** Conv2D / FusedConv2D through winogradConv or narrowConv when the geometry allows (NHWC, stride 1, no dilation). */
function fastConvKernel(args: Args): tf.TensorInfo | null {
  const { x, filter, bias, preluActivationWeights } = args.inputs as Record<string, tf.TensorInfo | undefined>;
  const a = args.attrs as unknown as {
    strides: number | [number, number];
    pad: 'valid' | 'same' | number | tf.backend_util.ExplicitPadding;
    dataFormat?: 'NHWC' | 'NCHW';
    dilations?: number | [number, number];
    dimRoundingMode?: 'floor' | 'round' | 'ceil';
    activation?: string;
  };
  if (!x || !filter || preluActivationWeights || (a.activation && a.activation !== 'linear') || (a.dataFormat ?? 'NHWC') !== 'NHWC') return null;
  if (x.shape.length !== 4 || filter.shape.length !== 4) return null;
  const info = tf.backend_util.computeConv2DInfo(
    x.shape as [number, number, number, number],
    filter.shape as [number, number, number, number],
    a.strides,
    a.dilations ?? 1,
    a.pad,
    a.dimRoundingMode,
  );
  if (info.strideHeight !== 1 || info.strideWidth !== 1 || info.dilationHeight !== 1 || info.dilationWidth !== 1) return null;
  if (bias && (bias.shape.length !== 1 || bias.shape[0] !== info.outChannels)) return null;
  const { top, bottom, left, right } = info.padInfo;
  const pads = { top, bottom, left, right };
  const backend = args.backend as BackendWasm;
  return winogradConv(backend, x, filter, bias ?? null, pads) ?? narrowConv(backend, x, filter, bias ?? null, pads);
}

export function wrapSimdKernels(): void {
  wrap('Conv2D', fastConvKernel);
  wrap('FusedConv2D', fastConvKernel);
  wrap('LeakyRelu', leakyRelu);
  wrap('Sum', columnSum);
}
