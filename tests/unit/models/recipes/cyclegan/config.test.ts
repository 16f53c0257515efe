import { describe, it, expect } from 'vitest';
import {
  COARSE_DOMAINS,
  defaultCycleGanConfig,
  validateCycleGanConfig,
  YOUNG_OLD_DOMAINS,
} from '../../../../../models/recipes/cyclegan/config';
import { ageCode, domainOf, sampleDomainAge } from '../../../../../models/recipes/cyclegan/age-code';
import { learningRateAt, maskRampAt, reconRampAt, resolutionAt } from '../../../../../models/recipes/cyclegan/schedule';
import { ImagePool } from '../../../../../models/recipes/cyclegan/image-pool';
import { mulberry32 } from '../../../../../models/core/rng';

describe('cyclegan config', () => {
  it('defaults follow the issue: young 18-29 / old 60+, cycle 10, identity 0.5, pool 50, Adam 2e-4 b1 0.5', () => {
    const c = defaultCycleGanConfig();
    expect(c.resolution).toBe(128);
    expect(c.domains).toEqual(YOUNG_OLD_DOMAINS);
    expect(c.loss.cycle).toBe(10);
    expect(c.loss.identity).toBe(0.5);
    expect(c.poolSize).toBe(50);
    expect(c.optim).toMatchObject({ lr: 2e-4, beta1: 0.5 });
    expect(c.discriminator.nLayers).toBe(3);
    expect(defaultCycleGanConfig(256).generator.nBlocks).toBe(9);
    expect(() => validateCycleGanConfig(c)).not.toThrow();
    expect(() => validateCycleGanConfig(defaultCycleGanConfig(256, { domains: 'coarse' }))).not.toThrow();
  });

  it('rejects configs that cannot work', () => {
    expect(() => validateCycleGanConfig(defaultCycleGanConfig(130))).toThrow(/divisible/);
    expect(() => validateCycleGanConfig({ ...defaultCycleGanConfig(), domains: [YOUNG_OLD_DOMAINS[0]] })).toThrow(/two/);
    expect(() =>
      validateCycleGanConfig({ ...defaultCycleGanConfig(), domains: [...YOUNG_OLD_DOMAINS].reverse() }),
    ).toThrow(/ascending/);
    expect(() => validateCycleGanConfig({ ...defaultCycleGanConfig(32), resolutionSchedule: [] })).not.toThrow();
    const small = defaultCycleGanConfig(16);
    expect(() => validateCycleGanConfig(small)).toThrow(/PatchGAN/);
  });
});

describe('age code', () => {
  it('is one-hot at domain centres, interpolates between them and clamps outside', () => {
    expect(Array.from(ageCode(23.5, YOUNG_OLD_DOMAINS))).toEqual([1, 0]);
    expect(Array.from(ageCode(70, YOUNG_OLD_DOMAINS))).toEqual([0, 1]);
    const mid = ageCode((23.5 + 70) / 2, YOUNG_OLD_DOMAINS);
    expect(mid[0]).toBeCloseTo(0.5, 6);
    expect(mid[1]).toBeCloseTo(0.5, 6);
    expect(Array.from(ageCode(5, YOUNG_OLD_DOMAINS))).toEqual([1, 0]);
    expect(Array.from(ageCode(95, YOUNG_OLD_DOMAINS))).toEqual([0, 1]);
    const c = ageCode(44.5, COARSE_DOMAINS);
    expect(c.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 6);
    expect(c.filter((v) => v > 0).length).toBe(2);
  });

  it('is continuous in age across the slider range', () => {
    for (let a = 0; a < 90; a += 0.5) {
      const d = ageCode(a + 0.5, COARSE_DOMAINS).map((v, i) => Math.abs(v - ageCode(a, COARSE_DOMAINS)[i]));
      expect(Math.max(...d)).toBeLessThan(0.1);
    }
  });

  it('maps ages to domains with inclusive whole-year upper bounds', () => {
    expect(domainOf(18, YOUNG_OLD_DOMAINS)).toBe(0);
    expect(domainOf(29.9, YOUNG_OLD_DOMAINS)).toBe(0);
    expect(domainOf(30, YOUNG_OLD_DOMAINS)).toBe(-1);
    expect(domainOf(60, YOUNG_OLD_DOMAINS)).toBe(1);
    expect(domainOf(101, YOUNG_OLD_DOMAINS)).toBe(1);
    expect(domainOf(17, YOUNG_OLD_DOMAINS)).toBe(-1);
    const rand = mulberry32(3);
    for (let i = 0; i < 50; i++) expect(domainOf(sampleDomainAge(YOUNG_OLD_DOMAINS[1], true, rand), YOUNG_OLD_DOMAINS)).toBe(1);
  });
});

describe('schedules', () => {
  it('keeps the learning rate constant, then decays it linearly to ~0', () => {
    const c = defaultCycleGanConfig(128, { totalSteps: 1000 });
    expect(learningRateAt(c, 0)).toBe(2e-4);
    expect(learningRateAt(c, 499)).toBe(2e-4);
    expect(learningRateAt(c, 750)).toBeCloseTo(1e-4, 6);
    expect(learningRateAt(c, 999)).toBeLessThan(1e-6);
    expect(learningRateAt(c, 999)).toBeGreaterThanOrEqual(0);
  });

  it('ramps cycle/identity weights in after the age signal exists, and trains small first', () => {
    const c = defaultCycleGanConfig(128, { totalSteps: 1000 });
    expect(reconRampAt(c, 0)).toBe(0.5);
    expect(reconRampAt(c, 50 + 100)).toBeCloseTo(0.75, 6);
    expect(reconRampAt(c, 900)).toBe(1);
    // Mask penalties are off until the ramp starts (else the mask closes before any edit exists).
    expect(maskRampAt(c, 0)).toBe(0);
    expect(maskRampAt(c, 49)).toBe(0);
    expect(maskRampAt(c, 150)).toBeCloseTo(0.5, 6);
    expect(maskRampAt(c, 900)).toBe(1);
    expect(resolutionAt(c, 0)).toBe(64);
    expect(resolutionAt(c, 599)).toBe(64);
    expect(resolutionAt(c, 600)).toBe(128);
  });
});

describe('image pool', () => {
  const entry = (v: number) => ({ image: Float32Array.of(v, v), code: Float32Array.of(1, 0) });

  it('passes fakes through until full, then returns a stored fake about half the time', () => {
    const pool = new ImagePool(3);
    const rand = mulberry32(1);
    expect(pool.query([entry(1), entry(2)], rand).map((e) => e.image[0])).toEqual([1, 2]);
    expect(pool.query([entry(3)], rand).map((e) => e.image[0])).toEqual([3]);
    let old = 0;
    for (let i = 0; i < 200; i++) if (pool.query([entry(100 + i)], rand)[0].image[0] !== 100 + i) old++;
    expect(old).toBeGreaterThan(70);
    expect(old).toBeLessThan(130);
    expect(pool.size).toBe(3);
  });

  it('round-trips through serialize/restore and starts afresh when the resolution changes', () => {
    const pool = new ImagePool(2);
    pool.query([entry(1), entry(2)], mulberry32(1));
    const copy = new ImagePool(2);
    copy.restore(pool.serialize());
    expect(copy.serialize()).toEqual(pool.serialize());
    const bigger = { image: new Float32Array(8), code: Float32Array.of(0, 1) };
    expect(copy.query([bigger], mulberry32(2))[0]).toBe(bigger);
    expect(copy.size).toBe(1);
  });

  it('size 0 disables the pool', () => {
    const pool = new ImagePool(0);
    const e = entry(1);
    expect(pool.query([e], mulberry32(1))[0]).toBe(e);
    expect(pool.size).toBe(0);
  });
});

describe('committed CycleGAN recipes', () => {
  it('distil-prototype.json merges over the CLI defaults into a valid config that distils without a prior', async () => {
    const { readFileSync } = await import('node:fs');
    const { join } = await import('node:path');
    const { mergeConfig } = await import('../../../../../models/training/train-command');
    const recipe = JSON.parse(readFileSync(join(__dirname, '..', '..', '..', '..', '..', 'models', 'recipes', 'cyclegan', 'presets', 'distil-prototype.json'), 'utf8'));
    // What `face-age train --kind cyclegan --resolution 64 --steps 3000 --config <recipe>` builds.
    const c = mergeConfig(defaultCycleGanConfig(64, { totalSteps: 3000 }), recipe);
    expect(() => validateCycleGanConfig(c)).not.toThrow();
    expect(c.generator.prior).toBe('none');
    expect(c.generator.output).toBe('residual');
    expect(c.loss.reconstruction).toBe('charbonnier');
    // The teacher outweighs every term that a G at the identity already meets (the measured pin).
    expect(c.loss.teacher).toBeGreaterThan(c.loss.cycle);
    expect(c.loss.ageClassifier).toBe(0);
    expect(c.domains.map((d) => d.name)).toEqual(COARSE_DOMAINS.map((d) => d.name));
    expect(c.optim.constantSteps + c.optim.decaySteps).toBe(3000);
  });
});
