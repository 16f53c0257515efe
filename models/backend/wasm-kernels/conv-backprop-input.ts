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
import { alias, f32Offset, free, heapF32, nhwcConvInfo, runWasmKernel, type ConvBackpropAttrs, type TensorInfo, type WasmKernelArgs } from './heap';

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

  // Phase filter [Th, Tw, CO, sh*sw*CI] from w [KH, KW, CI, CO] (small; one JS pass).
  const f = backend.makeOutput([ph.taps, pw.taps, co, oc], 'float32');
  const heap = heapF32(backend);
  const wOff = f32Offset(backend, filter);
  let o = f32Offset(backend, f);
  for (let jh = 0; jh < ph.taps; jh++) {
    for (let jw = 0; jw < pw.taps; jw++) {
      for (let c = 0; c < co; c++) {
        for (let rh = 0; rh < sh; rh++) {
          const ikh = rh + g.pt - sh * (jh + ph.tmin);
          for (let rw = 0; rw < sw; rw++) {
            const ikw = rw + g.pl - sw * (jw + pw.tmin);
            if (ikh < 0 || ikh >= kh || ikw < 0 || ikw >= kw) {
              heap.fill(0, o, o + ci);
              o += ci;
              continue;
            }
            const base = wOff + (ikh * kw + ikw) * ci * co + c;
            for (let k = 0; k < ci; k++) heap[o++] = heap[base + k * co];
          }
        }
      }
    }
  }

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
  free(backend, f);
  if (cropped) free(backend, src);
  // y: [B, Qh, Qw, sh*sw*CI] -> interleave phases -> [B, Qh*sh, Qw*sw, CI].
  let full: TensorInfo;
  if (phases === 1) {
    full = y;
  } else if (sh === sw) {
    full = runWasmKernel(backend, 'DepthToSpace', { x: y }, { blockSize: sh, dataFormat: 'NHWC' });
    free(backend, y);
  } else {
    const y6 = alias(y, [nb, ph.q, pw.q, sh, sw, ci]);
    const t = runWasmKernel(backend, 'Transpose', { x: y6 }, { perm: [0, 1, 3, 2, 4, 5] });
    free(backend, y);
    full = alias(t, [nb, ph.q * sh, pw.q * sw, ci]);
  }
  if (ph.q * sh === ih && pw.q * sw === iw) return full;
  const out = runWasmKernel(backend, 'Slice', { x: full }, { begin: [0, 0, 0, 0], size: [nb, ih, iw, ci] });
  free(backend, full);
  return out;
}
