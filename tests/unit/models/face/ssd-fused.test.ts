/**
 * The fused SSD pass (models/face/ssd-fused.ts) against face-api's own, on real portraits: the
 * committed fixtures and, when present, ../shared/data/portraits. Same raw scores and boxes to
 * float rounding, and the full analysis finds the same faces with the same landmarks.
 */
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../../../models/backend/select';
import { analyzePhoto } from '../../../../models/face/analyze';
import { faceapi, loadFaceModels } from '../../../../models/face/face-models';
import { installFusedSsd, restoreSsd } from '../../../../models/face/ssd-fused';
import { asNetInput, imageToTensor } from '../../../../models/face/tensor-io';
import { decodeImage } from '../../../../models/image/image-io';

const fixtures = path.join(__dirname, '..', '..', '..', 'fixtures', 'photos');
const shared = path.join(__dirname, '..', '..', '..', '..', '..', 'shared', 'data', 'portraits');
const photos = [
  ...['one-face.jpg', 'two-faces.jpg', 'no-face.jpg', 'rotated-exif.jpg', 'grayscale.jpg', 'cmyk.jpg', 'rgba.png'].map((f) => path.join(fixtures, f)),
  ...(existsSync(shared) ? readdirSync(shared).filter((f) => /\.(jpe?g|png)$/i.test(f)).sort().map((f) => path.join(shared, f)) : []),
];

beforeAll(async () => {
  await initBackend({ backend: 'wasm', threads: 1 });
  await loadFaceModels();
});
afterAll(() => installFusedSsd());

async function raw(img: Awaited<ReturnType<typeof decodeImage>>): Promise<{ boxes: Float32Array; scores: Float32Array }> {
  const t = imageToTensor(img);
  const input = await faceapi.toNetInput(asNetInput(t));
  const out = (faceapi.nets.ssdMobilenetv1 as unknown as { forwardInput: (i: unknown) => { boxes: tf.Tensor[]; scores: tf.Tensor[] } }).forwardInput(input);
  const r = { boxes: out.boxes[0].dataSync() as Float32Array, scores: out.scores[0].dataSync() as Float32Array };
  tf.dispose([t, ...out.boxes, ...out.scores]);
  return r;
}

function maxDiff(a: Float32Array, b: Float32Array): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

describe('fused SSD', () => {
  it('is installed by loadFaceModels and gives face-api\'s raw boxes and scores', async () => {
    expect(Object.prototype.hasOwnProperty.call(faceapi.nets.ssdMobilenetv1, 'forwardInput')).toBe(true);
    for (const f of photos.slice(0, 3)) {
      const img = await decodeImage(f);
      installFusedSsd();
      await raw(img); // the first pass folds the batch norms into new weight tensors, kept for later passes
      const before = tf.memory().numTensors;
      const fused = await raw(img);
      expect(tf.memory().numTensors).toBe(before);
      restoreSsd();
      const stock = await raw(img);
      expect(fused.scores.length).toBe(stock.scores.length);
      expect(maxDiff(fused.scores, stock.scores)).toBeLessThan(2e-3);
      expect(maxDiff(fused.boxes, stock.boxes)).toBeLessThan(2e-3);
    }
  });

  it(`finds the same faces with the same landmarks on ${photos.length} real photos`, async () => {
    let faces = 0;
    for (const f of photos) {
      const img = await decodeImage(f);
      const run = async () => {
        try {
          return await analyzePhoto(img, { faces: 'all' });
        } catch (e) {
          return (e as { code?: string }).code ?? String(e);
        }
      };
      installFusedSsd();
      const fused = await run();
      restoreSsd();
      const stock = await run();
      if (typeof stock === 'string') {
        expect(fused, f).toBe(stock);
        continue;
      }
      expect(typeof fused, f).toBe('object');
      const got = fused as typeof stock;
      expect(got.length, f).toBe(stock.length);
      faces += got.length;
      got.forEach((face, i) => {
        expect(Math.abs(face.box.x - stock[i].box.x) + Math.abs(face.box.width - stock[i].box.width), f).toBeLessThan(1);
        const worst = Math.max(...face.landmarks.map((p, k) => Math.hypot(p.x - stock[i].landmarks[k].x, p.y - stock[i].landmarks[k].y)));
        expect(worst, f).toBeLessThan(1);
        expect(Math.abs(face.age - stock[i].age), f).toBeLessThan(0.5);
      });
    }
    expect(faces).toBeGreaterThanOrEqual(3);
  }, 600_000);
});
