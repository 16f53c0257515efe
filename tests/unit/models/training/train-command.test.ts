import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtemp, mkdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import sharp from 'sharp';
import { initBackend } from '../../../../models/backend/select';
import { parseTrainOptions, runTrainCommand } from '../../../../models/training/train-command';
import { domainSampling } from '../../../../models/recipes/cyclegan/age-code';
import { FaceDataset } from '../../../../models/data/face-dataset';
import { MemoryFaceSource } from '../../../../models/data/face-source';
import { YOUNG_OLD_DOMAINS } from '../../../../models/recipes/cyclegan/config';
import { PackedFaceSource } from '../../../../models/data/packed-source';
import { loadAgeClassifier } from '../../../../models/recipes/age-classifier/model';
import * as tf from '@tensorflow/tfjs-core';

let dir = '';
let faces = '';

beforeAll(async () => {
  // The real classifier (64 px, width 24) is too slow on the plain-JS cpu backend.
  await initBackend({ backend: 'wasm', threads: 1 });
  dir = await mkdtemp(path.join(tmpdir(), 'train-command-'));
  faces = path.join(dir, 'faces');
  await mkdir(path.join(faces, 'images'), { recursive: true });
  const rows = ['file,age,gender'];
  for (let i = 0; i < 24; i++) {
    const age = 5 + i * 3;
    const v = 40 + i * 8;
    const png = await sharp({ create: { width: 50, height: 50, channels: 3, background: { r: v, g: 255 - v, b: 120 } } }).png().toBuffer();
    await writeFile(path.join(faces, 'images', `f${i}.png`), png);
    rows.push(`f${i}.png,${age},0`);
  }
  await writeFile(path.join(faces, 'labels.csv'), rows.join('\n') + '\n');
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('runTrainCommand', () => {
  it('validates its options', () => {
    expect(() => parseTrainOptions({ kind: 'vae', data: 'x', run: 'y' })).toThrow(/--kind/);
    expect(() => parseTrainOptions({ kind: 'cyclegan', run: 'y' })).toThrow(/--data/);
    expect(() => parseTrainOptions({ kind: 'cyclegan', data: 'x', run: 'y', resolution: '80' })).toThrow(/64, 96 or 128/);
    const o = parseTrainOptions({ kind: 'age-cgan', data: 'x', run: 'y', steps: '50', resume: true });
    expect(o).toMatchObject({ kind: 'age-cgan', resolution: 64, batch: 8, steps: 50, resume: true, checkpointMinutes: 5 });
  });

  it('samples a CycleGAN only inside its domains, half young and half old', () => {
    const ages = [...Array(300).fill(25), ...Array(200).fill(40), ...Array(20).fill(75), ...Array(50).fill(10)];
    const src = new MemoryFaceSource(2, new Uint8Array(ages.length * 12), Float32Array.from(ages), new Uint8Array(ages.length));
    const ds = new FaceDataset(src, { split: 'train', resolution: 2, ...domainSampling(YOUNG_OLD_DOMAINS) });
    expect(ds.size).toBe(320);
    let old = 0;
    for (let s = 0; s < 100; s++) for (const i of ds.sampleIndices(s, 10)) {
      expect([25, 75]).toContain(ages[i]);
      if (ages[i] === 75) old++;
    }
    expect(Math.abs(old / 1000 - 0.5)).toBeLessThan(0.06);
  });

  it('trains the age classifier from a folder (images/ + labels.csv), caches it as a pack, resumes and exports fp16', async () => {
    const run = path.join(dir, 'run');
    const cache = path.join(dir, 'cache');
    const base = { kind: 'age-classifier', data: faces, run, steps: '3', batch: '4', 'val-fraction': '0.3', 'sample-every': '0', 'data-cache': cache };
    const first = await runTrainCommand(parseTrainOptions(base));
    expect(first).toMatchObject({ step: 3, completed: true, kind: 'age-classifier' });
    expect(first.trainFaces + first.valFaces).toBe(24);
    expect(first.valFaces).toBeGreaterThan(0);
    // The decoded folder was cached as a pack with the same faces and split.
    const pack = await PackedFaceSource.open(cache);
    expect(pack.count).toBe(24);
    expect(Array.from(pack.splits).filter((s) => s === 1).length).toBe(first.valFaces);
    await pack.close();

    const second = await runTrainCommand(parseTrainOptions({ ...base, steps: '5', resume: true, export: path.join(dir, 'export') }));
    expect(second).toMatchObject({ step: 5, resumedFrom: 3, completed: true });
    expect(second.validation!.faces).toBe(first.valFaces);
    expect(second.metrics.accuracy).toBeGreaterThanOrEqual(0);
    const card = await readFile(path.join(dir, 'export', 'MODEL_CARD.md'), 'utf8');
    expect(card).toMatch(/5 steps/);
    expect((await stat(path.join(dir, 'export', 'age-classifier.bin'))).size).toBeLessThan(1_000_000);
    const clf = await loadAgeClassifier(path.join(dir, 'export'));
    const x = tf.zeros([2, 128, 128, 3]) as tf.Tensor4D;
    const logits = clf.logits(x);
    expect(logits.shape).toEqual([2, 8]);
    tf.dispose([x, logits]);
    clf.dispose();
  });
});
