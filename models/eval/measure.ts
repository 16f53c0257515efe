/**
 * How the evaluation looks at a face, the way a user sees it:
 *   1. the aligned crop exactly as the model outputs it, [R, R, 3] in [-1, 1], quantized to 8-bit
 *      RGB at R (what the studio shows and pastes back);
 *   2. upsampled with sharp's Lanczos-3 to MEASURE_SIZE (256, the size analyzePhoto uses for the
 *      estimates of a photo's faces), so a 64 px and a 128 px model are judged on the same footing as
 *      a real photo;
 *   3. estimateAgeAndDescriptor (models/face/estimate.ts) cuts the canonical face square (~227 px
 *      at 256) and face-api resizes it to 112 px (age/gender net) and 150 px (recognition net).
 * Inputs go through the same three steps at the model's resolution, so doing nothing scores exactly
 * what the unchanged input scores.
 */
import * as tf from '@tensorflow/tfjs-core';
import { estimateAgeAndDescriptor, type FaceEstimate } from '../face/estimate';
import { resizeImage } from '../image/image-io';

export const MEASURE_SIZE = 256;

/** Floats in [-1, 1] -> uint8 (rounded, clamped). */
export function floatsToBytes(x: ArrayLike<number>): Uint8Array {
  const out = new Uint8Array(x.length);
  for (let i = 0; i < x.length; i++) out[i] = Math.max(0, Math.min(255, Math.round((x[i] + 1) * 127.5)));
  return out;
}

/** [1, R, R, 3] or [R, R, 3] in [-1, 1] -> R*R*3 uint8 RGB (does not dispose `face`). */
export async function toBytes(face: tf.Tensor): Promise<Uint8Array> {
  return floatsToBytes((await face.data()) as Float32Array);
}

/** Estimates of one R x R crop (uint8 RGB), measured as described above. */
export async function measureCrop(bytes: Uint8Array, size: number): Promise<FaceEstimate> {
  const up = size === MEASURE_SIZE ? bytes : (await resizeImage({ width: size, height: size, data: bytes }, MEASURE_SIZE, MEASURE_SIZE)).data;
  return estimateAgeAndDescriptor({ size: MEASURE_SIZE, data: up });
}
