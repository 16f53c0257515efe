/**
 * The shape stage: moves a face's landmarks toward the target age's shape and warps the face with
 * them. The move is the difference of the mean shapes (shape-means.ts) of the target and source
 * ages, for the person's sex, added to the person's own landmarks, so a child gets children's
 * proportions relative to their own face, not the mean child's face.
 *
 * The warp is a thin-plate spline through the landmarks, forehead points and fixed crop-border
 * anchors, and its displacement is faded to zero over the crop's outer band (FADE_INNER..FADE_OUTER
 * from the edge): paste-back blends only inside that band, so hair and background stay continuous
 * and there is no seam.
 */
import { controlPoints, SHAPE_LENGTH } from './face-points';
import { meanShapeAt, type ShapeMeans } from './shape-means';
import { denseMap, fitTps, remap } from './tps';

/** Distance from the crop's edge (unit coordinates) inside which the warp has full effect... */
export const FADE_INNER = 0.2;
/** ...and outside which it is zero. */
export const FADE_OUTER = 0.08;

export function warpFade(u: number, v: number): number {
  const d = Math.min(u, v, 1 - u, 1 - v);
  const t = Math.min(1, Math.max(0, (d - FADE_OUTER) / (FADE_INNER - FADE_OUTER)));
  return t * t * (3 - 2 * t);
}

/** The person's landmarks moved by strength x (mean shape at target - mean shape at source). */
export function targetShape(means: ShapeMeans, shape: ArrayLike<number>, sourceAge: number, targetAge: number, gender: number | null, strength: number): Float32Array {
  const from = meanShapeAt(means, sourceAge, gender);
  const to = meanShapeAt(means, targetAge, gender);
  const out = new Float32Array(SHAPE_LENGTH);
  for (let i = 0; i < SHAPE_LENGTH; i++) out[i] = shape[i] + strength * (to[i] - from[i]);
  return out;
}

/**
 * The face (size x size x 3 floats) warped so that its landmarks `shape` move to `target`: each
 * output pixel samples the input where the inverse map sends it.
 */
export function warpToShape(face: Float32Array, size: number, shape: ArrayLike<number>, target: ArrayLike<number>): Float32Array {
  const tps = fitTps(controlPoints(target), controlPoints(shape), 1e-5);
  return remap(face, size, denseMap(tps, size, { fade: warpFade }));
}
