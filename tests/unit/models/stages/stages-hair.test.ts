import { describe, expect, it } from 'vitest';
import { DEFAULT_HAIR, greyAt, hairChange, hairEdgeFade, hairRegions, resize } from '../../../../models/stages/hair/hair-stage';
import { faceShape } from './face-shape-fixture';
import { insidePolygon } from '../../../../models/stages/shape/face-points';

const S = 96;
const SKIN = [200, 150, 120];
const HAIR = [45, 35, 30];

const MID_BROWN = [125, 95, 80];
const BLUE = [40, 90, 200];

/**
 * A synthetic crop: skin inside the jaw oval, dark hair above the forehead and on the brows;
 * optionally a beard, whose strands may alternate dark and mid-brown (as a real beard's do), and
 * a blue backdrop at the sides.
 */
function crop(beard: boolean, opts: { strands?: boolean; blueSides?: boolean } = {}): { img: Float32Array; shape: Float32Array } {
  const shape = faceShape();
  const img = new Float32Array(S * S * 3);
  const regions = hairRegions(S, shape, new Float32Array(S * S).fill(1));
  for (let y = 0; y < S; y++) {
    for (let x = 0; x < S; x++) {
      const p = y * S + x;
      const v = (y + 0.5) / S;
      const u = (x + 0.5) / S;
      const inBeard = beard && regions[3 * p + 2] > 0.5 && v < 0.95;
      const hair = v < 0.12 || regions[3 * p] > 0.5 || regions[3 * p + 1] > 0.5 || inBeard;
      const c = inBeard && opts.strands && (x + y) % 2 === 1 ? MID_BROWN : hair ? HAIR : opts.blueSides && (u < 0.1 || u > 0.9) ? BLUE : SKIN;
      for (let k = 0; k < 3; k++) img[3 * p + k] = c[k] / 127.5 - 1;
    }
  }
  return { img, shape };
}

const px = (img: Float32Array, x: number, y: number) => {
  const o = (Math.floor(y * S) * S + Math.floor(x * S)) * 3;
  return [0, 1, 2].map((k) => (img[o + k] + 1) * 127.5);
};
const sat = (c: number[]) => Math.max(...c) - Math.min(...c);

describe('hair stage', () => {
  it('greys scalp hair and brows when aged, leaves skin alone, and does nothing at the same age', () => {
    const { img, shape } = crop(false);
    const same = img.slice();
    hairChange(same, S, shape, 30, 30, false, DEFAULT_HAIR, new Float32Array(S * S).fill(1));
    expect(Array.from(same)).toEqual(Array.from(img));
    const old = img.slice();
    hairChange(old, S, shape, 30, 85, false, DEFAULT_HAIR, new Float32Array(S * S).fill(1));
    // The scalp pixel of most weight away from the crop's edge (the temples, beside the forehead).
    const regions = hairRegions(S, shape, new Float32Array(S * S).fill(1));
    let best = 0;
    for (let p = 0; p < S * S; p++) {
      const w = (q: number) => regions[3 * q] * hairEdgeFade(((q % S) + 0.5) / S, (Math.floor(q / S) + 0.5) / S);
      if (w(p) > w(best)) best = p;
    }
    const [bx, by] = [((best % S) + 0.5) / S, (Math.floor(best / S) + 0.5) / S];
    const scalpBefore = px(img, bx, by);
    const scalpAfter = px(old, bx, by);
    expect(scalpAfter[1]).toBeGreaterThan(scalpBefore[1] + 40); // much lighter
    // ...fading out toward the crop's edge, where the hair beyond the crop is unchanged.
    expect(px(old, 0.5, 0.01)).toEqual(px(img, 0.5, 0.01));
    expect(sat(scalpAfter)).toBeLessThan(sat(scalpBefore) + 3); // and not more colourful
    const brow = px(old, 0.3, 0.3);
    expect(brow[1]).toBeGreaterThan(px(img, 0.3, 0.3)[1] + 40);
    // Cheek skin is untouched; a clean chin (no beard) too.
    expect(px(old, 0.3, 0.55)).toEqual(px(img, 0.3, 0.55));
    expect(px(old, 0.5, 0.82)).toEqual(px(img, 0.5, 0.82));
    expect(greyAt(85, DEFAULT_HAIR)).toBeGreaterThan(greyAt(30, DEFAULT_HAIR));
  });

  it('long hair falling past the crop keeps its colour (no grey stripes); the brows still grey', () => {
    const { img, shape } = crop(false);
    // Dark hair down both sides of the face to the chin, as long hair falls.
    for (let y = 0; y < S; y++) for (let x = 0; x < S; x++) {
      const [u, v] = [(x + 0.5) / S, (y + 0.5) / S];
      if (v > 0.3 && v < 0.9 && (u < shape[4] - 0.02 || u > shape[28] + 0.02)) for (let k = 0; k < 3; k++) img[3 * (y * S + x) + k] = HAIR[k] / 127.5 - 1;
    }
    const old = img.slice();
    hairChange(old, S, shape, 30, 85, false, DEFAULT_HAIR, new Float32Array(S * S).fill(1));
    let changedScalp = 0;
    for (let p = 0; p < S * S; p++) {
      const [u, v] = [((p % S) + 0.5) / S, (Math.floor(p / S) + 0.5) / S];
      if ((u < shape[4] - 0.02 || u > shape[28] + 0.02) && v > 0.42) changedScalp = Math.max(changedScalp, Math.abs(old[3 * p] - img[3 * p]) * 127.5);
    }
    expect(changedScalp).toBeLessThan(1);
    expect(px(old, 0.3, 0.3)[1]).toBeGreaterThan(px(img, 0.3, 0.3)[1] + 40);
  });

  it('without a person mask the scalp is left alone (a wall cannot be told from hair by colour)', () => {
    const { img, shape } = crop(false);
    const old = img.slice();
    hairChange(old, S, shape, 30, 85, false, DEFAULT_HAIR, null);
    expect(px(old, 0.07, 0.3)).toEqual(px(img, 0.07, 0.3));
    expect(px(old, 0.5, 0.05)).toEqual(px(img, 0.5, 0.05));
  });

  it('fades a beard toward the skin for a child target, and keeps a greyscale photo grey', () => {
    const { img, shape } = crop(true, { strands: true, blueSides: true });
    const child = img.slice();
    hairChange(child, S, shape, 40, 5, false, DEFAULT_HAIR, new Float32Array(S * S).fill(1));
    const before = px(img, 0.5, 0.85);
    const after = px(child, 0.5, 0.85);
    const dist = (a: number[], b: number[]) => Math.hypot(a[0] - b[0], a[1] - b[1], a[2] - b[2]);
    expect(dist(after, SKIN)).toBeLessThan(0.5 * dist(before, SKIN));
    // The whole chin is shaved, not a patch with the beard's edge left: across the beard area inside
    // the jaw the result is close to the skin everywhere (the worst pixel too; under the jaw the
    // neck is shaded darker on purpose), and the cheeks keep their colour.
    const beardArea = hairRegions(S, shape, null);
    const jaw = Array.from({ length: 17 }, (_, i) => [shape[2 * i], shape[2 * i + 1]] as [number, number]);
    let worst = 0;
    let counted = 0;
    for (let p = 0; p < S * S; p++) {
      const [x, y] = [((p % S) + 0.5) / S, (Math.floor(p / S) + 0.5) / S];
      if (beardArea[3 * p + 2] < 0.9 || !insidePolygon(x, y, jaw) || hairEdgeFade(x, y) < 1) continue;
      worst = Math.max(worst, dist(px(child, x, y), SKIN));
      counted++;
    }
    expect(counted).toBeGreaterThan(20);
    expect(worst).toBeLessThan(0.35 * dist(HAIR, SKIN));
    // The backdrop beside the face neither changes nor colours the filled chin (a blue wall once
    // bled into a shaved chin).
    expect(px(child, 0.04, 0.6)).toEqual(px(img, 0.04, 0.6));
    expect(px(child, 0.5, 0.8)[2]).toBeLessThan(SKIN[2] + 8);
    expect(px(child, 0.3, 0.55)).toEqual(px(img, 0.3, 0.55));
    // Greyscale: the same crop in grey stays grey after greying.
    const grey = Float32Array.from(img);
    for (let p = 0; p < S * S; p++) {
      const y = 0.299 * grey[3 * p] + 0.587 * grey[3 * p + 1] + 0.114 * grey[3 * p + 2];
      grey[3 * p] = grey[3 * p + 1] = grey[3 * p + 2] = y;
    }
    hairChange(grey, S, shape, 30, 85, true, DEFAULT_HAIR, new Float32Array(S * S).fill(1));
    for (let p = 0; p < S * S; p += 7) {
      expect(Math.abs(grey[3 * p] - grey[3 * p + 1])).toBeLessThan(1e-6);
      expect(Math.abs(grey[3 * p + 1] - grey[3 * p + 2])).toBeLessThan(1e-6);
    }
  });

  it('computes smooth maps at a coarse size: resizing keeps a constant and a ramp, down and back up', () => {
    const n = 200;
    const ramp = new Float32Array(n * n * 2);
    for (let y = 0; y < n; y++) for (let x = 0; x < n; x++) {
      ramp[2 * (y * n + x)] = 0.7;
      ramp[2 * (y * n + x) + 1] = (x + 0.5) / n;
    }
    const small = resize(ramp, n, 96, 2);
    const back = resize(small, 96, n, 2);
    let worstConst = 0;
    let worstRamp = 0;
    for (let y = 0; y < n; y++) for (let x = 2; x < n - 2; x++) {
      worstConst = Math.max(worstConst, Math.abs(back[2 * (y * n + x)] - 0.7));
      worstRamp = Math.max(worstRamp, Math.abs(back[2 * (y * n + x) + 1] - (x + 0.5) / n));
    }
    expect(worstConst).toBeLessThan(1e-5);
    expect(worstRamp).toBeLessThan(0.01);
    // The regions the stage uses at a 200 px crop match drawing them at full size closely.
    const shape = faceShape();
    const person = new Float32Array(n * n).fill(1);
    const full = hairRegions(n, shape, person);
    const coarse = resize(hairRegions(96, shape, resize(person, n, 96, 1)), 96, n, 3);
    let diff = 0;
    for (let i = 0; i < full.length; i++) diff += Math.abs(full[i] - coarse[i]);
    expect(diff / full.length).toBeLessThan(0.02);
  });
});
