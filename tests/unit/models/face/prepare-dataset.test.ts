import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appendFileSync, copyFileSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { initBackend } from '../../../../models/backend/select';
import { dedupByHash, parseLabelsCsv, sha256, splitOf } from '../../../../models/data/labels';
import { loadFaceModels } from '../../../../models/face/face-models';
import { openPackedDataset } from '../../../../models/face/packed-dataset';
import { CANONICAL_POINTS } from '../../../../models/face/template';
import { prepareDataset } from '../../../../models/face/prepare-dataset';

const facesDir = path.join(__dirname, '..', '..', '..', 'fixtures', 'faces');
let work: string;
let images: string;

beforeAll(async () => {
  await initBackend({ backend: 'wasm', threads: 1 });
  await loadFaceModels();
  work = mkdtempSync(path.join(tmpdir(), 'face-dataset-'));
  images = path.join(work, 'images');
  const { mkdirSync } = await import('node:fs');
  mkdirSync(images);
  const rows = ['file,age,gender'];
  ['face-00-obama-1', 'face-04-biden-1', 'face-06-kit-harington-1', 'face-08-rose-leslie-1', 'face-10-alex-lacamoire-1'].forEach((n, i) => {
    copyFileSync(path.join(facesDir, `${n}.jpg`), path.join(images, `${n}.jpg`));
    rows.push(`${n}.jpg,${30 + i},${i % 2}`);
  });
  // Byte-identical copies: one agreeing with its original (dropped as a copy), one not (group dropped).
  copyFileSync(path.join(facesDir, 'face-00-obama-1.jpg'), path.join(images, 'copy-same.jpg'));
  rows.push('copy-same.jpg,30,0');
  copyFileSync(path.join(facesDir, 'face-04-biden-1.jpg'), path.join(images, 'copy-conflict.jpg'));
  rows.push('copy-conflict.jpg,75,1');
  writeFileSync(path.join(images, 'not-a-photo.jpg'), 'hello');
  rows.push('not-a-photo.jpg,40,0');
  rows.push('missing.jpg,40,0');
  writeFileSync(path.join(work, 'labels.csv'), rows.join('\n') + '\n');
});

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('labels and dedup', () => {
  it('parses file,age[,gender,race] and drops byte-identical groups whose labels disagree', () => {
    const rows = parseLabelsCsv('file,age,gender,race\na.jpg,3,1,2\nb.jpg,40,,\n');
    expect(rows).toEqual([{ file: 'a.jpg', age: 3, gender: 1, race: 2 }, { file: 'b.jpg', age: 40, gender: null, race: null }]);
    const r = (file: string, hash: string, age: number) => ({ file, hash, age, gender: 0, race: 0 });
    const { kept, dropped } = dedupByHash([r('x', 'h1', 5), r('y', 'h1', 5), r('z', 'h2', 5), r('w', 'h2', 6), r('v', 'h3', 9)]);
    expect(kept.map((k) => k.file).sort()).toEqual(['v', 'x']);
    expect(dropped.map((d) => `${d.file}:${d.reason}`).sort()).toEqual(['w:duplicate-conflict', 'y:duplicate', 'z:duplicate-conflict']);
  });

  it('splits by content hash, deterministically, about 10% val', () => {
    const hashes = Array.from({ length: 2000 }, (_, i) => sha256(`img${i}`));
    const val = hashes.filter((h) => splitOf(h, 1234, 0.1) === 'val').length;
    expect(val).toBeGreaterThan(150);
    expect(val).toBeLessThan(250);
    expect(hashes.map((h) => splitOf(h, 1234, 0.1))).toEqual(hashes.map((h) => splitOf(h, 1234, 0.1)));
    expect(hashes.map((h) => splitOf(h, 99, 0.1))).not.toEqual(hashes.map((h) => splitOf(h, 1234, 0.1)));
  });
});

describe('prepareDataset', () => {
  it('packs aligned crops resumably, survives a torn chunk, and matches a one-shot run', async () => {
    const out = path.join(work, 'packed');
    const first = await prepareDataset({ imagesDir: images, outDir: out, limit: 2, chunkSize: 1 });
    expect(first.written).toBe(2);
    expect(first.complete).toBe(false);
    // Five faces minus Biden (his copy disagrees on age) plus the unreadable file (fails at decode).
    expect(first.unique).toBe(5);
    expect(first.droppedDuplicates).toBe(1);
    expect(first.droppedConflicts).toBe(2);
    // A crash in the middle of a chunk: crop bytes written, index row torn.
    appendFileSync(path.join(out, 'crops.bin'), new Uint8Array(1000));
    appendFileSync(path.join(out, 'index.csv'), '2,face-half-writ');
    const second = await prepareDataset({ imagesDir: images, outDir: out, chunkSize: 2 });
    expect(second.complete).toBe(true);
    expect(second.written).toBe(4);
    expect(second.detectionRate).toBe(1);
    expect(statSync(path.join(out, 'crops.bin')).size).toBe(4 * 128 * 128 * 3);
    const rejected = readFileSync(path.join(out, 'rejected.csv'), 'utf8');
    expect(rejected).toMatch(/not-a-photo\.jpg,[0-9a-f]{64},not-an-image/);
    expect(rejected).toMatch(/missing\.jpg,,missing/);
    expect(rejected).toMatch(/copy-conflict\.jpg,[0-9a-f]{64},duplicate-conflict/);
    expect(rejected).toMatch(/face-04-biden-1\.jpg,[0-9a-f]{64},duplicate-conflict/);

    const oneShot = path.join(work, 'packed-once');
    await prepareDataset({ imagesDir: images, outDir: oneShot });
    expect(readFileSync(path.join(out, 'crops.bin')).equals(readFileSync(path.join(oneShot, 'crops.bin')))).toBe(true);
    expect(readFileSync(path.join(out, 'index.csv'), 'utf8')).toBe(readFileSync(path.join(oneShot, 'index.csv'), 'utf8'));

    const ds = openPackedDataset(out);
    expect(ds.meta.complete).toBe(true);
    expect(ds.size).toBe(128);
    expect(ds.rows).toHaveLength(4);
    // Of two identical files the first by name is kept.
    expect(rejected).toMatch(/face-00-obama-1\.jpg,[0-9a-f]{64},duplicate\n/);
    const obama = ds.rows.find((r) => r.file === 'copy-same.jpg');
    expect(obama).toBeDefined();
    expect(obama!.hash).toBe(sha256(readFileSync(path.join(images, 'face-00-obama-1.jpg'))));
    expect(obama!.age).toBe(30);
    expect(obama!.gender).toBe(0);
    expect(obama!.detector).toBe('tiny-padded');
    expect(obama!.inside).toBeGreaterThan(0.9); // the fixture is already a canonical crop
    const crop = ds.readCrop(obama!.row);
    expect(crop).toHaveLength(128 * 128 * 3);
    expect(Buffer.from(ds.readCrops([obama!.row, 0]).subarray(0, crop.length)).equals(Buffer.from(crop))).toBe(true);
    // Landmarks ride along row for row, resumed like the crops, in unit crop coordinates: the eye
    // centres (points 36-41 and 42-47) land near the template's eye positions.
    expect(ds.hasLandmarks).toBe(true);
    expect(statSync(path.join(out, 'landmarks.bin')).size).toBe(4 * 68 * 2 * 4);
    expect(readFileSync(path.join(out, 'landmarks.bin')).equals(readFileSync(path.join(oneShot, 'landmarks.bin')))).toBe(true);
    const lm = ds.readLandmarks(obama!.row)!;
    const eye = (from: number) => {
      let x = 0;
      let y = 0;
      for (let i = from; i < from + 6; i++) {
        x += lm[2 * i] / 6;
        y += lm[2 * i + 1] / 6;
      }
      return { x, y };
    };
    const [left, right] = [eye(36), eye(42)];
    expect(Math.abs(left.x - CANONICAL_POINTS[0].x)).toBeLessThan(0.03);
    expect(Math.abs(right.x - CANONICAL_POINTS[1].x)).toBeLessThan(0.03);
    expect(Math.abs(left.y - CANONICAL_POINTS[0].y)).toBeLessThan(0.03);
    expect(lm[2 * 8 + 1]).toBeGreaterThan(0.8); // the chin, low in the crop
    // Re-aligning an already aligned crop changes it little: the aligner is stable.
    const { decodeImage } = await import('../../../../models/image/image-io');
    const src = await decodeImage(path.join(images, 'face-00-obama-1.jpg'));
    let diff = 0;
    for (let i = 0; i < crop.length; i++) diff += Math.abs(crop[i] - src.data[i]);
    expect(diff / crop.length).toBeLessThan(20);
    ds.close();
  });
});
