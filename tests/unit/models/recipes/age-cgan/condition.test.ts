import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { ageToCondition, ageToGroup, ageToOneHot, AGE_GROUP_LABELS, DEFAULT_GROUP_CENTRES } from '../../../../../models/recipes/age-cgan/condition';
import { defaultAgeCganConfig, resolveAgeCganConfig } from '../../../../../models/recipes/age-cgan/config';

describe('age groups and the continuous condition', () => {
  it("uses the paper's six groups", () => {
    expect(AGE_GROUP_LABELS).toEqual(['0-18', '19-29', '30-39', '40-49', '50-59', '60+']);
    expect([0, 18, 18.9, 19, 29, 30, 39, 40, 49, 50, 59, 60, 95].map(ageToGroup)).toEqual([0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5]);
    expect(ageToOneHot(45)).toEqual([0, 0, 0, 1, 0, 0]);
    expect(() => ageToCondition(Number.NaN)).toThrow(/finite/);
  });

  it('is one-hot at group centres and outside them, a convex mix of two neighbours between', () => {
    DEFAULT_GROUP_CENTRES.forEach((c, g) => expect(ageToCondition(c)[g]).toBe(1));
    expect(ageToCondition(0)).toEqual([1, 0, 0, 0, 0, 0]);
    expect(ageToCondition(90)).toEqual([0, 0, 0, 0, 0, 1]);
    expect(ageToCondition(29.25)).toEqual([0, 0.5, 0.5, 0, 0, 0]);
    fc.assert(
      fc.property(fc.double({ min: 0, max: 100, noNaN: true }), (age) => {
        const y = ageToCondition(age);
        expect(y.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
        const nz = y.map((v, i) => (v > 0 ? i : -1)).filter((i) => i >= 0);
        expect(nz.length).toBeGreaterThanOrEqual(1);
        expect(nz.length).toBeLessThanOrEqual(2);
        if (nz.length === 2) expect(nz[1] - nz[0]).toBe(1);
        y.forEach((v) => expect(v).toBeGreaterThanOrEqual(0));
      }),
    );
  });

  it('moves continuously with age (the slider never jumps)', () => {
    fc.assert(
      fc.property(fc.double({ min: 0, max: 90, noNaN: true }), (age) => {
        const a = ageToCondition(age);
        const b = ageToCondition(age + 0.01);
        const step = Math.max(...a.map((v, i) => Math.abs(v - b[i])));
        expect(step).toBeLessThanOrEqual(0.01 / 10 + 1e-12); // centres are >= 10 years apart
      }),
    );
  });
});

describe('config', () => {
  it('has defaults for 64 (paper) and 128 px and fills partial configs', () => {
    expect(defaultAgeCganConfig(64)).toMatchObject({ resolution: 64, zDim: 100, nGroups: 6 });
    expect(defaultAgeCganConfig(128).resolution).toBe(128);
    const c = resolveAgeCganConfig({ resolution: 128, ngf: 8, ip: { steps: 5 } });
    expect(c.ngf).toBe(8);
    expect(c.ip.steps).toBe(5);
    expect(c.ip.lr).toBe(defaultAgeCganConfig(128).ip.lr);
    expect(() => defaultAgeCganConfig(100)).toThrow(/resolution/);
    expect(() => resolveAgeCganConfig({ zDim: 0 })).toThrow(/zDim/);
    expect(() => resolveAgeCganConfig({ groupCentres: [1, 2, 3] })).toThrow(/groupCentres/);
  });
});
