/**
 * 68-point landmarks at an adequate resolution whatever the photo size: the landmark net sees a
 * square crop of the face region taken from the full-resolution photo (at most LANDMARK_CROP px;
 * the net itself works at 112x112), never the downscaled copy the detector saw.
 * Two passes: the first on the detector's box, the second on a box rebuilt from the first
 * landmarks with the proportions of an SSD box (centre 0.4 eye distances below the eyes, 2.7 eye
 * distances wide). The second pass makes TinyFaceDetector boxes, SSD boxes and 'whole-image'
 * guesses give the same landmarks for the same face.
 */
import { cropImage, type DecodedImage } from '../image/decoded-image';
import { resizeImage } from '../image/image-io';
import type { Point } from './affine';
import { faceapi } from './face-models';
import { alignmentPoints } from './template';
import { asNetInput, imageToTensor } from './tensor-io';

const LANDMARK_CROP = 224;
const REFINE_SIDE = 2.7; // eye distances
const REFINE_DROP = 0.4; // eye distances from the eye centre to the box centre, along the face's vertical

export interface SquareRegion {
  x: number;
  y: number;
  side: number;
}

/** Landmarks of the face inside `region` (a square in photo pixels), in photo pixels. */
async function landmarksInRegion(img: DecodedImage, region: SquareRegion): Promise<Point[]> {
  const side = Math.max(8, Math.round(region.side));
  const x = Math.round(region.x);
  const y = Math.round(region.y);
  let crop = cropImage(img, { x, y, width: side, height: side });
  if (side > LANDMARK_CROP) crop = await resizeImage(crop, LANDMARK_CROP, LANDMARK_CROP);
  const t = imageToTensor(crop);
  try {
    const lm = (await faceapi.nets.faceLandmark68Net.detectLandmarks(asNetInput(t))) as faceapi.FaceLandmarks68;
    const s = side / crop.width;
    return lm.positions.map((p) => ({ x: x + p.x * s, y: y + p.y * s }));
  } finally {
    t.dispose();
  }
}

/** The square an SSD-like box around these landmarks would give the landmark net. */
export function refineRegion(landmarks: readonly Point[]): SquareRegion {
  const [l, r] = alignmentPoints(landmarks);
  const ed = Math.hypot(r.x - l.x, r.y - l.y);
  // Unit vector "down the face": the eye axis turned by +90 degrees (image y grows downwards).
  const ux = (r.x - l.x) / ed;
  const uy = (r.y - l.y) / ed;
  const cx = (l.x + r.x) / 2 - uy * REFINE_DROP * ed;
  const cy = (l.y + r.y) / 2 + ux * REFINE_DROP * ed;
  const side = REFINE_SIDE * ed;
  return { x: cx - side / 2, y: cy - side / 2, side };
}

/**
 * 68 landmarks (iBUG order) in `img` pixels for the face in `box`.
 * `passes` 2 (default) re-runs the net on the refined region; 1 only uses the detector's box.
 */
export async function detectLandmarks(
  img: DecodedImage,
  box: { x: number; y: number; width: number; height: number },
  passes = 2,
): Promise<Point[]> {
  const side = Math.max(box.width, box.height);
  let lm = await landmarksInRegion(img, {
    x: box.x + box.width / 2 - side / 2,
    y: box.y + box.height / 2 - side / 2,
    side,
  });
  for (let k = 1; k < passes; k++) lm = await landmarksInRegion(img, refineRegion(lm));
  return lm;
}
