/**
 * Continuous conditioning on age shared by the Age-cGAN (six age groups) and the CycleGAN (age
 * domains): a target age becomes weights over increasing group/domain centres, linear between the
 * two neighbouring centres and one-hot at or beyond the ends (no extrapolation), so the studio's
 * slider moves the condition smoothly. E.g. centres [23, 72]: 23 -> [1, 0], 47.5 -> [0.5, 0.5].
 */

/** Writes the weights of `age` into `out` (zero-filled, length centres.length) and returns it. */
export function centreWeights<T extends { readonly length: number; [i: number]: number }>(age: number, centres: readonly number[], out: T): T {
  if (age <= centres[0]) {
    out[0] = 1;
    return out;
  }
  const last = centres.length - 1;
  if (age >= centres[last]) {
    out[last] = 1;
    return out;
  }
  let i = 0;
  while (age > centres[i + 1]) i++;
  const t = (age - centres[i]) / (centres[i + 1] - centres[i]);
  out[i] = 1 - t;
  out[i + 1] = t;
  return out;
}
