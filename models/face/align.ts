/**
 * Alignment of a face to the canonical square crop (see template.ts) and back.
 * The transform is fitted once per face in "unit" coordinates (the crop is [0, 1] x [0, 1]) and
 * scaled to whatever resolution a model asks for (64, 128, 256, ...).
 */
import type { DecodedImage } from '../image/decoded-image';
import { composeAffine, fitSimilarity, invertAffine, type Affine, type Point } from './affine';
import { alignmentPoints, CANONICAL_POINTS } from './template';
import { warpAffine } from './warp';

/** A square RGB crop of a face plus the maps between its pixels and the photo's pixels. */
export interface AlignedFace {
  /** Side in pixels; data is size * size * 3 uint8 RGB, row-major. */
  size: number;
  data: Uint8Array;
  /** Photo pixel coordinates -> crop pixel coordinates (2x3, continuous coordinates). */
  toCrop: Affine;
  /** Crop pixel coordinates -> photo pixel coordinates (the inverse of toCrop). */
  toPhoto: Affine;
  /** Fraction of the crop that shows real photo pixels (the rest is faded edge padding). */
  insideFraction: number;
}

/** Photo pixels -> unit canonical coordinates, least squares on eyes and mouth corners. */
export function fitAlignment(landmarks: readonly Point[]): Affine {
  return fitSimilarity(alignmentPoints(landmarks), CANONICAL_POINTS);
}

export function scaleAffine(s: number): Affine {
  return [s, 0, 0, 0, s, 0];
}

/** Photo -> crop pixel map for a crop of `size` pixels. */
export function cropTransform(unitAlignment: Affine, size: number): Affine {
  return composeAffine(unitAlignment, scaleAffine(size));
}

/**
 * Renders the aligned crop. `face` carries either the photo->unit transform (`alignment`, as
 * returned by analyzePhoto) or 68 landmarks. Synchronous: plain loops over size^2 pixels.
 */
export function alignFace(
  img: DecodedImage,
  face: { alignment: Affine } | { landmarks: readonly Point[] },
  size: number,
): AlignedFace {
  if (!Number.isInteger(size) || size < 8 || size > 4096) throw new Error(`bad crop size ${size}`);
  const unit = 'alignment' in face ? face.alignment : fitAlignment(face.landmarks);
  const toCrop = cropTransform(unit, size);
  const toPhoto = invertAffine(toCrop);
  const crop = warpAffine(img, toPhoto, size, size);
  return { size, data: crop.data, toCrop, toPhoto, insideFraction: crop.insideFraction };
}
