import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { mkdtemp, rm, writeFile, copyFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import sharp from 'sharp';
import { FaceDataset } from '../../../../models/data/face-dataset';
import { SPLIT_VAL, loadFolderFaces, MemoryFaceSource } from '../../../../models/data/face-source';
import { parseFaceLabels as parseLabelsCsv } from '../../../../models/data/labels';
import { PackedFaceSource, openFaceSource } from '../../../../models/data/packed-source';
import { IDENTITY_WARP, warpResize } from '../../../../models/data/augment';
import { ageGroupOf, softAgeLabel } from '../../../../models/data/age-bins';
import { syntheticSource, useCpu } from '../../../helpers/train-fixtures';

let dir = '';
beforeAll(async () => {
  await useCpu();
  dir = await mkdtemp(path.join(tmpdir(), 'train-dataset-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** UTKFace-like skew: many twenties, few over 70. */
function skewedAges(): number[] {
  const perGroup = [300, 150, 700, 440, 215, 225, 40, 12];
  const lows = [0, 13, 20, 30, 40, 50, 60, 70];
  const ages: number[] = [];
  perGroup.forEach((n, g) => {
    for (let i = 0; i < n; i++) ages.push(lows[g] + (i % (g === 7 ? 30 : g === 0 ? 13 : g === 1 ? 7 : 10)));
  });
  return ages;
}

describe('FaceDataset sampling', () => {
  it('draws every age group about equally often although the data is skewed 60:1', () => {
    const ds = new FaceDataset(syntheticSource(skewedAges(), 8), { split: 'train', resolution: 8, seed: 5 });
    expect(ds.groupCounts()).toEqual([300, 150, 700, 440, 215, 225, 40, 12]);
    const hist = new Array(8).fill(0);
    let draws = 0;
    for (let step = 0; step < 250; step++) {
      for (const i of ds.sampleIndices(step, 32)) {
        hist[ageGroupOf(ds.source.ages[i])]++;
        draws++;
      }
    }
    const share = hist.map((h) => h / draws);
    for (const s of share) expect(Math.abs(s - 1 / 8)).toBeLessThan(0.02);
    // Without balance the draw follows the data: the 20-29 group dominates.
    const raw = new FaceDataset(ds.source, { split: 'train', resolution: 8, seed: 5, balance: 0 });
    const h0 = new Array(8).fill(0);
    for (let step = 0; step < 100; step++) for (const i of raw.sampleIndices(step, 32)) h0[ageGroupOf(raw.source.ages[i])]++;
    expect(h0[2] / 3200).toBeGreaterThan(0.28);
    expect(h0[7] / 3200).toBeLessThan(0.02);
  });

  it('is a pure function of (seed, step) and respects the split', async () => {
    const src = syntheticSource(skewedAges(), 8, 5);
    const a = new FaceDataset(src, { split: 'train', resolution: 8, seed: 9 });
    const b = new FaceDataset(src, { split: 'train', resolution: 8, seed: 9 });
    expect(a.sampleIndices(17, 16)).toEqual(b.sampleIndices(17, 16));
    expect(a.sampleIndices(17, 16)).not.toEqual(a.sampleIndices(18, 16));
    const x = await a.batch(17, 16);
    const y = await b.batch(17, 16);
    expect(Array.from(await x.images.data())).toEqual(Array.from(await y.images.data()));
    expect(x.images.shape).toEqual([16, 8, 8, 3]);
    tf.dispose([x.images, y.images]);
    for (let s = 0; s < 50; s++) for (const i of a.sampleIndices(s, 16)) expect(src.splits[i]).not.toBe(SPLIT_VAL);
    const val = new FaceDataset(src, { split: 'val', resolution: 8 });
    let seen = 0;
    for await (const batch of val.sequential(64)) {
      seen += batch.ages.length;
      batch.images.dispose();
    }
    expect(seen).toBe(Array.from(src.splits).filter((s) => s === SPLIT_VAL).length);
  });
});

describe('augmentation and resize', () => {
  const S = 8;
  const src = new Uint8Array(S * S * 3);
  for (let i = 0; i < src.length; i++) src[i] = (i * 37) % 256;

  it('resizes 2x down as an exact 2x2 box filter, and flips exactly', () => {
    const out = new Float32Array(4 * 4 * 3);
    warpResize(src, S, out, 0, 4, IDENTITY_WARP);
    for (let v = 0; v < 4; v++) {
      for (let u = 0; u < 4; u++) {
        for (let c = 0; c < 3; c++) {
          const at = (y: number, x: number) => src[(y * S + x) * 3 + c];
          const box = (at(2 * v, 2 * u) + at(2 * v, 2 * u + 1) + at(2 * v + 1, 2 * u) + at(2 * v + 1, 2 * u + 1)) / 4;
          expect(out[(v * 4 + u) * 3 + c]).toBeCloseTo(box / 127.5 - 1, 4);
        }
      }
    }
    const same = new Float32Array(S * S * 3);
    const flipped = new Float32Array(S * S * 3);
    warpResize(src, S, same, 0, S, IDENTITY_WARP);
    warpResize(src, S, flipped, 0, S, { ...IDENTITY_WARP, flip: true });
    for (let y = 0; y < S; y++) {
      for (let x = 0; x < S; x++) {
        expect(same[(y * S + x) * 3]).toBeCloseTo(src[(y * S + x) * 3] / 127.5 - 1, 5);
        expect(flipped[(y * S + x) * 3]).toBeCloseTo(same[(y * S + (S - 1 - x)) * 3], 5);
      }
    }
  });

  it('keeps jittered training batches in [-1, 1] and changes them only slightly', async () => {
    const ds = new FaceDataset(syntheticSource([25, 35, 45, 55], 32), { split: 'all', resolution: 32, seed: 2 });
    const b = await ds.batch(0, 4);
    const d = await b.images.data();
    expect(Math.min(...d)).toBeGreaterThanOrEqual(-1);
    expect(Math.max(...d)).toBeLessThanOrEqual(1);
    b.images.dispose();
  });
});

describe('sources', () => {
  it('loads a folder of images with labels.csv via sharp, dropping byte-identical copies', async () => {
    const folder = path.join(dir, 'folder');
    await mkdir(folder);
    const rows = ['file,age'];
    for (let i = 0; i < 5; i++) {
      const png = await sharp({ create: { width: 40, height: 30, channels: 3, background: { r: 40 * i, g: 100, b: 200 - 30 * i } } }).png().toBuffer();
      await writeFile(path.join(folder, `f${i}.png`), png);
      rows.push(`f${i}.png,${20 + 10 * i}`);
    }
    await copyFile(path.join(folder, 'f0.png'), path.join(folder, 'copy.png'));
    rows.push('copy.png,99');
    await writeFile(path.join(folder, 'labels.csv'), rows.join('\n') + '\n');
    const src = await loadFolderFaces(folder, { size: 16 });
    expect(src.count).toBe(5);
    expect(Array.from(src.ages)).toEqual([20, 30, 40, 50, 60]);
    const px = await src.read(2);
    expect(px.length).toBe(16 * 16 * 3);
    expect(px[0]).toBe(80);
    expect(() => parseLabelsCsv('file,age\nx.png,old\n')).toThrow(/line 2/);
  });

  it('reads a packed dataset, ignoring a torn last index line', async () => {
    const pack = path.join(dir, 'pack');
    await mkdir(pack);
    const S = 4;
    const n = S * S * 3;
    const crops = new Uint8Array(3 * n);
    for (let r = 0; r < 3; r++) crops.fill(10 + r, r * n, (r + 1) * n);
    await writeFile(path.join(pack, 'crops.bin'), crops);
    await writeFile(path.join(pack, 'meta.json'), JSON.stringify({ format: 'face-age-packed-v1', size: S, channels: 3 }));
    await writeFile(
      path.join(pack, 'index.csv'),
      'row,file,age,gender,race,hash,split,score,detector,eye_distance,inside\n' +
        '0,a.jpg,23,0,0,h0,train,0.9,tiny,50,1\n1,b.jpg,67,1,0,h1,val,0.9,tiny,50,1\n2,c.jpg,4',
    );
    const src = await openFaceSource(pack);
    expect(src).toBeInstanceOf(PackedFaceSource);
    expect(src.count).toBe(2);
    expect(Array.from(src.ages)).toEqual([23, 67]);
    expect(Array.from(src.splits)).toEqual([0, 1]);
    expect((await src.read(1))[0]).toBe(11);
    await expect(src.read(2)).rejects.toThrow(/out of range/);
    await src.close();
  });

  it('soft labels sum to one and put most mass in the labelled group', () => {
    const l = softAgeLabel(29, 3);
    expect(l.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
    expect(l[2]).toBeGreaterThan(0.5);
    expect(l[3]).toBeGreaterThan(0.2);
    expect(new MemoryFaceSource(2, new Uint8Array(12), new Float32Array(1), new Uint8Array(1)).count).toBe(1);
  });
});
