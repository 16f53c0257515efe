/**
 * Detail amplitude maps of faces: the measurement behind the texture stage (prototype-texture.ts),
 * averaged per age group by computeMeanFaces.
 */
import { gaussianBlur } from '../recipes/prototype/filters';

/** Band edges (Gaussian sigmas, pixels at the means' size): band k = blur(sigma_k) - blur(sigma_k+1). */
export const TEXTURE_SIGMAS: readonly number[] = [0, 1, 2.5];
export const TEXTURE_BANDS = TEXTURE_SIGMAS.length - 1;
/** Blur of |band| that turns detail into a local amplitude. */
export const AMPLITUDE_SIGMA = 3;
/** Side of the stored amplitude maps (the means' side when that is smaller). */
export const MAP_SIZE = 32;
export function mapSizeFor(size: number): number {
  const m = Math.min(MAP_SIZE, size);
  if (size % m !== 0) throw new Error(`texture maps need a face size divisible by ${m}, got ${size}`);
  return m;
}

/** Luminance of RGB bytes [S*S*3] in [-1, 1] units, [S*S]. */
function luminance(px: ArrayLike<number>, n: number): Float32Array {
  const out = new Float32Array(n);
  for (let p = 0; p < n; p++) out[p] = (0.299 * px[p * 3] + 0.587 * px[p * 3 + 1] + 0.114 * px[p * 3 + 2]) / 127.5;
  return out;
}

/**
 * Local amplitude of each detail band of one face (RGB bytes, S x S), averaged over blocks down to
 * the map size: [bands * M * M], band-major. With `mirror`, the mean of the map and its mirror
 * image (the amplitude of the flipped face), as the means average each face with its mirror.
 */
export function detailAmplitudes(px: ArrayLike<number>, size: number, mirror = true): Float32Array {
  const n = size * size;
  const M = mapSizeFor(size);
  const block = size / M;
  const lum = luminance(px, n);
  const levels = TEXTURE_SIGMAS.map((s) => gaussianBlur(lum, size, s, 1));
  const out = new Float32Array(TEXTURE_BANDS * M * M);
  for (let b = 0; b < TEXTURE_BANDS; b++) {
    const mag = new Float32Array(n);
    for (let p = 0; p < n; p++) mag[p] = Math.abs(levels[b][p] - levels[b + 1][p]);
    const amp = gaussianBlur(mag, size, AMPLITUDE_SIGMA, 1);
    const o = b * M * M;
    for (let y = 0; y < size; y++) for (let x = 0; x < size; x++) out[o + Math.floor(y / block) * M + Math.floor(x / block)] += amp[y * size + x];
    for (let q = 0; q < M * M; q++) out[o + q] /= block * block;
    if (mirror) {
      for (let y = 0; y < M; y++) {
        for (let x = 0; x < M / 2; x++) {
          const a = o + y * M + x;
          const z = o + y * M + (M - 1 - x);
          const mean = (out[a] + out[z]) / 2;
          out[a] = mean;
          out[z] = mean;
        }
      }
    }
  }
  return out;
}
