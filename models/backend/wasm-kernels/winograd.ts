/**
 * 3x3 stride-1 convolutions by Winograd F(2x2, 3x3): 16 XNNPACK matrix products
 * [tiles, C] @ [C, K] (one per transformed position) instead of one [pixels, 9C] @ [9C, K], i.e.
 * 2.25x fewer multiplies, plus the input/output transforms in the SIMD module (simd-winograd.ts).
 * These are the generator's residual-block convolutions (12 of them, 128 -> 128 channels at 32x32,
 * ~70% of its compute), forward and, through Conv2DBackpropInput's flipped-filter convolution,
 * backward. Rounding differs from the direct convolution by ~1e-6 relative.
 *
 * Applies when channels in and out are multiples of 4 and the output height and width are even
 * (the tiles cover it exactly); otherwise returns null and the caller runs XNNPACK's convolution.
 * (XNNPACK's own batched BatchMatMul is a scalar loop in tfjs 4.22, hence 16 separate products.)
 */
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { cachedFilters } from './filter-cache';
import { f32Offset, free, heapF32, runWasmKernel, type TensorInfo } from './heap';
import { simdKernels } from './simd-module';

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

/** Byte addresses of 16 tensors in an int32 table tensor. */
function writeTable(backend: BackendWasm, table: TensorInfo, ts: TensorInfo[], extra = 0): void {
  const heap32 = new Int32Array(heapF32(backend).buffer);
  const at = f32Offset(backend, table);
  ts.forEach((t, i) => (heap32[at + i] = backend.getMemoryOffset(t.dataId) + extra));
}

export function winogradConv(backend: BackendWasm, x: TensorInfo, filter: TensorInfo, bias: TensorInfo | null, pads: ConvPads): TensorInfo | null {
  const k = simdKernels(backend.wasm);
  const [nb, h, w, c] = x.shape;
  const [fh, fw, fc, kOut] = filter.shape;
  const oh = h + pads.top + pads.bottom - 2;
  const ow = w + pads.left + pads.right - 2;
  if (!k || disabled() || fh !== 3 || fw !== 3 || fc !== c || c % 4 !== 0 || kOut % 4 !== 0 || oh % 2 !== 0 || ow % 2 !== 0 || oh <= 0 || ow <= 0) return null;
  const tilesY = oh / 2;
  const tilesX = ow / 2;
  const tiles = tilesY * tilesX;
  if (tiles < MIN_TILES || c < MIN_CHANNELS || kOut < MIN_CHANNELS) return null;
  if (x.dtype !== 'float32' || filter.dtype !== 'float32') return null;

  const padded = pads.top || pads.bottom || pads.left || pads.right;
  const xp = padded
    ? runWasmKernel(backend, 'PadV2', { x }, { paddings: [[0, 0], [pads.top, pads.bottom], [pads.left, pads.right], [0, 0]], constantValue: 0 })
    : x;
  const wp = ow + 2;
  const hp = oh + 2;
  const u = cachedFilters(backend, filter, 'winograd F(2,3)', () => {
    const fs = Array.from({ length: 16 }, () => backend.makeOutput([1, c, kOut], 'float32'));
    const table = backend.makeOutput([16], 'int32');
    writeTable(backend, table, fs);
    k.winoFilter(backend.getMemoryOffset(filter.dataId), c, kOut * 4, backend.getMemoryOffset(table.dataId));
    free(backend, table);
    return fs;
  });
  const y = backend.makeOutput([nb, oh, ow, kOut], 'float32');
  const v = Array.from({ length: 16 }, () => backend.makeOutput([1, tiles, c], 'float32'));
  const tableV = backend.makeOutput([16], 'int32');
  const tableM = backend.makeOutput([16], 'int32');
  const zeros = bias ? null : backend.makeOutput([kOut], 'float32');
  if (zeros) heapF32(backend).fill(0, f32Offset(backend, zeros), f32Offset(backend, zeros) + kOut);
  const biasAddr = backend.getMemoryOffset((bias ?? zeros)!.dataId);
  writeTable(backend, tableV, v);
  for (let b = 0; b < nb; b++) {
    const xAddr = backend.getMemoryOffset(xp.dataId) + b * hp * wp * c * 4;
    k.winoIn(xAddr + 0, wp * c * 4, c * 4, tilesY, tilesX, backend.getMemoryOffset(tableV.dataId));
    const m = v.map((vi, i) => runWasmKernel(backend, 'BatchMatMul', { a: vi, b: u[i] }, { transposeA: false, transposeB: false }));
    writeTable(backend, tableM, m);
    const yAddr = backend.getMemoryOffset(y.dataId) + b * oh * ow * kOut * 4;
    k.winoOut(backend.getMemoryOffset(tableM.dataId), kOut * 4, tilesY, tilesX, biasAddr, yAddr, ow * kOut * 4);
    for (const t of m) free(backend, t);
  }
  for (const t of [...v, tableV, tableM]) free(backend, t);
  if (zeros) free(backend, zeros);
  if (padded) free(backend, xp);
  return y;
}

/**
 * Weight gradient of a 3x3 stride-1 conv by the transposed algorithm F(3x3, 2x2): per transformed
 * position one product V^T H over all tiles of all batch items ([C, tiles] @ [tiles, K]), then
 * dW = G^T M G. x [nb, h, w, C], dy [nb, oh, ow, K], pads of the forward conv (top, left).
 */
export function winogradFilterGrad(backend: BackendWasm, x: TensorInfo, dy: TensorInfo, top: number, left: number): TensorInfo | null {
  const k = simdKernels(backend.wasm);
  const [nb, h, w, c] = x.shape;
  const [, oh, ow, kOut] = dy.shape;
  const bottom = oh + 2 - h - top;
  const right = ow + 2 - w - left;
  if (!k || disabled() || c % 4 !== 0 || kOut % 4 !== 0 || oh % 2 !== 0 || ow % 2 !== 0 || bottom < 0 || right < 0) return null;
  const tilesY = oh / 2;
  const tilesX = ow / 2;
  const tiles = tilesY * tilesX;
  if (tiles < MIN_TILES || c < MIN_CHANNELS || kOut < MIN_CHANNELS) return null;
  const padded = top || bottom || left || right;
  const xp = padded ? runWasmKernel(backend, 'PadV2', { x }, { paddings: [[0, 0], [top, bottom], [left, right], [0, 0]], constantValue: 0 }) : x;
  const hp = oh + 2;
  const wp = ow + 2;
  const v = Array.from({ length: 16 }, () => backend.makeOutput([1, nb * tiles, c], 'float32'));
  const hh = Array.from({ length: 16 }, () => backend.makeOutput([1, nb * tiles, kOut], 'float32'));
  const tableV = backend.makeOutput([16], 'int32');
  const tableH = backend.makeOutput([16], 'int32');
  for (let b = 0; b < nb; b++) {
    writeTable(backend, tableV, v, b * tiles * c * 4);
    writeTable(backend, tableH, hh, b * tiles * kOut * 4);
    k.winoIn(backend.getMemoryOffset(xp.dataId) + b * hp * wp * c * 4, wp * c * 4, c * 4, tilesY, tilesX, backend.getMemoryOffset(tableV.dataId));
    k.winoDy(backend.getMemoryOffset(dy.dataId) + b * oh * ow * kOut * 4, ow * kOut * 4, kOut * 4, tilesY, tilesX, backend.getMemoryOffset(tableH.dataId));
  }
  if (padded) free(backend, xp);
  const m = v.map((vi, i) => runWasmKernel(backend, 'BatchMatMul', { a: vi, b: hh[i] }, { transposeA: true, transposeB: false }));
  for (const t of [...v, ...hh]) free(backend, t);
  const dw = backend.makeOutput([3, 3, c, kOut], 'float32');
  writeTable(backend, tableV, m);
  k.winoGradOut(backend.getMemoryOffset(tableV.dataId), c, kOut * 4, backend.getMemoryOffset(dw.dataId));
  for (const t of [...m, tableV, tableH]) free(backend, t);
  return dw;
}
