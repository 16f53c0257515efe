/**
 * Conv2DBackpropInput for the wasm backend, replacing the stock one (a plain C++ loop, ~2.5 GFLOP/s)
 * with one XNNPACK Conv2D. It is both the input gradient of conv2d and the forward pass of
 * conv2dTranspose.
 *
 * Per spatial dim (size I of dx, K taps, stride s, pad-before p, dy size O):
 *   dx[s*q + r] = sum_j dyPad[q + j] * F[j, r],  dyPad[m] = dy[m + tmin],
 *   F[j, r] = w[r + p - s*(j + tmin)] (0 when that tap is outside [0, K)),
 *   tmin = ceil((p - K + 1) / s), tmax = floor((s - 1 + p) / s), T = tmax - tmin + 1.
 * So all s*s output phases r come from a single stride-1 convolution of dy with a
 * [Th, Tw, CO, sh*sw*CI] filter, followed by DepthToSpace (phase interleave) and a crop.
 * For stride 1 this is the usual "flipped filter" convolution.
 */
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { f32Offset, free, heapF32, nhwcConvInfo, runWasmKernel, type ConvBackpropAttrs, type ConvGeometry, type TensorInfo, type WasmKernelArgs } from './heap';

interface Conv2DBackpropInputAttrs extends ConvBackpropAttrs {
  inputShape: [number, number, number, number];
}

interface PhasePlan {
  s: number;
  q: number; // phase length ceil(I / s)
  tmin: number;
  taps: number; // T
  padBefore: number;
  padAfter: number;
  cropBefore: number; // dy rows dropped in front (only when tmin > 0)
  keep: number; // dy rows kept after the front crop
}

function plan(i: number, k: number, s: number, p: number, o: number): PhasePlan {
  const q = Math.ceil(i / s);
  const tmin = Math.ceil((p - k + 1) / s);
  const tmax = Math.floor((s - 1 + p) / s);
  const taps = tmax - tmin + 1;
  const need = q + taps - 1; // length of dyPad read by the valid convolution
  const cropBefore = Math.max(0, tmin);
  const padBefore = Math.max(0, -tmin);
  const keep = Math.min(o - cropBefore, need - padBefore);
  const padAfter = need - padBefore - keep;
  return { s, q, tmin, taps, padBefore, padAfter, cropBefore, keep };
}

export function conv2dBackpropInputWasm(args: WasmKernelArgs<{ dy?: TensorInfo; filter?: TensorInfo }>): TensorInfo {
  const backend = args.backend as BackendWasm;
  const dy = args.inputs.dy!;
  const filter = args.inputs.filter!;
  const attrs = args.attrs as unknown as Conv2DBackpropInputAttrs;
  const g = nhwcConvInfo('Conv2DBackpropInput', attrs.inputShape, filter.shape, attrs);
  const { nb, h: ih, w: iw, ci, oh, ow, co, kh, kw, sh, sw } = g;
  const ph = plan(ih, kh, sh, g.pt, oh);
  const pw = plan(iw, kw, sw, g.pl, ow);
  const phases = sh * sw;
  const oc = phases * ci;

  const f = phaseFilter(backend, filter, g, ph, pw);

  let src = dy;
  const cropped = ph.cropBefore > 0 || pw.cropBefore > 0 || ph.keep < oh || pw.keep < ow;
  if (cropped) {
    src = runWasmKernel(backend, 'Slice', { x: dy }, { begin: [0, ph.cropBefore, pw.cropBefore, 0], size: [nb, ph.keep, pw.keep, co] });
  }
  const y = runWasmKernel(backend, 'Conv2D', { x: src, filter: f }, {
    strides: [1, 1],
    dilations: [1, 1],
    pad: [[0, 0], [ph.padBefore, ph.padAfter], [pw.padBefore, pw.padAfter], [0, 0]],
    dataFormat: 'NHWC',
  });
  if (cropped) free(backend, src);
  if (phases === 1 && ph.q === ih && pw.q === iw) return y;
  // y: [B, Qh, Qw, sh*sw*CI] -> dx[b, qh*sh + rh, qw*sw + rw, :] = y[b, qh, qw, (rh*sw + rw)*CI : +CI],
  // cropped to [ih, iw]. (The stock DepthToSpace + Slice take ~10x longer.)
  const out = backend.makeOutput([nb, ih, iw, ci], 'float32');
  const heap = heapF32(backend);
  const yOff = f32Offset(backend, y);
  const oOff = f32Offset(backend, out);
  for (let b = 0; b < nb; b++) {
    for (let qh = 0; qh < ph.q; qh++) {
      for (let rh = 0; rh < sh; rh++) {
        const row = qh * sh + rh;
        if (row >= ih) break;
        const dstRow = oOff + (b * ih + row) * iw * ci;
        const srcRow = yOff + ((b * ph.q + qh) * pw.q) * oc + rh * sw * ci;
        for (let qw = 0; qw < pw.q; qw++) {
          const col0 = qw * sw;
          const n = Math.min(sw, iw - col0); // phases rw < n land inside
          if (n <= 0) break;
          const src = srcRow + qw * oc;
          heap.copyWithin(dstRow + col0 * ci, src, src + n * ci);
        }
      }
    }
  }
  free(backend, y);
  return out;
}

/**
 * Phase filter F [Th, Tw, CO, sh*sw*CI] from w [KH, KW, CI, CO]: w transposed to [KH, KW, CO, CI]
 * by the C++ kernel, then each tap's [CO, CI] rows placed with memmove (zeros for absent taps).
 * Cached per filter buffer and geometry: within a training step every dx of a layer sees the same
 * weights, and reusing F also lets XNNPACK reuse its packed operator (packing 2M weights ~20 ms).
 */
const filterCache = new Map<object, { key: string; f: TensorInfo }>();
const FILTER_CACHE_MAX = 64;

function phaseFilter(backend: BackendWasm, filter: TensorInfo, g: ConvGeometry, ph: PhasePlan, pw: PhasePlan): TensorInfo {
  const key = `${g.pt},${g.pl},${g.sh},${g.sw},${ph.taps},${pw.taps},${ph.tmin},${pw.tmin}`;
  const hit = filterCache.get(filter.dataId);
  if (hit && hit.key === key && backend.dataIdMap.has(hit.f.dataId)) return hit.f;
  // Drop entries whose source weights are gone (old steps) or that belong to another backend instance.
  for (const [id, e] of filterCache) {
    if (!backend.dataIdMap.has(id) || id === filter.dataId) {
      if (backend.dataIdMap.has(e.f.dataId)) free(backend, e.f);
      filterCache.delete(id);
    }
  }
  const { kh, kw, ci, co, sh, sw } = g;
  const oc = sh * sw * ci;
  const wt = runWasmKernel(backend, 'Transpose', { x: filter }, { perm: [0, 1, 3, 2] });
  const f = backend.makeOutput([ph.taps, pw.taps, co, oc], 'float32');
  const heap = heapF32(backend);
  const wtOff = f32Offset(backend, wt);
  const fOff = f32Offset(backend, f);
  for (let jh = 0; jh < ph.taps; jh++) {
    for (let jw = 0; jw < pw.taps; jw++) {
      for (let rh = 0; rh < sh; rh++) {
        const ikh = rh + g.pt - sh * (jh + ph.tmin);
        for (let rw = 0; rw < sw; rw++) {
          const ikw = rw + g.pl - sw * (jw + pw.tmin);
          const dst = fOff + (jh * pw.taps + jw) * co * oc + (rh * sw + rw) * ci;
          const inside = ikh >= 0 && ikh < kh && ikw >= 0 && ikw < kw;
          const src = wtOff + (ikh * kw + ikw) * co * ci;
          if (oc === ci && inside) {
            heap.copyWithin(dst, src, src + co * ci); // stride 1: whole [CO, CI] block
            continue;
          }
          for (let c = 0; c < co; c++) {
            const d = dst + c * oc;
            if (inside) heap.copyWithin(d, src + c * ci, src + (c + 1) * ci);
            else heap.fill(0, d, d + ci);
          }
        }
      }
    }
  }
  free(backend, wt);
  if (filterCache.size >= FILTER_CACHE_MAX) {
    const [oldId, old] = filterCache.entries().next().value!;
    free(backend, old.f);
    filterCache.delete(oldId);
  }
  filterCache.set(filter.dataId, { key, f });
  return f;
}
