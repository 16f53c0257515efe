/** Conversions between DecodedImage (uint8 RGB) and tfjs tensors for the face-api nets. */
import * as tf from '@tensorflow/tfjs-core';
import type * as faceapi from '@vladmandic/face-api/dist/face-api.node-wasm.js';
import type { DecodedImage } from '../image/decoded-image';

/** [H, W, 3] int32 tensor of 0..255 values, the input format face-api expects. Caller disposes. */
export function imageToTensor(img: DecodedImage): tf.Tensor3D {
  return tf.tensor3d(img.data, [img.height, img.width, 3], 'int32');
}

/**
 * face-api's typings declare their own copy of the tfjs Tensor class; at run time it is the same
 * tfjs engine (the node-wasm build requires '@tensorflow/tfjs'), so this cast is only for the types.
 */
export function asNetInput(t: tf.Tensor3D): faceapi.TNetInput {
  return t as unknown as faceapi.TNetInput;
}
