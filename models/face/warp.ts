/**
 * Resampling of uint8 RGB images by an affine map, in plain TypeScript (no tensors: the crops are at
 * most 256x256 and this keeps alignment synchronous, exact and backend-independent).
 */
import type { DecodedImage } from '../image/decoded-image';
import { affineScale, applyAffine, type Affine } from './affine';

const MAX_SUPERSAMPLE = 8;

/** Reflects an index into [0, n-1] (mirror without repeating the edge pixel, like FFHQ's reflect pad). */
function reflect(i: number, n: number): number {
  if (n === 1) return 0;
  const period = 2 * (n - 1);
  let k = i % period;
  if (k < 0) k += period;
  return k < n ? k : period - k;
}

/**
 * Bilinear sample at continuous position (x, y) (pixel centres at i + 0.5), mirror outside.
 * Writes the three channels into out[o..o+2] as floats.
 */
export function sampleBilinear(img: DecodedImage, x: number, y: number, out: Float64Array, o: number): void {
  const fx = x - 0.5;
  const fy = y - 0.5;
  const x0 = Math.floor(fx);
  const y0 = Math.floor(fy);
  const ax = fx - x0;
  const ay = fy - y0;
  const w = img.width;
  const xa = reflect(x0, w);
  const xb = reflect(x0 + 1, w);
  const ya = reflect(y0, img.height);
  const yb = reflect(y0 + 1, img.height);
  const d = img.data;
  const p00 = (ya * w + xa) * 3;
  const p01 = (ya * w + xb) * 3;
  const p10 = (yb * w + xa) * 3;
  const p11 = (yb * w + xb) * 3;
  const w00 = (1 - ax) * (1 - ay);
  const w01 = ax * (1 - ay);
  const w10 = (1 - ax) * ay;
  const w11 = ax * ay;
  out[o] = d[p00] * w00 + d[p01] * w01 + d[p10] * w10 + d[p11] * w11;
  out[o + 1] = d[p00 + 1] * w00 + d[p01 + 1] * w01 + d[p10 + 1] * w10 + d[p11 + 1] * w11;
  out[o + 2] = d[p00 + 2] * w00 + d[p01 + 2] * w01 + d[p10 + 2] * w10 + d[p11 + 2] * w11;
}

/**
 * Renders a width x height image whose pixel (i, j) shows `src` at toSrc(i + 0.5, j + 0.5).
 * When one output pixel covers several source pixels (shrinking a big face to 128x128), each output
 * pixel averages an n x n grid of bilinear samples (n = ceil(scale), at most 8) so fine texture
 * does not alias into moire.
 */
export function warpAffine(src: DecodedImage, toSrc: Affine, width: number, height: number): DecodedImage {
  const scale = affineScale(toSrc);
  const n = Math.min(MAX_SUPERSAMPLE, Math.max(1, Math.ceil(scale - 1e-6)));
  const out = new Uint8Array(width * height * 3);
  const acc = new Float64Array(3);
  const tmp = new Float64Array(3);
  // Sub-sample offsets in output pixels; the step along x and y in source pixels is the matrix columns.
  const offs: number[] = [];
  for (let k = 0; k < n; k++) offs.push((k + 0.5) / n - 0.5);
  for (let j = 0; j < height; j++) {
    for (let i = 0; i < width; i++) {
      acc[0] = 0;
      acc[1] = 0;
      acc[2] = 0;
      for (const oy of offs) {
        for (const ox of offs) {
          const p = applyAffine(toSrc, { x: i + 0.5 + ox, y: j + 0.5 + oy });
          sampleBilinear(src, p.x, p.y, tmp, 0);
          acc[0] += tmp[0];
          acc[1] += tmp[1];
          acc[2] += tmp[2];
        }
      }
      const o = (j * width + i) * 3;
      const inv = 1 / (n * n);
      out[o] = Math.round(acc[0] * inv);
      out[o + 1] = Math.round(acc[1] * inv);
      out[o + 2] = Math.round(acc[2] * inv);
    }
  }
  return { width, height, data: out };
}
