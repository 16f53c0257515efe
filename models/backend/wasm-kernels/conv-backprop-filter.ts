/**
 * Conv2DBackpropFilter for the wasm backend (tfjs 4.22 registers none, so every conv backward
 * throws there). dW[kh, kw, ci, co] = sum_{b, oh, ow} x[b, oh*s + kh - pt, ow*s + kw - pl, ci] * dy[b, oh, ow, co].
 *
 * Both forms below are one XNNPACK matrix product A @ B whose big operand is the left one (XNNPACK
 * packs only the right one). They read x through stride-phase "planes"
 *   P[ph, pw, b, c][a, q] = xpad[b, a*sh + ph, q*sw + pw, c]   (hq x wq each, zero where padded),
 * made by native kernels only (Pad/Slice, then one 2-D/3-D Transpose to channel-major, then for
 * stride > 1 one 4-D Transpose that splits the phases): ~0.4 ms per 0.5M values where the former
 * per-element JS loop took 2-5 ms. Every row of A is then a contiguous window of one plane,
 * copied with a native memmove. Output columns are extended to wq; the extra columns meet zero rows
 * of the extended dy, so they add nothing.
 *
 * - "taps" form (co >= SMALL_CO): A = rows (kh, kw, c) x cols (b, oh, q), B = dy extended to wq
 *   columns [N', CO]; A @ B is [KH*KW*CI, CO], already the filter layout.
 * - "shift" form (small co, e.g. the 7x7 -> 3 channel head, whose CO-wide product ran XNNPACK at
 *   a third of its speed): only kh is expanded in A (rows (kh, pw, c)), the kw taps go into B's
 *   columns instead: B[(b, oh, j), (a, o)] = dy[b, oh, j - a, o] (kw = a*sw + pw), so the product
 *   is [KH*sw*CI, ceil(KW/sw)*CO] and then scattered into [KH, KW, CI, CO].
 * 3x3 and 4x4 stride-1 kernels with suitable shapes go to Winograd (winograd.ts).
 */
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { winogradFilterGrad } from './winograd';
import { alias, f32Offset, free, heapF32, nhwcConvInfo, runWasmKernel, type ConvBackpropAttrs, type ConvGeometry, type TensorInfo, type WasmKernelArgs } from './heap';

interface Conv2DBackpropFilterAttrs extends ConvBackpropAttrs {
  filterShape: [number, number, number, number];
}

/** Below this many output channels the "shift" form is used. */
const SMALL_CO = 16;

export function conv2dBackpropFilterWasm(args: WasmKernelArgs<{ x?: TensorInfo; dy?: TensorInfo }>): TensorInfo {
  const backend = args.backend as BackendWasm;
  const x = args.inputs.x!;
  const dy = args.inputs.dy!;
  const attrs = args.attrs as unknown as Conv2DBackpropFilterAttrs;
  const g = nhwcConvInfo('Conv2DBackpropFilter', x.shape, attrs.filterShape, attrs);
  if (g.kh === g.kw && g.sh === 1 && g.sw === 1) {
    const dw = winogradFilterGrad(backend, x, dy, g.kh, g.pt, g.pl); // null when the shapes do not suit it
    if (dw) return dw;
  }
  // Plane sizes: every tap's window for the valid rows and columns (a < oh + floor((kh-1)/sh)).
  const hq = g.oh + Math.floor((g.kh - 1) / g.sh);
  const wq = g.ow + Math.floor((g.kw - 1) / g.sw);
  const planes = phasePlanes(backend, x, g, hq, wq);
  try {
    return g.co < SMALL_CO ? shiftForm(backend, planes, dy, g, hq, wq) : tapsForm(backend, planes, dy, g, hq, wq);
  } finally {
    free(backend, planes);
  }
}

/** P [sh, sw, nb, ci, hq, wq] (flat) from x [nb, h, w, ci]. */
function phasePlanes(backend: BackendWasm, x: TensorInfo, g: ConvGeometry, hq: number, wq: number): TensorInfo {
  const { nb, h, w, ci, sh, sw, pt, pl } = g;
  const hp = hq * sh;
  const wp = wq * sw;
  const temps: TensorInfo[] = [];
  let t = x;
  // Rows/columns of x beyond the last window are dropped; missing ones are zero padding.
  const hUse = Math.min(h, hp - pt);
  const wUse = Math.min(w, wp - pl);
  if (hUse < h || wUse < w) {
    t = runWasmKernel(backend, 'Slice', { x: t }, { begin: [0, 0, 0, 0], size: [nb, hUse, wUse, ci] });
    temps.push(t);
  }
  if (pt > 0 || pl > 0 || hp > pt + hUse || wp > pl + wUse) {
    const paddings = [[0, 0], [pt, hp - pt - hUse], [pl, wp - pl - wUse], [0, 0]];
    t = runWasmKernel(backend, 'PadV2', { x: t }, { paddings, constantValue: 0 });
    temps.push(t);
  }
  // [nb, hp*wp, ci] -> [nb, ci, hp*wp] (channel-major).
  const cm = runWasmKernel(backend, 'Transpose', { x: alias(t, [nb, hp * wp, ci]) }, { perm: [0, 2, 1] });
  for (const tmp of temps) free(backend, tmp);
  if (sh === 1 && sw === 1) return cm;
  // [nb*ci*hq, sh, wq, sw] -> [sh, sw, nb*ci*hq, wq]
  const p = runWasmKernel(backend, 'Transpose', { x: alias(cm, [nb * ci * hq, sh, wq, sw]) }, { perm: [1, 3, 0, 2] });
  free(backend, cm);
  return p;
}

function tapsForm(backend: BackendWasm, planes: TensorInfo, dy: TensorInfo, g: ConvGeometry, hq: number, wq: number): TensorInfo {
  const { nb, ci, oh, co, kh, kw, sh, sw } = g;
  const planeSize = hq * wq;
  const rowLen = oh * wq; // one batch item's part of a row of A
  const nExt = nb * rowLen;
  const kkc = kh * kw * ci;
  const a = backend.makeOutput([1, kkc, nExt], 'float32');
  const dyExt = extendDy(backend, dy, g, wq);
  const heap = heapF32(backend); // after the last allocation
  const pOff = f32Offset(backend, planes);
  const aOff = f32Offset(backend, a);
  // Row (ikh, ikw, c), batch b = window of plane (ikh % sh, ikw % sw, b, c). Windows of the last
  // taps run up to floor((kw-1)/sw) values past their plane (extended columns of the last output
  // row): those are zero-filled rather than read from the next plane (or past the buffer).
  for (let ikh = 0; ikh < kh; ikh++) {
    for (let ikw = 0; ikw < kw; ikw++) {
      const start = Math.floor(ikh / sh) * wq + Math.floor(ikw / sw);
      const n = Math.min(rowLen, planeSize - start);
      const phase = (ikh % sh) * sw + (ikw % sw);
      for (let c = 0; c < ci; c++) {
        const row = aOff + ((ikh * kw + ikw) * ci + c) * nExt;
        for (let b = 0; b < nb; b++) {
          const src = pOff + ((phase * nb + b) * ci + c) * planeSize + start;
          const dst = row + b * rowLen;
          heap.copyWithin(dst, src, src + n);
          if (n < rowLen) heap.fill(0, dst + n, dst + rowLen);
        }
      }
    }
  }
  const prod = runWasmKernel(backend, 'BatchMatMul', { a, b: dyExt }, { transposeA: false, transposeB: false });
  free(backend, a);
  free(backend, dyExt);
  // [1, KH*KW*CI, CO] is already the filter layout [KH, KW, CI, CO].
  return alias(prod, [kh, kw, ci, co]);
}

/** dy [nb, oh, ow, co] -> [1, nb*oh*wq, co], zero in the extra columns. */
function extendDy(backend: BackendWasm, dy: TensorInfo, g: ConvGeometry, wq: number): TensorInfo {
  const { nb, oh, ow, co } = g;
  if (wq === ow) return runWasmKernel(backend, 'Reshape', { x: dy }, { shape: [1, nb * oh * ow, co] });
  const padded = runWasmKernel(backend, 'PadV2', { x: dy }, { paddings: [[0, 0], [0, 0], [0, wq - ow], [0, 0]], constantValue: 0 });
  return alias(padded, [1, nb * oh * wq, co]);
}

function shiftForm(backend: BackendWasm, planes: TensorInfo, dy: TensorInfo, g: ConvGeometry, hq: number, wq: number): TensorInfo {
  const { nb, ci, oh, ow, co, kh, kw, sh, sw } = g;
  const na = Math.ceil(kw / sw); // wq = ow + na - 1
  const planeSize = hq * wq;
  const rowLen = oh * wq;
  const nExt = nb * rowLen;
  const m = kh * sw * ci;
  const nc = na * co;
  const a = backend.makeOutput([1, m, nExt], 'float32');
  const bm = backend.makeOutput([1, nExt, nc], 'float32');
  const out = backend.makeOutput([kh, kw, ci, co], 'float32');
  let heap = heapF32(backend);
  const pOff = f32Offset(backend, planes);
  const aOff = f32Offset(backend, a);
  const bOff = f32Offset(backend, bm);
  const dyOff = f32Offset(backend, dy);
  // A: row (ikh, pw, c), batch b = rows floor(ikh/sh) .. + oh of plane (ikh % sh, pw, b, c).
  for (let ikh = 0; ikh < kh; ikh++) {
    const start = Math.floor(ikh / sh) * wq;
    for (let pw = 0; pw < sw; pw++) {
      const phase = (ikh % sh) * sw + pw;
      for (let c = 0; c < ci; c++) {
        const row = aOff + ((ikh * sw + pw) * ci + c) * nExt;
        for (let b = 0; b < nb; b++) {
          const src = pOff + ((phase * nb + b) * ci + c) * planeSize + start;
          heap.copyWithin(row + b * rowLen, src, src + rowLen);
        }
      }
    }
  }
  // B[(b, r, j), (a, o)] = dy[b, r, j - a, o] (0 outside [0, ow)). Small: co < SMALL_CO.
  for (let br = 0; br < nb * oh; br++) {
    for (let j = 0; j < wq; j++) {
      let d = bOff + (br * wq + j) * nc;
      for (let t = 0; t < na; t++, d += co) {
        const col = j - t;
        if (col < 0 || col >= ow) heap.fill(0, d, d + co);
        else {
          const s = dyOff + (br * ow + col) * co;
          for (let o = 0; o < co; o++) heap[d + o] = heap[s + o];
        }
      }
    }
  }
  const prod = runWasmKernel(backend, 'BatchMatMul', { a, b: bm }, { transposeA: false, transposeB: false });
  free(backend, a);
  free(backend, bm);
  // prod [(ikh, pw, c), (t, o)] -> dW[ikh, t*sw + pw, c, o].
  heap = heapF32(backend);
  const cOff = f32Offset(backend, prod);
  const oOff = f32Offset(backend, out);
  for (let ikh = 0; ikh < kh; ikh++) {
    for (let pw = 0; pw < sw; pw++) {
      for (let t = 0; t < na; t++) {
        const ikw = t * sw + pw;
        if (ikw >= kw) continue;
        for (let c = 0; c < ci; c++) {
          const s = cOff + ((ikh * sw + pw) * ci + c) * nc + t * co;
          heap.copyWithin(oOff + ((ikh * kw + ikw) * ci + c) * co, s, s + co);
        }
      }
    }
  }
  free(backend, prod);
  return out;
}
