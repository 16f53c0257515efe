/**
 * Fused kernels written as plain loops over Float32Arrays, registered for the wasm and cpu
 * backends (the native tensorflow backend keeps the composite tf-op versions in models/nn/ops.ts).
 * Each replaces a chain of 5-20 tfjs kernels, each a full pass over the tensor plus dispatch
 * overhead (and, on wasm, a transpose for every mean over H and W):
 *  - FaceAgeInstanceNorm:      x [B,H,W,C] -> y = (x - mean) * rstd, rstd [B,1,1,C] (per sample and channel)
 *  - FaceAgeInstanceNormGrad:  dx = rstd * (dy - mean(dy) - y * mean(dy * y))
 *  - FaceAgeMirrorPadGrad:     adjoint of MirrorPad (scatter-add of dy onto the cells it copies)
 *  - FaceAgeLeakyReluGrad:     dx = x > 0 ? dy : alpha * dy (alpha 0 for ReLU), one pass instead of three
 * On wasm, instance norm, its gradient and the activation gradient run in the SIMD module
 * (wasm-kernels/fused-simd.ts) when the channel count allows; the JS loops are the fallback.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { instanceNormGradSimd, instanceNormSimd, leakyReluGradSimd } from './wasm-kernels/fused-simd';

export const INSTANCE_NORM = 'FaceAgeInstanceNorm';
export const INSTANCE_NORM_GRAD = 'FaceAgeInstanceNormGrad';
export const MIRROR_PAD_GRAD = 'FaceAgeMirrorPadGrad';
export const LEAKY_RELU_GRAD = 'FaceAgeLeakyReluGrad';

/** Backend-neutral access to input data and output allocation. */
interface Io {
  read(t: tf.TensorInfo): Float32Array;
  /** Allocates all outputs first (wasm heap growth would detach earlier views), then views them. */
  alloc(shapes: number[][]): { infos: tf.TensorInfo[]; views: Float32Array[] };
}

function wasmIo(backend: BackendWasm): Io {
  return {
    read: (t) => backend.typedArrayFromHeap(t) as Float32Array,
    alloc: (shapes) => {
      const infos = shapes.map((s) => backend.makeOutput(s, 'float32'));
      return { infos, views: infos.map((i) => backend.typedArrayFromHeap(i) as Float32Array) };
    },
  };
}

interface CpuBackendLike {
  data: { get(id: object): { values: unknown } };
  makeTensorInfo(shape: number[], dtype: 'float32', values: Float32Array): tf.TensorInfo;
}

function cpuIo(backend: CpuBackendLike): Io {
  return {
    read: (t) => backend.data.get(t.dataId).values as Float32Array,
    alloc: (shapes) => {
      const views = shapes.map((s) => new Float32Array(s.reduce((a, b) => a * b, 1)));
      return { infos: shapes.map((s, i) => backend.makeTensorInfo(s, 'float32', views[i])), views };
    },
  };
}

// ---- instance norm ---------------------------------------------------------------------------

function instanceNorm(io: Io, x: tf.TensorInfo, eps: number): tf.TensorInfo[] {
  const [b, h, w, c] = x.shape;
  const hw = h * w;
  const { infos, views } = io.alloc([x.shape, [b, 1, 1, c]]);
  const xs = io.read(x); // read after allocating: growing the wasm heap detaches older views
  const [y, rstd] = views;
  const sum = new Float64Array(c);
  const sq = new Float64Array(c);
  for (let n = 0; n < b; n++) {
    const base = n * hw * c;
    sum.fill(0);
    sq.fill(0);
    for (let p = 0, i = base; p < hw; p++) {
      for (let k = 0; k < c; k++, i++) {
        const v = xs[i];
        sum[k] += v;
        sq[k] += v * v;
      }
    }
    // y = (x - mean) * rstd written as x * rstd + shift.
    const scale = new Float32Array(c);
    const shift = new Float32Array(c);
    for (let k = 0; k < c; k++) {
      const m = sum[k] / hw;
      const variance = Math.max(0, sq[k] / hw - m * m);
      const r = 1 / Math.sqrt(variance + eps);
      scale[k] = r;
      shift[k] = -m * r;
      rstd[n * c + k] = r;
    }
    for (let p = 0, i = base; p < hw; p++) {
      for (let k = 0; k < c; k++, i++) y[i] = xs[i] * scale[k] + shift[k];
    }
  }
  return infos;
}

function instanceNormGrad(io: Io, dy: tf.TensorInfo, y: tf.TensorInfo, rstd: tf.TensorInfo): tf.TensorInfo {
  const [b, h, w, c] = dy.shape;
  const hw = h * w;
  const { infos, views } = io.alloc([dy.shape]);
  const dx = views[0];
  const g = io.read(dy);
  const yv = io.read(y);
  const r = io.read(rstd);
  const sg = new Float64Array(c);
  const sgy = new Float64Array(c);
  for (let n = 0; n < b; n++) {
    const base = n * hw * c;
    sg.fill(0);
    sgy.fill(0);
    for (let p = 0, i = base; p < hw; p++) {
      for (let k = 0; k < c; k++, i++) {
        sg[k] += g[i];
        sgy[k] += g[i] * yv[i];
      }
    }
    const mg = new Float32Array(c);
    const mgy = new Float32Array(c);
    for (let k = 0; k < c; k++) {
      mg[k] = sg[k] / hw;
      mgy[k] = sgy[k] / hw;
    }
    const ro = n * c;
    for (let p = 0, i = base; p < hw; p++) {
      for (let k = 0; k < c; k++, i++) dx[i] = r[ro + k] * (g[i] - mg[k] - yv[i] * mgy[k]);
    }
  }
  return infos[0];
}

// ---- mirror pad gradient ---------------------------------------------------------------------

/** Index of the x cell that padded position j (0 <= j < a + n + b) copies, along one axis. */
function mirrorIndex(j: number, a: number, n: number, offset: number): number {
  const i = j - a;
  if (i < 0) return -i - 1 + offset;
  if (i >= n) return 2 * n - i - 1 - offset;
  return i;
}

function mirrorPadGrad(io: Io, dy: tf.TensorInfo, xShape: number[], paddings: Array<[number, number]>, mode: string): tf.TensorInfo {
  const offset = mode === 'reflect' ? 1 : 0;
  // Flatten to [outer, rows, cols, inner] around the padded axes (at most two, e.g. H and W).
  const padded = paddings.map(([a, b], i) => (a || b ? i : -1)).filter((i) => i >= 0);
  if (padded.length > 2 || (padded.length === 2 && padded[1] !== padded[0] + 1)) {
    throw new Error('FaceAgeMirrorPadGrad handles padding of at most two adjacent axes');
  }
  const first = padded.length ? padded[0] : 0;
  const last = padded.length ? padded[padded.length - 1] : 0;
  const outer = xShape.slice(0, first).reduce((a, b) => a * b, 1);
  const inner = xShape.slice(last + 1).reduce((a, b) => a * b, 1);
  const rows = padded.length === 2 ? xShape[first] : 1;
  const cols = xShape[last];
  const [ra, rb] = padded.length === 2 ? paddings[first] : [0, 0];
  const [ca, cb] = paddings[last];
  const pr = rows + ra + rb;
  const pc = cols + ca + cb;
  const { infos, views } = io.alloc([xShape]);
  const dx = views[0];
  dx.fill(0);
  const g = io.read(dy);
  const colMap = Int32Array.from({ length: pc }, (_, j) => mirrorIndex(j, ca, cols, offset));
  for (let o = 0; o < outer; o++) {
    for (let pi = 0; pi < pr; pi++) {
      const r = padded.length === 2 ? mirrorIndex(pi, ra, rows, offset) : 0;
      const src0 = ((o * pr + pi) * pc) * inner;
      const dst0 = ((o * rows + r) * cols) * inner;
      for (let pj = 0; pj < pc; pj++) {
        const s = src0 + pj * inner;
        const d = dst0 + colMap[pj] * inner;
        for (let k = 0; k < inner; k++) dx[d + k] += g[s + k];
      }
    }
  }
  return infos[0];
}

function leakyReluGrad(io: Io, dy: tf.TensorInfo, x: tf.TensorInfo, alpha: number): tf.TensorInfo {
  const { infos, views } = io.alloc([x.shape]);
  const dx = views[0];
  const g = io.read(dy);
  const xv = io.read(x);
  const a = Math.fround(alpha); // float32 alpha: the product then rounds exactly like tfjs's float32 mul
  for (let i = 0; i < dx.length; i++) dx[i] = xv[i] > 0 ? g[i] : a * g[i];
  return infos[0];
}

// ---- registration ----------------------------------------------------------------------------

/** Faster paths for one backend (the wasm SIMD module); each returns null when it does not apply. */
interface FastPaths {
  instanceNorm?(backend: unknown, x: tf.TensorInfo, eps: number): tf.TensorInfo[] | null;
  instanceNormGrad?(backend: unknown, dy: tf.TensorInfo, y: tf.TensorInfo, rstd: tf.TensorInfo): tf.TensorInfo | null;
  leakyReluGrad?(backend: unknown, dy: tf.TensorInfo, x: tf.TensorInfo, alpha: number): tf.TensorInfo | null;
}

function register(backendName: 'wasm' | 'cpu', io: (backend: unknown) => Io, fast: FastPaths = {}): void {
  const configs: tf.KernelConfig[] = [
    {
      kernelName: INSTANCE_NORM,
      backendName,
      kernelFunc: ({ inputs, backend, attrs }) => {
        const x = inputs.x as tf.TensorInfo;
        const eps = (attrs as { eps: number }).eps;
        return fast.instanceNorm?.(backend, x, eps) ?? instanceNorm(io(backend), x, eps);
      },
    },
    {
      kernelName: INSTANCE_NORM_GRAD,
      backendName,
      kernelFunc: ({ inputs, backend }) => {
        const [dy, y, rstd] = [inputs.dy, inputs.y, inputs.rstd] as tf.TensorInfo[];
        return fast.instanceNormGrad?.(backend, dy, y, rstd) ?? instanceNormGrad(io(backend), dy, y, rstd);
      },
    },
    {
      kernelName: MIRROR_PAD_GRAD,
      backendName,
      kernelFunc: ({ inputs, backend, attrs }) => {
        const { xShape, paddings, mode } = attrs as unknown as { xShape: number[]; paddings: Array<[number, number]>; mode: string };
        return mirrorPadGrad(io(backend), inputs.dy as tf.TensorInfo, xShape, paddings, mode);
      },
    },
    {
      kernelName: LEAKY_RELU_GRAD,
      backendName,
      kernelFunc: ({ inputs, backend, attrs }) => {
        const [dy, x] = [inputs.dy, inputs.x] as tf.TensorInfo[];
        const alpha = (attrs as { alpha: number }).alpha;
        return fast.leakyReluGrad?.(backend, dy, x, alpha) ?? leakyReluGrad(io(backend), dy, x, alpha);
      },
    },
  ];
  for (const k of configs) {
    if (tf.getKernel(k.kernelName, backendName)) tf.unregisterKernel(k.kernelName, backendName);
    tf.registerKernel(k);
  }
}

/** Registers the fused kernels on wasm and cpu; idempotent. */
export function registerFusedKernels(): void {
  register('wasm', (b) => wasmIo(b as BackendWasm), {
    instanceNorm: (b, x, eps) => instanceNormSimd(b as BackendWasm, x, eps),
    instanceNormGrad: (b, dy, y, rstd) => instanceNormGradSimd(b as BackendWasm, dy, y, rstd),
    leakyReluGrad: (b, dy, x, alpha) => leakyReluGradSimd(b as BackendWasm, dy, x, alpha),
  });
  register('cpu', (b) => cpuIo(b as CpuBackendLike));
}

/** True when the current backend has the fused kernel `name`. */
export function hasFusedKernel(name: string): boolean {
  return tf.getKernel(name, tf.getBackend()) !== undefined;
}
