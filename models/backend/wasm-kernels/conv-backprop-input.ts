/**
 * Conv2DBackpropInput for the wasm backend, replacing the stock one (a plain C++ loop, ~2.5 GFLOP/s)
 * with one XNNPACK Conv2D. It is both the input gradient of conv2d and the forward pass of
 * conv2dTranspose.
 *
 * Per spatial dim (size I of dx, K taps, stride s, pad-before p, dy size O), output phase r of dx
 * (dx[s*q + r]) reads the taps j in J_r = [a_r, floor((r + p) / s)], a_r = ceil((r + p - K + 1) / s):
 *   dx[s*q + r] = sum_{j in J_r} dy[q + j] * w[r + p - s*j].
 * a_r takes at most two values, c = a_0 and c + 1 (delta_r = a_r - c). Phases with delta_r = 1 are
 * computed one conv position later, so every phase reads the same T = max |J_r| taps from the
 * same window dy[u + c .. u + c + T - 1]:
 *   y[u, block b_r] = sum_{t < T} dy[u + c + t] * w[r + p - s*(a_r + t)]   (0 outside [0, K)),
 *   dx[s*u + b_r - off] = y[u, b_r],  b_r = (r - r* + s) mod s, off = (s - r*) mod s,
 * r* = the first phase with delta 1 (s if none). So all s*s phases come from one stride-1
 * convolution of dy with a [Th, Tw, CO, sh*sw*CI] filter, then a DepthToSpace shifted by off and
 * cropped. Without the shift a 4x4 stride-2 kernel needed 3x3 taps per phase instead of 2x2
 * (2.25x the work). For stride 1 this is the usual "flipped filter" convolution.
 */
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { conv2dBackpropInputSplit, splitSaves } from './conv-backprop-input-split';
import { cachedFilters } from './filter-cache';
import { convOverWindow, f32Offset, free, heapF32, nhwcConvInfo, runWasmKernel, type ConvBackpropAttrs, type ConvGeometry, type TensorInfo, type WasmKernelArgs } from './heap';

interface Conv2DBackpropInputAttrs extends ConvBackpropAttrs {
  inputShape: [number, number, number, number];
}

interface PhasePlan {
  s: number;
  q: number; // conv output length U = ceil((I + off) / s)
  c: number; // first dy index a conv window reads (relative to u)
  taps: number; // T
  off: number; // dx[m] = depth-to-space(y)[m + off]
  /** Per phase r: first tap a_r and block b_r in the channel dim. */
  first: number[];
  block: number[];
  padBefore: number;
  padAfter: number;
  cropBefore: number; // dy rows dropped in front (only when c > 0)
  keep: number; // dy rows kept after the front crop
}

function plan(i: number, k: number, s: number, p: number, o: number): PhasePlan {
  const first = Array.from({ length: s }, (_, r) => Math.ceil((r + p - k + 1) / s));
  const c = first[0];
  let rStar = first.findIndex((a) => a > c);
  if (rStar < 0) rStar = s;
  const off = (s - rStar) % s;
  const block = first.map((_, r) => (r - rStar + s) % s);
  const taps = Math.max(...first.map((a, r) => Math.floor((r + p) / s) - a + 1));
  const q = Math.ceil((i + off) / s);
  const need = q + taps - 1; // length of the dy window read by the valid convolution
  const cropBefore = Math.max(0, c);
  const padBefore = Math.max(0, -c);
  const keep = Math.max(0, Math.min(o - cropBefore, need - padBefore));
  const padAfter = need - padBefore - keep;
  return { s, q, c, taps, off, first, block, padBefore, padAfter, cropBefore, keep };
}

export function conv2dBackpropInputWasm(args: WasmKernelArgs<{ dy?: TensorInfo; filter?: TensorInfo }>): TensorInfo {
  const backend = args.backend as BackendWasm;
  const dy = args.inputs.dy!;
  const filter = args.inputs.filter!;
  const attrs = args.attrs as unknown as Conv2DBackpropInputAttrs;
  const g = nhwcConvInfo('Conv2DBackpropInput', attrs.inputShape, filter.shape, attrs);
  const { nb, h: ih, w: iw, ci, oh, ow, kh, kw, sh, sw } = g;
  const ph = plan(ih, kh, sh, g.pt, oh);
  const pw = plan(iw, kw, sw, g.pl, ow);
  const phases = sh * sw;
  const oc = phases * ci;
  if (splitSaves(g, ph.taps * pw.taps * phases)) return conv2dBackpropInputSplit(backend, dy, filter, g);

  const f = phaseFilter(backend, filter, g, ph, pw);

  const y = convOverWindow(backend, dy, f, ph, pw);
  if (phases === 1 && ph.q === ih && pw.q === iw) return y;
  // y: [B, Uh, Uw, sh*sw*CI] -> dx[b, m, n, :] = y[b, uh, uw, (bh*sw + bw)*CI : +CI] with
  // m + offh = uh*sh + bh, n + offw = uw*sw + bw: a DepthToSpace shifted by off and cropped to
  // [ih, iw]; phases of one (uh, uw) that land inside are contiguous in y and in dx (one memmove).
  // (The stock DepthToSpace + Slice take ~10x longer.)
  const out = backend.makeOutput([nb, ih, iw, ci], 'float32');
  const heap = heapF32(backend);
  const yOff = f32Offset(backend, y);
  const oOff = f32Offset(backend, out);
  for (let b = 0; b < nb; b++) {
    for (let m = 0; m < ih; m++) {
      const uh = Math.floor((m + ph.off) / sh);
      const bh = m + ph.off - uh * sh;
      const dstRow = oOff + (b * ih + m) * iw * ci;
      const srcRow = yOff + ((b * ph.q + uh) * pw.q) * oc + bh * sw * ci;
      for (let uw = 0; uw < pw.q; uw++) {
        const n0 = uw * sw - pw.off; // dx column of block 0
        const b0 = Math.max(0, -n0);
        const b1 = Math.min(sw, iw - n0);
        if (b1 <= b0) continue;
        const src = srcRow + uw * oc + b0 * ci;
        heap.copyWithin(dstRow + (n0 + b0) * ci, src, src + (b1 - b0) * ci);
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
function phaseFilter(backend: BackendWasm, filter: TensorInfo, g: ConvGeometry, ph: PhasePlan, pw: PhasePlan): TensorInfo {
  const key = `${g.pt},${g.pl},${g.sh},${g.sw},${ph.taps},${pw.taps},${ph.c},${pw.c},${ph.off},${pw.off}`;
  return cachedFilters(backend, filter, key, () => [buildPhaseFilter(backend, filter, g, ph, pw)])[0];
}

function buildPhaseFilter(backend: BackendWasm, filter: TensorInfo, g: ConvGeometry, ph: PhasePlan, pw: PhasePlan): TensorInfo {
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
        const ikh = rh + g.pt - sh * (ph.first[rh] + jh);
        for (let rw = 0; rw < sw; rw++) {
          const ikw = rw + g.pl - sw * (pw.first[rw] + jw);
          const dst = fOff + (jh * pw.taps + jw) * co * oc + (ph.block[rh] * sw + pw.block[rw]) * ci;
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
  return f;
}
