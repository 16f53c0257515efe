/**
 * Conv2DBackpropInput with one convolution per output phase, for kernels whose phases need
 * different tap counts: a 3x3 stride-2 kernel gives phases of 1x1, 1x2, 2x1 and 2x2 taps (9 in
 * all), which the single phase-filter convolution of conv-backprop-input.ts pads to 4 x 2x2 = 16
 * (1.8x the work; these are the generator's down-sampling gradients and up-sampling layers).
 *
 * Per dim, phase r of dx (dx[s*q + r], q < Q_r = ceil((I - r) / s)) reads taps j in [a_r, e_r],
 *   a_r = ceil((r + p - K + 1) / s), e_r = floor((r + p) / s), T_r = e_r - a_r + 1:
 *   dx[s*q + r] = sum_{t < T_r} dy[q + a_r + t] * w[r + p - s*(a_r + t)],
 * i.e. a stride-1 convolution of dy (cropped/padded to the window) with filter
 * F_r[t] = w[r + p - s*(a_r + t)] as [T_rh, T_rw, CO, CI]; its output rows are scattered into dx.
 */
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { cachedFilters } from './filter-cache';
import { convOverWindow, f32Offset, free, heapF32, runWasmKernel, type ConvGeometry, type TensorInfo } from './heap';

interface DimPhase {
  r: number;
  first: number; // a_r
  taps: number; // T_r (0: this phase of dx is 0)
  q: number; // Q_r
  cropBefore: number;
  keep: number;
  padBefore: number;
  padAfter: number;
}

function dimPhases(i: number, k: number, s: number, p: number, o: number): DimPhase[] {
  return Array.from({ length: s }, (_, r) => {
    const first = Math.ceil((r + p - k + 1) / s);
    const taps = Math.max(0, Math.floor((r + p) / s) - first + 1);
    const q = Math.max(0, Math.ceil((i - r) / s));
    const need = q + taps - 1;
    const cropBefore = Math.max(0, first);
    const padBefore = Math.max(0, -first);
    const keep = Math.max(0, Math.min(o - cropBefore, need - padBefore));
    return { r, first, taps, q, cropBefore, keep, padBefore, padAfter: need - padBefore - keep };
  });
}

/** Taps of the split form and of the single phase-filter form (tapsH * tapsW * sh * sw). */
export function splitSaves(g: ConvGeometry, combinedTaps: number): boolean {
  if (g.sh * g.sw === 1) return false;
  const th = dimPhases(g.h, g.kh, g.sh, g.pt, g.oh).map((d) => d.taps);
  const tw = dimPhases(g.w, g.kw, g.sw, g.pl, g.ow).map((d) => d.taps);
  const split = th.reduce((a, x) => a + x, 0) * tw.reduce((a, x) => a + x, 0);
  return split * 1.25 < combinedTaps;
}

export function conv2dBackpropInputSplit(backend: BackendWasm, dy: TensorInfo, filter: TensorInfo, g: ConvGeometry): TensorInfo {
  const { nb, h: ih, w: iw, ci, kh, kw, sh, sw } = g;
  const hs = dimPhases(ih, kh, sh, g.pt, g.oh);
  const ws = dimPhases(iw, kw, sw, g.pl, g.ow);
  const filters = cachedFilters(backend, filter, `split ${g.pt},${g.pl},${sh},${sw}`, () => buildFilters(backend, filter, g, hs, ws));
  const out = backend.makeOutput([nb, ih, iw, ci], 'float32');
  for (const ph of hs) {
    for (const pw of ws) {
      if (ph.q === 0 || pw.q === 0) continue;
      const f = filters[ph.r * sw + pw.r];
      if (ph.taps === 0 || pw.taps === 0 || ph.keep === 0 || pw.keep === 0) {
        scatter(backend, null, out, g, ph, pw);
        continue;
      }
      const y = convOverWindow(backend, dy, f, ph, pw);
      scatter(backend, y, out, g, ph, pw);
      free(backend, y);
    }
  }
  return out;
}

/** dx[b, qh*sh + rh, qw*sw + rw, :] = y[b, qh, qw, :] (or 0 when y is null). */
function scatter(backend: BackendWasm, y: TensorInfo | null, out: TensorInfo, g: ConvGeometry, ph: DimPhase, pw: DimPhase): void {
  const { nb, h: ih, w: iw, ci, sh, sw } = g;
  const heap = heapF32(backend);
  const oOff = f32Offset(backend, out);
  const yOff = y ? f32Offset(backend, y) : 0;
  for (let b = 0; b < nb; b++) {
    for (let qh = 0; qh < ph.q; qh++) {
      const row = oOff + ((b * ih + qh * sh + ph.r) * iw + pw.r) * ci;
      const src = yOff + ((b * ph.q + qh) * pw.q) * ci;
      for (let qw = 0; qw < pw.q; qw++) {
        const d = row + qw * sw * ci;
        if (y) heap.copyWithin(d, src + qw * ci, src + (qw + 1) * ci);
        else heap.fill(0, d, d + ci);
      }
    }
  }
}

/** Per phase (rh, rw): F [T_rh, T_rw, CO, CI] (a 1x1 placeholder when a phase has no taps). */
function buildFilters(backend: BackendWasm, filter: TensorInfo, g: ConvGeometry, hs: DimPhase[], ws: DimPhase[]): TensorInfo[] {
  const { kw, ci, co, sh, sw } = g;
  const wt = runWasmKernel(backend, 'Transpose', { x: filter }, { perm: [0, 1, 3, 2] }); // [KH, KW, CO, CI]
  const fs = hs.flatMap((ph) => ws.map((pw) => backend.makeOutput([Math.max(1, ph.taps), Math.max(1, pw.taps), co, ci], 'float32')));
  const heap = heapF32(backend);
  const wtOff = f32Offset(backend, wt);
  const block = co * ci;
  for (const ph of hs) {
    for (const pw of ws) {
      const fOff = f32Offset(backend, fs[ph.r * sw + pw.r]);
      for (let th = 0; th < ph.taps; th++) {
        const ikh = ph.r + g.pt - sh * (ph.first + th);
        for (let tw = 0; tw < pw.taps; tw++) {
          const ikw = pw.r + g.pl - sw * (pw.first + tw);
          const src = wtOff + (ikh * kw + ikw) * block;
          heap.copyWithin(fOff + (th * pw.taps + tw) * block, src, src + block);
        }
      }
    }
  }
  free(backend, wt);
  return fs;
}
