/**
 * export:start guards through the real core and engine process:
 * - a killed export's hidden `.<name>.<uuid>.partial` in a granted folder (left by a real
 *   SIGKILLed process mid-write) is removed at the next start, or when the next export into that
 *   folder ends; nothing else in the folder is ever touched, even if the journal names it;
 * - a bad model (unknown id, weights without meta.json, weights gone) is refused by export:start
 *   with not-found before any job exists.
 */
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StudioCore } from '../../../../main/core/core';
import type { ExportJob } from '../../../../preload/schemas/export';
import { startTestCore } from '../../../helpers/core-fixtures';
import { bundleEngine } from '../../../helpers/engine-bundle';
import { kill9, startJsonChild } from '../../../helpers/process-helpers';

const ASSETS = resolve(__dirname, '..', '..', '..', '..', 'assets');
const PHOTO = join(__dirname, '..', '..', '..', 'fixtures', 'photos', 'one-face.jpg');
const call = { host: 'test' as const };
const OTHER_UUID = '0b0e7a54-1f0c-4c1e-9d2a-6f1e2d3c4b5a';
let dir = '';
let granted = '';
let journal = '';
let core: StudioCore | null = null;

function value<T>(r: { ok: boolean; value?: unknown; error?: unknown }): T {
  if (!r.ok) throw new Error(`request failed: ${JSON.stringify(r.error)}`);
  return r.value as T;
}

/** A real process journals and writes an export temp file, and is SIGKILLed mid-write. */
async function killedExport(finalName: string): Promise<string> {
  const c = startJsonChild(join(dir, 'partials-child.cjs'), [journal, granted, finalName]);
  const { path } = (await c.waitFor((l) => l.ready === true)) as { path: string };
  expect(await kill9(c)).toBe(true);
  return path;
}

const journaled = () => JSON.parse(readFileSync(journal, 'utf8')) as string[];

/** Files the user put in the folder, which no sweep may touch (one even has our exact pattern). */
const DECOYS = ['keep.jpg', '.keep.jpg.partial', `.mine.jpg.${OTHER_UUID}.partial`, '.hidden'];

beforeAll(async () => {
  ({ dir } = await bundleEngine('export-guards', { 'partials-child.cjs': 'tests/children/export-partials-child.ts' }));
  granted = join(dir, 'granted');
  mkdirSync(granted);
  journal = join(dir, 'config', 'export-partials.json');
  for (const d of DECOYS) writeFileSync(join(granted, d), 'user data');
}, 60_000);

afterAll(async () => {
  await core?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('hidden temp files of killed exports', () => {
  it('are removed at the next start; the journal never makes a sweep delete anything else', async () => {
    const left = await killedExport('one-face-age70.jpg');
    expect(readdirSync(granted)).toContain(left.slice(granted.length + 1));
    expect(journaled()).toEqual([left]);
    // A journal naming a user's file (tampered or stale) must not delete it: the name is not ours.
    writeFileSync(journal, JSON.stringify([...journaled(), join(granted, 'keep.jpg'), join(granted, '.hidden')]));

    core = startTestCore(dir, { assetsDir: ASSETS });
    expect(await core.exportPartials.swept).toBe(1);
    expect(existsSync(left)).toBe(false);
    expect(readdirSync(granted).sort()).toEqual([...DECOYS].sort());
    for (const d of DECOYS) expect(readFileSync(join(granted, d), 'utf8')).toBe('user data');
    expect(journaled()).toEqual([]);
  });

  it('are removed when the next export into that folder ends; its own files stay', async () => {
    const c = core as StudioCore;
    const lib = await c.context.library();
    const project = value<{ id: string }>(await c.dispatch('projects:create', { name: 'Guards' }, call));
    const files = [{ name: 'one-face.jpg', bytes: new Uint8Array(readFileSync(PHOTO)) }];
    const photoId = value<{ imported: { id: string }[] }>(
      await c.dispatch('photos:import', { projectId: project.id, source: { kind: 'bytes', files } }, call),
    ).imported[0].id;
    const model = lib.listModels().find((m) => m.kind === 'prototype' && m.name === 'prototype');
    expect(model).toBeDefined();

    const left = await killedExport('one-face-age40.jpg');
    expect(existsSync(left)).toBe(true);
    const { grantId } = c.context.grants.issue(granted, 'destination');
    const finished = new Promise<ExportJob>((res) => {
      const off = c.events.subscribe((ev, p) => {
        const job = p as ExportJob;
        if (ev === 'export:progress' && job.state !== 'running') {
          off();
          res(job);
        }
      });
    });
    value(await c.dispatch('export:start', {
      photoIds: [photoId], modelId: String(model!.id), ages: [60], format: 'jpeg', quality: 80, layout: 'files', destination: { kind: 'grant', grantId },
    }, call));
    const job = await finished;
    expect(job.state).toBe('done');
    expect(existsSync(left)).toBe(false);
    expect(readdirSync(granted).sort()).toEqual([...DECOYS, ...job.outputs].sort());
    expect(job.outputs).toEqual(['one-face-age60.jpg']);
    expect(journaled()).toEqual([]);
  }, 120_000);
});

describe('export:start checks its model before queuing a job', () => {
  async function refused(modelId: string): Promise<{ code: string; message: string }> {
    const c = core as StudioCore;
    const lib = await c.context.library();
    const photo = lib.listPhotos({ projectId: lib.listProjects()[0].id }).items[0];
    const events: unknown[] = [];
    const off = c.events.subscribe((ev, p) => ev === 'export:progress' && events.push(p));
    const before = value<{ exports: unknown[] }>(await c.dispatch('export:list', {}, call)).exports.length;
    const r = await c.dispatch('export:start', {
      photoIds: [String(photo.id)], modelId, ages: [60], format: 'jpeg', quality: 80, layout: 'files', destination: { kind: 'download' },
    }, call);
    off();
    expect(r.ok).toBe(false);
    // No job was created: nothing listed, no progress event.
    expect(value<{ exports: unknown[] }>(await c.dispatch('export:list', {}, call)).exports.length).toBe(before);
    expect(events).toEqual([]);
    return (r as { error: { code: string; message: string } }).error;
  }

  it('an unknown model id is not-found', async () => {
    expect(await refused('999999')).toMatchObject({ code: 'not-found' });
  });

  it('weights without meta.json, or whose folder is gone, are not-found', async () => {
    const c = core as StudioCore;
    const lib = await c.context.library();
    const junk = join(dir, 'junk-model');
    mkdirSync(junk);
    writeFileSync(join(junk, 'weights.bin'), Buffer.alloc(64));
    const noMeta = await lib.registerModel({ kind: 'cyclegan', name: 'no meta', isBase: false, weightsDir: junk, config: {} });
    const err = await refused(String(noMeta.id));
    expect(err.code).toBe('not-found');
    expect(err.message).toMatch(/no meta\.json/);

    const proto = lib.listModels().find((m) => m.kind === 'prototype' && m.name === 'prototype')!;
    const gone = await lib.registerModel({ kind: 'prototype', name: 'gone', isBase: false, weightsDir: lib.modelWeightsPath(proto.id), config: {} });
    rmSync(lib.modelWeightsPath(gone.id), { recursive: true, force: true });
    expect(await refused(String(gone.id))).toMatchObject({ code: 'not-found' });
  });
});
