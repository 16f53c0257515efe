import { beforeAll, describe, expect, it } from 'vitest';
import path from 'node:path';
import sharp from 'sharp';
import { initBackend } from '../../../../models/backend/select';
import { alignFace } from '../../../../models/face/align';
import { locateFaces } from '../../../../models/face/analyze';
import { loadFaceModels } from '../../../../models/face/face-models';
import { pasteBack } from '../../../../models/face/paste-back';
import { alignmentPoints } from '../../../../models/face/template';
import { decodeImage } from '../../../../models/image/image-io';

const onePath = path.join(__dirname, '..', '..', '..', 'fixtures', 'photos', 'one-face.jpg');

beforeAll(async () => {
  await initBackend({ backend: 'wasm', threads: 1 });
  await loadFaceModels();
});

describe('a 40-megapixel photo', () => {
  it('is analysed from a downscaled copy plus a face crop, with landmarks that scale with the photo', async () => {
    const small = await decodeImage(onePath);
    const [ref] = await locateFaces(small);
    const k = Math.sqrt(40e6 / (small.width * small.height));
    const width = Math.round(small.width * k);
    const height = Math.round(small.height * k);
    const jpeg = await sharp(onePath).resize(width, height).jpeg({ quality: 85 }).toBuffer();
    const rssBefore = process.memoryUsage().rss;
    const big = await decodeImage(jpeg);
    expect(big.width * big.height).toBeGreaterThan(39e6);
    const [face] = await locateFaces(big);
    // Eyes and mouth corners land where the small photo's do, times the scale (within 3% of the eye distance).
    const a = alignmentPoints(face.landmarks);
    const b = alignmentPoints(ref.landmarks);
    const sx = big.width / small.width;
    for (let i = 0; i < 4; i++) {
      expect(Math.hypot(a[i].x - b[i].x * sx, a[i].y - b[i].y * sx) / face.eyeDistance).toBeLessThan(0.03);
    }
    const crop = alignFace(big, face, 128);
    await pasteBack(big, crop, crop, crop, { inPlace: true });
    // The decoded photo is 120 MB (measured growth ~180 MB with the JPEG and decoder buffers);
    // a float copy of the photo (480 MB) would break this bound.
    expect(process.memoryUsage().rss - rssBefore).toBeLessThan(400e6);
  });
});
