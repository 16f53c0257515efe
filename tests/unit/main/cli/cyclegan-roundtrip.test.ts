/**
 * Issue 7's "face-age age --model <cyclegan> turns a young face old and back", through runCli on a
 * real photo, judged by the CLI's own detect (face-api's age estimate), for two models: the shipped
 * CycleGAN (assets/models/cyclegan: trained, no prototype inside), and a CycleGAN whose untrained
 * generator refines the shipped prototype (generator.prior), exported with its prior/ as any trained
 * one is, which checks that inference path: prior, generator, reconstruction, paste-back.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliInProcess } from '../../../helpers/cli-process';
import { createCycleGanTrainer, exportCycleGanModel } from '../../../../models/recipes/cyclegan/export';
import { COARSE_DOMAINS } from '../../../../models/recipes/cyclegan/config';
import { loadPrototypeModel } from '../../../../models/recipes/prototype/checkpoint';
import { decodeImage } from '../../../../models/image/image-io';
import { initBackend } from '../../../../models/backend/select';
import { tinyConfig } from '../../../helpers/cyclegan-fixtures';

// A young face (labelled 29): a committed aligned crop, set in a larger canvas so detection sees a photo.
const crop = join(__dirname, '..', '..', '..', 'fixtures', 'faces', 'face-06-kit-harington-1.jpg');
let photo = '';
let dir = '';
let modelDir = '';

const cli = cliInProcess;

async function estimatedAge(image: string): Promise<number> {
  const r = await cli('detect', image, '--json');
  expect(r.code, r.err).toBe(0);
  const faces = (JSON.parse(r.out) as { value: { images: Array<{ faces: Array<{ age: number }> }> } }).value.images[0].faces;
  expect(faces).toHaveLength(1);
  return faces[0].age;
}

async function meanAbsDiff(a: string, b: string): Promise<number> {
  const x = await decodeImage(a);
  const y = await decodeImage(b);
  let s = 0;
  for (let i = 0; i < x.data.length; i++) s += Math.abs(x.data[i] - y.data[i]);
  return s / x.data.length;
}

beforeAll(async () => {
  await initBackend({ backend: 'wasm', threads: 1 });
  mkdirSync(resolve('.tmp'), { recursive: true });
  dir = mkdtempSync(resolve('.tmp', 'cli-cyclegan-'));
  const prior = await loadPrototypeModel(join(__dirname, '..', '..', '..', '..', 'assets', 'models', 'prototype'));
  const c = tinyConfig(64, { domains: COARSE_DOMAINS.map((d) => ({ ...d })), targetSampling: 'uniform' });
  c.generator = { ...c.generator, output: 'residual', prior: 'prototype' };
  const trainer = createCycleGanTrainer(c, { teacher: prior });
  photo = join(dir, 'young.png');
  const edge = 96;
  await sharp(crop).resize(320, 320).extend({ top: edge, bottom: edge, left: edge, right: edge, background: { r: 128, g: 128, b: 128 } }).png().toFile(photo);
  modelDir = join(dir, 'cyclegan-prior');
  await exportCycleGanModel(trainer, modelDir);
  trainer.dispose();
  prior.dispose();
}, 120_000);

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

async function roundTrip(model: string, tag: string): Promise<{ a0: number; a1: number; a2: number; dOld: number; dBack: number }> {
  const a0 = await estimatedAge(photo);
  const old = join(dir, `${tag}-old.png`);
  const back = join(dir, `${tag}-back.png`);
  let r = await cli('age', photo, '--model', model, '--target', '80', '--out', old, '--json');
  expect(r.code, r.err).toBe(0);
  const a1 = await estimatedAge(old);
  r = await cli('age', old, '--model', model, '--target', String(Math.round(a0)), '--out', back, '--json');
  expect(r.code, r.err).toBe(0);
  const a2 = await estimatedAge(back);
  const dOld = await meanAbsDiff(old, photo);
  const dBack = await meanAbsDiff(back, photo);
  process.stderr.write(`${tag} round trip: ${a0.toFixed(1)} -> ${a1.toFixed(1)} -> ${a2.toFixed(1)}; grey-level difference to the photo ${dOld.toFixed(2)} -> ${dBack.toFixed(2)}\n`);
  return { a0, a1, a2, dOld, dBack };
}

describe('face-age age --model <cyclegan>: young -> old -> back', () => {
  it('the shipped CycleGAN (assets/models/cyclegan, no prototype inside) ages a young face and back', async () => {
    const { a0, a1, a2, dOld, dBack } = await roundTrip(join(__dirname, '..', '..', '..', '..', 'assets', 'models', 'cyclegan'), 'shipped');
    // Measured: 29.1 -> 37.0 -> 34.6, grey-level difference to the photo 3.44 -> 2.76. The way back
    // is short: the CLI takes the source age from the estimator, which reads the aged face as 37, so
    // "back to 29" asks G for an 8-year change, not the 51 years of the way out.
    expect(a1).toBeGreaterThan(a0 + 5);
    expect(a2).toBeLessThan(a1 - 1);
    expect(dBack).toBeLessThan(dOld);
    tf.disposeVariables();
  }, 240_000);

  it('a CycleGAN refining the prototype: the estimated age rises towards the target, and ageing back undoes most of it', async () => {
    const { a0, a1, a2, dOld, dBack } = await roundTrip(modelDir, 'prior');
    // Measured: 29.1 -> 40.1 -> 32.1 with the balanced prototype of session 5 (the estimator moves far less than the target: issue 8 calibration).
    expect(a1).toBeGreaterThan(a0 + 5);
    expect(Math.abs(a2 - a0)).toBeLessThan(Math.abs(a1 - a0) / 2);
    // Back is much closer to the original photo than the aged one is.
    expect(dBack).toBeLessThan(0.75 * dOld);
    tf.disposeVariables();
  }, 240_000);
});
