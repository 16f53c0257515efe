import { beforeAll, describe, expect, it } from 'vitest';
import path from 'node:path';
import { initBackend } from '../../../../models/backend/select';
import { applyAffine, composeAffine } from '../../../../models/face/affine';
import { alignFace, scaleAffine, type AlignedFace } from '../../../../models/face/align';
import { locateFaces, type LocatedFace } from '../../../../models/face/analyze';
import { loadFaceModels } from '../../../../models/face/face-models';
import { faceMaskWeight, pasteBack, pasteRegion } from '../../../../models/face/paste-back';
import { decodeImage } from '../../../../models/image/image-io';
import type { DecodedImage } from '../../../../models/image/decoded-image';

let img: DecodedImage;
let face: LocatedFace;

beforeAll(async () => {
  await initBackend({ backend: 'wasm', threads: 1 });
  await loadFaceModels();
  img = await decodeImage(path.join(__dirname, '..', '..', '..', 'fixtures', 'photos', 'one-face.jpg'));
  [face] = await locateFaces(img);
});

/** Mask weight of every photo pixel for this alignment. */
function maskOf(a: AlignedFace): Float32Array {
  const toUnit = composeAffine(a.toCrop, scaleAffine(1 / a.size));
  const m = new Float32Array(img.width * img.height);
  for (let y = 0; y < img.height; y++) {
    for (let x = 0; x < img.width; x++) {
      const u = applyAffine(toUnit, { x: x + 0.5, y: y + 0.5 });
      m[y * img.width + x] = faceMaskWeight(u.x, u.y);
    }
  }
  return m;
}

/** Largest absolute channel difference inside (mask > 0) and outside (mask == 0). */
function maxDiff(a: DecodedImage, b: DecodedImage, mask: Float32Array): { inside: number; outside: number } {
  let inside = 0;
  let outside = 0;
  for (let p = 0; p < mask.length; p++) {
    for (let c = 0; c < 3; c++) {
      const d = Math.abs(a.data[p * 3 + c] - b.data[p * 3 + c]);
      if (mask[p] > 0) inside = Math.max(inside, d);
      else outside = Math.max(outside, d);
    }
  }
  return { inside, outside };
}

function brighten(a: AlignedFace, by: number): { size: number; data: Uint8Array } {
  return { size: a.size, data: a.data.map((v) => Math.min(255, v + by)) };
}

/** Mean absolute horizontal gradient over the pixels where the mask is 1 (skin texture). */
function texture(im: DecodedImage, mask: Float32Array): number {
  let s = 0;
  let n = 0;
  for (let y = 0; y < im.height; y++) {
    for (let x = 0; x + 1 < im.width; x++) {
      const p = y * im.width + x;
      if (mask[p] < 1 || mask[p + 1] < 1) continue;
      s += Math.abs(im.data[p * 3 + 1] - im.data[(p + 1) * 3 + 1]);
      n++;
    }
  }
  return s / n;
}

describe('pasteBack', () => {
  it('leaves the photo as it was when the output is the unchanged crop', async () => {
    for (const size of [64, 128, 256]) {
      const a = alignFace(img, face, size);
      const mask = maskOf(a);
      const same = await pasteBack(img, a, a, a);
      const d = maxDiff(same, img, mask);
      expect(d.outside).toBeLessThanOrEqual(1);
      expect(d.inside).toBeLessThanOrEqual(2);
    }
    // Blending the crop's own pixels (no reconstruction) at about the face's native resolution:
    // the double resampling blurs a little but stays close.
    const a = alignFace(img, face, 256);
    const direct = await pasteBack(img, a, a);
    const mask = maskOf(a);
    expect(maxDiff(direct, img, mask).outside).toBe(0);
    let sum = 0;
    let n = 0;
    for (let p = 0; p < mask.length; p++) {
      if (mask[p] === 0) continue;
      for (let c = 0; c < 3; c++) sum += Math.abs(direct.data[p * 3 + c] - img.data[p * 3 + c]);
      n += 3;
    }
    expect(sum / n).toBeLessThan(2);
  });

  it('applies a change inside the face, nothing outside, without a seam', async () => {
    const a = alignFace(img, face, 128);
    const mask = maskOf(a);
    // Output = reconstruction + 40 exactly (scaled down first so nothing clips at 255).
    const rec = { size: a.size, data: a.data.map((v) => Math.round(v * 0.8)) };
    const out = await pasteBack(img, a, { size: a.size, data: rec.data.map((v) => v + 40) }, rec);
    const d = maxDiff(out, img, mask);
    expect(d.outside).toBe(0);
    expect(d.inside).toBeGreaterThanOrEqual(39);
    // Between the eyes the full change arrives.
    const [le, re] = [face.landmarks[39], face.landmarks[42]];
    const c = (Math.round((le.y + re.y) / 2) * img.width + Math.round((le.x + re.x) / 2)) * 3;
    const expected = Math.min(255, img.data[c + 1] + 40);
    expect(Math.abs(out.data[c + 1] - expected)).toBeLessThanOrEqual(1);
    // Seam check: the added change varies smoothly from pixel to pixel. A hard mask would jump by 40
    // at the rim; the feather spreads it over ~25 px, so at most ~3 levels per pixel plus rounding.
    let worst = 0;
    const region = pasteRegion(img, composeAffine(a.toCrop, scaleAffine(1 / a.size)));
    for (let y = region.y0; y < region.y1; y++) {
      for (let x = region.x0; x + 1 < region.x1; x++) {
        const p = (y * img.width + x) * 3;
        if (img.data[p] > 214 || img.data[p + 3] > 214) continue; // the photo clips at 255
        const d0 = out.data[p] - img.data[p];
        const d1 = out.data[p + 3] - img.data[p + 3];
        worst = Math.max(worst, Math.abs(d1 - d0));
      }
    }
    expect(worst).toBeGreaterThan(0);
    expect(worst).toBeLessThanOrEqual(4);
  });

  it('keeps the photo texture when the model works at 64 px (change transfer), unlike pasting pixels', async () => {
    const a = alignFace(img, face, 64);
    const mask = maskOf(a);
    const transfer = await pasteBack(img, a, brighten(a, 10), a);
    const pixels = await pasteBack(img, a, brighten(a, 10));
    const t0 = texture(img, mask);
    expect(Math.abs(texture(transfer, mask) - t0)).toBeLessThan(0.1 * t0);
    expect(texture(pixels, mask)).toBeLessThan(0.8 * t0);
  });

  it('touches only the face region and copies the photo unless asked to work in place', async () => {
    const a = alignFace(img, face, 128);
    const region = pasteRegion(img, composeAffine(a.toCrop, scaleAffine(1 / a.size)));
    expect(region.x1 - region.x0).toBeLessThan(img.width);
    const before = new Uint8Array(img.data);
    const copy = { width: img.width, height: img.height, data: new Uint8Array(img.data) };
    const out = await pasteBack(copy, a, brighten(a, 30), a, { inPlace: true });
    expect(out).toBe(copy);
    expect(Buffer.from(img.data).equals(Buffer.from(before))).toBe(true);
    expect(Buffer.from(copy.data).equals(Buffer.from(before))).toBe(false);
    for (let y = 0; y < img.height; y++) {
      for (let x = 0; x < img.width; x++) {
        if (x >= region.x0 && x < region.x1 && y >= region.y0 && y < region.y1) continue;
        const p = (y * img.width + x) * 3;
        if (copy.data[p] !== before[p] || copy.data[p + 1] !== before[p + 1]) throw new Error(`pixel ${x},${y} outside the region changed`);
      }
    }
  });
});
