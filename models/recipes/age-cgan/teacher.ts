/**
 * The teacher of the Age-cGAN's distillation term (config.teacherWeight): a training-free age
 * change, in practice the prototype model (models/prototype), whose delta(s, t) G's shown change
 * G(E(x), y(t)) - G(E(x), y(s)) learns to match. The adversarial and reconstruction terms keep G a
 * face generator; the teacher gives it the age signal the plain cGAN never found on CPU budgets.
 */
export { teacherChanges, type AgeTeacher } from '../../nn/teacher';

/**
 * Target ages of the teacher term: uniform over 5-80 years (the slider's useful range, where the
 * prototype has mean faces on both sides), drawn from the step's generator so resume is exact.
 */
export function drawTargetAges(n: number, rand: () => number): Float32Array {
  return Float32Array.from({ length: n }, () => 5 + rand() * 75);
}
