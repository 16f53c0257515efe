/**
 * aging:preview and aging:strip end to end through the real core: a real photo imported into a
 * real library, a real (tiny, briefly trained) CycleGAN-style model registered in it, and the
 * real engine process aligning, aging and pasting back.
 */
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StudioCore } from '../../../../main/core/core';
import { bundleEngine } from '../../../helpers/engine-bundle';
import { exportTinyAgingModel, startTestCore } from '../../../helpers/core-fixtures';

let dir = '';
let core: StudioCore;
let photoId = '';
let modelId = '';
let photoSize = { width: 0, height: 0 };
const call = { host: 'test' as const };
const RES = 32;

function value<T>(r: { ok: boolean; value?: unknown; error?: unknown }): T {
  if (!r.ok) throw new Error(`request failed: ${JSON.stringify(r.error)}`);
  return r.value as T;
}

beforeAll(async () => {
  ({ dir } = await bundleEngine('aging-preview'));
  // The real shipped models too: the prototype baseline must be usable from a fresh library.
  core = startTestCore(dir, { assetsDir: join(__dirname, '..', '..', '..', '..', 'assets') });
  const modelDir = await exportTinyAgingModel(join(dir, 'model-export'), RES, 2);

  const lib = await core.context.library();
  const model = lib.registerModel({
    kind: 'cyclegan',
    name: 'tiny test model',
    isBase: false,
    weightsDir: modelDir,
    config: { resolution: RES, ageRange: [0, 90] },
  });
  modelId = String((await model).id);

  const project = value<{ id: string }>(await core.dispatch('projects:create', { name: 'Aging' }, call));
  const bytes = new Uint8Array(readFileSync(join(__dirname, '..', '..', '..', 'fixtures', 'photos', 'one-face.jpg')));
  const imported = value<{ imported: { id: string; width: number; height: number; faceCount: number }[] }>(
    await core.dispatch('photos:import', { projectId: project.id, source: { kind: 'bytes', files: [{ name: 'one-face.jpg', bytes }] } }, call),
  );
  expect(imported.imported).toHaveLength(1);
  photoId = imported.imported[0].id;
  photoSize = { width: imported.imported[0].width, height: imported.imported[0].height };
}, 240_000);

afterAll(async () => {
  await core?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
  tf.disposeVariables();
});

describe('aging through the engine', () => {
  it('returns the aged crop at the model resolution and the pasted-back photo region', async () => {
    const r = value<{
      crop: { mime: string; width: number; height: number; bytes: Uint8Array };
      pasted: { image: { mime: string; width: number; height: number; bytes: Uint8Array }; region: { x: number; y: number; width: number; height: number } };
      engineMs: number;
    }>(await core.dispatch('aging:preview', { requestId: 'p1', photoId, modelId, targetAge: 70, output: 'both' }, call));
    // Previews travel as JPEG (cheap to encode, send and decode); exports and strips stay PNG.
    expect(r.crop).toMatchObject({ mime: 'image/jpeg', width: RES, height: RES });
    const cropMeta = await sharp(Buffer.from(r.crop.bytes)).metadata();
    expect([cropMeta.format, cropMeta.width, cropMeta.height]).toEqual(['jpeg', RES, RES]);
    const { region } = r.pasted;
    expect(region.x).toBeGreaterThanOrEqual(0);
    expect(region.y).toBeGreaterThanOrEqual(0);
    expect(region.x + region.width).toBeLessThanOrEqual(photoSize.width);
    expect(region.y + region.height).toBeLessThanOrEqual(photoSize.height);
    // The region is at the photo's own resolution, far larger than the model's crop.
    expect(region.width).toBeGreaterThan(RES * 2);
    const pastedMeta = await sharp(Buffer.from(r.pasted.image.bytes)).metadata();
    expect([pastedMeta.width, pastedMeta.height]).toEqual([region.width, region.height]);
    expect(r.engineMs).toBeGreaterThan(0);
  });

  it('outputs differ by target age, and the same age gives the same crop', async () => {
    const crop = async (targetAge: number, requestId: string) =>
      value<{ crop: { bytes: Uint8Array } }>(await core.dispatch('aging:preview', { requestId, photoId, modelId, targetAge }, call)).crop.bytes;
    const raw = async (png: Uint8Array) => new Uint8Array(await sharp(Buffer.from(png)).raw().toBuffer());
    const young = await raw(await crop(10, 'a'));
    const old = await raw(await crop(80, 'b'));
    const oldAgain = await raw(await crop(80, 'c'));
    expect(Buffer.compare(Buffer.from(old), Buffer.from(oldAgain))).toBe(0);
    let diff = 0;
    for (let i = 0; i < young.length; i++) diff += Math.abs(young[i] - old[i]);
    expect(diff).toBeGreaterThan(0);
  });

  it('a newer preview of the same photo supersedes the older one', async () => {
    const first = core.dispatch('aging:preview', { requestId: 's1', photoId, modelId, targetAge: 30 }, call);
    const second = core.dispatch('aging:preview', { requestId: 's2', photoId, modelId, targetAge: 60 }, call);
    const [a, b] = await Promise.all([first, second]);
    expect(a).toMatchObject({ ok: false, error: { code: 'cancelled' } });
    expect(b).toMatchObject({ ok: true, value: { requestId: 's2', targetAge: 60 } });
  });

  it('streams an age strip frame by frame', async () => {
    const frames: number[] = [];
    const off = core.events.subscribe((event, payload) => {
      if (event === 'aging:stripFrame') frames.push((payload as { age: number }).age);
    });
    const r = value<{ frames: { age: number; image: { width: number; mime: string } }[] }>(
      await core.dispatch('aging:strip', { requestId: 'strip', photoId, modelId, ages: [20, 40, 60] }, call),
    );
    off();
    expect(r.frames.map((f) => f.age)).toEqual([20, 40, 60]);
    expect(frames).toEqual([20, 40, 60]);
    expect(r.frames.every((f) => f.image.width === RES && f.image.mime === 'image/png')).toBe(true);
  });

  it('the shipped prototype model is in a fresh library and ages a face at its size in the photo', async () => {
    const list = value<{ models: { id: string; kind: string; name: string; origin: string; resolution: number }[] }>(
      await core.dispatch('models:list', {}, call),
    );
    const proto = list.models.find((m) => m.kind === 'prototype' && m.name === 'prototype');
    expect(proto).toMatchObject({ origin: 'shipped', resolution: 128 });
    const crop = async (targetAge: number) => {
      const r = value<{ crop: { bytes: Uint8Array; width: number; height: number }; estimatedAge: number | null }>(
        await core.dispatch('aging:preview', { requestId: `proto-${targetAge}`, photoId, modelId: proto!.id, targetAge }, call),
      );
      // The preview itself carries no estimate (it stays fast); aging:estimate gives it.
      expect(r.estimatedAge).toBeNull();
      const e = value<{ estimatedAge: number; targetAge: number }>(
        await core.dispatch('aging:estimate', { requestId: `est-${targetAge}`, photoId, modelId: proto!.id, targetAge }, call),
      );
      expect(e.targetAge).toBe(targetAge);
      const raw = new Uint8Array(await sharp(Buffer.from(r.crop.bytes)).raw().toBuffer());
      return { raw, width: r.crop.width, height: r.crop.height, estimate: e.estimatedAge };
    };
    const young = await crop(20);
    const old = await crop(70);
    // What age the aged face looks (face-api's age net on the shown crop).
    expect(old.estimate).toBeGreaterThan(young.estimate + 5);
    // The prototype (with its texture stage) ages the face aligned at its own size in the photo:
    // never below the means' 128 px, at most 512.
    expect(young.width).toBe(young.height);
    expect(young.width).toBeGreaterThanOrEqual(128);
    expect(young.width).toBeLessThanOrEqual(512);
    expect(old.width).toBe(young.width);
    expect(young.raw.length).toBe(young.width * young.width * 3);
    let diff = 0;
    for (let i = 0; i < young.raw.length; i++) diff += Math.abs(young.raw[i] - old.raw[i]);
    // Mean absolute change of at least 1 level per channel between ages 20 and 70.
    expect(diff / young.raw.length).toBeGreaterThan(1);
  });

  it('the shipped engineered stages age the face in the photo: pasted with no seam, older and younger look their age', async () => {
    const list = value<{ models: { id: string; kind: string; name: string; origin: string }[] }>(await core.dispatch('models:list', {}, call));
    const eng = list.models.find((m) => m.name === 'engineered');
    expect(eng).toMatchObject({ origin: 'shipped', kind: 'prototype' });
    const preview = async (targetAge: number) => {
      const r = value<{ pasted: { image: { bytes: Uint8Array; width: number; height: number }; region: { x: number; y: number; width: number; height: number } } }>(
        await core.dispatch('aging:preview', { requestId: `eng-${targetAge}`, photoId, modelId: eng!.id, targetAge, output: 'pasted' }, call),
      );
      const raw = new Uint8Array(await sharp(Buffer.from(r.pasted.image.bytes)).raw().toBuffer());
      const e = value<{ estimatedAge: number }>(await core.dispatch('aging:estimate', { requestId: `eng-est-${targetAge}`, photoId, modelId: eng!.id, targetAge }, call));
      return { raw, ...r.pasted.image, region: r.pasted.region, estimate: e.estimatedAge };
    };
    const young = await preview(10);
    const old = await preview(80);
    expect(old.estimate).toBeGreaterThan(young.estimate + 8);
    // The pasted region is the photo's own pixels along its border (the 'crop' mask fades to zero
    // there), so the aged face sits in the photo without a seam.
    const original = await sharp(join(__dirname, '..', '..', '..', 'fixtures', 'photos', 'one-face.jpg'))
      .extract({ left: old.region.x, top: old.region.y, width: old.region.width, height: old.region.height })
      .raw()
      .toBuffer();
    expect(old.width).toBe(old.region.width);
    let border = 0;
    let borderN = 0;
    let centre = 0;
    let centreN = 0;
    for (let y = 0; y < old.height; y++) {
      for (let x = 0; x < old.width; x++) {
        const edge = Math.min(x, y, old.width - 1 - x, old.height - 1 - y) < 2;
        const mid = Math.abs(x - old.width / 2) < old.width / 6 && Math.abs(y - old.height / 2) < old.height / 6;
        for (let c = 0; c < 3; c++) {
          const d = Math.abs(old.raw[(y * old.width + x) * 3 + c] - original[(y * old.width + x) * 3 + c]);
          if (edge) { border += d; borderN++; }
          if (mid) { centre += d; centreN++; }
        }
      }
    }
    // JPEG round trips differ by a few levels; the face itself changes by far more.
    expect(border / borderN).toBeLessThan(4);
    expect(centre / centreN).toBeGreaterThan(3 * (border / borderN) + 2);
  });

  it('names unknown models and faces clearly', async () => {
    expect(await core.dispatch('aging:preview', { requestId: 'x1', photoId, modelId: '9999', targetAge: 40 }, call)).toMatchObject({
      ok: false,
      error: { code: 'not-found' },
    });
    expect(await core.dispatch('aging:preview', { requestId: 'x2', photoId, faceIndex: 5, modelId, targetAge: 40 }, call)).toMatchObject({
      ok: false,
      error: { code: 'not-found', message: expect.stringContaining('no face 5') },
    });
  });
});
