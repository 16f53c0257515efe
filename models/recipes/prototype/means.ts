/**
 * The mean aligned face of each age group: the raw material of the prototype baseline
 * (Burt & Perrett 1995 style "prototype" aging: output = input + mean(target) - mean(source)).
 *
 * Means are accumulated in float64 over every face of the chosen split (and, by default, its
 * mirror image too: faces are near-symmetric, so this halves the noise of small groups without
 * biasing anything). Each group's anchor age is the mean label of its members, not the group's
 * centre, so interpolation by age uses where the faces actually are. With balance 'strata'
 * (prototype-balance.ts) the means and anchors are weighted so each demographic stratum of a group
 * counts equally; 'none' weighs every face 1, which gives exactly the unweighted sums.
 */
import type { FaceSource } from '../../data/face-source';
import { SPLIT_TRAIN, SPLIT_VAL } from '../../data/face-source';
import { TEXTURE_BANDS, detailAmplitudes, mapSizeFor } from '../../stages/texture-maps';
import { DEFAULT_MIN_CELL_FACES, strataWeights, type GroupStrata, type MeanBalance } from './balance';

/** Lower edges (years) of the prototype age groups; the last group is open-ended. */
export const PROTOTYPE_EDGES: readonly number[] = [0, 5, 10, 15, 20, 30, 40, 50, 60, 70, 80];

export interface MeanFace {
  /** Group [lo, hi) in years; hi is null for the open last group. */
  lo: number;
  hi: number | null;
  /** Mean labelled age of the faces averaged. */
  anchorAge: number;
  /** Faces averaged with a weight above 0 (mirror images not counted). */
  count: number;
  /** With balance 'strata': the group's faces per stratum, averaged or left out. */
  strata?: GroupStrata;
  /** size * size * 3 floats in [0, 255], RGB row-major. */
  pixels: Float32Array;
  /** Mean detail amplitude maps (prototype-texture.ts), [bands * M * M]; only when built with texture. */
  texture?: Float32Array;
}

export interface ComputeMeansOptions {
  split?: 'train' | 'val' | 'all';
  edges?: readonly number[];
  /** Average each face with its mirror image too. Default true. */
  flip?: boolean;
  /** Stop after this many faces (trials). */
  limit?: number;
  /** 'strata': every stratum of an age group weighs the same (needs source.strata). Default 'none'. */
  balance?: MeanBalance;
  /** With balance 'strata': strata with fewer faces in a group are left out of it. Default 20. */
  minCellFaces?: number;
  /** Also average each face's detail amplitude maps (MeanFace.texture). Default false. */
  textureMaps?: boolean;
  onProgress?: (done: number, total: number) => void;
}

function groupOf(age: number, edges: readonly number[]): number {
  let g = 0;
  while (g + 1 < edges.length && age >= edges[g + 1]) g++;
  return g;
}

/** Mean face per age group over `source` (empty groups are left out of the result). */
export async function computeMeanFaces(source: FaceSource, opts: ComputeMeansOptions = {}): Promise<MeanFace[]> {
  const edges = opts.edges ?? PROTOTYPE_EDGES;
  const split = opts.split ?? 'train';
  const want = split === 'train' ? SPLIT_TRAIN : split === 'val' ? SPLIT_VAL : -1;
  const flip = opts.flip ?? true;
  const S = source.size;
  const n = S * S * 3;
  const sums = edges.map(() => new Float64Array(n));
  const textureLength = opts.textureMaps ? TEXTURE_BANDS * mapSizeFor(S) ** 2 : 0;
  const textureSums = edges.map(() => new Float64Array(textureLength));
  const counts = edges.map(() => 0);
  const weightSums = edges.map(() => 0);
  const ageSums = edges.map(() => 0);
  const picks: number[] = [];
  for (let i = 0; i < source.count; i++) if (want < 0 || source.splits[i] === want) picks.push(i);
  const todo = picks.slice(0, opts.limit ?? picks.length);
  const groups = todo.map((i) => groupOf(source.ages[i], edges));
  // Weight 1 everywhere for 'none': w * v and sums of 1s are exact, so the means are bit-identical
  // to plain sums divided by counts.
  const balanced = (opts.balance ?? 'none') === 'strata'
    ? strataWeights(source, todo, groups, edges.length, opts.minCellFaces ?? DEFAULT_MIN_CELL_FACES)
    : null;
  const buf = new Uint8Array(n);
  for (let k = 0; k < todo.length; k++) {
    const i = todo[k];
    const w = balanced ? balanced.weights[k] : 1;
    if (w > 0) {
      const g = groups[k];
      const px = await source.read(i, buf);
      accumulate(sums[g], px, S, w, flip);
      if (textureLength > 0) {
        const amp = detailAmplitudes(px, S, flip);
        for (let j = 0; j < textureLength; j++) textureSums[g][j] += w * amp[j];
      }
      counts[g]++;
      weightSums[g] += w;
      ageSums[g] += w * source.ages[i];
    }
    if (opts.onProgress && (k % 500 === 499 || k === todo.length - 1)) opts.onProgress(k + 1, todo.length);
  }
  const out: MeanFace[] = [];
  edges.forEach((lo, g) => {
    if (counts[g] === 0) return;
    const div = weightSums[g] * (flip ? 2 : 1);
    const pixels = new Float32Array(n);
    for (let j = 0; j < n; j++) pixels[j] = sums[g][j] / div;
    const mean: MeanFace = { lo, hi: g + 1 < edges.length ? edges[g + 1] : null, anchorAge: ageSums[g] / weightSums[g], count: counts[g], pixels };
    if (balanced) mean.strata = balanced.strata[g];
    if (textureLength > 0) mean.texture = Float32Array.from(textureSums[g], (v) => v / weightSums[g]);
    out.push(mean);
  });
  return out;
}

/** sum += w * face (plus w * its mirror image with flip); face is [S, S, 3] bytes. */
function accumulate(sum: Float64Array, px: Uint8Array, S: number, w: number, flip: boolean): void {
  for (let y = 0; y < S; y++) {
    const row = y * S * 3;
    for (let x = 0; x < S; x++) {
      const o = row + x * 3;
      const m = row + (S - 1 - x) * 3;
      if (flip) {
        sum[o] += w * (px[o] + px[m]);
        sum[o + 1] += w * (px[o + 1] + px[m + 1]);
        sum[o + 2] += w * (px[o + 2] + px[m + 2]);
      } else {
        sum[o] += w * px[o];
        sum[o + 1] += w * px[o + 1];
        sum[o + 2] += w * px[o + 2];
      }
    }
  }
}

/**
 * Weights of the means that make up the prototype of `age`: piecewise-linear between the two
 * nearest anchors, clamped to the first / last anchor outside their range. Means must be sorted by
 * anchorAge. Returns [index, weight] pairs (one or two).
 */
export function interpolationWeights(anchors: readonly number[], age: number): Array<[number, number]> {
  if (anchors.length === 0) throw new Error('no mean faces');
  if (age <= anchors[0]) return [[0, 1]];
  const last = anchors.length - 1;
  if (age >= anchors[last]) return [[last, 1]];
  let k = 0;
  while (age > anchors[k + 1]) k++;
  const t = (age - anchors[k]) / (anchors[k + 1] - anchors[k]);
  if (t === 0) return [[k, 1]];
  return t === 1 ? [[k + 1, 1]] : [[k, 1 - t], [k + 1, t]];
}

/** The interpolationWeights blend of `arrays` (one per anchor, all the same length) at `age`. */
export function blendByAge(anchors: readonly number[], arrays: readonly ArrayLike<number>[], age: number): Float32Array {
  const out = new Float32Array(arrays[0].length);
  for (const [k, w] of interpolationWeights(anchors, age)) {
    const a = arrays[k];
    for (let j = 0; j < out.length; j++) out[j] += w * a[j];
  }
  return out;
}
