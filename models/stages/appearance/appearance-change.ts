/**
 * The appearance stage: the change between two shape-normalised mean faces (normalised-means.ts),
 * made to fit the person, then drawn onto their face at its (already reshaped) landmarks.
 *
 *   C = A(t, sex) - A(s, sex)                      in the reference shape, [S, S, 3], grey levels
 *   luminance of C: kept sharp (a light blur against noise), scaled by the face's brightness over
 *     the source mean's (shading acts multiplicatively: a dark face gets a proportionally smaller
 *     change instead of a pale patch);
 *   chroma of C: blurred wide and damped (skin colour changes slowly over a face; sharp chroma in a
 *     difference of means is what painted red blotches and green glints), and dropped entirely for
 *     a greyscale photo;
 *   both minus their own average over the face, so the person's skin tone stays theirs and the
 *     face keeps matching the neck and ears;
 *   faded out at the face's outline (jaw and forehead) so hair, ears and background are untouched.
 */
import { gaussianBlur } from '../../recipes/prototype/filters';
import { controlPoints, insidePolygon } from '../shape/face-points';
import { denseMap, fitTps, remap } from '../shape/tps';
import { appearanceAt, type AppearanceMeans } from './normalised-means';

export interface AppearanceOptions {
  /** Multiplies the change (1: the plain difference of means). */
  strength: number;
  /** Multiplies the chroma part of the change after its blur. */
  chroma: number;
  /** Blur of the chroma part, pixels at the means' size. */
  chromaSigma: number;
  /** Blur of the luminance part against noise, pixels at the means' size. */
  lumaSigma: number;
  /** Multiplies a learned (refiner) change instead; absent: 1. */
  learnedStrength?: number;
}

export const DEFAULT_APPEARANCE: AppearanceOptions = { strength: 1.6, chroma: 0.5, chromaSigma: 4, lumaSigma: 1 };

const LUMA = [0.299, 0.587, 0.114] as const;

/** Soft mask of the face inside its outline (jaw, then forehead points), in a shape's frame. */
export function outlineMask(shape: ArrayLike<number>, size: number, feather: number): Float32Array {
  const pt = (i: number): [number, number] => [shape[2 * i], shape[2 * i + 1]];
  const poly: Array<[number, number]> = [];
  for (let i = 0; i <= 16; i++) poly.push(pt(i));
  // Up to the brows (0.03 of the brow-to-chin height above them): above them the mean faces hold
  // hair (children's fringes down to the brows), and their difference printed a grey band on the
  // forehead. The forehead ages by the texture stage alone.
  const chinY = shape[2 * 8 + 1];
  for (const i of [26, 24, 21, 19, 17]) {
    const [x, y] = pt(i);
    poly.push([x, y - 0.03 * (chinY - y)]);
  }
  const hard = new Float32Array(size * size);
  for (let y = 0; y < size; y++) {
    const v = (y + 0.5) / size;
    for (let x = 0; x < size; x++) {
      const u = (x + 0.5) / size;
      hard[y * size + x] = insidePolygon(u, v, poly) ? 1 : 0;
    }
  }
  // Shrink then soften: the blurred edge ends inside the outline, not across it.
  const soft = gaussianBlur(hard, size, feather, 1);
  for (let i = 0; i < soft.length; i++) soft[i] = Math.max(0, Math.min(1, (soft[i] - 0.5) * 2));
  return soft;
}

/** Whether an RGB face (floats, any scale) carries almost no colour: a greyscale photo. */
export function isGreyscale(face: Float32Array, scale: number): boolean {
  let sum = 0;
  const n = face.length / 3;
  for (let p = 0; p < n; p++) {
    const r = face[3 * p], g = face[3 * p + 1], b = face[3 * p + 2];
    sum += Math.abs(r - g) + Math.abs(g - b);
  }
  return sum / n / scale < 3;
}

/**
 * The appearance change in the reference frame for one person, grey levels [S, S, 3]
 * (see the file comment). `faceLuma` is the person's mean luminance over the face (0-255).
 */
export function referenceChange(
  means: AppearanceMeans,
  mask: Float32Array,
  sourceAge: number,
  targetAge: number,
  gender: number | null,
  faceLuma: number,
  greyscale: boolean,
  o: AppearanceOptions,
): Float32Array {
  const S = means.size;
  const from = appearanceAt(means, sourceAge, gender);
  const to = appearanceAt(means, targetAge, gender);
  const n = S * S;
  const luma = new Float32Array(n);
  const chroma = new Float32Array(n * 3);
  let fromLuma = 0;
  let wsum = 0;
  for (let p = 0; p < n; p++) {
    let y = 0;
    let yf = 0;
    for (let c = 0; c < 3; c++) {
      y += LUMA[c] * (to[3 * p + c] - from[3 * p + c]);
      yf += LUMA[c] * from[3 * p + c];
    }
    luma[p] = y;
    for (let c = 0; c < 3; c++) chroma[3 * p + c] = to[3 * p + c] - from[3 * p + c] - y;
    fromLuma += mask[p] * yf;
    wsum += mask[p];
  }
  fromLuma /= Math.max(1e-6, wsum);
  const l = gaussianBlur(luma, S, o.lumaSigma, 1);
  const ch = greyscale || o.chroma === 0 ? new Float32Array(n * 3) : gaussianBlur(chroma, S, o.chromaSigma, 3);
  const gain = Math.min(1.4, Math.max(0.45, faceLuma / Math.max(1, fromLuma)));
  const out = new Float32Array(n * 3);
  const mean = [0, 0, 0];
  for (let p = 0; p < n; p++) {
    for (let c = 0; c < 3; c++) {
      const v = o.strength * (gain * l[p] + o.chroma * ch[3 * p + c]);
      out[3 * p + c] = v;
      mean[c] += (mask[p] * v) / Math.max(1e-6, wsum);
    }
  }
  for (let p = 0; p < n; p++) for (let c = 0; c < 3; c++) out[3 * p + c] = (out[3 * p + c] - mean[c]) * mask[p];
  return out;
}

/**
 * Draws a reference-frame change onto a face whose landmarks are `shape` (unit coordinates), at the
 * face's size: each face pixel p takes the change at h(p), h mapping the face's control points onto
 * the reference's. Returns [size, size, 3] grey levels.
 */
export function changeOnFace(change: Float32Array, changeSize: number, reference: ArrayLike<number>, shape: ArrayLike<number>, size: number): Float32Array {
  const tps = fitTps(controlPoints(shape), controlPoints(reference), 1e-4);
  return remap(change, size, denseMap(tps, size, { sourceSize: changeSize }), 3, changeSize);
}
