/**
 * What previews (ops/aging.ts) and exports (ops/export.ts) share in the engine process: one cache
 * of loaded aging models and decoded photos, and aging one aligned face to uint8 crops.
 */
import * as tf from '@tensorflow/tfjs-core';
import { fitAlignment, type AlignedFace } from '../../../models/face/align';
import type { Point } from '../../../models/face/affine';
import { decodeImage, type DecodedPhoto } from '../../../models/image/image-io';
import { loadAgingModel } from '../../../models/registry';
import { PrototypeAgingModel } from '../../../models/recipes/prototype/model';
import { TexturedAgingModel } from '../../../models/stages/textured-model';
import type { EvaluableModel } from '../../../models/core/trainer';
import { EngineeredAgingModel } from '../../../models/stages/engineered-model';
import { applyAffine } from '../../../models/face/affine';
import type { PasteMask } from '../../../models/face/paste-back';
import { LruCache } from './lru';

const photos = new LruCache<string, Promise<DecodedPhoto>>(2);
const models = new LruCache<string, Promise<EvaluableModel>>(2, (m) => void m.then((x) => x.dispose(), () => {}));

export function throwIfCancelled(signal: AbortSignal): void {
  if (signal.aborted) throw new Error('cancelled');
}

function cached<T>(cache: LruCache<string, Promise<T>>, key: string, load: () => Promise<T>): Promise<T> {
  let p = cache.get(key);
  if (!p) {
    p = load();
    cache.set(key, p);
    p.catch(() => cache.delete(key));
  }
  return p;
}

/** A model folder (checkpoint, export or prototype), loaded once and kept warm. */
export function agingModel(dir: string): Promise<EvaluableModel> {
  return cached(models, dir, () => loadAgingModel(dir));
}

/** Largest crop side a face is aged at for the texture stage (its cost grows with the square). */
export const MAX_DETAIL_CROP = 512;

/**
 * Side to align a face at for `model`: the model's own resolution, or the face's own size in the
 * photo (capped at MAX_DETAIL_CROP) when the model has the texture stage (the detail it rescales is
 * then the photo's own, not an upsampled 64 or 128 px crop's) or is the prototype (whose output is
 * the face itself, pasted back as it is: at 128 px it would blur a larger face).
 */
export function cropSizeFor(model: EvaluableModel, landmarks: readonly Point[]): number {
  if (!(model instanceof TexturedAgingModel) && !(model instanceof PrototypeAgingModel) && !(model instanceof EngineeredAgingModel)) return model.resolution;
  const [a, b, , d, e] = fitAlignment(landmarks); // photo pixels -> unit crop
  const native = Math.round(1 / Math.sqrt(Math.abs(a * e - b * d)));
  return Math.max(model.resolution, Math.min(MAX_DETAIL_CROP, native));
}

/**
 * Largest crop side of the slider's draft pass (drag frames): the texture stage's cost grows with
 * the square of the side, and a frame seen for a tenth of a second needs no pore-level detail.
 */
export const DRAFT_CROP = 160;

/** A library photo, decoded once while it is being worked on. */
export function decodedPhoto(path: string): Promise<DecodedPhoto> {
  return cached(photos, path, () => decodeImage(path));
}

/** [1, size, size, 3] in [-1, 1] -> [size*size*3] uint8. */
async function toBytes(t: tf.Tensor4D): Promise<Uint8Array> {
  const scaled = tf.tidy(() => tf.clipByValue(tf.round(tf.mul(tf.add(t, 1), 127.5)), 0, 255));
  try {
    return Uint8Array.from(await scaled.data());
  } finally {
    scaled.dispose();
  }
}

/**
 * Ages one aligned face: the output crop and, when the model does not reproduce its input
 * exactly, its reconstruction at the source age (paste-back then transfers only the change).
 */
/** The paste-back mask a model's output wants (the engineered pipeline: the whole crop). */
export function pasteMaskFor(model: EvaluableModel): PasteMask {
  return model instanceof EngineeredAgingModel ? model.pasteMask : 'face';
}

export async function ageAlignedFace(
  model: EvaluableModel,
  aligned: AlignedFace,
  sourceAge: number,
  targetAge: number,
  signal: AbortSignal,
  landmarks?: readonly Point[],
): Promise<{ out: Uint8Array; rec: Uint8Array | null }> {
  const { size } = aligned;
  // The photo's landmarks in unit crop coordinates, for models that reshape the face.
  const hints = landmarks && landmarks.length === 68
    ? { landmarks: [Float32Array.from(landmarks.flatMap((p) => { const c = applyAffine(aligned.toCrop, p); return [c.x / size, c.y / size]; }))] }
    : {};
  const opts = { signal, ...hints };
  // [1, size, size, 3] in [-1, 1]
  const input = tf.tidy(() =>
    tf.sub(tf.div(tf.tensor4d(aligned.data, [1, size, size, 3], 'int32').toFloat(), 127.5), 1),
  ) as tf.Tensor4D;
  try {
    const { output, reconstruction } = await model.age(input, sourceAge, targetAge, opts);
    try {
      return { out: await toBytes(output), rec: reconstruction ? await toBytes(reconstruction) : null };
    } finally {
      output.dispose();
      reconstruction?.dispose();
    }
  } finally {
    input.dispose();
  }
}
