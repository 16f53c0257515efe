import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, promises as fsp, readdirSync, rmSync, writeFileSync } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LibraryError } from '../../../../main/library/errors';
import type { FsOps } from '../../../../main/library/file-store';
import { headerOnlyAnalyzer } from '../../../../main/library/image-check';
import { Library } from '../../../../main/library/library';
import { checkLibraryFolder, expectConsistentLibrary } from '../../../fixtures/library/check-consistency';
import { distinctJpeg, noisyJpeg } from '../../../fixtures/library/make-images';

// Full and read-only disks. Where this process may mount (root in a container that allows it),
// the disks are real: a 2 MB tmpfs that fills up, and a read-only bind mount. Where it may not,
// the same tests run against an injected fs whose writes fail with ENOSPC / EROFS, and say so.
// The injected-fault tests also always run: they hit failure points a real full disk hits by chance.

let work: string;
const mounts: string[] = [];

function tryMount(args: string[], target: string): boolean {
  // LIBRARY_TEST_NO_MOUNT=1 exercises the simulated path on a machine that could mount.
  if (process.env.LIBRARY_TEST_NO_MOUNT === '1') return false;
  try {
    execFileSync('mount', [...args, target], { stdio: 'ignore' });
    mounts.push(target);
    return true;
  } catch {
    return false;
  }
}

beforeAll(() => {
  work = mkdtempSync(path.join(os.tmpdir(), 'lib-fault-'));
});

afterAll(() => {
  for (const m of mounts.reverse()) {
    try {
      execFileSync('umount', ['-l', m], { stdio: 'ignore' });
    } catch {
      // already gone
    }
  }
  rmSync(work, { recursive: true, force: true });
});

function errnoError(code: string): NodeJS.ErrnoException {
  return Object.assign(new Error(`${code}: simulated`), { code });
}

/** fs/promises whose file writes fail with `code` once `failing()` is true (after writing half). */
function faultyFs(code: string, failing: () => boolean): FsOps {
  const wrap = (fh: FileHandle): FileHandle =>
    new Proxy(fh, {
      get(target, prop, receiver) {
        if (prop === 'write' && failing()) {
          return async (buf: Uint8Array, off = 0, len = buf.byteLength - off) => {
            await target.write(buf, off, Math.floor(len / 2));
            throw errnoError(code);
          };
        }
        const v = Reflect.get(target, prop, receiver);
        return typeof v === 'function' ? v.bind(target) : v;
      },
    });
  return {
    ...fsp,
    open: (async (p: string, flags?: string, mode?: number) => {
      if (failing() && code === 'EROFS' && flags === 'wx') throw errnoError(code);
      return wrap(await fsp.open(p, flags, mode));
    }) as FsOps['open'],
    copyFile: (async (src: string, dst: string) => {
      if (failing()) throw errnoError(code);
      return fsp.copyFile(src, dst);
    }) as FsOps['copyFile'],
  };
}

function expectClean(dir: string, photos: number): void {
  expect(expectConsistentLibrary(dir).counts.photos).toBe(photos);
}

describe('full disk', () => {
  it('fills a real 2 MB tmpfs (or a simulated one): clear errors, consistent library, usable after freeing space', async () => {
    const mnt = path.join(work, 'full');
    mkdirSync(mnt);
    const real = tryMount(['-t', 'tmpfs', '-o', 'size=2m', 'tmpfs'], mnt);
    let budget = 1_600_000;
    const simulated = faultyFs('ENOSPC', () => budget <= 0);
    const dir = path.join(mnt, 'lib');
    console.log(real ? 'full disk: real 2 MB tmpfs' : 'full disk: mount not permitted, simulated ENOSPC');
    let lib = await Library.open(dir, real ? {} : { fs: simulated });
    const project = lib.createProject({ name: 'Full' });
    let imported = 0;
    let refusal: { code: string; message: string } | null = null;
    for (let i = 0; i < 40 && !refusal; i++) {
      const bytes = await noisyJpeg(i + 1, 300); // ~95 kB each
      budget -= bytes.length;
      const [r] = await lib.importPhotos(project.id, [{ name: `n${i}.jpg`, bytes }], headerOnlyAnalyzer);
      if (r.status === 'imported') imported++;
      else if (r.status === 'error') refusal = r;
    }
    expect(refusal).toMatchObject({ code: 'disk-full' });
    expect(refusal!.message).toMatch(/disk is full/);
    expect(imported).toBeGreaterThan(3);
    expect(readdirSync(path.join(dir, 'tmp'))).toEqual([]);
    if (real) {
      // SQLite itself hits the full disk too: a clear error, not a corrupt database.
      let dbError: unknown = null;
      for (let i = 0; i < 500 && !dbError; i++) {
        try {
          lib.createProject({ name: `${'p'.repeat(190)}${i}` });
        } catch (err) {
          dbError = err;
        }
      }
      expect(dbError).toBeInstanceOf(LibraryError);
      expect((dbError as LibraryError).code).toBe('disk-full');
    }
    expect(lib.listPhotos({ projectId: project.id }).total).toBe(imported);
    expect(lib.integrityCheck()).toEqual(['ok']);
    lib.close();
    expectClean(dir, imported);

    // Free space by deleting photos, then import again.
    budget = 1_000_000;
    lib = await Library.open(dir, real ? {} : { fs: simulated });
    const ids = lib.listPhotos({ projectId: project.id, limit: 4 }).items.map((p) => p.id);
    expect(await lib.deletePhotos(ids)).toBe(4);
    const [again] = await lib.importPhotos(project.id, [{ name: 'after.jpg', bytes: await noisyJpeg(999, 200) }], headerOnlyAnalyzer);
    expect(again.status).toBe('imported');
    lib.close();
    expectClean(dir, imported - 4 + 1);
  });

  it('simulated ENOSPC mid-write (injected fs): photos, model weights and exports refused cleanly', async () => {
    const dir = path.join(work, 'enospc');
    let fail = false;
    const lib = await Library.open(dir, { fs: faultyFs('ENOSPC', () => fail) });
    const p = lib.createProject({ name: 'Sim' });
    const [ok] = await lib.importPhotos(p.id, [{ name: 'ok.jpg', bytes: await distinctJpeg(1) }], headerOnlyAnalyzer);
    expect(ok.status).toBe('imported');
    fail = true;
    const res = await lib.importPhotos(
      p.id,
      [{ name: 'a.jpg', bytes: await distinctJpeg(2) }, { name: 'b.jpg', bytes: await distinctJpeg(3) }],
      headerOnlyAnalyzer,
    );
    expect(res.map((r) => (r.status === 'error' ? r.code : r.status))).toEqual(['disk-full', 'disk-full']);
    const weights = path.join(work, 'weights-src');
    mkdirSync(weights, { recursive: true });
    writeFileSync(path.join(weights, 'model.json'), '{}');
    await expect(
      lib.registerModel({ kind: 'age-cgan', name: 'base', isBase: true, weightsDir: weights, config: {} }),
    ).rejects.toMatchObject({ code: 'disk-full' });
    const photoId = ok.status === 'imported' ? ok.photoId : -1;
    await expect(lib.recordExport({ photoId, targetAge: 50, bytes: await distinctJpeg(4) })).rejects.toMatchObject({
      code: 'disk-full',
    });
    expect(lib.listModels()).toEqual([]);
    expect(lib.listExports()).toEqual([]);
    expect(readdirSync(path.join(dir, 'tmp'))).toEqual([]);
    lib.close();
    expectClean(dir, 1);
  });
});

describe('read-only disk', () => {
  it('refuses to open a library on a read-only mount (or simulated EROFS) with a clear error, leaving it intact', async () => {
    const dir = path.join(work, 'rw-lib');
    const lib = await Library.open(dir);
    const p = lib.createProject({ name: 'RO' });
    await lib.importPhotos(p.id, [{ name: 'a.jpg', bytes: await distinctJpeg(5) }], headerOnlyAnalyzer);
    lib.close();
    const before = checkLibraryFolder(dir);

    const roView = path.join(work, 'ro-view');
    mkdirSync(roView);
    const real = tryMount(['--bind', dir], roView) && tryMount(['-o', 'remount,bind,ro'], roView);
    console.log(real ? 'read-only: real read-only bind mount' : 'read-only: mount not permitted, simulated EROFS');
    const opening = real
      ? Library.open(roView)
      : Library.open(dir, { fs: { ...fsp, access: async () => Promise.reject(errnoError('EROFS')) } as FsOps });
    await expect(opening).rejects.toMatchObject({ code: 'read-only' });
    await expect(opening).rejects.toThrow(/is read-only \(EROFS\).*Make it writable/);
    if (real) expect(() => writeFileSync(path.join(roView, 'probe'), 'x')).toThrow(/EROFS/);

    expect(checkLibraryFolder(dir)).toEqual(before);
    const reopened = await Library.open(dir);
    expect(reopened.listPhotos({ projectId: p.id }).total).toBe(1);
    reopened.close();
  });

  it('a store that turns read-only while open (injected EROFS) refuses writes per file, writes nothing', async () => {
    const dir = path.join(work, 'ro-later');
    let ro = false;
    const lib = await Library.open(dir, { fs: faultyFs('EROFS', () => ro) });
    const p = lib.createProject({ name: 'Later' });
    ro = true;
    const [r] = await lib.importPhotos(p.id, [{ name: 'a.jpg', bytes: await distinctJpeg(6) }], headerOnlyAnalyzer);
    expect(r).toMatchObject({ status: 'error', code: 'read-only' });
    expect(r.status === 'error' && r.message).toMatch(/cannot be written.*read-only/);
    expect(lib.listPhotos({ projectId: p.id }).total).toBe(0);
    lib.close();
    expectClean(dir, 0);
    expect(existsSync(path.join(dir, 'files', 'projects'))).toBe(false);
  });
});
