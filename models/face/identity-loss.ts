/**
 * Identity-descriptor loss for fine-tuning a CycleGAN on one person (issue 10): the face-api
 * recognition net (models/face/identity-net.ts, differentiable) should give an aged face the
 * descriptor of its input. Plugged into CycleGanTrainerOptions.extraGeneratorLoss.
 *
 *   loss = weight * mean_n (1 - cos(desc(crop(fake_n)), desc(crop(x_n))))
 *
 * crop(): the canonical face square (CANONICAL_FACE_RECT, as estimateAgeAndDescriptor measures a
 * face), so the loss looks at what the evaluation and the identity check look at; the recognizer
 * resizes it to 150x150. Cosine rather than Euclidean: face-api descriptors are near unit length,
 * and 1 - cos is bounded, so a bad early fake cannot dominate the generator's other terms.
 */
import * as tf from '@tensorflow/tfjs-core';
import { FaceRecognizer } from './identity-net';
import { CANONICAL_FACE_RECT } from './template';

export type ExtraGeneratorLoss = (x: tf.Tensor4D, fake: tf.Tensor4D, targetCode: tf.Tensor2D) => tf.Scalar;

/** The face square of a canonical crop [N, S, S, 3] -> [N, s, s', 3] (clipped to the crop). */
export function faceSquare(x: tf.Tensor4D): tf.Tensor4D {
  const size = x.shape[1];
  const r = CANONICAL_FACE_RECT;
  const x0 = Math.max(0, Math.round(r.x * size));
  const y0 = Math.max(0, Math.round(r.y * size));
  const x1 = Math.min(size, Math.round((r.x + r.width) * size));
  const y1 = Math.min(size, Math.round((r.y + r.height) * size));
  return tf.slice(x, [0, y0, x0, 0], [x.shape[0], y1 - y0, x1 - x0, 3]);
}

/** Row-wise cosine similarity of [N, D] and [N, D] -> [N]. */
export function cosineRows(a: tf.Tensor2D, b: tf.Tensor2D): tf.Tensor1D {
  const dot = tf.sum(tf.mul(a, b), 1);
  const na = tf.sqrt(tf.add(tf.sum(tf.square(a), 1), 1e-8));
  const nb = tf.sqrt(tf.add(tf.sum(tf.square(b), 1), 1e-8));
  return tf.div(dot, tf.mul(na, nb)) as tf.Tensor1D;
}

/**
 * The loss function for extraGeneratorLoss. The input's descriptor carries no gradient (x is data,
 * the recognizer's weights are plain tensors, not variables), so only G learns from it.
 */
export function descriptorLoss(recognizer: FaceRecognizer, weight: number): ExtraGeneratorLoss {
  return (x, fake) => {
    const target = recognizer.describe(faceSquare(x));
    const got = recognizer.describe(faceSquare(fake));
    return tf.mul(tf.sub(1, tf.mean(cosineRows(got, target))), weight) as tf.Scalar;
  };
}

/** Default weight of the descriptor loss next to cycle (10) and identity (5) L1 terms. */
export const DEFAULT_DESCRIPTOR_WEIGHT = 2;

/** Loads face-api's recognition weights (from the installed package) for descriptorLoss. */
export function loadRecognizer(modelDir?: string): Promise<FaceRecognizer> {
  return FaceRecognizer.load(modelDir);
}
