import { describe, expect, it } from 'vitest';
import { achievedShare, issue19Goals, median, requestOf, summarizeJudge, type JudgeInputRecord, type JudgeOutputRecord } from '../../../../models/eval/judge-metrics';
import { calibrateThreshold, matchedImpostorPairs, rateAtOrBelow } from '../../../../models/eval/judges/calibrate';
import { cosineDistance, fusedScore } from '../../../../models/eval/judges/judge';
import { argmaxNeighbourAge, expectedAge } from '../../../../models/eval/judges/human-nets';
import { meanShapeAt, procrustesDistance, shapeProgress, summarizeShape, validateShapeMeans } from '../../../../models/eval/shape-metric';
import { parseEvalOptions } from '../../../../models/eval/eval-command';

const verdict = (d: number, same = d <= 0.5) => ({ distances: { a: d, b: d * 2 }, score: d, same });

describe('achieved share of the requested change', () => {
  // Inputs read 30 and 60 by the judge; references: 10 -> 12, 30 -> 33, 70 -> 66.
  const inputs: JudgeInputRecord[] = [
    { label: 28, estimate: 30 },
    { label: 62, estimate: 60 },
  ];
  const reference = new Map([[10, 12], [30, 33], [70, 66]]);
  const outputs: JudgeOutputRecord[] = [
    { face: 0, target: 10, estimate: 21, verdict: verdict(0.2) }, // asked -18, got -9: 0.5
    { face: 0, target: 30, estimate: 40, verdict: verdict(0.3) }, // asked 3 < 5: left out
    { face: 0, target: 70, estimate: 66, verdict: verdict(0.6) }, // asked 36, got 36: 1
    { face: 1, target: 10, estimate: 64, verdict: verdict(0.1) }, // asked -48, got +4 (away): -4/48
    { face: 1, target: 70, estimate: 62, verdict: verdict(0.4) }, // asked 6, got 2
  ];

  it('is the ratio of sums over rows asking for at least 5 years, with the median beside it', () => {
    const a = achievedShare(inputs, outputs, reference);
    expect(a.rows).toBe(4);
    expect(a.leftOut).toBe(1);
    expect(a.share).toBeCloseTo((9 + 36 - 4 + 2) / (18 + 36 + 48 + 6), 10);
    expect(a.median).toBeCloseTo((2 / 6 + 0.5) / 2, 10);
  });

  it('signs the change toward the target and leaves out small requests and missing references', () => {
    expect(requestOf(30, 20, 12)).toEqual({ requested: 18, achieved: 10 });
    expect(requestOf(30, 40, 12)).toEqual({ requested: 18, achieved: -10 });
    expect(requestOf(30, 40, 34.9)).toBeNull();
    expect(requestOf(30, 40, undefined)).toBeNull();
    expect(achievedShare(inputs, [outputs[1]], reference)).toEqual({ share: null, median: null, rows: 0, leftOut: 1 });
    expect(median([3, 1, 2])).toBe(2);
    expect(median([])).toBeNull();
  });

  it('summarizeJudge reports calibrated error, the vote and each net by target and gap', () => {
    const judge = { name: 'independent', identityNets: [{ name: 'a', threshold: 0.5 }, { name: 'b', threshold: 0.5 }], scoreThreshold: 0.5 };
    const s = summarizeJudge(judge, inputs, outputs, reference);
    expect(s.outputs).toBe(5);
    expect(s.maeRealFaces).toBeCloseTo(2, 10);
    expect(s.maeCalibrated).toBeCloseTo((9 + 7 + 0 + 52 + 4) / 5, 10);
    expect(s.maeCalibratedNoChange).toBeCloseTo((18 + 3 + 36 + 48 + 6) / 5, 10);
    expect(s.sameRate).toBeCloseTo(4 / 5, 10);
    expect(s.nets.a.sameRate).toBeCloseTo(4 / 5, 10);
    expect(s.nets.b.sameRate).toBeCloseTo(2 / 5, 10); // b = 2 x a: 0.2 and 0.1 pass
    // Gaps: |10-28| 18, |30-28| 2, |70-28| 42, |10-62| 52, |70-62| 8.
    expect(s.sameRateUpTo20).toBeCloseTo(3 / 3, 10);
    expect(s.sameRateOver40).toBeCloseTo(1 / 2, 10);
    expect(Object.keys(s.byTarget)).toEqual(['10', '30', '70']);
    expect(s.byTarget['30'].achieved.rows).toBe(0);
    expect(s.byTarget['70'].achieved.share).toBeCloseTo((36 + 2) / (36 + 6), 10);
  });

  it('issue19Goals reads the thresholds of the issue', () => {
    const judge = { name: 'x', identityNets: [{ name: 'a', threshold: 0.5 }], scoreThreshold: 0.5 };
    const s = summarizeJudge(judge, inputs, outputs, reference);
    const g = issue19Goals({ 'face-api': s, independent: s }, 8.5, { '5': { meanProgress: 0.2 }, '80': { meanProgress: -0.1 } });
    expect(g.independentAchievedAtLeast08).toBe(false);
    expect(g.faceApiCalibratedAtMost9).toBe(true);
    expect(g.sameRateUpTo20AtLeast095).toEqual({ 'face-api': true, independent: true });
    expect(g.sameRateOver40AtLeast085).toEqual({ 'face-api': false, independent: false });
    expect(g.shapeTowardTarget).toEqual({ '5': true, '80': false });
    expect(issue19Goals({}, null, null).shapeTowardTarget).toEqual({ '5': null, '80': null });
  });
});

describe('identity helpers and calibration', () => {
  it('cosine distance and the fused vote', () => {
    expect(cosineDistance(Float32Array.of(1, 0), Float32Array.of(2, 0))).toBeCloseTo(0, 10);
    expect(cosineDistance(Float32Array.of(1, 0), Float32Array.of(0, 3))).toBeCloseTo(1, 10);
    const nets = [{ name: 'a', metric: 'cosine' as const, threshold: 0.2 }, { name: 'b', metric: 'cosine' as const, threshold: 0.4 }];
    expect(fusedScore(nets, { a: 0.2, b: 0.4 })).toBeCloseTo(1, 10);
    expect(fusedScore(nets, { a: 0.1, b: 0.6 })).toBeCloseTo(1, 10);
  });

  it('impostor pairs share gender and race and are at most 10 years apart', () => {
    const faces = [
      { age: 20, stratum: '0/1' },
      { age: 29, stratum: '0/1' },
      { age: 31, stratum: '0/1' },
      { age: 25, stratum: '1/1' },
      { age: 25, stratum: '' },
      { age: 25, stratum: '' },
    ];
    expect(matchedImpostorPairs(faces, 10)).toEqual([[0, 1], [1, 2]]);
  });

  it('the threshold accepts at most the false-accept rate of impostors', () => {
    const imp = Array.from({ length: 200 }, (_, i) => 0.1 + i * 0.01);
    const t = calibrateThreshold(imp, 0.01);
    expect(rateAtOrBelow(imp, t)).toBeCloseTo(0.01, 10);
    expect(t).toBeCloseTo(0.115, 10);
    expect(calibrateThreshold([0.4, 0.5], 0.01)).toBeCloseTo(0.2, 10);
    expect(() => calibrateThreshold([], 0.01)).toThrow(/no impostor/);
  });

  it('reads faceres age bins as an expected value or the arg-max moved to its larger neighbour', () => {
    const bins = new Float32Array(100);
    bins[30] = 0.5;
    bins[31] = 0.3;
    bins[29] = 0.2;
    expect(expectedAge(bins)).toBeCloseTo(30.1, 5);
    expect(argmaxNeighbourAge(bins)).toBeCloseTo(33, 5);
  });
});

describe('landmark shape metric', () => {
  const base = Array.from({ length: 136 }, (_, i) => ((i * 37) % 101) / 101);
  const similar = (s: number[], k: number, th: number, tx: number, ty: number) =>
    s.map((_, i) => {
      const x = s[i - (i % 2)];
      const y = s[i - (i % 2) + 1];
      return i % 2 === 0 ? k * (Math.cos(th) * x - Math.sin(th) * y) + tx : k * (Math.sin(th) * x + Math.cos(th) * y) + ty;
    });

  it('Procrustes distance ignores rotation, scale and translation of the shape', () => {
    expect(procrustesDistance(similar(base, 1.7, 0.3, 0.2, -0.1), base)).toBeLessThan(1e-9);
    const other = base.map((v, i) => v + (i === 10 ? 0.2 : 0));
    expect(procrustesDistance(other, base)).toBeGreaterThan(0.01);
  });

  it('progress: 1 at the mean shape, 0 when unmoved, halfway for a half step', () => {
    const input = base.map((v, i) => v + (i % 4 === 0 ? 0.05 : 0));
    expect(shapeProgress(input, base, base)).toBeCloseTo(1, 5);
    expect(shapeProgress(input, similar(input, 0.5, 0.1, 0, 0), base)).toBeCloseTo(0, 5);
    const half = input.map((v, i) => (v + base[i]) / 2);
    expect(shapeProgress(input, half, base)).toBeCloseTo(0.5, 2);
    expect(shapeProgress(base, input, base)).toBeNull();
  });

  it('interpolates the mean shape linearly between listed ages and holds the ends', () => {
    const means = validateShapeMeans({ ages: [10, 30], shapes: [base.map(() => 0), base.map(() => 1)] });
    expect(meanShapeAt(means, 20)[5]).toBeCloseTo(0.5, 10);
    expect(meanShapeAt(means, 25)[0]).toBeCloseTo(0.75, 10);
    expect(meanShapeAt(means, 5)[0]).toBe(0);
    expect(meanShapeAt(means, 80)[0]).toBe(1);
    expect(() => validateShapeMeans({ ages: [30, 10], shapes: [base, base] })).toThrow(/increasing/);
    expect(() => validateShapeMeans({ ages: [10], shapes: [[1, 2]] })).toThrow(/136/);
    const s = summarizeShape([
      { target: 5, progress: 0.2, inputDistance: 0.02, outputDistance: 0.016 },
      { target: 5, progress: null, inputDistance: 0, outputDistance: 0.01 },
      { target: 80, progress: -0.1, inputDistance: 0.03, outputDistance: 0.033 },
    ]);
    expect(s.byTarget['5'].meanProgress).toBeCloseTo(0.2, 10);
    expect(s.overall.meanProgress).toBeCloseTo(0.05, 10);
  });
});

describe('eval options', () => {
  it('takes the judges, shape means and save folder', () => {
    const o = parseEvalOptions({ model: 'no-change', data: 'x', 'shape-means': 'm.json', save: 'out' });
    expect(o.judges).toEqual(['face-api', 'independent']);
    expect(o.shapeMeans).toBe('m.json');
    expect(o.save).toBe('out');
    expect(parseEvalOptions({ model: 'no-change', data: 'x', judges: 'face-api' }).judges).toEqual(['face-api']);
    expect(() => parseEvalOptions({ model: 'no-change', data: 'x', judges: 'independent' })).toThrow(/face-api/);
    expect(() => parseEvalOptions({ model: 'no-change', data: 'x', judges: 'face-api,foo' })).toThrow(/judges/);
  });
});
