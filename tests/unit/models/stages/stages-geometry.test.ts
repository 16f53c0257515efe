import { describe, expect, it } from 'vitest';
import { applyTps, denseMap, fitTps, remap } from '../../../../models/stages/shape/tps';
import { controlPoints, mirrorShape, MIRROR_INDEX, procrustesDistance, SHAPE_LENGTH } from '../../../../models/stages/shape/face-points';
import { computeShapeMeans, meanShapeAt, raceBalancedWeights, parseShapeMeans } from '../../../../models/stages/shape/shape-means';
import { FADE_OUTER, targetShape, warpFade, warpToShape } from '../../../../models/stages/shape/shape-stage';
import { cropMaskWeight } from '../../../../models/face/paste-back';
import { faceShape } from './face-shape-fixture';

describe('thin-plate spline', () => {
  it('passes through its points and is the identity when both point sets agree', () => {
    const from = [0.1, 0.1, 0.9, 0.1, 0.5, 0.9, 0.3, 0.4, 0.7, 0.6];
    const to = [0.12, 0.1, 0.88, 0.15, 0.5, 0.8, 0.35, 0.42, 0.66, 0.6];
    const t = fitTps(from, to);
    const out = new Float64Array(2);
    for (let i = 0; i < 5; i++) {
      applyTps(t, from[2 * i], from[2 * i + 1], out);
      expect(out[0]).toBeCloseTo(to[2 * i], 6);
      expect(out[1]).toBeCloseTo(to[2 * i + 1], 6);
    }
    const id = fitTps(from, from);
    applyTps(id, 0.42, 0.77, out);
    expect(out[0]).toBeCloseTo(0.42, 6);
    expect(out[1]).toBeCloseTo(0.77, 6);
  });

  it('remaps an image along a dense map (a shift moves content by that shift)', () => {
    const S = 32;
    const img = new Float32Array(S * S);
    for (let y = 0; y < S; y++) for (let x = 0; x < S; x++) img[y * S + x] = x;
    const cp = [0, 0, 1, 0, 0, 1, 1, 1, 0.5, 0.5];
    const shifted = cp.map((v, i) => (i % 2 === 0 ? v + 4 / S : v));
    const map = denseMap(fitTps(cp, shifted), S, { step: 2 });
    const out = remap(img, S, map, 1);
    expect(out[16 * S + 10]).toBeCloseTo(14, 3);
  });
});

describe('face points', () => {
  it('mirroring is an involution that swaps the left and right sides', () => {
    for (let i = 0; i < 68; i++) expect(MIRROR_INDEX[MIRROR_INDEX[i]]).toBe(i);
    const s = faceShape();
    const m = mirrorShape(s);
    // The left eye corner becomes the right one, reflected.
    expect(m[2 * 45]).toBeCloseTo(1 - s[2 * 36], 6);
    const back = mirrorShape(m);
    for (let i = 0; i < SHAPE_LENGTH; i++) expect(back[i]).toBeCloseTo(s[i], 6);
    expect(controlPoints(s).length).toBe(SHAPE_LENGTH + 10 + 32);
  });

  it('Procrustes distance ignores position, scale and rotation, not shape', () => {
    const s = faceShape();
    const moved = Float32Array.from(s, (v, i) => (i % 2 === 0 ? 0.8 * v + 0.05 : 0.8 * v - 0.02));
    expect(procrustesDistance(moved, s)).toBeLessThan(1e-6);
    expect(procrustesDistance(faceShape(0.8), s)).toBeGreaterThan(0.005);
  });
});

describe('shape means', () => {
  it('balance races within each cell and interpolate by age, per sex', () => {
    const w = raceBalancedWeights(['a', 'a', 'a', 'a', 'b'], [0, 0, 0, 1, 0], 1);
    // Cell a: race 0 has three faces, race 1 one: each race weighs 1/2 in total.
    expect(w[0] * 3).toBeCloseTo(0.5, 9);
    expect(w[3]).toBeCloseTo(0.5, 9);
    const samples = [];
    for (let k = 0; k < 40; k++) {
      samples.push({ age: 4, gender: k % 2, race: 0, shape: faceShape(0.8) });
      samples.push({ age: 40, gender: k % 2, race: 0, shape: faceShape(0.88) });
      samples.push({ age: 80, gender: k % 2, race: 0, shape: faceShape(0.92) });
    }
    const means = parseShapeMeans(JSON.parse(JSON.stringify(computeShapeMeans(samples))));
    const chin = (s: Float32Array) => s[2 * 8 + 1];
    expect(chin(meanShapeAt(means, 4, 0))).toBeCloseTo(0.8, 5);
    expect(chin(meanShapeAt(means, 80, 1))).toBeCloseTo(0.92, 5);
    expect(chin(meanShapeAt(means, 60, null))).toBeCloseTo(0.9, 3);
    // The shape stage moves a person's chin by the difference of the means.
    const person = faceShape(0.86);
    expect(chin(targetShape(means, person, 40, 4, 0, 1))).toBeCloseTo(0.86 - 0.08, 4);
    expect(chin(targetShape(means, person, 40, 40, 0, 1))).toBeCloseTo(0.86, 6);
  });
});

describe('shape warp', () => {
  it('moves the face where the landmarks move and leaves the crop border untouched', () => {
    const S = 64;
    const face = new Float32Array(S * S * 3);
    // A horizontal edge at the chin (y = 0.86): dark above, light below.
    for (let y = 0; y < S; y++) for (let x = 0; x < S; x++) for (let c = 0; c < 3; c++) face[(y * S + x) * 3 + c] = (y + 0.5) / S < 0.86 ? -0.5 : 0.5;
    const from = faceShape(0.86);
    const to = faceShape(0.78);
    const out = warpToShape(face, S, from, to);
    // Under the new (raised) chin at the centre column the face now shows what was at the chin.
    const at = (x: number, y: number) => out[(Math.round(y * S) * S + Math.round(x * S)) * 3];
    expect(at(0.5, 0.81)).toBeGreaterThan(0);
    expect(face[(Math.round(0.81 * S) * S + S / 2) * 3]).toBeLessThan(0);
    // The outer band is the input itself, so the paste-back's feather sees no warp.
    for (let y = 0; y < S; y++) {
      for (let x = 0; x < S; x++) {
        if (warpFade((x + 0.5) / S, (y + 0.5) / S) === 0) expect(out[(y * S + x) * 3]).toBeCloseTo(face[(y * S + x) * 3], 5);
      }
    }
    // ...and the crop mask is full where the warp can act.
    expect(cropMaskWeight(FADE_OUTER, 0.5)).toBe(1);
  });
});
