/**
 * Forward convolution with very few output channels (the generator's last layer: 7x7, 32 -> 3),
 * which XNNPACK runs at about a third of its speed (its micro-kernels are 8 output channels wide).
 * Same "shift" idea as the weight gradient's small-CO form: only KH is a real convolution tap;
 * the KW taps become output channels and are summed afterwards:
 *   Z[b, r, j, (kw, o)] = sum_{kh, c} xpad[b, r + kh, j, c] * w[kh, kw, c, o]   (a KH x 1 conv, KW*CO outputs)
 *   y[b, r, q, o] = bias[o] + sum_kw Z[b, r, q + kw, (kw, o)]
 * Stride 1, no dilation; pads are applied first (PadV2).
 */
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { cachedFilters } from './filter-cache';
import { alias, f32Offset, free, heapF32, runWasmKernel, type TensorInfo } from './heap';
import type { ConvPads } from './winograd';

/** Output channel counts below this take the shift form. */
export const NARROW_CO = 8;

export function narrowConv(backend: BackendWasm, x: TensorInfo, filter: TensorInfo, bias: TensorInfo | null, pads: ConvPads): TensorInfo | null {
  const [nb, h, w, ci] = x.shape;
  const [kh, kw, , co] = filter.shape;
  if (co >= NARROW_CO || kw < 3 || x.dtype !== 'float32') return null;
  const hp = h + pads.top + pads.bottom;
  const wp = w + pads.left + pads.right;
  const oh = hp - kh + 1;
  const ow = wp - kw + 1;
  if (oh <= 0 || ow <= 0) return null;
  const padded = pads.top || pads.bottom || pads.left || pads.right;
  const xp = padded ? runWasmKernel(backend, 'PadV2', { x }, { paddings: [[0, 0], [pads.top, pads.bottom], [pads.left, pads.right], [0, 0]], constantValue: 0 }) : x;
  // w [KH, KW, CI, CO] -> [KH, CI, KW, CO] = [KH, 1, CI, KW*CO]
  const [wz] = cachedFilters(backend, filter, 'narrow', () => {
    const t = runWasmKernel(backend, 'Transpose', { x: filter }, { perm: [0, 2, 1, 3] });
    return [alias(t, [kh, 1, ci, kw * co])];
  });
  const z = runWasmKernel(backend, 'Conv2D', { x: xp, filter: wz }, { strides: [1, 1], dilations: [1, 1], pad: 'valid', dataFormat: 'NHWC' });
  if (padded) free(backend, xp);
  const y = backend.makeOutput([nb, oh, ow, co], 'float32');
  const heap = heapF32(backend);
  const zOff = f32Offset(backend, z);
  const yOff = f32Offset(backend, y);
  const bOff = bias ? f32Offset(backend, bias) : -1;
  const zc = kw * co;
  for (let r = 0; r < nb * oh; r++) {
    const zRow = zOff + r * wp * zc;
    let d = yOff + r * ow * co;
    for (let q = 0; q < ow; q++) {
      for (let o = 0; o < co; o++, d++) {
        let s = bOff >= 0 ? heap[bOff + o] : 0;
        for (let t = 0, zi = zRow + q * zc + o; t < kw; t++, zi += zc + co) s += heap[zi];
        heap[d] = s;
      }
    }
  }
  free(backend, z);
  return y;
}
