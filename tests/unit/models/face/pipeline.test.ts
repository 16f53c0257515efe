import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import path from 'node:path';
import { initBackend } from '../../../../models/backend/select';
import { applyAffine } from '../../../../models/face/affine';
import { alignFace } from '../../../../models/face/align';
import { analyzePhoto, locateFaces, type FaceAnalysis } from '../../../../models/face/analyze';
import { descriptorDistance, estimateAgeAndDescriptor } from '../../../../models/face/estimate';
import { loadFaceModels } from '../../../../models/face/face-models';
import { detectLandmarks } from '../../../../models/face/landmarks';
import { CANONICAL_POINTS, alignmentPoints } from '../../../../models/face/template';
import { decodeImage, resizeImage } from '../../../../models/image/image-io';
import { PhotoError } from '../../../../models/image/photo-error';

const photo = (f: string) => path.join(__dirname, '..', '..', '..', 'fixtures', 'photos', f);

beforeAll(async () => {
  await initBackend({ backend: 'wasm', threads: 1 });
  await loadFaceModels();
});

function expectSaneFace(f: FaceAnalysis, w: number, h: number): void {
  expect(f.score).toBeGreaterThan(0.5);
  expect(f.box.x).toBeGreaterThanOrEqual(-1);
  expect(f.box.y).toBeGreaterThanOrEqual(-1);
  expect(f.box.x + f.box.width).toBeLessThanOrEqual(w + 1);
  expect(f.box.y + f.box.height).toBeLessThanOrEqual(h + 1);
  expect(f.landmarks).toHaveLength(68);
  // Landmarks sit on the detected face: inside its box grown by 20%.
  const { x, y, width, height } = f.box;
  for (const p of f.landmarks) {
    expect(p.x).toBeGreaterThan(x - 0.2 * width);
    expect(p.x).toBeLessThan(x + 1.2 * width);
    expect(p.y).toBeGreaterThan(y - 0.2 * height);
    expect(p.y).toBeLessThan(y + 1.2 * height);
  }
  const [le, re, ml, mr] = alignmentPoints(f.landmarks);
  expect(le.x).toBeLessThan(re.x); // image-left eye first
  expect(ml.y).toBeGreaterThan(le.y); // mouth below the eyes
  expect(mr.y).toBeGreaterThan(re.y);
  expect(f.descriptor).toBeInstanceOf(Float32Array);
  expect(f.descriptor).toHaveLength(128);
  expect(['male', 'female']).toContain(f.gender);
}

describe('analyzePhoto on real photos', () => {
  let one: FaceAnalysis;

  it('finds the one face with box, 68 landmarks, age, gender and descriptor', async () => {
    const img = await decodeImage(photo('one-face.jpg'));
    const faces = await analyzePhoto(img);
    expect(faces).toHaveLength(1);
    one = faces[0];
    expectSaneFace(one, img.width, img.height);
    expect(one.box.detector).toBe('ssd');
    expect(one.eyeDistance).toBeGreaterThan(64);
    expect(one.age).toBeGreaterThan(35); // Obama at ~50
    expect(one.age).toBeLessThan(70);
    expect(one.gender).toBe('male');
    const n = tf.memory().numTensors;
    await analyzePhoto(img);
    expect(tf.memory().numTensors).toBe(n); // no tensor leak per photo
  });

  it('gives every face of a group photo, largest first, or only the largest', async () => {
    const img = await decodeImage(photo('two-faces.jpg'));
    const all = await analyzePhoto(img, { faces: 'all' });
    expect(all).toHaveLength(2);
    for (const f of all) expectSaneFace(f, img.width, img.height);
    expect(all[0].box.width * all[0].box.height).toBeGreaterThanOrEqual(all[1].box.width * all[1].box.height);
    // Obama (one-face.jpg) is one of them; Biden is not the same person.
    const d = all.map((f) => descriptorDistance(f.descriptor, one.descriptor)).sort((a, b) => a - b);
    expect(d[0]).toBeLessThan(0.6);
    expect(d[1]).toBeGreaterThan(0.6);
    const largest = await locateFaces(img);
    expect(largest).toHaveLength(1);
    expect(largest[0].box.x).toBeCloseTo(all[0].box.x, 0);
  });

  it('reads the EXIF-rotated photo upright and finds the same landmarks', async () => {
    const img = await decodeImage(photo('rotated-exif.jpg'));
    const [f] = await analyzePhoto(img);
    const err = f.landmarks.map((p, i) => Math.hypot(p.x - one.landmarks[i].x, p.y - one.landmarks[i].y));
    expect(err.reduce((a, b) => a + b, 0) / err.length).toBeLessThan(2);
    expect(descriptorDistance(f.descriptor, one.descriptor)).toBeLessThan(0.2);
  });

  it('works on grayscale, CMYK and RGBA files', async () => {
    for (const f of ['grayscale.jpg', 'cmyk.jpg', 'rgba.png']) {
      const img = await decodeImage(photo(f));
      const faces = await locateFaces(img, { minEyeDistance: 20 });
      expect(faces.length, f).toBe(1);
    }
  });

  it('says no-face for a photo without a face and face-too-small for a tiny one', async () => {
    const none = await analyzePhoto(await decodeImage(photo('no-face.jpg'))).catch((e: unknown) => e);
    expect(none).toBeInstanceOf(PhotoError);
    expect((none as PhotoError).code).toBe('no-face');
    const img = await decodeImage(photo('one-face.jpg'));
    const tiny = await resizeImage(img, 213, 267); // ~25 px between the eyes
    const small = await locateFaces(tiny).catch((e: unknown) => e);
    expect((small as PhotoError).code).toBe('face-too-small');
    expect((small as PhotoError).message).toMatch(/between the eyes/);
    const allowed = await locateFaces(tiny, { minEyeDistance: 12 });
    expect(allowed[0].eyeDistance).toBeGreaterThan(12);
  });
});

describe('alignment of real faces', () => {
  it('puts the eyes and mouth of the aligned crop on the template and maps back to the photo', async () => {
    const img = await decodeImage(photo('one-face.jpg'));
    const [f] = await locateFaces(img);
    const size = 256;
    const a = alignFace(img, f, size);
    expect(a.data).toHaveLength(size * size * 3);
    // Landmarks found again on the crop itself (photo coordinates of the crop).
    const crop = { width: size, height: size, data: a.data };
    const again = await detectLandmarks(crop, { x: 0.15 * size, y: 0.15 * size, width: 0.7 * size, height: 0.8 * size });
    const pts = alignmentPoints(again);
    // Eyes within 2% of the crop; mouth corners within 5% (a smile is wider than the mean mouth
    // and least squares shares that out).
    pts.forEach((p, i) => {
      expect(Math.hypot(p.x / size - CANONICAL_POINTS[i].x, p.y / size - CANONICAL_POINTS[i].y)).toBeLessThan(i < 2 ? 0.02 : 0.05);
    });
    // The transforms are exact inverses: photo -> crop -> photo.
    for (const p of f.landmarks) {
      const back = applyAffine(a.toPhoto, applyAffine(a.toCrop, p));
      expect(Math.hypot(back.x - p.x, back.y - p.y)).toBeLessThan(1e-6);
    }
    // Eye centres re-detected on the crop, mapped back, land within ~1 px (photo) of the originals.
    const orig = alignmentPoints(f.landmarks);
    for (let i = 0; i < 2; i++) {
      const back = applyAffine(a.toPhoto, pts[i]);
      expect(Math.hypot(back.x - orig[i].x, back.y - orig[i].y)).toBeLessThan(2.5);
    }
  });

  it('estimates age and identity on a 128 px aligned crop like on the photo', async () => {
    const img = await decodeImage(photo('one-face.jpg'));
    const [f] = await analyzePhoto(img);
    const e = await estimateAgeAndDescriptor(alignFace(img, f, 128));
    expect(Math.abs(e.age - f.age)).toBeLessThan(6);
    expect(descriptorDistance(e.descriptor, f.descriptor)).toBeLessThan(0.25);
  });
});
