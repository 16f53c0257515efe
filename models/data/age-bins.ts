/**
 * Coarse age groups shared by balanced sampling and the age classifier. Coarse groups are easier
 * to learn than decades for small nets, and old ages (rare in UTKFace) get a group of their own.
 */
export interface AgeGroups {
  /** Lower edge of each group in years; the last group is open-ended. Ascending, first is 0. */
  edges: number[];
  labels: string[];
}

export const DEFAULT_AGE_GROUPS: AgeGroups = {
  edges: [0, 13, 20, 30, 40, 50, 60, 70],
  labels: ['0-12', '13-19', '20-29', '30-39', '40-49', '50-59', '60-69', '70+'],
};

/** Index of the group holding `age` (years, continuous). */
export function ageGroupOf(age: number, groups: AgeGroups = DEFAULT_AGE_GROUPS): number {
  const e = groups.edges;
  let g = 0;
  while (g + 1 < e.length && age >= e[g + 1]) g++;
  return g;
}

/**
 * Soft label: the mass of N(age, sigma^2) falling in each group, so a 29-year-old teaches
 * "mostly 20-29, a little 30-39" and the classifier's expected age stays continuous.
 */
export function softAgeLabel(age: number, sigma: number, groups: AgeGroups = DEFAULT_AGE_GROUPS): Float32Array {
  const e = groups.edges;
  const out = new Float32Array(e.length);
  if (sigma <= 0) {
    out[ageGroupOf(age, groups)] = 1;
    return out;
  }
  const cdf = (x: number) => 0.5 * (1 + erf((x - age) / (sigma * Math.SQRT2)));
  let total = 0;
  for (let g = 0; g < e.length; g++) {
    const lo = g === 0 ? -Infinity : e[g];
    const hi = g + 1 < e.length ? e[g + 1] : Infinity;
    out[g] = (hi === Infinity ? 1 : cdf(hi)) - (lo === -Infinity ? 0 : cdf(lo));
    total += out[g];
  }
  for (let g = 0; g < e.length; g++) out[g] /= total;
  return out;
}

/** Abramowitz-Stegun 7.1.26 (|error| < 1.5e-7), enough for label smoothing. */
function erf(x: number): number {
  const s = Math.sign(x);
  const ax = Math.abs(x);
  const t = 1 / (1 + 0.3275911 * ax);
  const y = 1 - ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * Math.exp(-ax * ax);
  return s * y;
}
