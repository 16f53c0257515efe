/**
 * Pure aggregation of evaluation measurements into the report's numbers (no tensors, no IO), so
 * every formula is testable on hand-made records.
 */

// Descriptor distance below which face-api calls two faces the same person.
import { SAME_PERSON_DISTANCE as SAME_PERSON_THRESHOLD } from '../../shared/identity';

export const GAP_BUCKETS = [
  { name: '0-10', lo: 0, hi: 10 },
  { name: '10-20', lo: 10, hi: 20 },
  { name: '20-40', lo: 20, hi: 40 },
  { name: '40+', lo: 40, hi: Infinity },
] as const;

export type GapBucket = (typeof GAP_BUCKETS)[number]['name'];

/** One input face: its label and what the estimator says of it (measured like an output). */
export interface InputRecord {
  label: number;
  estimate: number;
}

/** One aged output: face index into the inputs, target, estimate of the output, descriptor distance to the input. */
export interface OutputRecord {
  face: number;
  target: number;
  estimate: number;
  distance: number;
}

export interface GroupMetrics {
  outputs: number;
  /** mean |estimate(output) - target| */
  mae: number;
  /** mean |estimate(input) - target| over the same outputs: doing nothing. */
  maeNoChange: number;
  /** mean |estimate(output) - reference(target)| over outputs whose target has a reference; null if none. */
  maeCalibrated: number | null;
  /** The same for doing nothing: mean |estimate(input) - reference(target)|. */
  maeCalibratedNoChange: number | null;
  /** Mean estimated age of the outputs. */
  meanEstimate: number;
  sameRate: number;
  meanDistance: number;
}

export interface MetricsSummary {
  age: {
    mae: number;
    maeRealFaces: number;
    maeNoChange: number;
    maeCalibrated: number | null;
    maeCalibratedNoChange: number | null;
  };
  identity: { sameRate: number; meanDistance: number; threshold: number };
  byTarget: Record<string, GroupMetrics>;
  byGap: Partial<Record<GapBucket, GroupMetrics>>;
  /** Where the numbers stand against the goals of issue 8 (null: not measurable here). */
  goals: {
    calibratedAtMostRealFaces: boolean | null;
    calibratedBelow06NoChange: boolean | null;
    sameRateUpTo20: number | null;
    sameRateUpTo20AtLeast095: boolean | null;
    sameRateOver40: number | null;
    sameRateOver40AtLeast085: boolean | null;
  };
}

export function gapBucketOf(gap: number): GapBucket {
  const g = Math.abs(gap);
  for (const b of GAP_BUCKETS) if (g >= b.lo && g < b.hi) return b.name;
  return '40+';
}

const mean = (xs: number[]) => (xs.length === 0 ? NaN : xs.reduce((a, b) => a + b, 0) / xs.length);

function group(outs: readonly OutputRecord[], inputs: readonly InputRecord[], reference: ReadonlyMap<number, number>): GroupMetrics {
  const calibrated = outs.filter((o) => reference.has(o.target));
  return {
    outputs: outs.length,
    mae: mean(outs.map((o) => Math.abs(o.estimate - o.target))),
    maeNoChange: mean(outs.map((o) => Math.abs(inputs[o.face].estimate - o.target))),
    maeCalibrated: calibrated.length ? mean(calibrated.map((o) => Math.abs(o.estimate - reference.get(o.target)!))) : null,
    maeCalibratedNoChange: calibrated.length ? mean(calibrated.map((o) => Math.abs(inputs[o.face].estimate - reference.get(o.target)!))) : null,
    meanEstimate: mean(outs.map((o) => o.estimate)),
    sameRate: mean(outs.map((o) => (o.distance < SAME_PERSON_THRESHOLD ? 1 : 0))),
    meanDistance: mean(outs.map((o) => o.distance)),
  };
}

/**
 * Summary of one evaluation. `reference` maps a target age to the mean estimate of real faces of
 * that age (calibration.ts); targets without one are left out of the calibrated numbers.
 */
export function summarize(inputs: readonly InputRecord[], outputs: readonly OutputRecord[], reference: ReadonlyMap<number, number>): MetricsSummary {
  if (outputs.length === 0) throw new Error('no outputs to summarize');
  const all = group(outputs, inputs, reference);
  const byTarget: Record<string, GroupMetrics> = {};
  for (const t of [...new Set(outputs.map((o) => o.target))].sort((a, b) => a - b)) {
    byTarget[String(t)] = group(outputs.filter((o) => o.target === t), inputs, reference);
  }
  const byGap: Partial<Record<GapBucket, GroupMetrics>> = {};
  for (const b of GAP_BUCKETS) {
    const outs = outputs.filter((o) => gapBucketOf(o.target - inputs[o.face].label) === b.name);
    if (outs.length) byGap[b.name] = group(outs, inputs, reference);
  }
  const maeRealFaces = mean(inputs.map((i) => Math.abs(i.estimate - i.label)));
  const rateWhere = (pred: (gap: number) => boolean) => {
    const outs = outputs.filter((o) => pred(Math.abs(o.target - inputs[o.face].label)));
    return outs.length ? mean(outs.map((o) => (o.distance < SAME_PERSON_THRESHOLD ? 1 : 0))) : null;
  };
  const upTo20 = rateWhere((g) => g < 20);
  const over40 = rateWhere((g) => g >= 40);
  return {
    age: {
      mae: all.mae,
      maeRealFaces,
      maeNoChange: all.maeNoChange,
      maeCalibrated: all.maeCalibrated,
      maeCalibratedNoChange: all.maeCalibratedNoChange,
    },
    identity: { sameRate: all.sameRate, meanDistance: all.meanDistance, threshold: SAME_PERSON_THRESHOLD },
    byTarget,
    byGap,
    goals: {
      calibratedAtMostRealFaces: all.maeCalibrated === null ? null : all.maeCalibrated <= maeRealFaces,
      calibratedBelow06NoChange: all.maeCalibrated === null ? null : all.maeCalibrated < 0.6 * all.maeNoChange,
      sameRateUpTo20: upTo20,
      sameRateUpTo20AtLeast095: upTo20 === null ? null : upTo20 >= 0.95,
      sameRateOver40: over40,
      sameRateOver40AtLeast085: over40 === null ? null : over40 >= 0.85,
    },
  };
}
