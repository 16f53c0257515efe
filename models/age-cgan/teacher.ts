/**
 * The teacher of the Age-cGAN's distillation term (config.teacherWeight): a training-free age
 * change, in practice the prototype model (models/prototype), whose delta(s, t) G's shown change
 * G(E(x), y(t)) - G(E(x), y(s)) learns to match. The adversarial and reconstruction terms keep G a
 * face generator; the teacher gives it the age signal the plain cGAN never found on CPU budgets.
 */
import * as tf from '@tensorflow/tfjs-core';

/**
 * A training-free age change: delta(source, target) [S*S*3] in [-1, 1] pixel units, as
 * PrototypeAgingModel.difference gives (structurally the CycleGAN trainer's teacher too).
 */
export interface AgeTeacher {
  readonly resolution: number;
  difference(sourceAge: number, targetAge: number): Float32Array;
}

/**
 * Target ages of the teacher term: uniform over 5-80 years (the slider's useful range, where the
 * prototype has mean faces on both sides), drawn from the step's generator so resume is exact.
 */
export function drawTargetAges(n: number, rand: () => number): Float32Array {
  return Float32Array.from({ length: n }, () => 5 + rand() * 75);
}

/**
 * The teacher's change for each face, [n, R, R, 3] with R = x's side: clip(x + resize(delta)) - x,
 * so a change the image cannot show (past white or black) is not asked of G.
 * x: [n, R, R, 3] in [-1, 1]; sources, targets: [n] ages in years.
 */
export function teacherChanges(teacher: AgeTeacher, x: tf.Tensor4D, sources: ArrayLike<number>, targets: ArrayLike<number>): tf.Tensor4D {
  const n = x.shape[0];
  const s = teacher.resolution;
  const per = s * s * 3;
  const deltas = new Float32Array(n * per);
  for (let i = 0; i < n; i++) deltas.set(teacher.difference(sources[i], targets[i]), i * per);
  return tf.tidy(() => {
    let d: tf.Tensor4D = tf.tensor4d(deltas, [n, s, s, 3]);
    const r = x.shape[1];
    if (r !== s) d = tf.image.resizeBilinear(d, [r, r], false, true);
    return tf.sub(tf.clipByValue(tf.add(x, d), -1, 1), x) as tf.Tensor4D;
  });
}
