/**
 * The canonical face crop every model sees. In a crop of side S (any of 64, 128, 256) the face is
 * placed by a least-squares similarity fit of four points (the two eye centres and the two mouth
 * corners) to fixed template positions. The margins follow FFHQ (Karras et al. 2019): the crop is
 * about four eye distances wide, so the whole face, the chin and some hair fit; the eyes sit 40% from
 * the top (FFHQ puts them lower, at ~47%, which wastes the bottom of the crop on neck).
 *
 * Template values (fractions of S) come from the mean face-api landmarks on UTKFace and on the
 * portraits: eye-centre-to-mouth-centre 1.06 eye distances, mouth width 0.88 eye distances.
 */
import type { Point } from './affine';

export const CANONICAL_EYE_DISTANCE = 0.25;
export const CANONICAL_EYE_Y = 0.4;

/** [image-left eye, image-right eye, image-left mouth corner, image-right mouth corner] in units of S. */
export const CANONICAL_POINTS: readonly Point[] = [
  { x: 0.375, y: CANONICAL_EYE_Y },
  { x: 0.625, y: CANONICAL_EYE_Y },
  { x: 0.39, y: 0.665 },
  { x: 0.61, y: 0.665 },
];

/**
 * The square inside the canonical crop that the face-api age/gender and recognition nets are fed
 * (units of S). It matches what face-api itself feeds them (the 68-landmark bounding box padded by
 * 20%) for an average face, so estimates on aligned crops and on photos agree.
 */
export const CANONICAL_FACE_RECT = { x: 0.19, y: 0.22, width: 0.62, height: 0.62 } as const;

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
