/**
 * Resampling of uint8 RGB images by an affine map, in plain TypeScript (no tensors: the crops are at
 * most 256x256 and this keeps alignment synchronous, exact and backend-independent).
 */
import type { DecodedImage } from '../image/decoded-image';
import { affineScale, applyAffine, type Affine } from './affine';

const MAX_SUPERSAMPLE = 8;

function clamp(i: number, n: number): number {
  return i < 0 ? 0 : i >= n ? n - 1 : i;
}

/**
 * Bilinear sample at continuous position (x, y) (pixel centres at i + 0.5).
 * Edge pixels repeat outside the image. Writes the three channels into out[o..o+2] as floats.
 */
export function sampleBilinear(img: DecodedImage, x: number, y: number, out: Float64Array, o: number): void {
  const fx = x - 0.5;
  const fy = y - 0.5;
  const x0 = Math.floor(fx);
  const y0 = Math.floor(fy);
  const ax = fx - x0;
  const ay = fy - y0;
  const w = img.width;
  const xa = clamp(x0, w);
  const xb = clamp(x0 + 1, w);
  const ya = clamp(y0, img.height);
  const yb = clamp(y0 + 1, img.height);
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

export interface WarpResult extends DecodedImage {
  /** Fraction of output pixels whose centre falls inside the source image. */
  insideFraction: number;
}

/** How far (source pixels) a point lies outside the image, 0 inside. */
function outsideDistance(x: number, y: number, w: number, h: number): number {
  const dx = x < 0 ? -x : x > w ? x - w : 0;
  const dy = y < 0 ? -y : y > h ? y - h : 0;
  return Math.max(dx, dy);
}

/**
 * Renders a width x height image whose pixel (i, j) shows `src` at toSrc(i + 0.5, j + 0.5).
 * When one output pixel covers several source pixels (shrinking a big face to 128x128), each output
 * pixel averages an n x n grid of bilinear samples (n = ceil(scale), at most 8) so fine texture
 * does not alias into moire.
 * Outside the source (a face near the photo's edge, a tight dataset crop) the edge pixels are
 * stretched and faded to the crop's mean colour over 10% of the crop side, like FFHQ's blurred
 * padding: smooth, and without the mirrored half-faces that reflection padding puts there.
 */
export function warpAffine(src: DecodedImage, toSrc: Affine, width: number, height: number): WarpResult {
  const scale = affineScale(toSrc);
  const n = Math.min(MAX_SUPERSAMPLE, Math.max(1, Math.ceil(scale - 1e-6)));
  const acc = new Float64Array(3);
  const tmp = new Float64Array(3);
  const pix = new Float64Array(width * height * 3);
  const outside = new Float32Array(width * height); // distance outside the source, in output pixels
  const mean = [0, 0, 0];
  let inside = 0;
  const offs: number[] = [];
  for (let k = 0; k < n; k++) offs.push((k + 0.5) / n - 0.5);
  const inv = 1 / (n * n);
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
      const q = j * width + i;
      const c = applyAffine(toSrc, { x: i + 0.5, y: j + 0.5 });
      const d = outsideDistance(c.x, c.y, src.width, src.height) / scale;
      outside[q] = d;
      for (let ch = 0; ch < 3; ch++) pix[q * 3 + ch] = acc[ch] * inv;
      if (d === 0) {
        inside++;
        for (let ch = 0; ch < 3; ch++) mean[ch] += pix[q * 3 + ch];
      }
    }
  }
  if (inside > 0) for (let ch = 0; ch < 3; ch++) mean[ch] /= inside;
  else mean.fill(128);
  const fade = 0.1 * Math.max(width, height);
  const out = new Uint8Array(width * height * 3);
  for (let q = 0; q < width * height; q++) {
    const t = Math.min(1, outside[q] / fade);
    for (let ch = 0; ch < 3; ch++) out[q * 3 + ch] = Math.round(pix[q * 3 + ch] * (1 - t) + mean[ch] * t);
  }
  return { width, height, data: out, insideFraction: inside / (width * height) };
}
