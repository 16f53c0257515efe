/**
 * `face-age finetune` through the real CLI bundle (cli.cjs next to engine.cjs
 * and train-child.cjs, as scripts/build.mjs lays out dist/), run as separate processes on the
 * wasm backend: fixture photos of one person plus a faceless photo and a stranger, a tiny real
 * CycleGAN base, lineage in the real library, the new version aging a photo, and resume after
 * SIGINT. (`face-age train`: cli-train.test.ts.)
 */
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Library } from '../../../../main/library/library';
import { decodeImage } from '../../../../models/image/image-io';
import { bundleEngine } from '../../../helpers/engine-bundle';
import { cliResult, runCli, type CliRun } from '../../../helpers/cli-process';
import { exportTinyAgingModel } from '../../../helpers/core-fixtures';

const RES = 32;
const FIXTURES = join(__dirname, '..', '..', '..', 'fixtures');
const PERSON = ['face-00-obama-1.jpg', 'face-01-obama-2.jpg', 'face-02-obama-3.jpg', 'face-03-obama-4.jpg'];
const STRANGER = 'face-10-alex-lacamoire-1.jpg';
let dir = '';
let baseDir = '';
let photosDir = '';

/** node cli.cjs ...args; `onErr` sees stderr as it arrives (and may signal the child). */
function cli(args: string[], onErr?: Parameters<typeof runCli>[3]): Promise<CliRun> {
  return runCli(join(dir, 'cli.cjs'), args, 170_000, onErr);
}

const result = cliResult;

/** The fixture faces are tight 128 px crops; the detector wants a face with margin, as in a photo. */
async function asPhoto(file: string, to: string): Promise<void> {
  await sharp(join(FIXTURES, 'faces', file)).resize(256, 256).extend({ top: 128, bottom: 128, left: 128, right: 128, background: '#808080' }).jpeg().toFile(to);
}

beforeAll(async () => {
  ({ dir } = await bundleEngine('cli-finetune', { 'train-child.cjs': 'main/engine/ops/train-child.ts', 'cli.cjs': 'main/cli/main.ts' }));
  baseDir = await exportTinyAgingModel(join(dir, 'base'), RES, 1);
  photosDir = join(dir, 'photos');
  mkdirSync(photosDir);
  for (const f of [...PERSON, STRANGER]) await asPhoto(f, join(photosDir, f));
  await sharp(join(FIXTURES, 'photos', 'no-face.jpg')).toFile(join(photosDir, 'no-face.jpg'));
}, 120_000);

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
  tf.disposeVariables();
});

describe('face-age finetune', () => {
  it('lists faceless photos, warns about a stranger, registers a child of the base, and the new version ages a photo', async () => {
    const out = join(dir, 'me-model');
    const r = await cli(['finetune', '--base', baseDir, '--photos', photosDir, '--out', out, '--steps', '3', '--backend', 'wasm', '--json']);
    expect(r.code, r.err.slice(-3000)).toBe(0);
    const v = result<{
      runId: number;
      model: { id: number; parentId: number; lineage: { id: number; isBase: boolean }[] };
      base: { id: number };
      library: string;
      steps: number;
      photos: { found: number; used: number; skipped: { file: string; reason: string }[]; flagged: { file: string; distance: number }[] };
    }>(r);
    expect(v.steps).toBe(3);
    expect(v.model.parentId).toBe(v.base.id);
    expect(v.model.lineage[0]).toMatchObject({ id: v.base.id, isBase: true });
    expect(v.photos.found).toBe(6);
    expect(v.photos.skipped.map((s) => s.file)).toEqual(['no-face.jpg']);
    expect(v.photos.flagged.map((f) => f.file)).toEqual([STRANGER]);
    expect(v.photos.used).toBe(5);
    // Progress lines on stderr carry speed and ETA; the warning names the stranger.
    const progress = r.err.split('\n').filter((l) => l.includes('"event":"progress"')).map((l) => JSON.parse(l) as { step: number; stepsPerSecond: number; etaSeconds: number | null });
    expect(progress.length).toBeGreaterThan(0);
    expect(progress.some((p) => p.stepsPerSecond > 0 && p.etaSeconds !== null)).toBe(true);
    expect(r.err).toContain(`"file":"${STRANGER}"`);

    // The library the CLI wrote: the base untouched as a base, the new version its child.
    const lib = await Library.open(v.library);
    try {
      const model = lib.getModel(v.model.id);
      expect(model).toMatchObject({ parentId: v.base.id, isBase: false, kind: 'cyclegan' });
      expect(lib.getModel(v.base.id).isBase).toBe(true);
      expect(lib.getRun(v.runId)).toMatchObject({ status: 'completed', outputModelId: v.model.id, parentModelId: v.base.id });
    } finally {
      lib.close();
    }
    expect(JSON.parse(readFileSync(join(out, 'lineage.json'), 'utf8'))).toMatchObject({ modelId: v.model.id, parentId: v.base.id });

    // The exported version loads in `face-age age` and changes the face.
    const photo = join(photosDir, PERSON[0]);
    const agedFile = join(dir, 'aged.png');
    const aged = await cli(['age', photo, '--model', out, '--target', '70', '--out', agedFile, '--backend', 'wasm', '--json']);
    expect(aged.code, aged.err.slice(-2000)).toBe(0);
    expect(result<{ model: string; faces: unknown[] }>(aged)).toMatchObject({ model: out, faces: [expect.anything()] });
    const [a, b] = await Promise.all([decodeImage(photo), decodeImage(agedFile)]);
    expect([b.width, b.height]).toEqual([a.width, a.height]);
    let changed = 0;
    for (let i = 0; i < a.data.length; i++) if (a.data[i] !== b.data[i]) changed++;
    // The face changes, not the whole photo.
    expect(changed).toBeGreaterThan(0);
    expect(changed).toBeLessThan(a.data.length / 2);
  }, 180_000);

  it('stops with a checkpoint on SIGINT and continues that run with --resume', async () => {
    const library = join(dir, 'resume-library');
    const args = ['finetune', '--library', library, '--base', baseDir, '--photos', photosDir, '--out', 'library', '--steps', '40', '--descriptor-weight', '0', '--backend', 'wasm', '--json'];
    let signalled = false;
    const first = await cli(args, (chunk, child) => {
      if (!signalled && /"event":"progress","phase":"training","step":[1-9]/.test(chunk)) {
        signalled = true;
        child.kill('SIGINT');
      }
    });
    expect(signalled).toBe(true);
    expect(first.code).toBe(1);
    expect(JSON.parse(first.out)).toMatchObject({ ok: false, error: { code: 'cancelled' } });
    const second = await cli([...args, '--resume']);
    expect(second.code, second.err.slice(-3000)).toBe(0);
    const v = result<{ runId: number; resumedFrom: number | null; steps: number; model: { parentId: number }; base: { id: number } }>(second);
    expect(v.resumedFrom).not.toBeNull();
    expect(v.runId).toBeGreaterThan(v.resumedFrom as number);
    expect(v.steps).toBe(40);
    expect(v.model.parentId).toBe(v.base.id);
    // The resumed run started from the checkpoint, not from step 0.
    const steps = second.err.split('\n').filter((l) => l.includes('"event":"progress"')).map((l) => (JSON.parse(l) as { step: number }).step);
    expect(Math.min(...steps)).toBeGreaterThan(0);
  }, 240_000);
});
