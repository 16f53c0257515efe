/**
 * face-age detect / age / eval on a real photo with a tiny real exported model, through runCli
 * (the same entry the bundled bin runs), with the default backend in this process.
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import sharp from 'sharp';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliInProcess } from '../../../helpers/cli-process';
import { defaultShippedModel } from '../../../../main/cli/image-commands';
import { createCycleGanTrainer, exportCycleGanModel } from '../../../../models/recipes/cyclegan/export';
import { decodeImage } from '../../../../models/image/image-io';
import { loadFaces, tinyConfig, useCpu } from '../../../helpers/cyclegan-fixtures';

const RES = 32;
const photo = join(__dirname, '..', '..', '..', 'fixtures', 'photos', 'one-face.jpg');
let dir = '';
let modelDir = '';

const cli = cliInProcess;

beforeAll(async () => {
  mkdirSync(resolve('.tmp'), { recursive: true });
  dir = mkdtempSync(resolve('.tmp', 'cli-image-'));
  await useCpu();
  const faces = await loadFaces(RES, 2);
  const config = tinyConfig(RES);
  const trainer = createCycleGanTrainer({ ...config, generator: { ...config.generator, output: 'direct' } });
  await trainer.trainStep({ images: faces.images, ages: faces.ages }, false);
  modelDir = join(dir, 'tiny-model');
  await exportCycleGanModel(trainer, modelDir);
  trainer.dispose();
  faces.images.dispose();
}, 120_000);

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
  tf.disposeVariables();
});

describe('face-age detect / age / eval', () => {
  it('detect: one face with a box inside the photo, landmarks and an age, as JSON and text', async () => {
    const r = await cli('detect', photo, '--json');
    expect(r.code, r.out + r.err).toBe(0);
    const { value } = JSON.parse(r.out) as {
      value: { images: { width: number; height: number; faces: { box: { x: number; y: number; width: number; height: number }; age: number | null; landmarks: unknown[] }[] }[] };
    };
    const [img] = value.images;
    const meta = await sharp(photo).rotate().metadata();
    expect([img.width, img.height]).toEqual([meta.width, meta.height]);
    expect(img.faces).toHaveLength(1);
    const [f] = img.faces;
    expect(f.box.x).toBeGreaterThanOrEqual(0);
    expect(f.box.x + f.box.width).toBeLessThanOrEqual(img.width + 1);
    expect(f.box.width).toBeGreaterThan(20);
    expect(f.landmarks).toHaveLength(68);
    expect(f.age).toBeGreaterThan(0);
    expect((await cli('detect', join(dir, 'missing.jpg'))).code).toBe(1);
  }, 120_000);

  it('age: writes the full-resolution photo with the face pasted back', async () => {
    const out = join(dir, 'out', 'aged.png');
    const r = await cli('age', photo, '--model', modelDir, '--target', '70', '--out', out, '--json');
    expect(r.code, r.out + r.err).toBe(0);
    const { value } = JSON.parse(r.out) as { value: { width: number; height: number; faces: unknown[] } };
    const original = await decodeImage(photo);
    const aged = await decodeImage(out);
    expect([aged.width, aged.height]).toEqual([original.width, original.height]);
    expect([value.width, value.height]).toEqual([original.width, original.height]);
    expect(value.faces).toHaveLength(1);
    let changed = 0;
    for (let i = 0; i < aged.data.length; i++) if (aged.data[i] !== original.data[i]) changed++;
    // Only the face changes: some pixels, far from all of them.
    expect(changed).toBeGreaterThan(0);
    expect(changed).toBeLessThan(aged.data.length / 2);
    expect(readdirSync(join(dir, 'out'))).toEqual(['aged.png']);
  }, 120_000);

  it('age: usage errors exit 64, unknown models exit 1', async () => {
    expect((await cli('age', photo, '--model', modelDir)).code).toBe(64);
    expect((await cli('age', photo, '--model', modelDir, '--target', '70', '--out', join(dir, 'x.bmp'))).code).toBe(64);
    const unknown = await cli('age', photo, '--model', 'no-such-model', '--target', '70', '--json');
    expect(unknown.code).toBe(1);
    expect(JSON.parse(unknown.out)).toMatchObject({ ok: false, error: { code: 'not-found' } });
  });

  it('the default model is the shipped engineered stages, else the first age-cgan, else a cyclegan, else the prototype', () => {
    const assets = join(dir, 'assets');
    const model = (name: string, kind: string) => {
      mkdirSync(join(assets, 'models', name), { recursive: true });
      writeFileSync(join(assets, 'models', name, 'meta.json'), JSON.stringify({ format: 'face-age-checkpoint', kind }));
    };
    expect(defaultShippedModel(assets)).toBeNull();
    mkdirSync(join(assets, 'models', 'prototype'), { recursive: true });
    writeFileSync(join(assets, 'models', 'prototype', 'meta.json'), JSON.stringify({ format: 'face-age-prototype' }));
    expect(defaultShippedModel(assets)).toBe(join(assets, 'models', 'prototype'));
    model('z-cycle', 'cyclegan');
    expect(defaultShippedModel(assets)).toBe(join(assets, 'models', 'z-cycle'));
    model('z-cgan', 'age-cgan');
    expect(defaultShippedModel(assets)).toBe(join(assets, 'models', 'z-cgan'));
    mkdirSync(join(assets, 'models', 'engineered'), { recursive: true });
    writeFileSync(join(assets, 'models', 'engineered', 'meta.json'), JSON.stringify({ format: 'face-age-engineered' }));
    expect(defaultShippedModel(assets)).toBe(join(assets, 'models', 'engineered'));
  });

  it('eval: runs the evaluation command (usage errors exit 64)', async () => {
    const r = await cli('eval', '--data', dir, '--json');
    expect(r.code).toBe(64);
    expect(JSON.parse(r.out)).toMatchObject({ ok: false, error: { code: 'invalid-payload', message: expect.stringContaining('--model') } });
    expect(existsSync(join(dir, 'tiny-model', 'meta.json'))).toBe(true);
  });
});
