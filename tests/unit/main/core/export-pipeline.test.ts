/**
 * export:* end to end through the real core: a real photo in a real library, a tiny real
 * CycleGAN-style model, and the real engine process rendering files, contact sheets and
 * animated timelines into the library's export store or a granted folder.
 */
import { mkdirSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StudioCore } from '../../../../main/core/core';
import { decodeImage } from '../../../../models/image/image-io';
import type { ExportJob } from '../../../../preload/schemas/export';
import { bundleEngine } from '../../../helpers/engine-bundle';
import { exportTinyAgingModel, startTestCore } from '../../../helpers/core-fixtures';
import { MIN_CELL } from '../../../../main/core/handlers/export';

let dir = '';
let core: StudioCore;
let photoId = '';
let modelId = '';
const call = { host: 'test' as const };
const RES = 32;
const photoPath = join(__dirname, '..', '..', '..', 'fixtures', 'photos', 'one-face.jpg');

function value<T>(r: { ok: boolean; value?: unknown; error?: unknown }): T {
  if (!r.ok) throw new Error(`request failed: ${JSON.stringify(r.error)}`);
  return r.value as T;
}

/** Starts an export and resolves with its final progress event, collecting every event. */
async function runExport(req: Record<string, unknown>, onProgress?: (job: ExportJob, exportId: string) => void) {
  const events: ExportJob[] = [];
  let exportId = '';
  let finish: (job: ExportJob) => void = () => undefined;
  const finished = new Promise<ExportJob>((resolve) => (finish = resolve));
  const off = core.events.subscribe((event, payload) => {
    if (event !== 'export:progress') return;
    const job = payload as ExportJob;
    events.push(job);
    if (exportId && job.exportId !== exportId) return;
    onProgress?.(job, job.exportId);
    if (job.state !== 'running') finish(job);
  });
  exportId = value<{ exportId: string }>(await core.dispatch('export:start', { photoIds: [photoId], modelId, ...req }, call)).exportId;
  const last = await finished;
  off();
  return { exportId, last, events: events.filter((e) => e.exportId === exportId) };
}

async function files(exportId: string) {
  return value<{ files: { name: string; mime: string; bytes: Uint8Array }[] }>(await core.dispatch('export:result', { exportId }, call)).files;
}

beforeAll(async () => {
  ({ dir } = await bundleEngine('export-pipeline'));
  core = startTestCore(dir);
  // Two steps, as aging-preview does, so the age condition moves the output.
  const modelDir = await exportTinyAgingModel(join(dir, 'model-export'), RES, 2);
  const lib = await core.context.library();
  modelId = String(
    (await lib.registerModel({ kind: 'cyclegan', name: 'tiny', isBase: false, weightsDir: modelDir, config: { resolution: RES, ageRange: [0, 90] } })).id,
  );
  const project = value<{ id: string }>(await core.dispatch('projects:create', { name: 'Export' }, call));
  const bytes = new Uint8Array(readFileSync(photoPath));
  const imported = value<{ imported: { id: string }[] }>(
    await core.dispatch('photos:import', { projectId: project.id, source: { kind: 'bytes', files: [{ name: 'one-face.jpg', bytes }] } }, call),
  );
  photoId = imported.imported[0].id;
}, 240_000);

afterAll(async () => {
  await core?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
  tf.disposeVariables();
});

describe('export', () => {
  it('files: the full-resolution original, changed only inside the face region', async () => {
    const { exportId, last, events } = await runExport({ ages: [20, 70], format: 'png', layout: 'files', destination: { kind: 'download' } });
    expect(last).toMatchObject({ state: 'done', done: 2, total: 2 });
    expect(events.filter((e) => e.state === 'running' && e.done > 0).map((e) => e.done)).toEqual([1, 2]);
    const out = await files(exportId);
    expect(out.map((f) => f.name)).toEqual(['one-face-age20.png', 'one-face-age70.png']);
    const original = await decodeImage(photoPath);
    const preview = value<{ pasted: { region: { x: number; y: number; width: number; height: number } } }>(
      await core.dispatch('aging:preview', { requestId: 'r', photoId, modelId, targetAge: 70, output: 'pasted' }, call),
    );
    const { x, y, width, height } = preview.pasted.region;
    for (const f of out) {
      const img = await decodeImage(Buffer.from(f.bytes));
      expect([img.width, img.height]).toEqual([original.width, original.height]);
      let outsideMax = 0;
      let insideSum = 0;
      for (let py = 0; py < img.height; py++) {
        for (let px = 0; px < img.width; px++) {
          const inside = px >= x && px < x + width && py >= y && py < y + height;
          for (let c = 0; c < 3; c++) {
            const i = (py * img.width + px) * 3 + c;
            const d = Math.abs(img.data[i] - original.data[i]);
            if (inside) insideSum += d;
            else outsideMax = Math.max(outsideMax, d);
          }
        }
      }
      expect(outsideMax).toBeLessThanOrEqual(2);
      expect(insideSum).toBeGreaterThan(0);
    }
    // Kept in the library's export store.
    const lib = await core.context.library();
    expect(lib.listExports({ photoId: Number(photoId) }).length).toBeGreaterThanOrEqual(2);
  });

  it('contact sheet: one image of ages x faces with a label row', async () => {
    const { exportId, last } = await runExport({ ages: [10, 40, 80], format: 'jpeg', layout: 'contact-sheet', destination: { kind: 'download' } });
    expect(last.state).toBe('done');
    const [sheet, ...rest] = await files(exportId);
    expect(rest).toHaveLength(0);
    expect(sheet.mime).toBe('image/jpeg');
    const meta = await sharp(Buffer.from(sheet.bytes)).metadata();
    // The 32 px model's crops are enlarged to the smallest cell; the label row is a fifth of a cell.
    const cell = Math.max(MIN_CELL, RES);
    expect(meta.width).toBe(3 * cell);
    expect(meta.height).toBe(Math.max(12, Math.round(cell / 5)) + cell);
  });

  it('animated timeline: one frame per age (WebP, GIF for png)', async () => {
    // The shipped prototype: its frames differ by age by construction (the 2-step tiny model's can
    // round to the same 8-bit crop, and libwebp then writes a still image).
    const proto = await (await core.context.library()).registerModel({
      kind: 'prototype',
      name: 'prototype',
      isBase: true,
      weightsDir: join(__dirname, '..', '..', '..', '..', 'assets', 'models', 'prototype'),
      config: { resolution: 128, ageRange: [0, 90] },
    });
    const webp = await runExport({ ages: [10, 30, 50, 70], format: 'webp', layout: 'animated-timeline', frameMs: 100, destination: { kind: 'download' }, modelId: String(proto.id) });
    const [anim] = await files(webp.exportId);
    const meta = await sharp(Buffer.from(anim.bytes), { animated: true }).metadata();
    expect(meta.format).toBe('webp');
    // libwebp's animation encoder merges identical consecutive frames into one longer frame (the
    // tiny model can give neighbouring ages the same crop), so the timeline's length is what holds.
    expect(meta.pages).toBeGreaterThanOrEqual(1);
    expect(meta.pages).toBeLessThanOrEqual(4);
    expect((meta.delay ?? []).reduce((t, d) => t + d, 0)).toBe(4 * 100);
    expect(meta.delay).toHaveLength(meta.pages ?? 0);
    const gif = await runExport({ ages: [20, 60], format: 'png', layout: 'animated-timeline', destination: { kind: 'download' } });
    const [g] = await files(gif.exportId);
    expect(g.name).toMatch(/timeline\.gif$/);
    const gm = await sharp(Buffer.from(g.bytes), { animated: true }).metadata();
    expect(gm.format).toBe('gif');
    expect(gm.pages).toBe(2);
  });

  it('grant: writes final names into the folder, no temp files left', async () => {
    const out = join(dir, 'granted');
    mkdirSync(out);
    const { grantId } = core.context.grants.issue(out, 'destination');
    const { last } = await runExport({ ages: [50], format: 'webp', quality: 80, layout: 'files', destination: { kind: 'grant', grantId } });
    expect(last.state).toBe('done');
    expect(readdirSync(out)).toEqual(['one-face-age50.webp']);
    const meta = await sharp(join(out, 'one-face-age50.webp')).metadata();
    expect(meta.exif).toBeUndefined();
    // A second export never overwrites the first.
    await runExport({ ages: [50], format: 'webp', layout: 'files', destination: { kind: 'grant', grantId } });
    expect(readdirSync(out).sort()).toEqual(['one-face-age50 (2).webp', 'one-face-age50.webp']);
  });

  it('cancel stops between images and removes what the export wrote', async () => {
    const out = join(dir, 'cancelled');
    mkdirSync(out);
    const { grantId } = core.context.grants.issue(out, 'destination');
    let asked = false;
    const ages = [10, 20, 30, 40, 50, 60, 70, 80];
    const { last } = await runExport({ ages, format: 'png', layout: 'files', destination: { kind: 'grant', grantId } }, (job, id) => {
      if (!asked && job.done >= 1) {
        asked = true;
        void core.dispatch('export:cancel', { exportId: id }, call);
      }
    });
    expect(asked).toBe(true);
    expect(last.state).toBe('cancelled');
    expect(last.done).toBeLessThan(ages.length);
    expect(last.outputs).toEqual([]);
    expect(readdirSync(out)).toEqual([]);
    const list = value<{ exports: ExportJob[] }>(await core.dispatch('export:list', {}, call)).exports;
    expect(list.some((j) => j.state === 'cancelled')).toBe(true);
    expect(list.filter((j) => j.state === 'done').length).toBeGreaterThanOrEqual(4);
  });
});
