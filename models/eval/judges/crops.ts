/**
 * Where in the canonical crop each net of the independent judge looks. A box is given in eye
 * distances around the eye centre (template.ts: eyes 0.32 of the crop apart, 0.38 from the top), so
 * it reads like the framing of the data a net was trained on; parts outside the crop are black.
 */
import * as tf from '@tensorflow/tfjs-core';
import { CANONICAL_EYE_DISTANCE, CANONICAL_EYE_Y } from '../../face/template';
import type { SquareCrop } from './judge';

export interface JudgeCrop {
  /** Side of the square in eye distances. */
  side: number;
  /** Its centre below the eye centre, in eye distances. */
  drop: number;
}

/** Candidates measured in tools/research/judge-calibration.ts (README: the numbers). */
export const JUDGE_CROPS = {
  /** face-api's square (CANONICAL_FACE_RECT): landmark box padded by 20%. */
  'face-rect': { side: 2.776, drop: 0.672 },
  /** the whole canonical crop. */
  whole: { side: 3.125, drop: 0.375 },
  /** tight on the inner face, brows to chin. */
  tight: { side: 2.2, drop: 0.55 },
  /** ArcFace's 112 px template (eyes 35.2 px apart, 51.6 px from the top). */
  arcface: { side: 3.18, drop: 0.128 },
  /** looser than the crop (VGGFace2-like margin); the border is black. */
  loose: { side: 3.6, drop: 0.45 },
} as const satisfies Record<string, JudgeCrop>;

export type JudgeCropName = keyof typeof JUDGE_CROPS;

/** The box as [y1, x1, y2, x2] in unit crop coordinates (tf.image.cropAndResize's order). */
export function cropBox(c: JudgeCrop): [number, number, number, number] {
  const s = c.side * CANONICAL_EYE_DISTANCE;
  const cy = CANONICAL_EYE_Y + c.drop * CANONICAL_EYE_DISTANCE;
  return [cy - s / 2, 0.5 - s / 2, cy + s / 2, 0.5 + s / 2];
}

/**
 * The box of `crop` resized to size x size, [1, size, size, 3] float pixel values times `scale`
 * (255 -> 0..255, 1 -> 0..1). Shrinking by k >= 2 samples at k x size and averages k x k blocks,
 * so a 256 px crop fed to a 112 px net is not aliased.
 */
export function cutCrop(crop: SquareCrop, c: JudgeCrop, size: number, scale: number): tf.Tensor4D {
  if (crop.data.length !== crop.size * crop.size * 3) throw new Error('crop data does not match its size');
  return tf.tidy(() => {
    const img = tf.tensor4d(crop.data, [1, crop.size, crop.size, 3], 'int32').toFloat();
    const k = Math.max(1, Math.floor((c.side * CANONICAL_EYE_DISTANCE * crop.size) / size));
    let out = tf.image.cropAndResize(img, [cropBox(c)], [0], [size * k, size * k], 'bilinear', 0);
    if (k > 1) out = tf.avgPool(out, k, k, 'valid');
    return tf.mul(out, scale / 255) as tf.Tensor4D;
  });
}
