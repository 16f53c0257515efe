import { beforeAll, describe, expect, it } from 'vitest';
import path from 'node:path';
import sharp from 'sharp';
import { initBackend } from '../../../../models/backend/select';
import { MIN_EYE_DISTANCE_FOR_EDITING, analyzePhoto } from '../../../../models/face/analyze';
import { detectFaceBoxes, detectionTiles, mergeDetections } from '../../../../models/face/detect';
import { loadFaceModels } from '../../../../models/face/face-models';
import { eyeDistance } from '../../../../models/face/template';
import type { DecodedImage } from '../../../../models/image/decoded-image';

const photo = (f: string) => path.join(__dirname, '..', '..', '..', 'fixtures', 'photos', f);

describe('detection tiles', () => {
  it('cover the image with overlapping squares, none for a small image', () => {
    expect(detectionTiles(640, 480)).toEqual([]);
    for (const [w, h] of [[1024, 341], [341, 1024], [1024, 1024], [1024, 576], [700, 501]]) {
      const tiles = detectionTiles(w, h);
      expect(tiles.length).toBeGreaterThan(1);
      const side = tiles[0].width;
      // Every point of the image is in a tile, and any square of a quarter tile fits whole in one.
      for (let y = 0; y < h; y += 7) {
        for (let x = 0; x < w; x += 7) {
          const q = Math.floor(side / 4);
          const fx = Math.min(x, w - q);
          const fy = Math.min(y, h - q);
          expect(tiles.some((t) => t.x <= fx && t.y <= fy && t.x + t.width >= fx + q && t.y + t.height >= fy + q)).toBe(true);
        }
      }
      for (const t of tiles) {
        expect(t.x + t.width).toBeLessThanOrEqual(w);
        expect(t.y + t.height).toBeLessThanOrEqual(h);
      }
    }
  });

  it('merge keeps the best of overlapping boxes and drops a face cut at a tile edge', () => {
    const d = (x: number, y: number, w: number, s: number) => ({ box: { x, y, width: w, height: w }, score: s });
    const merged = mergeDetections([d(100, 100, 50, 0.8), d(104, 98, 52, 0.95), d(100, 100, 20, 0.7), d(400, 100, 50, 0.6)]);
    expect(merged.map((m) => m.score)).toEqual([0.95, 0.6]);
  });
});

describe('small faces in wide photos', () => {
  /** one-face.jpg at `width` px wide, at (left, 60) of a grey canvas. */
  async function canvas(w: number, h: number, width: number, left: number): Promise<DecodedImage> {
    const face = await sharp(photo('one-face.jpg')).rotate().resize(width).toBuffer();
    const { data, info } = await sharp({ create: { width: w, height: h, channels: 3, background: '#8a8f86' } })
      .composite([{ input: face, left, top: 60 }])
      .removeAlpha()
      .raw()
      .toBuffer({ resolveWithObject: true });
    return { width: info.width, height: info.height, data: new Uint8Array(data) };
  }

  beforeAll(async () => {
    await initBackend({ backend: 'wasm', threads: 1 });
    await loadFaceModels();
  });

  /** one-face.jpg shrunk so the eyes are ~45 px apart, at the right of a 3600 x 900 grey canvas. */
  const widePhoto = () => canvas(3600, 900, 460, 2900);

  it('finds a face ~45 px between the eyes in a 3600 x 900 photo (under 20 px for the whole-photo pass), and it is large enough to edit', async () => {
    const img = await widePhoto();
    const boxes = await detectFaceBoxes(img, { paddedFallback: false });
    expect(boxes).toHaveLength(1);
    expect(boxes[0].x).toBeGreaterThan(2900);
    expect(boxes[0].x + boxes[0].width).toBeLessThan(3360);
    const [face] = await analyzePhoto(img);
    const ed = eyeDistance(face.landmarks);
    expect(ed).toBeGreaterThanOrEqual(MIN_EYE_DISTANCE_FOR_EDITING);
    expect(ed).toBeLessThan(64); // refused as too small before session 6
  });

  it('searches tiles when the whole-photo pass finds nothing: a face at ~12 px in a 7200 x 800 panorama', async () => {
    const img = await canvas(7200, 800, 600, 5000);
    const boxes = await detectFaceBoxes(img, { paddedFallback: false });
    expect(boxes).toHaveLength(1);
    expect(boxes[0].x).toBeGreaterThan(5000);
    expect(boxes[0].x + boxes[0].width).toBeLessThan(5600);
  });
});
