/**
 * The canonical face crop every model sees. In a crop of side S (any of 64, 128, 256) the face is
 * placed by a least-squares similarity fit of four points (the two eye centres and the two mouth
 * corners) to fixed template positions.
 *
 * Framing: the whole face from the hairline to the chin, cheek to ear, eyes 38% from the top; the
 * crop is 3.1 eye distances wide. That is tighter than FFHQ (4 eye distances) on purpose: the
 * pretraining data (UTKFace "aligned & cropped") only holds ~2.55 eye distances around each face, so
 * an FFHQ crop of it would be 60% made-up border; at 3.1 about 70% of each crop is real pixels and
 * the model's 128 px are spent on the face (41 px between the eyes instead of 32). Hair and
 * background are never edited (paste-back blends only the face), so nothing is lost by leaving
 * them out.
 *
 * Template values come from the mean face-api landmarks on UTKFace and on the portraits, in eye
 * distances from the eye centre: mouth corners 1.056 down and 0.428 to each side.
 */
import type { Point } from './affine';

export const CANONICAL_EYE_DISTANCE = 0.32;
export const CANONICAL_EYE_Y = 0.38;
const MOUTH_DOWN = 1.056;
const MOUTH_HALF_WIDTH = 0.428;

/** [image-left eye, image-right eye, image-left mouth corner, image-right mouth corner] in units of S. */
export const CANONICAL_POINTS: readonly Point[] = [
  { x: 0.5 - CANONICAL_EYE_DISTANCE / 2, y: CANONICAL_EYE_Y },
  { x: 0.5 + CANONICAL_EYE_DISTANCE / 2, y: CANONICAL_EYE_Y },
  { x: 0.5 - MOUTH_HALF_WIDTH * CANONICAL_EYE_DISTANCE, y: CANONICAL_EYE_Y + MOUTH_DOWN * CANONICAL_EYE_DISTANCE },
  { x: 0.5 + MOUTH_HALF_WIDTH * CANONICAL_EYE_DISTANCE, y: CANONICAL_EYE_Y + MOUTH_DOWN * CANONICAL_EYE_DISTANCE },
];

/**
 * The square the face-api age/gender and recognition nets are fed, in units of S. It matches what
 * face-api itself feeds them (the 68-landmark bounding box padded by 20%; measured mean: centre 0.672
 * eye distances below the eyes, side 2.78 eye distances), so estimates on aligned crops and on photos
 * agree. Its bottom edge lies ~4% below the crop; that strip is cut off (face-api clips at image
 * borders the same way).
 */
export const CANONICAL_FACE_RECT = {
  x: 0.5 - (2.776 * CANONICAL_EYE_DISTANCE) / 2,
  y: CANONICAL_EYE_Y + 0.672 * CANONICAL_EYE_DISTANCE - (2.776 * CANONICAL_EYE_DISTANCE) / 2,
  width: 2.776 * CANONICAL_EYE_DISTANCE,
  height: 2.776 * CANONICAL_EYE_DISTANCE,
} as const;

/** The 68-point indices (iBUG 300-W order) of the points we align on. */
export function alignmentPoints(landmarks: readonly Point[]): Point[] {
  if (landmarks.length !== 68) throw new Error(`expected 68 landmarks, got ${landmarks.length}`);
  const mean = (from: number, to: number): Point => {
    let x = 0;
    let y = 0;
    for (let i = from; i < to; i++) {
      x += landmarks[i].x;
      y += landmarks[i].y;
    }
    return { x: x / (to - from), y: y / (to - from) };
  };
  return [mean(36, 42), mean(42, 48), landmarks[48], landmarks[54]];
}

export function eyeCentres(landmarks: readonly Point[]): [Point, Point] {
  const [l, r] = alignmentPoints(landmarks);
  return [l, r];
}

/** Distance between the eye centres in the landmarks' pixels. */
export function eyeDistance(landmarks: readonly Point[]): number {
  const [l, r] = eyeCentres(landmarks);
  return Math.hypot(r.x - l.x, r.y - l.y);
}
