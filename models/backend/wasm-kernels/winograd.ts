/**
 * 3x3 and 4x4 stride-1 convolutions by Winograd F(2x2, rxr): n*n (n = r + 1) XNNPACK matrix
 * products [tiles, C] @ [C, K] (one per transformed position) instead of one
 * [pixels, r*r*C] @ [r*r*C, K]: 2.25x (3x3) and 2.56x (4x4) fewer multiplies, plus the
 * input/output transforms in the SIMD module (simd-winograd.ts). These are the generator's
 * residual-block convolutions (12 of them, 128 -> 128 channels at 32x32) and the PatchGAN's
 * 4x4 stride-1 layer (256 -> 512 at 16x16, the most expensive layer of the step), forward, input
 * gradient (Conv2DBackpropInput's flipped-filter convolution) and weight gradient.
 * Rounding differs from the direct convolution by ~1e-6 relative.
 *
 * Applies when channels in and out are multiples of 4 (>= 16); an odd output size is covered by
 * one extra tile row/column (zero-padded input, cropped output). Otherwise returns null and the
 * caller runs XNNPACK's convolution. (tfjs 4.22's batched BatchMatMul is a scalar loop, hence
 * n*n separate products.)
 */
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { cachedFilters } from './filter-cache';
import { f32Offset, free, heapF32, runWasmKernel, type TensorInfo } from './heap';
import { simdKernels, winogradKernels, type WinogradKernels } from './simd-module';

export interface ConvPads {
  top: number;
  bottom: number;
  left: number;
  right: number;
}

/** Smallest convolutions worth the 16 products and transforms (measured: below, XNNPACK is as fast). */
const MIN_TILES = 16;
const MIN_CHANNELS = 16;

/** FACE_AGE_WINOGRAD=0 turns Winograd off (for A/B measurements of the engine bench). */
const disabled = () => process.env.FACE_AGE_WINOGRAD === '0';

/** Byte addresses of the tensors in an int32 table tensor. */
function writeTable(backend: BackendWasm, table: TensorInfo, ts: TensorInfo[], extra = 0): void {
  const heap32 = new Int32Array(heapF32(backend).buffer);
  const at = f32Offset(backend, table);
  ts.forEach((t, i) => (heap32[at + i] = backend.getMemoryOffset(t.dataId) + extra));
}

/** The kernels for an r x r filter with C -> K channels, or null when Winograd does not apply. */
function plan(backend: BackendWasm, r: number, c: number, kOut: number, tiles: number): WinogradKernels | null {
  const k = simdKernels(backend.wasm);
  if (!k || disabled() || (r !== 3 && r !== 4) || c % 4 !== 0 || kOut % 4 !== 0) return null;
  if (tiles < MIN_TILES || c < MIN_CHANNELS || kOut < MIN_CHANNELS) return null;
  return winogradKernels(k, r);
}

const pad4 = (backend: BackendWasm, x: TensorInfo, top: number, bottom: number, left: number, right: number) =>
  top || bottom || left || right ? runWasmKernel(backend, 'PadV2', { x }, { paddings: [[0, 0], [top, bottom], [left, right], [0, 0]], constantValue: 0 }) : x;

export function winogradConv(backend: BackendWasm, x: TensorInfo, filter: TensorInfo, bias: TensorInfo | null, pads: ConvPads): TensorInfo | null {
  const [nb, h, w, c] = x.shape;
  const [r, fw, fc, kOut] = filter.shape;
  const oh = h + pads.top + pads.bottom - r + 1;
  const ow = w + pads.left + pads.right - r + 1;
  if (fw !== r || fc !== c || oh <= 0 || ow <= 0 || x.dtype !== 'float32' || filter.dtype !== 'float32') return null;
  const tilesY = Math.ceil(oh / 2);
  const tilesX = Math.ceil(ow / 2);
  const tiles = tilesY * tilesX;
  const k = plan(backend, r, c, kOut, tiles);
  if (!k) return null;
  const n = r + 1;
  const nn = n * n;
  // Input rows/columns the tiles read: 2*tiles + r - 1 (one more than given for an odd output).
  const hp = 2 * tilesY + r - 1;
  const wp = 2 * tilesX + r - 1;
  const xp = pad4(backend, x, pads.top, hp - h - pads.top, pads.left, wp - w - pads.left);
  const u = cachedFilters(backend, filter, `winograd F(2,${r})`, () => {
    const fs = Array.from({ length: nn }, () => backend.makeOutput([1, c, kOut], 'float32'));
    const table = backend.makeOutput([nn], 'int32');
    writeTable(backend, table, fs);
    k.winoFilter(backend.getMemoryOffset(filter.dataId), c, kOut * 4, backend.getMemoryOffset(table.dataId));
    free(backend, table);
    return fs;
  });
  const yh = 2 * tilesY;
  const yw = 2 * tilesX;
  const y = backend.makeOutput([nb, yh, yw, kOut], 'float32');
  const v = Array.from({ length: nn }, () => backend.makeOutput([1, tiles, c], 'float32'));
  const tableV = backend.makeOutput([nn], 'int32');
  const tableM = backend.makeOutput([nn], 'int32');
  const zeros = bias ? null : backend.makeOutput([kOut], 'float32');
  if (zeros) heapF32(backend).fill(0, f32Offset(backend, zeros), f32Offset(backend, zeros) + kOut);
  const biasAddr = backend.getMemoryOffset((bias ?? zeros)!.dataId);
  writeTable(backend, tableV, v);
  for (let b = 0; b < nb; b++) {
    const xAddr = backend.getMemoryOffset(xp.dataId) + b * hp * wp * c * 4;
    k.winoIn(xAddr, wp * c * 4, c * 4, tilesY, tilesX, backend.getMemoryOffset(tableV.dataId));
    const m = v.map((vi, i) => runWasmKernel(backend, 'BatchMatMul', { a: vi, b: u[i] }, { transposeA: false, transposeB: false }));
    writeTable(backend, tableM, m);
    const yAddr = backend.getMemoryOffset(y.dataId) + b * yh * yw * kOut * 4;
    k.winoOut(backend.getMemoryOffset(tableM.dataId), kOut * 4, tilesY, tilesX, biasAddr, yAddr, yw * kOut * 4);
    for (const t of m) free(backend, t);
  }
  for (const t of [...v, tableV, tableM]) free(backend, t);
  if (zeros) free(backend, zeros);
  if (xp !== x) free(backend, xp);
  if (yh === oh && yw === ow) return y;
  const cropped = runWasmKernel(backend, 'Slice', { x: y }, { begin: [0, 0, 0, 0], size: [nb, oh, ow, kOut] });
  free(backend, y);
  return cropped;
}

/**
 * Weight gradient of an r x r stride-1 conv by the transposed algorithm F(rxr, 2x2): per
 * transformed position one product V^T H over all tiles of all batch items
 * ([C, tiles] @ [tiles, K]), then dW = G^T M G. x [nb, h, w, C], dy [nb, oh, ow, K], pads of the
 * forward conv (top, left). An odd dy size gets a zero row/column (which adds nothing).
 */
export function winogradFilterGrad(backend: BackendWasm, x: TensorInfo, dy: TensorInfo, r: number, top: number, left: number): TensorInfo | null {
  const [nb, h, w, c] = x.shape;
  const [, oh, ow, kOut] = dy.shape;
  const tilesY = Math.ceil(oh / 2);
  const tilesX = Math.ceil(ow / 2);
  const tiles = tilesY * tilesX;
  const hp = 2 * tilesY + r - 1;
  const wp = 2 * tilesX + r - 1;
  // x rows beyond what the windows read (a valid conv with leftover rows) would need a crop.
  if (hp - h - top < 0 || wp - w - left < 0 || x.dtype !== 'float32') return null;
  const k = plan(backend, r, c, kOut, tiles);
  if (!k) return null;
  const n = r + 1;
  const nn = n * n;
  const xp = pad4(backend, x, top, hp - h - top, left, wp - w - left);
  const dyp = pad4(backend, dy, 0, 2 * tilesY - oh, 0, 2 * tilesX - ow);
  const v = Array.from({ length: nn }, () => backend.makeOutput([1, nb * tiles, c], 'float32'));
  const hh = Array.from({ length: nn }, () => backend.makeOutput([1, nb * tiles, kOut], 'float32'));
  const tableV = backend.makeOutput([nn], 'int32');
  const tableH = backend.makeOutput([nn], 'int32');
  for (let b = 0; b < nb; b++) {
    writeTable(backend, tableV, v, b * tiles * c * 4);
    writeTable(backend, tableH, hh, b * tiles * kOut * 4);
    k.winoIn(backend.getMemoryOffset(xp.dataId) + b * hp * wp * c * 4, wp * c * 4, c * 4, tilesY, tilesX, backend.getMemoryOffset(tableV.dataId));
    const dyRow = 2 * tilesX * kOut * 4;
    k.winoDy(backend.getMemoryOffset(dyp.dataId) + b * 2 * tilesY * dyRow, dyRow, kOut * 4, tilesY, tilesX, backend.getMemoryOffset(tableH.dataId));
  }
  if (xp !== x) free(backend, xp);
  if (dyp !== dy) free(backend, dyp);
  const m = v.map((vi, i) => runWasmKernel(backend, 'BatchMatMul', { a: vi, b: hh[i] }, { transposeA: true, transposeB: false }));
  for (const t of [...v, ...hh]) free(backend, t);
  const dw = backend.makeOutput([r, r, c, kOut], 'float32');
  writeTable(backend, tableV, m);
  k.winoGradOut(backend.getMemoryOffset(tableV.dataId), c, kOut * 4, backend.getMemoryOffset(dw.dataId));
  for (const t of [...m, tableV, tableH]) free(backend, t);
  return dw;
}
