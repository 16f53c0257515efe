/**
 * Small helpers for wasm kernels written in TypeScript: run other registered wasm kernels, read
 * and write tensors directly on the wasm heap, free intermediates.
 */
import * as tf from '@tensorflow/tfjs-core';
import { backend_util } from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';

export type TensorInfo = tf.TensorInfo;

/** What tfjs passes to a kernel function. */
export interface WasmKernelArgs<I> {
  inputs: I;
  backend: unknown;
  attrs?: tf.NamedAttrMap;
}

/** Runs a kernel registered on the wasm backend (e.g. the XNNPACK-backed Conv2D or BatchMatMul). */
export function runWasmKernel(
  backend: BackendWasm,
  name: string,
  inputs: Record<string, TensorInfo>,
  attrs: Record<string, unknown> = {},
): TensorInfo {
  const kernel = tf.getKernel(name, 'wasm');
  if (!kernel) throw new Error(`wasm kernel ${name} is not registered`);
  return kernel.kernelFunc({ inputs, attrs: attrs as tf.NamedAttrMap, backend }) as TensorInfo;
}

/** Frees a kernel-internal intermediate (never a kernel's input or output). */
export function free(backend: BackendWasm, t: TensorInfo): void {
  backend.disposeData(t.dataId);
}

/** A reshaped alias sharing t's buffer (like the wasm Reshape kernel, but the caller frees only once). */
export function alias(t: TensorInfo, shape: number[]): TensorInfo {
  return { dataId: t.dataId, shape, dtype: t.dtype };
}

/**
 * Float offset of t's data inside HEAPF32. Read the heap view (backend.wasm.HEAPF32) only after
 * the last allocation of a kernel: growing the heap replaces the underlying ArrayBuffer.
 */
export function f32Offset(backend: BackendWasm, t: TensorInfo): number {
  return backend.getMemoryOffset(t.dataId) / 4;
}

export function heapF32(backend: BackendWasm): Float32Array {
  const m = backend.wasm as unknown as { HEAPF32: Float32Array; wasmMemory?: WebAssembly.Memory };
  // With shared (threaded) memory the exported view can lag behind a growth done on another path.
  if (m.wasmMemory && m.HEAPF32.buffer !== m.wasmMemory.buffer) return new Float32Array(m.wasmMemory.buffer);
  return m.HEAPF32;
}

/** Attributes shared by Conv2DBackpropFilter and Conv2DBackpropInput. */
export interface ConvBackpropAttrs {
  strides: number | [number, number];
  pad: 'valid' | 'same' | number | backend_util.ExplicitPadding;
  dataFormat: 'NHWC' | 'NCHW';
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
}

/** Geometry of the forward conv x[nb, h, w, ci] * w[kh, kw, ci, co] -> y[nb, oh, ow, co]; pads top/left. */
export interface ConvGeometry {
  nb: number;
  h: number;
  w: number;
  ci: number;
  oh: number;
  ow: number;
  co: number;
  kh: number;
  kw: number;
  sh: number;
  sw: number;
  pt: number;
  pl: number;
}

export function nhwcConvInfo(kernel: string, inShape: number[], filterShape: number[], attrs: ConvBackpropAttrs): ConvGeometry {
  const info = backend_util.computeConv2DInfo(
    inShape as [number, number, number, number],
    filterShape as [number, number, number, number],
    attrs.strides,
    1,
    attrs.pad,
    attrs.dimRoundingMode,
    false,
    backend_util.convertConv2DDataFormat(attrs.dataFormat),
  );
  if (info.dataFormat !== 'channelsLast') throw new Error(`wasm ${kernel} supports NHWC only`);
  return {
    nb: info.batchSize,
    h: info.inHeight,
    w: info.inWidth,
    ci: info.inChannels,
    oh: info.outHeight,
    ow: info.outWidth,
    co: info.outChannels,
    kh: info.filterHeight,
    kw: info.filterWidth,
    sh: info.strideHeight,
    sw: info.strideWidth,
    pt: info.padInfo.top,
    pl: info.padInfo.left,
  };
}

/** Rows (or columns) of dy a stride-1 convolution reads: crop in front, keep, then zero pads. */
export interface DyWindow {
  cropBefore: number;
  keep: number;
  padBefore: number;
  padAfter: number;
}

/** Stride-1 XNNPACK Conv2D of dy [nb, oh, ow, co], cropped and padded to the windows, with f. */
export function convOverWindow(backend: BackendWasm, dy: TensorInfo, f: TensorInfo, h: DyWindow, w: DyWindow): TensorInfo {
  const [nb, oh, ow, co] = dy.shape;
  const cropped = h.cropBefore > 0 || w.cropBefore > 0 || h.keep < oh || w.keep < ow;
  const src = cropped ? runWasmKernel(backend, 'Slice', { x: dy }, { begin: [0, h.cropBefore, w.cropBefore, 0], size: [nb, h.keep, w.keep, co] }) : dy;
  const y = runWasmKernel(backend, 'Conv2D', { x: src, filter: f }, {
    strides: [1, 1],
    dilations: [1, 1],
    pad: [[0, 0], [h.padBefore, h.padAfter], [w.padBefore, w.padAfter], [0, 0]],
    dataFormat: 'NHWC',
  });
  if (cropped) free(backend, src);
  return y;
}
