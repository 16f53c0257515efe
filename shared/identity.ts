/**
 * The same-person rule of face-api's 128-d recognition descriptors, for the studio's identity
 * checks (main) and the evaluation's identity metric (models/eval) alike.
 */

/** Descriptors of the same person lie within this Euclidean distance (face-api's threshold). */
export const SAME_PERSON_DISTANCE = 0.6;

/** Euclidean distance between two descriptors (a missing entry of `b` counts as 0). */
export function descriptorDistance(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += (a[i] - (b[i] ?? 0)) ** 2;
  return Math.sqrt(s);
}
