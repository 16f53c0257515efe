/**
 * Crash safety of export (issue 11): a real studio core with its real engine process exports a
 * real photo through the shipped prototype model in a loop, into the library's export store and
 * into a granted folder, and main is SIGKILLed at random moments, KILLS times on the same library
 * and folder. After every kill:
 * - SQLite's integrity check passes before any recovery; after the next open's recovery no row
 *   points at a missing file, no file is orphaned, the temp folder is empty;
 * - every export row points at a complete image (decodes to its recorded size and byte count),
 *   and no export acknowledged before the kill is lost;
 * - the granted folder holds only complete, decodable images under final names; an interrupted
 *   write can only leave a hidden `.<name>.<uuid>.partial` file, never a partial final file;
 * - the engine process does not outlive the killed main.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Library } from '../../../../main/library/library';
import { expectConsistentLibrary } from '../../../fixtures/library/check-consistency';
import { startTestCore } from '../../../helpers/core-fixtures';
import { bundleEngine } from '../../../helpers/engine-bundle';
import { expectSqliteIntact, kill9, sleep, startJsonChild, type JsonChild } from '../../../helpers/process-helpers';

const KILLS = 10;
const ASSETS = resolve(__dirname, '..', '..', '..', '..', 'assets');
const PHOTO = join(__dirname, '..', '..', '..', 'fixtures', 'photos', 'one-face.jpg');
let dir = '';
let granted = '';
let libDir = '';

beforeAll(async () => {
  ({ dir } = await bundleEngine('kill-export', { 'export-child.cjs': 'tests/children/export-child.ts' }));
  granted = join(dir, 'granted');
  mkdirSync(granted);
  libDir = join(dir, 'library');
  // One real import (face detection in the real engine) and the shipped prototype registered.
  const core = startTestCore(dir, { assetsDir: ASSETS });
  try {
    const call = { host: 'test' as const };
    const project = await core.dispatch('projects:create', { name: 'Kill' }, call);
    if (!project.ok) throw new Error(JSON.stringify(project.error));
    const files = [{ name: 'one-face.jpg', bytes: new Uint8Array(readFileSync(PHOTO)) }];
    const r = await core.dispatch('photos:import', { projectId: (project.value as { id: string }).id, source: { kind: 'bytes', files } }, call);
    if (!r.ok) throw new Error(JSON.stringify(r.error));
  } finally {
    await core.close();
  }
}, 180_000);

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Decodes every pixel (a truncated file fails here, not only at the header). */
async function decodeFully(bytes: Buffer): Promise<{ width: number; height: number }> {
  const { info } = await sharp(bytes).raw().toBuffer({ resolveWithObject: true });
  return { width: info.width, height: info.height };
}

describe('SIGKILL of main during exports', () => {
  it(`leaves only complete exports after ${KILLS} kills at random moments`, async () => {
    let ackRows = 0;
    let ackGranted = 0;
    let exportsDone = 0;
    let partialsLeft = 0;
    let kills = 0;
    let killedWhileExporting = 0;
    for (let i = 0; i < KILLS; i++) {
      const c: JsonChild = startJsonChild(join(dir, 'export-child.cjs'), [dir, granted, ASSETS, String(i * 7)]);
      let enginePid: number | null = null;
      if (i % 4 === 3) {
        // Early: while main opens the library, runs recovery or starts the engine.
        await sleep(200 + Math.floor(Math.random() * 1500));
      } else {
        enginePid = (await c.waitFor((l) => l.ready === true)).enginePid as number;
        // At least one export finished in this session before some of the kills, none before others.
        if (i % 4 === 0) await c.waitFor((l) => typeof l.done === 'number');
        await sleep(Math.floor(Math.random() * 1200));
      }
      if (await kill9(c)) kills++;
      expect(c.stderr()).not.toMatch(/Error/);
      enginePid ??= (c.lines.find((l) => l.ready === true)?.enginePid as number | undefined) ?? null;
      const done = c.lines.filter((l) => typeof l.done === 'number') as Array<{ destination: string; outputs: string[]; rows: number }>;
      // Once ready, the child always has an export in flight (rendering or saving).
      if (enginePid !== null) killedWhileExporting++;
      exportsDone += done.length;
      for (const d of done) {
        if (d.destination === 'grant') ackGranted += d.outputs.length;
        ackRows = Math.max(ackRows, d.rows);
      }

      // The engine notices that main is gone and exits by itself.
      if (enginePid !== null) {
        for (let t = 0; t < 100 && alive(enginePid); t++) await sleep(100);
        const orphan = alive(enginePid);
        if (orphan) process.kill(enginePid, 'SIGKILL');
        expect(orphan, `engine ${enginePid} outlived main`).toBe(false);
      }

      expectSqliteIntact(libDir);

      const lib = await Library.open(libDir);
      try {
        expect(lib.integrityCheck()).toEqual(['ok']);
        const rows = lib.listExports({});
        expect(rows.length).toBeGreaterThanOrEqual(ackRows);
        for (const row of rows) {
          const bytes = await lib.readExport(row.id);
          expect(bytes.length).toBe(row.byteSize);
          expect(await decodeFully(bytes)).toEqual({ width: row.width, height: row.height });
        }
        expect(lib.listPhotos({ projectId: lib.listProjects()[0].id }).items.length).toBe(1);
      } finally {
        lib.close();
      }
      expectConsistentLibrary(libDir);

      const names = readdirSync(granted);
      const finals = names.filter((n) => !n.startsWith('.'));
      const partials = names.filter((n) => n.startsWith('.'));
      for (const p of partials) expect(p).toMatch(/^\..+\.[0-9a-f-]{36}\.partial$/);
      partialsLeft = partials.length;
      expect(finals.length).toBeGreaterThanOrEqual(ackGranted);
      for (const n of finals) {
        expect(n).toMatch(/^one-face-age\d+( \(\d+\))?\.(jpg|png|webp)$/);
        const img = await decodeFully(readFileSync(join(granted, n)));
        expect(img).toEqual({ width: 640, height: 800 });
      }
    }
    expect(kills).toBe(KILLS);
    expect(exportsDone).toBeGreaterThan(0);
    expect(killedWhileExporting).toBeGreaterThan(0);
    expect(existsSync(join(libDir, 'tmp')) ? readdirSync(join(libDir, 'tmp')) : []).toEqual([]);
    console.log(`export kill test: ${kills} kills survived, ${exportsDone} exports finished between kills, ${killedWhileExporting} kills mid-export, ${ackRows}+ library export rows all complete, ${readdirSync(granted).filter((n) => !n.startsWith('.')).length} granted files all complete, ${partialsLeft} hidden .partial left`);
  });
});
