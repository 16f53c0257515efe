/**
 * A training-free age change used to teach (and, for the CycleGAN, as the prior of) the GANs: in
 * practice the prototype model, whose difference(s, t) both trainers distil. One home for the
 * shape and the tensor helpers so the Age-cGAN and the CycleGAN compute the same thing.
 */
import * as tf from '@tensorflow/tfjs-core';

/** delta(source, target) [S*S*3] in [-1, 1] pixel units, as PrototypeAgingModel.difference gives. */
export interface AgeTeacher {
  readonly resolution: number;
  difference(sourceAge: number, targetAge: number): Float32Array;
}

/** delta(from[i], to[i]) for n faces, resized to res: [n, res, res, 3]. */
export function teacherDeltas(teacher: AgeTeacher, from: ArrayLike<number>, to: ArrayLike<number>, res: number): tf.Tensor4D {
  const s = teacher.resolution;
  const per = s * s * 3;
  const n = from.length;
  const deltas = new Float32Array(n * per);
  for (let i = 0; i < n; i++) deltas.set(teacher.difference(from[i], to[i]), i * per);
  return tf.tidy(() => {
    const d = tf.tensor4d(deltas, [n, s, s, 3]);
    return res === s ? d : (tf.image.resizeBilinear(d, [res, res], false, true) as tf.Tensor4D);
  });
}

/**
 * The teacher's change for each face, [n, R, R, 3] with R = x's side: clip(x + delta) - x, so a
 * change the image cannot show (past white or black) is not asked of G.
 * x: [n, R, R, 3] in [-1, 1]; from, to: [n] ages in years.
 */
export function teacherChanges(teacher: AgeTeacher, x: tf.Tensor4D, from: ArrayLike<number>, to: ArrayLike<number>): tf.Tensor4D {
  return tf.tidy(() => {
    const d = teacherDeltas(teacher, from, to, x.shape[1]);
    return tf.sub(tf.clipByValue(tf.add(x, d), -1, 1), x) as tf.Tensor4D;
  });
}
