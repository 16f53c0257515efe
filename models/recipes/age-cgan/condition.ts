/**
 * Age condition y of Age-cGAN: the paper's six age groups, one-hot for a labelled group, and a
 * continuous version for the slider: a target age maps to piecewise-linear weights over the group
 * centres, so y (and the generated face) moves smoothly from one group to the next.
 */

import { centreWeights } from '../../nn/centre-weights';

/** The paper's groups: 0-18, 19-29, 30-39, 40-49, 50-59, 60+ (inclusive lower bounds in years). */
export const AGE_GROUP_LOWER_BOUNDS = [0, 19, 30, 40, 50, 60] as const;
export const AGE_GROUP_LABELS = ['0-18', '19-29', '30-39', '40-49', '50-59', '60+'] as const;
export const N_AGE_GROUPS = AGE_GROUP_LOWER_BOUNDS.length;

/**
 * Representative age of each group. The first and last are where the groups' faces mostly lie in
 * face datasets (children cluster young, the 60+ group around 70), the others are mid-points.
 * Below the first centre and above the last, y stays one-hot (no extrapolation outside the data).
 */
export const DEFAULT_GROUP_CENTRES: readonly number[] = [8, 24, 34.5, 44.5, 54.5, 70];

/** Index of the paper's group an age in years belongs to. */
export function ageToGroup(age: number): number {
  if (!Number.isFinite(age)) throw new Error(`age must be a finite number, got ${age}`);
  let g = 0;
  for (let i = 0; i < N_AGE_GROUPS; i++) if (age >= AGE_GROUP_LOWER_BOUNDS[i]) g = i;
  return g;
}

/** One-hot condition of the age's group (the paper's y). */
export function ageToOneHot(age: number): number[] {
  const y = new Array<number>(N_AGE_GROUPS).fill(0);
  y[ageToGroup(age)] = 1;
  return y;
}

/**
 * Continuous condition: weights over the groups that sum to 1, non-zero for at most two
 * neighbouring groups, linear in age between their centres. Continuous in age everywhere.
 */
export function ageToCondition(age: number, centres: readonly number[] = DEFAULT_GROUP_CENTRES): number[] {
  if (!Number.isFinite(age)) throw new Error(`age must be a finite number, got ${age}`);
  if (centres.length !== N_AGE_GROUPS) throw new Error(`need ${N_AGE_GROUPS} group centres`);
  for (let i = 1; i < centres.length; i++) {
    if (!(centres[i] > centres[i - 1])) throw new Error('group centres must increase');
  }
  return centreWeights(age, centres, new Array<number>(N_AGE_GROUPS).fill(0));
}

/** Conditions for many ages, flattened row-major: [ages.length * N_AGE_GROUPS]. */
export function conditionsFor(
  ages: ArrayLike<number>,
  soft: boolean,
  centres: readonly number[] = DEFAULT_GROUP_CENTRES,
): Float32Array {
  const out = new Float32Array(ages.length * N_AGE_GROUPS);
  for (let i = 0; i < ages.length; i++) {
    out.set(soft ? ageToCondition(ages[i], centres) : ageToOneHot(ages[i]), i * N_AGE_GROUPS);
  }
  return out;
}
