/**
 * wasm paths of the fused kernels in ../fused-kernels.ts, run by the SIMD module (simd-module.ts)
 * on the backend's heap. Each returns null when it does not apply (no SIMD module, or a channel
 * count that is not a multiple of 4) and the caller runs its JS loop instead. Same formulas:
 *   instance norm:  mean, var = mean((x - mean)^2) (two passes), rstd = 1/sqrt(var + eps),
 *                   y = x * rstd + (-mean * rstd)
 *   its gradient:   dx = rstd * (dy - mean(dy) - y * mean(dy * y))
 *   leaky ReLU:     dx = x > 0 ? dy : alpha * dy
 */
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { f32Offset, free, heapF32, type TensorInfo } from './heap';
import { simdKernels } from './simd-module';

function channelShape(backend: BackendWasm, t: TensorInfo) {
  const k = simdKernels(backend.wasm);
  const [b, h, w, c] = t.shape;
  if (!k || t.shape.length !== 4 || c % 4 !== 0 || c === 0 || h * w === 0) return null;
  return { k, b, hw: h * w, c };
}

export function instanceNormSimd(backend: BackendWasm, x: TensorInfo, eps: number): TensorInfo[] | null {
  const s = channelShape(backend, x);
  if (!s) return null;
  const { k, b, hw, c } = s;
  const y = backend.makeOutput(x.shape, 'float32');
  const rstd = backend.makeOutput([b, 1, 1, c], 'float32');
  // float64 sum | float64 sum of squared deviations | float32 scale | float32 shift
  const scratch = backend.makeOutput([6 * c], 'float32');
  const heap = heapF32(backend);
  const [xOff, yOff, rOff, sum] = [x, y, rstd, scratch].map((t) => f32Offset(backend, t));
  const sums = new Float64Array(heap.buffer, sum * 4, 2 * c); // [sum, sq]
  const scale = sum + 4 * c;
  const shift = scale + c;
  for (let n = 0; n < b; n++) {
    const base = (xOff + n * hw * c) * 4;
    sums.fill(0);
    k.colsum(base, hw, c * 4, sum * 4);
    for (let i = 0; i < c; i++) heap[scale + i] = sums[i] / hw; // mean, for the deviation pass
    k.colsqdev(base, hw, c * 4, scale * 4, (sum + 2 * c) * 4);
    for (let i = 0; i < c; i++) {
      const m = heap[scale + i];
      const r = 1 / Math.sqrt(sums[c + i] / hw + eps);
      heap[scale + i] = r;
      heap[shift + i] = -m * r;
      heap[rOff + n * c + i] = r;
    }
    k.affine(base, hw, c * 4, scale * 4, shift * 4, (yOff + n * hw * c) * 4);
  }
  free(backend, scratch);
  return [y, rstd];
}

export function instanceNormGradSimd(backend: BackendWasm, dy: TensorInfo, y: TensorInfo, rstd: TensorInfo): TensorInfo | null {
  const s = channelShape(backend, dy);
  if (!s) return null;
  const { k, b, hw, c } = s;
  const dx = backend.makeOutput(dy.shape, 'float32');
  // float64 sum dy | float64 sum dy*y | float32 rstd | mean dy | mean dy*y
  const scratch = backend.makeOutput([7 * c], 'float32');
  const heap = heapF32(backend);
  const [gOff, yOff, dOff, rOff, sg] = [dy, y, dx, rstd, scratch].map((t) => f32Offset(backend, t));
  const sums = new Float64Array(heap.buffer, sg * 4, 2 * c); // [sum dy, sum dy*y]
  const ca = sg + 4 * c;
  const cb = ca + c;
  const cc = cb + c;
  for (let n = 0; n < b; n++) {
    const at = (off: number) => (off + n * hw * c) * 4;
    sums.fill(0);
    k.colsum2(at(gOff), at(yOff), hw, c * 4, sg * 4, (sg + 2 * c) * 4);
    for (let i = 0; i < c; i++) {
      heap[ca + i] = heap[rOff + n * c + i];
      heap[cb + i] = sums[i] / hw;
      heap[cc + i] = sums[c + i] / hw;
    }
    k.ingrad(at(gOff), at(yOff), hw, c * 4, ca * 4, cb * 4, cc * 4, at(dOff));
  }
  free(backend, scratch);
  return dx;
}

export function leakyReluGradSimd(backend: BackendWasm, dy: TensorInfo, x: TensorInfo, alpha: number): TensorInfo | null {
  const k = simdKernels(backend.wasm);
  const n = x.shape.reduce((p, q) => p * q, 1);
  const n4 = n - (n % 4);
  if (!k || n4 === 0) return null;
  const dx = backend.makeOutput(x.shape, 'float32');
  const heap = heapF32(backend);
  const [g, xv, d] = [dy, x, dx].map((t) => f32Offset(backend, t));
  k.lrelugrad(g * 4, xv * 4, n4 * 4, alpha, d * 4);
  const a = Math.fround(alpha);
  for (let i = n4; i < n; i++) heap[d + i] = heap[xv + i] > 0 ? heap[g + i] : a * heap[g + i];
  return dx;
}
