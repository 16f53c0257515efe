/**
 * Conv2DBackpropFilter for the wasm backend (tfjs 4.22 registers none, so every conv backward
 * throws there). dW[kh, kw, ci, co] = sum_{b, oh, ow} x[b, oh*s + kh - pt, ow*s + kw - pl, ci] * dy[b, oh, ow, co].
 *
 * Expressed as one XNNPACK matrix product A @ B with
 *   A = im2col(x)^T : [KH*KW*CI, N'], B = dy : [N', CO], N' = B * OH * Wq,
 * so the big operand is the left one (XNNPACK packs only the right one) and no transpose is needed.
 * A is built without per-element JS work for its bulk: x is first split into stride phases
 * ("planes" [B, sh, sw, CI, Hq, Wq], zero where the padding is), after which every row of A is a
 * contiguous window of one plane (the output width is extended to Wq columns; the extra columns
 * meet zero rows of the extended dy, so they add nothing) and is copied with a native memmove.
 */
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { alias, f32Offset, free, heapF32, nhwcConvInfo, runWasmKernel, type ConvBackpropAttrs, type TensorInfo, type WasmKernelArgs } from './heap';

interface Conv2DBackpropFilterAttrs extends ConvBackpropAttrs {
  filterShape: [number, number, number, number];
}

export function conv2dBackpropFilterWasm(args: WasmKernelArgs<{ x?: TensorInfo; dy?: TensorInfo }>): TensorInfo {
  const backend = args.backend as BackendWasm;
  const x = args.inputs.x!;
  const dy = args.inputs.dy!;
  const attrs = args.attrs as unknown as Conv2DBackpropFilterAttrs;
  const { nb, h, w, ci, oh, ow, co, kh, kw, sh, sw, pt, pl } = nhwcConvInfo('Conv2DBackpropFilter', x.shape, attrs.filterShape, attrs);

  // Phase planes: plane (b, ph, pw, c)[a, q] = xpad[a*sh + ph, q*sw + pw, c]. Wq covers every tap's
  // window for the valid columns; the extra row absorbs the tail of the last window.
  const wq = ow + Math.floor((kw - 1) / sw);
  const hq = oh + Math.floor((kh - 1) / sh) + 1;
  const planeSize = hq * wq;
  const rowLen = oh * wq; // one batch item's part of a row of A
  const nExt = nb * rowLen;
  const kkc = kh * kw * ci;

  const planes = backend.makeOutput([nb * sh * sw * ci * planeSize], 'float32');
  const a = backend.makeOutput([1, kkc, nExt], 'float32');
  const dyExt = backend.makeOutput([1, nExt, co], 'float32');
  const heap = heapF32(backend); // after the last allocation
  const xOff = f32Offset(backend, x);
  const dyOff = f32Offset(backend, dy);
  const pOff = f32Offset(backend, planes);
  const aOff = f32Offset(backend, a);
  const eOff = f32Offset(backend, dyExt);

  // 1) planes (one pass over x, channel-major writes).
  let p = pOff;
  for (let b = 0; b < nb; b++) {
    for (let ph = 0; ph < sh; ph++) {
      for (let pw = 0; pw < sw; pw++) {
        for (let c = 0; c < ci; c++) {
          for (let r = 0; r < hq; r++) {
            const xi = r * sh + ph - pt;
            if (xi < 0 || xi >= h) {
              heap.fill(0, p, p + wq);
              p += wq;
              continue;
            }
            const rowBase = xOff + ((b * h + xi) * w) * ci + c;
            for (let q = 0; q < wq; q++) {
              const xj = q * sw + pw - pl;
              heap[p++] = xj >= 0 && xj < w ? heap[rowBase + xj * ci] : 0;
            }
          }
        }
      }
    }
  }
  // 2) rows of A: row (ikh, ikw, c), batch b = window of plane (b, ikh % sh, ikw % sw, c).
  for (let ikh = 0; ikh < kh; ikh++) {
    for (let ikw = 0; ikw < kw; ikw++) {
      const start = Math.floor(ikh / sh) * wq + Math.floor(ikw / sw);
      for (let c = 0; c < ci; c++) {
        const row = (ikh * kw + ikw) * ci + c;
        for (let b = 0; b < nb; b++) {
          const src = pOff + (((b * sh + (ikh % sh)) * sw + (ikw % sw)) * ci + c) * planeSize + start;
          heap.copyWithin(aOff + row * nExt + b * rowLen, src, src + rowLen);
        }
      }
    }
  }
  // 3) dy extended to Wq columns with zeros.
  let e = eOff;
  for (let b = 0; b < nb; b++) {
    for (let r = 0; r < oh; r++) {
      const src = dyOff + ((b * oh + r) * ow) * co;
      heap.copyWithin(e, src, src + ow * co);
      e += ow * co;
      const tail = (wq - ow) * co;
      heap.fill(0, e, e + tail);
      e += tail;
    }
  }
  free(backend, planes);
  const prod = runWasmKernel(backend, 'BatchMatMul', { a, b: dyExt }, { transposeA: false, transposeB: false });
  free(backend, a);
  free(backend, dyExt);
  // [1, KH*KW*CI, CO] is already the filter layout [KH, KW, CI, CO].
  return alias(prod, [kh, kw, ci, co]);
}
