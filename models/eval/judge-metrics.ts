/**
 * Pure aggregation of one judge's measurements (issue 19), testable on hand-made records:
 *   achieved share  (judge(output) - judge(input)), signed toward the target, over
 *                   (reference(target) - judge(input)); reference(t) = the judge's mean estimate of
 *                   real faces labelled t +- 5 (calibration.ts). Rows asking for less than
 *                   MIN_REQUEST years are left out. Headline: ratio of the sums; beside it the median
 *                   of the per-row ratios.
 *   calibrated error  mean |judge(output) - reference(target)|
 *   same-person rate  the judge's verdict (its vote), overall and by age gap; each net's own rate
 */
import type { IdentityVerdict } from './judges/judge';

export const MIN_REQUEST = 5;

export interface JudgeInputRecord {
  label: number;
  estimate: number;
}

export interface JudgeOutputRecord {
  /** Index into the inputs. */
  face: number;
  target: number;
  estimate: number;
  verdict: IdentityVerdict;
}

export interface AchievedShare {
  /** sum(signed change) / sum(|requested change|) over the rows kept; null when none is kept. */
  share: number | null;
  /** Median of the rows' own ratios. */
  median: number | null;
  rows: number;
  /** Rows asking for less than MIN_REQUEST years (or with no reference). */
  leftOut: number;
}

export interface JudgeGroup {
  outputs: number;
  achieved: AchievedShare;
  maeCalibrated: number | null;
  maeCalibratedNoChange: number | null;
  meanEstimate: number;
  sameRate: number;
  /** Per identity net: share with distance <= its threshold, and the mean distance. */
  nets: Record<string, { sameRate: number; meanDistance: number }>;
}

export interface JudgeSummary extends JudgeGroup {
  judge: string;
  maeRealFaces: number;
  thresholds: Record<string, number>;
  scoreThreshold: number;
  sameRateUpTo20: number | null;
  sameRateOver40: number | null;
  byTarget: Record<string, JudgeGroup>;
}

const mean = (xs: number[]) => (xs.length === 0 ? NaN : xs.reduce((a, b) => a + b, 0) / xs.length);

export function median(xs: readonly number[]): number | null {
  if (xs.length === 0) return null;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** One row's requested and achieved change (signed toward the target), or null when left out. */
export function requestOf(input: number, output: number, reference: number | undefined): { requested: number; achieved: number } | null {
  if (reference === undefined) return null;
  const req = reference - input;
  if (Math.abs(req) < MIN_REQUEST) return null;
  return { requested: Math.abs(req), achieved: (output - input) * Math.sign(req) };
}

export function achievedShare(
  inputs: readonly JudgeInputRecord[],
  outputs: readonly JudgeOutputRecord[],
  reference: ReadonlyMap<number, number>,
): AchievedShare {
  let req = 0;
  let ach = 0;
  const ratios: number[] = [];
  for (const o of outputs) {
    const r = requestOf(inputs[o.face].estimate, o.estimate, reference.get(o.target));
    if (!r) continue;
    req += r.requested;
    ach += r.achieved;
    ratios.push(r.achieved / r.requested);
  }
  return { share: ratios.length ? ach / req : null, median: median(ratios), rows: ratios.length, leftOut: outputs.length - ratios.length };
}

function group(
  inputs: readonly JudgeInputRecord[],
  outs: readonly JudgeOutputRecord[],
  reference: ReadonlyMap<number, number>,
  netNames: readonly string[],
  thresholds: Record<string, number>,
): JudgeGroup {
  const cal = outs.filter((o) => reference.has(o.target));
  const nets: JudgeGroup['nets'] = {};
  for (const n of netNames) {
    const d = outs.map((o) => o.verdict.distances[n]);
    nets[n] = { sameRate: mean(d.map((x) => (x <= thresholds[n] ? 1 : 0))), meanDistance: mean(d) };
  }
  return {
    outputs: outs.length,
    achieved: achievedShare(inputs, outs, reference),
    maeCalibrated: cal.length ? mean(cal.map((o) => Math.abs(o.estimate - reference.get(o.target)!))) : null,
    maeCalibratedNoChange: cal.length ? mean(cal.map((o) => Math.abs(inputs[o.face].estimate - reference.get(o.target)!))) : null,
    meanEstimate: mean(outs.map((o) => o.estimate)),
    sameRate: mean(outs.map((o) => (o.verdict.same ? 1 : 0))),
    nets,
  };
}

export function summarizeJudge(
  judge: { name: string; identityNets: ReadonlyArray<{ name: string; threshold: number }>; scoreThreshold: number },
  inputs: readonly JudgeInputRecord[],
  outputs: readonly JudgeOutputRecord[],
  reference: ReadonlyMap<number, number>,
): JudgeSummary {
  if (outputs.length === 0) throw new Error('no outputs to summarize');
  const names = judge.identityNets.map((n) => n.name);
  const thresholds = Object.fromEntries(judge.identityNets.map((n) => [n.name, n.threshold]));
  const byTarget: Record<string, JudgeGroup> = {};
  for (const t of [...new Set(outputs.map((o) => o.target))].sort((a, b) => a - b)) {
    byTarget[String(t)] = group(inputs, outputs.filter((o) => o.target === t), reference, names, thresholds);
  }
  const rateWhere = (pred: (gap: number) => boolean) => {
    const outs = outputs.filter((o) => pred(Math.abs(o.target - inputs[o.face].label)));
    return outs.length ? mean(outs.map((o) => (o.verdict.same ? 1 : 0))) : null;
  };
  return {
    judge: judge.name,
    ...group(inputs, outputs, reference, names, thresholds),
    maeRealFaces: mean(inputs.map((i) => Math.abs(i.estimate - i.label))),
    thresholds,
    scoreThreshold: judge.scoreThreshold,
    sameRateUpTo20: rateWhere((g) => g < 20),
    sameRateOver40: rateWhere((g) => g >= 40),
    byTarget,
  };
}

export interface Issue19Goals {
  independentAchievedAtLeast08: boolean | null;
  independentCalibratedAtMost8: boolean | null;
  faceApiCalibratedAtMost9: boolean | null;
  sameRateUpTo20AtLeast095: Record<string, boolean | null>;
  sameRateOver40AtLeast085: Record<string, boolean | null>;
  /** Shape progress toward the mean shape of targets 5 and 80 (> 0), when measured. */
  shapeTowardTarget: Record<string, boolean | null>;
}

/** Where the numbers stand against issue 19's "done when". */
export function issue19Goals(
  judges: Readonly<Record<string, JudgeSummary>>,
  faceApiMaeCalibrated: number | null,
  shapeByTarget: Readonly<Record<string, { meanProgress: number | null }>> | null,
): Issue19Goals {
  const ind = judges.independent;
  const cmp = (x: number | null | undefined, ok: (v: number) => boolean) => (x === null || x === undefined ? null : ok(x));
  const shape: Record<string, boolean | null> = {};
  for (const t of ['5', '80']) shape[t] = shapeByTarget?.[t] ? cmp(shapeByTarget[t].meanProgress, (v) => v > 0) : null;
  return {
    independentAchievedAtLeast08: cmp(ind?.achieved.share, (v) => v >= 0.8),
    independentCalibratedAtMost8: cmp(ind?.maeCalibrated, (v) => v <= 8),
    faceApiCalibratedAtMost9: cmp(faceApiMaeCalibrated, (v) => v <= 9),
    sameRateUpTo20AtLeast095: Object.fromEntries(Object.entries(judges).map(([k, j]) => [k, cmp(j.sameRateUpTo20, (v) => v >= 0.95)])),
    sameRateOver40AtLeast085: Object.fromEntries(Object.entries(judges).map(([k, j]) => [k, cmp(j.sameRateOver40, (v) => v >= 0.85)])),
    shapeTowardTarget: shape,
  };
}
