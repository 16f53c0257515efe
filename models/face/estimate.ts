/**
 * Age, gender and the 128-d identity descriptor of an aligned face crop, with the face-api nets.
 * Photos and generated faces go through exactly this function (on the canonical crop), so "the
 * output looks N years old" and "the output is still the same person" compare like with like.
 */
import * as tf from '@tensorflow/tfjs-core';
import { assertFaceModelsLoaded, faceapi } from './face-models';
import { CANONICAL_FACE_RECT } from './template';
import { asNetInput } from './tensor-io';

export interface FaceEstimate {
  /** Estimated age in years (face-api's regression head; not rounded). */
  age: number;
  gender: 'male' | 'female';
  genderProbability: number;
  /** face-api recognition descriptor; Euclidean distance < 0.6 usually means the same person. */
  descriptor: Float32Array;
}

/** Any square canonical crop: size * size * 3 uint8 RGB (an AlignedFace or a model's output). */
export interface SquareCrop {
  size: number;
  data: Uint8Array;
}

/**
 * Crops CANONICAL_FACE_RECT out of the canonical crop ([h, w, 3] int32 tensor) and runs the
 * age/gender (112x112 internally) and recognition (150x150 internally) nets on it.
 */
export async function estimateAgeAndDescriptor(crop: SquareCrop): Promise<FaceEstimate> {
  const face = faceRegion(crop);
  try {
    const ag = (await faceapi.nets.ageGenderNet.predictAgeAndGender(asNetInput(face))) as faceapi.AgeAndGenderPrediction;
    const descriptor = (await faceapi.nets.faceRecognitionNet.computeFaceDescriptor(asNetInput(face))) as Float32Array;
    return { age: ag.age, gender: ag.gender as 'male' | 'female', genderProbability: ag.genderProbability, descriptor };
  } finally {
    face.dispose();
  }
}

/** The age net's estimate alone (no descriptor), e.g. of an aged preview. Same input as above. */
export async function estimateAge(crop: SquareCrop): Promise<number> {
  const face = faceRegion(crop);
  try {
    return ((await faceapi.nets.ageGenderNet.predictAgeAndGender(asNetInput(face))) as faceapi.AgeAndGenderPrediction).age;
  } finally {
    face.dispose();
  }
}

/** CANONICAL_FACE_RECT of a canonical crop as an int32 [h, w, 3] tensor (the caller disposes it). */
function faceRegion(crop: SquareCrop): tf.Tensor3D {
  assertFaceModelsLoaded();
  if (crop.data.length !== crop.size * crop.size * 3) throw new Error('crop data does not match its size');
  const r = CANONICAL_FACE_RECT;
  // Clip the rect to the crop; the nets pad the (slightly non-square) rest to a square themselves.
  const x0 = Math.max(0, Math.round(r.x * crop.size));
  const y0 = Math.max(0, Math.round(r.y * crop.size));
  const x1 = Math.min(crop.size, Math.round((r.x + r.width) * crop.size));
  const y1 = Math.min(crop.size, Math.round((r.y + r.height) * crop.size));
  return tf.tidy(() => tf.slice3d(tf.tensor3d(crop.data, [crop.size, crop.size, 3], 'int32'), [y0, x0, 0], [y1 - y0, x1 - x0, 3]));
}

export { descriptorDistance } from '../../shared/identity';
