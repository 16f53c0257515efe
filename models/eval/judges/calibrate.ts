/**
 * Pure helpers of the identity thresholds' calibration (tools/research/judge-calibration.ts): the
 * impostor pairs, the threshold at a false-accept rate, accept rates.
 */

/**
 * Pairs (i < j) of different faces that a careless judge could most easily confuse: the same
 * stratum (gender/race; '' = unknown, never paired) and labelled ages at most `maxAgeGap` apart.
 */
export function matchedImpostorPairs(faces: ReadonlyArray<{ age: number; stratum: string }>, maxAgeGap: number): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  for (let i = 0; i < faces.length; i++) {
    if (faces[i].stratum === '') continue;
    for (let j = i + 1; j < faces.length; j++) {
      if (faces[j].stratum === faces[i].stratum && Math.abs(faces[j].age - faces[i].age) <= maxAgeGap) out.push([i, j]);
    }
  }
  return out;
}

/**
 * The same-person threshold (same when distance <= threshold) that accepts at most `far` of the
 * impostor distances: halfway between the last accepted and the first rejected one.
 */
export function calibrateThreshold(impostor: readonly number[], far: number): number {
  if (impostor.length === 0) throw new Error('no impostor pairs to calibrate on');
  const d = [...impostor].sort((a, b) => a - b);
  const k = Math.floor(far * d.length);
  if (k === 0) return d[0] / 2;
  return (d[k - 1] + d[k]) / 2;
}

/** Share of distances at or below the threshold (NaN for none). */
export function rateAtOrBelow(distances: readonly number[], threshold: number): number {
  if (distances.length === 0) return NaN;
  return distances.filter((d) => d <= threshold).length / distances.length;
}
