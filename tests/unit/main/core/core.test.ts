import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createStudioCore, type StudioCore } from '../../../../main/core/core';
import { StudioFailure, createRouter, defineHandlers } from '../../../../main/core/router';
import { isAppPage } from '../../../../main/electron/app-page';
import { forkLauncher } from '../../../../main/engine/launcher';
import { CSP_META } from '../../../../main/security/csp';
import { bundleEngine } from '../../../helpers/engine-bundle';

let dir = '';
let core: StudioCore;
const call = { host: 'test' as const };

async function portrait(seed: number, size = 320): Promise<Uint8Array> {
  // A real encoded image (a gradient with a seed-dependent tint), not a stub.
  const raw = Buffer.alloc(size * size * 3);
  for (let i = 0; i < size * size; i++) {
    raw[i * 3] = (i % size) & 255;
    raw[i * 3 + 1] = Math.floor(i / size) & 255;
    raw[i * 3 + 2] = (seed * 37) & 255;
  }
  return new Uint8Array(await sharp(raw, { raw: { width: size, height: size, channels: 3 } }).jpeg().toBuffer());
}

beforeAll(async () => {
  ({ dir } = await bundleEngine('foundation-core'));
  core = createStudioCore({
    host: 'test',
    configDir: join(dir, 'config'),
    defaultLibraryDir: join(dir, 'library'),
    engineLauncher: forkLauncher(join(dir, 'engine.cjs')),
    versions: { app: 'test', electron: null, chrome: null },
  });
});

afterAll(async () => {
  await core?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('router', () => {
  it('rejects unknown channels and malformed payloads before any handler runs', async () => {
    let ran = 0;
    const router = createRouter([
      defineHandlers({
        'projects:create': ({ name }) => {
          ran++;
          return { id: '1', name, createdAt: new Date(0).toISOString(), photoCount: 0 };
        },
      }),
    ]);
    expect(await router.dispatch('projects:explode', {}, call)).toMatchObject({ ok: false, error: { code: 'invalid-payload' } });
    expect(await router.dispatch('__proto__', {}, call)).toMatchObject({ ok: false, error: { code: 'invalid-payload' } });
    for (const bad of [null, 'x', 42, [], {}, { name: '' }, { name: 5 }, { name: 'ok', extra: 1 }, { name: 'x'.repeat(500) }]) {
      const r = await router.dispatch('projects:create', bad, call);
      expect(r, JSON.stringify(bad)).toMatchObject({ ok: false, error: { code: 'invalid-payload' } });
    }
    expect(ran).toBe(0);
    expect(await router.dispatch('projects:create', { name: '  Family  ' }, call)).toMatchObject({ ok: true, value: { name: 'Family' } });
    expect(ran).toBe(1);
  });

  it('answers not-available-yet for channels without a handler, and checks responses', async () => {
    const router = createRouter([
      defineHandlers({
        'projects:list': () => ({ projects: [{ id: 1 }] }) as never,
        'projects:delete': () => {
          throw new StudioFailure('forbidden', 'no');
        },
        'projects:rename': () => {
          throw new Error('boom');
        },
      }),
    ]);
    const preview = { requestId: 'r', photoId: '1', modelId: '1', targetAge: 60 };
    expect(await router.dispatch('aging:preview', preview, call)).toMatchObject({
      ok: false,
      error: { code: 'not-available-yet', message: expect.stringContaining('aging:preview') },
    });
    expect(await router.dispatch('projects:list', {}, call)).toMatchObject({ ok: false, error: { code: 'internal' } });
    expect(await router.dispatch('projects:delete', { projectId: '1' }, call)).toEqual({
      ok: false,
      error: { code: 'forbidden', message: 'no' },
    });
    expect(await router.dispatch('projects:rename', { projectId: '1', name: 'a' }, call)).toMatchObject({
      ok: false,
      error: { code: 'internal', message: expect.stringContaining('boom') },
    });
  });
});

describe('studio core over a real library', () => {
  it('creates, renames, lists and deletes projects', async () => {
    const created = await core.dispatch('projects:create', { name: 'Grandma' }, call);
    expect(created).toMatchObject({ ok: true, value: { name: 'Grandma', photoCount: 0 } });
    const id = created.ok ? (created.value as { id: string }).id : '';
    expect(await core.dispatch('projects:rename', { projectId: id, name: 'Nana' }, call)).toMatchObject({ ok: true, value: { name: 'Nana' } });
    const list = await core.dispatch('projects:list', {}, call);
    expect(list.ok && (list.value as { projects: { name: string }[] }).projects.map((p) => p.name)).toContain('Nana');
    expect(await core.dispatch('projects:delete', { projectId: id }, call)).toMatchObject({ ok: true });
    expect(await core.dispatch('projects:delete', { projectId: id }, call)).toMatchObject({ ok: false, error: { code: 'not-found' } });
    expect(await core.dispatch('projects:rename', { projectId: 'abc', name: 'x' }, call)).toMatchObject({ ok: false, error: { code: 'not-found' } });
  });

  it('imports photo bytes, finds duplicates, rejects non-images, pages, serves images, deletes with undo', async () => {
    const project = await core.dispatch('projects:create', { name: 'Imports' }, call);
    const projectId = project.ok ? (project.value as { id: string }).id : '';
    const a = await portrait(1);
    const b = await portrait(2);
    const imported = await core.dispatch(
      'photos:import',
      {
        projectId,
        source: { kind: 'bytes', files: [{ name: 'a.jpg', bytes: a }, { name: 'b.jpg', bytes: b }, { name: 'notes.txt', bytes: new TextEncoder().encode('hello') }] },
        tags: ['family'],
      },
      call,
    );
    expect(imported.ok).toBe(true);
    const value = imported.ok ? (imported.value as { imported: { id: string; width: number; tags: string[] }[]; failed: { name: string }[] }) : null;
    expect(value?.imported).toHaveLength(2);
    expect(value?.imported[0]).toMatchObject({ width: 320, tags: ['family'] });
    expect(value?.failed.map((f) => f.name)).toEqual(['notes.txt']);

    const again = await core.dispatch('photos:import', { projectId, source: { kind: 'bytes', files: [{ name: 'a-copy.jpg', bytes: a }] } }, call);
    expect(again.ok && (again.value as { duplicates: unknown[] }).duplicates).toHaveLength(1);

    const page1 = await core.dispatch('photos:list', { projectId, limit: 1 }, call);
    expect(page1).toMatchObject({ ok: true, value: { total: 2, nextOffset: 1 } });
    const byName = await core.dispatch('photos:list', { projectId, search: 'b.j' }, call);
    expect(byName.ok && (byName.value as { items: { name: string }[] }).items.map((p) => p.name)).toEqual(['b.jpg']);
    const byTag = await core.dispatch('photos:list', { projectId, tag: 'family' }, call);
    expect(byTag).toMatchObject({ ok: true, value: { total: 2 } });

    const photoId = value?.imported[0]?.id ?? '';
    const image = await core.dispatch('photos:image', { photoId, maxEdge: 64 }, call);
    expect(image).toMatchObject({ ok: true, value: { image: { mime: 'image/jpeg', width: 64, height: 64 } } });
    const bytes = image.ok ? (image.value as { image: { bytes: Uint8Array } }).image.bytes : new Uint8Array();
    expect((await sharp(bytes).metadata()).width).toBe(64);

    const deleted = await core.dispatch('photos:delete', { photoIds: [photoId] }, call);
    expect(deleted).toMatchObject({ ok: true, value: { deleted: 1 } });
    expect(await core.dispatch('photos:get', { photoId }, call)).toMatchObject({ ok: false, error: { code: 'not-found' } });
    expect(await core.dispatch('photos:list', { projectId }, call)).toMatchObject({ ok: true, value: { total: 1 } });
    const token = deleted.ok ? (deleted.value as { undoToken: string }).undoToken : '';
    expect(await core.dispatch('photos:undoDelete', { undoToken: token }, call)).toMatchObject({ ok: true, value: { restored: 1 } });
    expect(await core.dispatch('photos:get', { photoId }, call)).toMatchObject({ ok: true, value: { id: photoId } });
    expect(await core.dispatch('photos:undoDelete', { undoToken: token }, call)).toMatchObject({ ok: false, error: { code: 'not-found' } });
    expect(await core.dispatch('faces:list', { photoId }, call)).toMatchObject({ ok: true, value: { faces: [] } });
  });

  it('runs the engine face pipeline on import: faces, landmarks, ages, aligned crops', async () => {
    const read = (name: string) => new Uint8Array(readFileSync(join('tests/fixtures/photos', name)));
    const project = await core.dispatch('projects:create', { name: 'Faces' }, call);
    const projectId = project.ok ? (project.value as { id: string }).id : '';
    const progress: unknown[] = [];
    const off = core.events.subscribe((event, payload) => event === 'photos:importProgress' && progress.push(payload));
    const r = await core.dispatch(
      'photos:import',
      {
        projectId,
        importId: 'imp-1',
        source: {
          kind: 'bytes',
          files: [
            { name: 'one-face.jpg', bytes: read('one-face.jpg') },
            { name: 'no-face.jpg', bytes: read('no-face.jpg') },
            { name: 'fake.jpg', bytes: read('fake.jpg') },
          ],
        },
      },
      call,
    );
    off();
    expect(r.ok).toBe(true);
    expect(progress).toHaveLength(3);
    expect(progress.at(-1)).toMatchObject({ importId: 'imp-1', done: 3, total: 3 });
    const v = r.ok ? (r.value as { imported: { id: string; name: string; faceCount: number; estimatedAge: number | null }[]; failed: { name: string }[] }) : null;
    const one = v?.imported.find((p) => p.name === 'one-face.jpg');
    expect(one?.faceCount).toBe(1);
    expect(one?.estimatedAge).toBeGreaterThan(5);
    expect(one?.estimatedAge).toBeLessThan(95);
    // A photo without a face is kept, with no faces; a file that is no image is refused.
    expect(v?.imported.find((p) => p.name === 'no-face.jpg')?.faceCount).toBe(0);
    expect(v?.failed.map((f) => f.name)).toEqual(['fake.jpg']);

    const faces = await core.dispatch('faces:list', { photoId: one?.id }, call);
    const face = faces.ok ? (faces.value as { faces: { landmarks: unknown[]; box: { width: number } }[] }).faces[0] : undefined;
    expect(face?.landmarks).toHaveLength(68);
    expect(face?.box.width).toBeGreaterThan(20);
    const crop = await core.dispatch('faces:crop', { photoId: one?.id, faceIndex: 0 }, call);
    expect(crop).toMatchObject({ ok: true, value: { image: { mime: 'image/png', width: 256, height: 256 } } });
    const png = crop.ok ? (crop.value as { image: { bytes: Uint8Array } }).image.bytes : new Uint8Array();
    expect(await sharp(png).metadata()).toMatchObject({ format: 'png', width: 256 });
    expect(await core.dispatch('faces:crop', { photoId: one?.id, faceIndex: 3 }, call)).toMatchObject({ ok: false, error: { code: 'not-found' } });
    const redetect = await core.dispatch('faces:detect', { photoId: one?.id, force: true }, call);
    expect(redetect.ok && (redetect.value as { faces: unknown[] }).faces).toHaveLength(1);
  });

  it('persists settings and restarts the engine when the backend changes', async () => {
    expect(await core.dispatch('settings:get', {}, call)).toMatchObject({ ok: true, value: { theme: 'system', backendOverride: 'auto' } });
    const themed = await core.dispatch('settings:set', { theme: 'dark' }, call);
    expect(themed).toMatchObject({ ok: true, value: { settings: { theme: 'dark' }, engineRestarted: false } });
    expect(JSON.parse(readFileSync(join(dir, 'config', 'settings.json'), 'utf8'))).toMatchObject({ theme: 'dark' });
    expect(await core.dispatch('settings:set', { libraryDir: '/etc' }, call)).toMatchObject({ ok: false, error: { code: 'invalid-payload' } });

    const cpu = await core.dispatch('settings:set', { backendOverride: 'cpu' }, call);
    expect(cpu).toMatchObject({ ok: true, value: { engineRestarted: true } });
    const pong = await core.dispatch('system:ping', {}, call);
    expect(pong).toMatchObject({ ok: true, value: { backend: 'cpu' } });
    expect(await core.dispatch('system:status', {}, call)).toMatchObject({ ok: true, value: { state: 'ready', backend: 'cpu' } });
    expect(await core.dispatch('settings:chooseLibraryLocation', {}, call)).toMatchObject({ ok: false, error: { code: 'unsupported' } });
  });
});

describe('window security helpers', () => {
  it('keeps the CSP meta tag in index.html equal to the one main sends', () => {
    const html = readFileSync('renderer/index.html', 'utf8');
    const meta = /http-equiv="Content-Security-Policy" content="([^"]+)"/.exec(html)?.[1];
    expect(meta).toBe(CSP_META);
    expect(CSP_META).toContain("script-src 'self'");
    expect(CSP_META).not.toContain("'unsafe-eval'");
  });

  it('accepts IPC only from the app page', () => {
    const index = 'file:///opt/studio/resources/app.asar/dist/renderer/index.html';
    expect(isAppPage(`${index}#/age`, index)).toBe(true);
    expect(isAppPage('file:///tmp/evil/index.html', index)).toBe(false);
    expect(isAppPage('https://example.com/dist/renderer/index.html', index)).toBe(false);
    expect(isAppPage('not a url', index)).toBe(false);
  });
});

describe('cancellations', () => {
  it('supersedes older requests under the same key and cancels by id', async () => {
    const { Cancellations } = await import('../../../../main/core/cancellations');
    const c = new Cancellations();
    const first = c.begin('r1', 'preview:p1');
    const other = c.begin('r9', 'preview:p2');
    const second = c.begin('r2', 'preview:p1');
    expect(first.aborted).toBe(true);
    expect(second.aborted).toBe(false);
    expect(other.aborted).toBe(false);
    expect(c.cancel('r2')).toBe(true);
    expect(second.aborted).toBe(true);
    expect(c.cancel('r2')).toBe(false);
    c.end('r9');
    expect(c.cancel('r9')).toBe(false);
    expect(c.running).toBe(0);
    expect(await core.dispatch('aging:cancel', { requestId: 'nothing-running' }, call)).toEqual({ ok: true, value: { cancelled: false } });
  });
});

describe('shipped models', () => {
  it('registers checkpoint folders from assets/models once, as undeletable base models with their card', async () => {
    const { mkdirSync, writeFileSync } = await import('node:fs');
    const assets = join(dir, 'assets');
    const model = join(assets, 'models', 'cyclegan-young-old');
    mkdirSync(model, { recursive: true });
    const meta = { format: 'face-age-checkpoint', version: 1, kind: 'cyclegan', config: { resolution: 128, ageRange: [10, 80] }, step: 4000, metrics: { ageMae: 7.5 } };
    writeFileSync(join(model, 'meta.json'), JSON.stringify(meta));
    writeFileSync(join(model, 'G_A.json'), '{"params":[]}');
    writeFileSync(join(model, 'MODEL_CARD.md'), '# CycleGAN young/old\nTrained on UTKFace.\n');
    mkdirSync(join(assets, 'models', 'age-classifier'));
    writeFileSync(join(assets, 'models', 'age-classifier', 'meta.json'), '{"format":"something-else"}');

    const open = () =>
      createStudioCore({
        host: 'test',
        configDir: join(dir, 'config-shipped'),
        defaultLibraryDir: join(dir, 'library-shipped'),
        assetsDir: assets,
        engineLauncher: forkLauncher(join(dir, 'no-engine-needed.cjs')),
        versions: { app: 'test', electron: null, chrome: null },
      });
    const first = open();
    const list = await first.dispatch('models:list', {}, call);
    const models = list.ok ? (list.value as { models: { id: string; name: string; origin: string; trainingSteps: number; ageRange: number[]; metrics: Record<string, number> }[] }).models : [];
    expect(models).toHaveLength(1);
    expect(models[0]).toMatchObject({ name: 'cyclegan-young-old', origin: 'shipped', trainingSteps: 4000, ageRange: [10, 80], metrics: { ageMae: 7.5 } });
    const detail = await first.dispatch('models:get', { modelId: models[0]?.id }, call);
    expect(detail).toMatchObject({ ok: true, value: { card: expect.stringContaining('UTKFace') } });
    expect(await first.dispatch('models:delete', { modelId: models[0]?.id }, call)).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    await first.close();

    const second = open();
    const again = await second.dispatch('models:list', {}, call);
    expect(again.ok && (again.value as { models: unknown[] }).models).toHaveLength(1);
    await second.close();
  });
});
