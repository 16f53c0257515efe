/**
 * Paste-back: a model's aligned output goes back into the original photo at full resolution.
 * Only the face's bounding region of the photo is visited; each pixel there is mapped into the
 * crop (photo -> unit canonical coordinates), weighted by a feathered elliptical face mask and blended.
 *
 * With a reconstruction (the model's output for "no change", e.g. the same age, or the input crop
 * itself for an image-to-image model) the blend transfers only the change:
 *   photo' = photo + mask * (output - reconstruction)   (both upsampled bilinearly)
 * so the photo's own skin texture and sharpness survive even when the model works at 64 or 128 px.
 * Without one, the output pixels themselves are blended: photo' = (1 - mask) * photo + mask * output.
 */
import { cloneImage, type DecodedImage } from '../image/decoded-image';
import { applyAffine, composeAffine, invertAffine, type Affine } from './affine';
import { scaleAffine } from './align';
import type { SquareCrop } from './estimate';
import { sampleBilinear } from './warp';

/**
 * Face mask in unit canonical coordinates: an ellipse over forehead, cheeks and chin (see
 * template.ts for where the eyes and mouth sit), 1 inside INNER and fading smoothly to 0 at the rim.
 */
export const FACE_MASK = { cx: 0.5, cy: 0.52, rx: 0.36, ry: 0.47, inner: 0.72 } as const;

/** Mask weight in [0, 1] at unit coordinates (u, v). */
export function faceMaskWeight(u: number, v: number): number {
  const r = Math.hypot((u - FACE_MASK.cx) / FACE_MASK.rx, (v - FACE_MASK.cy) / FACE_MASK.ry);
  if (r >= 1) return 0;
  if (r <= FACE_MASK.inner) return 1;
  const t = (1 - r) / (1 - FACE_MASK.inner); // 0 at the rim, 1 at the inner ellipse
  return t * t * (3 - 2 * t); // smoothstep: no visible edge where the blend starts or ends
}

/**
 * The 'crop' mask: the whole aligned square, fading over its outer CROP_FEATHER. For models whose
 * every stage already leaves the crop's outer band untouched (the engineered pipeline: its shape
 * warp moves the jaw and forehead, which the face ellipse would cut through).
 */
export const CROP_FEATHER = 0.06;

export function cropMaskWeight(u: number, v: number): number {
  const d = Math.min(u, v, 1 - u, 1 - v);
  if (d <= 0) return 0;
  if (d >= CROP_FEATHER) return 1;
  const t = d / CROP_FEATHER;
  return t * t * (3 - 2 * t);
}

export type PasteMask = 'face' | 'crop';

export interface PasteTarget {
  /** Photo pixels -> crop pixels of a crop of `size` (AlignedFace.toCrop). */
  toCrop: Affine;
  size: number;
}

export interface PasteBackOptions {
  /** Write into `original` instead of a copy (saves a full-photo copy for 40 MP exports). */
  inPlace?: boolean;
  /** Which mask blends the output in (default 'face'). */
  mask?: PasteMask;
}

/** The photo rectangle (integer pixel bounds, clipped) that the mask can touch. */
export function pasteRegion(original: DecodedImage, toUnit: Affine, mask: PasteMask = 'face'): { x0: number; y0: number; x1: number; y1: number } {
  const toPhoto = invertAffine(toUnit);
  const { cx, cy, rx, ry } = mask === 'face' ? FACE_MASK : { cx: 0.5, cy: 0.5, rx: 0.5, ry: 0.5 };
  const corners = [
    [cx - rx, cy - ry],
    [cx + rx, cy - ry],
    [cx - rx, cy + ry],
    [cx + rx, cy + ry],
  ].map(([x, y]) => applyAffine(toPhoto, { x, y }));
  const xs = corners.map((p) => p.x);
  const ys = corners.map((p) => p.y);
  return {
    x0: Math.max(0, Math.floor(Math.min(...xs))),
    y0: Math.max(0, Math.floor(Math.min(...ys))),
    x1: Math.min(original.width, Math.ceil(Math.max(...xs))),
    y1: Math.min(original.height, Math.ceil(Math.max(...ys))),
  };
}

/**
 * Blends `output` (any square size, same canonical framing as `aligned`) into the photo; see the
 * file comment for the two modes. Returns a new image unless opts.inPlace.
 */
export async function pasteBack(
  original: DecodedImage,
  aligned: PasteTarget,
  output: SquareCrop,
  reconstruction?: SquareCrop,
  opts: PasteBackOptions = {},
): Promise<DecodedImage> {
  if (reconstruction && reconstruction.size !== output.size) {
    throw new Error(`output (${output.size}) and reconstruction (${reconstruction.size}) sizes differ`);
  }
  const result = opts.inPlace ? original : cloneImage(original);
  const toUnit = composeAffine(aligned.toCrop, scaleAffine(1 / aligned.size));
  const { x0, y0, x1, y1 } = pasteRegion(original, toUnit, opts.mask);
  const weight = opts.mask === 'crop' ? cropMaskWeight : faceMaskWeight;
  const outImg: DecodedImage = { width: output.size, height: output.size, data: output.data };
  const recImg: DecodedImage | null = reconstruction
    ? { width: reconstruction.size, height: reconstruction.size, data: reconstruction.data }
    : null;
  const o = new Float64Array(3);
  const r = new Float64Array(3);
  const d = result.data;
  const src = original.data;
  const s = output.size;
  for (let y = y0; y < y1; y++) {
    for (let x = x0; x < x1; x++) {
      const u = applyAffine(toUnit, { x: x + 0.5, y: y + 0.5 });
      const m = weight(u.x, u.y);
      if (m === 0) continue;
      sampleBilinear(outImg, u.x * s, u.y * s, o, 0);
      const p = (y * original.width + x) * 3;
      if (recImg) {
        sampleBilinear(recImg, u.x * s, u.y * s, r, 0);
        for (let c = 0; c < 3; c++) d[p + c] = clampByte(src[p + c] + m * (o[c] - r[c]));
      } else {
        for (let c = 0; c < 3; c++) d[p + c] = clampByte(src[p + c] * (1 - m) + m * o[c]);
      }
    }
  }
  return result;
}

function clampByte(v: number): number {
  return v <= 0 ? 0 : v >= 255 ? 255 : Math.round(v);
}
