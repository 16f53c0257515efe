import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { applyAffine, composeAffine, fitSimilarity, invertAffine, type Affine } from '../../../../models/face/affine';
import { alignFace, cropTransform, fitAlignment } from '../../../../models/face/align';
import { faceMaskWeight, FACE_MASK } from '../../../../models/face/paste-back';
import { alignmentPoints, CANONICAL_POINTS } from '../../../../models/face/template';
import { warpAffine } from '../../../../models/face/warp';
import { createImage } from '../../../../models/image/decoded-image';

const similarity = (angle: number, scale: number, tx: number, ty: number): Affine => [
  scale * Math.cos(angle), -scale * Math.sin(angle), tx,
  scale * Math.sin(angle), scale * Math.cos(angle), ty,
];

/** 68 landmarks whose alignment points land exactly on `eyes`/`mouth`. */
function landmarksWith(points: { x: number; y: number }[]): { x: number; y: number }[] {
  const lm = Array.from({ length: 68 }, () => ({ x: 0, y: 0 }));
  for (let i = 36; i < 42; i++) lm[i] = { ...points[0] };
  for (let i = 42; i < 48; i++) lm[i] = { ...points[1] };
  lm[48] = { ...points[2] };
  lm[54] = { ...points[3] };
  return lm;
}

describe('affine algebra', () => {
  it('fitSimilarity recovers any rotation, scale and translation exactly', () => {
    fc.assert(
      fc.property(
        fc.double({ min: -Math.PI, max: Math.PI, noNaN: true }),
        fc.double({ min: 0.05, max: 20, noNaN: true }),
        fc.double({ min: -500, max: 500, noNaN: true }),
        fc.double({ min: -500, max: 500, noNaN: true }),
        (angle, scale, tx, ty) => {
          const m = similarity(angle, scale, tx, ty);
          const src = [{ x: 10, y: 20 }, { x: 60, y: 25 }, { x: 30, y: 80 }, { x: 55, y: 78 }];
          const fit = fitSimilarity(src, src.map((p) => applyAffine(m, p)));
          for (let k = 0; k < 6; k++) expect(fit[k]).toBeCloseTo(m[k], 6);
        },
      ),
    );
  });

  it('inverse and composition round-trip points to well under a pixel', () => {
    fc.assert(
      fc.property(
        fc.double({ min: -3, max: 3, noNaN: true }),
        fc.double({ min: 0.01, max: 50, noNaN: true }),
        fc.double({ min: -1e4, max: 1e4, noNaN: true }),
        fc.double({ min: -1e4, max: 1e4, noNaN: true }),
        (angle, scale, x, y) => {
          const m = similarity(angle, scale, 123.4, -56.7);
          const back = applyAffine(invertAffine(m), applyAffine(m, { x, y }));
          expect(Math.hypot(back.x - x, back.y - y)).toBeLessThan(1e-6);
          const id = composeAffine(m, invertAffine(m));
          expect(Math.abs(id[0] - 1) + Math.abs(id[1]) + Math.abs(id[2]) + Math.abs(id[3]) + Math.abs(id[4] - 1) + Math.abs(id[5])).toBeLessThan(1e-6);
        },
      ),
    );
  });

  it('least squares puts a mean face on the template and splits the error of an odd one', () => {
    const photo = similarity(0.3, 700, 400, 300);
    const exact = landmarksWith(CANONICAL_POINTS.map((p) => applyAffine(photo, p)));
    const a = fitAlignment(exact);
    alignmentPoints(exact).forEach((p, i) => {
      const q = applyAffine(a, p);
      expect(Math.hypot(q.x - CANONICAL_POINTS[i].x, q.y - CANONICAL_POINTS[i].y)).toBeLessThan(1e-9);
    });
    // Move one mouth corner: the fit no longer hits every point but stays a similarity (no shear).
    const odd = exact.map((p) => ({ ...p }));
    odd[54] = { x: odd[54].x + 40, y: odd[54].y };
    const b = fitAlignment(odd);
    expect(b[0]).toBeCloseTo(b[4], 12);
    expect(b[1]).toBeCloseTo(-b[3], 12);
  });
});

describe('warp and alignment round trip', () => {
  it('identity and integer translations copy pixels exactly', () => {
    const img = createImage(20, 10);
    for (let i = 0; i < img.data.length; i++) img.data[i] = (i * 37) % 256;
    const same = warpAffine(img, [1, 0, 0, 0, 1, 0], 20, 10);
    expect(Buffer.from(same.data).equals(Buffer.from(img.data))).toBe(true);
    expect(same.insideFraction).toBe(1);
    const shifted = warpAffine(img, [1, 0, 3, 0, 1, 2], 10, 5);
    for (let y = 0; y < 5; y++) {
      for (let x = 0; x < 10; x++) {
        for (let c = 0; c < 3; c++) expect(shifted.data[(y * 10 + x) * 3 + c]).toBe(img.data[((y + 2) * 20 + x + 3) * 3 + c]);
      }
    }
  });

  it('a marked photo point lands where toCrop says, and toPhoto brings it back (< 1 px)', () => {
    // A 600x400 photo with a rotated, scaled "face" and a bright 3x3 dot at a known place.
    const photo = createImage(600, 400);
    const dot = { x: 331.5, y: 207.5 };
    for (let y = 206; y < 209; y++) for (let x = 330; x < 333; x++) photo.data.set([255, 255, 255], (y * 600 + x) * 3);
    const place = similarity(0.4, 260, 180, 90);
    const lm = landmarksWith(CANONICAL_POINTS.map((p) => applyAffine(place, p)));
    for (const size of [64, 128, 256]) {
      const a = alignFace(photo, { landmarks: lm }, size);
      // Brightness-weighted centroid of the dot in the crop.
      let sx = 0;
      let sy = 0;
      let sw = 0;
      for (let y = 0; y < size; y++) {
        for (let x = 0; x < size; x++) {
          const w = a.data[(y * size + x) * 3];
          sx += w * (x + 0.5);
          sy += w * (y + 0.5);
          sw += w;
        }
      }
      expect(sw).toBeGreaterThan(0);
      const predicted = applyAffine(a.toCrop, dot);
      const found = { x: sx / sw, y: sy / sw };
      expect(Math.hypot(found.x - predicted.x, found.y - predicted.y)).toBeLessThan(1);
      const back = applyAffine(a.toPhoto, found);
      // In photo pixels the crop's quantisation is multiplied by the scale (260 / size), still < 1 px at 256.
      const tol = size >= 256 ? 1 : 260 / size;
      expect(Math.hypot(back.x - dot.x, back.y - dot.y)).toBeLessThan(tol);
      expect(cropTransform(fitAlignment(lm), size)).toEqual(a.toCrop);
    }
  });

  it('parts of the crop outside the photo fade to its mean colour instead of mirroring the face', () => {
    const photo = createImage(50, 50);
    photo.data.fill(200);
    const place = similarity(0, 150, -50, -50); // crop three times bigger than the photo
    const a = alignFace(photo, { landmarks: landmarksWith(CANONICAL_POINTS.map((p) => applyAffine(place, p))) }, 64);
    expect(a.insideFraction).toBeGreaterThan(0.05);
    expect(a.insideFraction).toBeLessThan(0.3);
    expect(Math.max(...a.data)).toBe(200);
    expect(Math.min(...a.data)).toBe(200);
  });
});

describe('face mask', () => {
  it('is 1 over the face, 0 outside its ellipse and smooth in between', () => {
    expect(faceMaskWeight(0.5, 0.5)).toBe(1);
    for (const p of CANONICAL_POINTS) expect(faceMaskWeight(p.x, p.y)).toBe(1);
    expect(faceMaskWeight(0.02, 0.02)).toBe(0);
    expect(faceMaskWeight(FACE_MASK.cx + FACE_MASK.rx, FACE_MASK.cy)).toBe(0);
    let prev = 1;
    for (let k = 0; k <= 100; k++) {
      const w = faceMaskWeight(FACE_MASK.cx + (FACE_MASK.rx * k) / 100, FACE_MASK.cy);
      expect(w).toBeLessThanOrEqual(prev);
      expect(prev - w).toBeLessThan(0.12); // no step
      prev = w;
    }
  });
});
