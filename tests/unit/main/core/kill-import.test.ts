/**
 * Crash safety of import (issue 11), the durability side that library-crash.test.ts (16 kills
 * during mixed mutations: integrity, rows vs. files, orphans) does not check: a real process
 * imports real JPEGs in a loop and is SIGKILLed at random moments, KILLS times on one library.
 * After every kill every photo the library had acknowledged (importPhotos returned) is still
 * there, not marked missing, with the same content hash as the bytes given, readable back; SQLite
 * integrity holds before recovery, and after it no row points at a missing file, no orphan file
 * or temp file is left.
 */
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Library } from '../../../../main/library/library';
import { expectConsistentLibrary } from '../../../fixtures/library/check-consistency';
import { bundleEngine } from '../../../helpers/engine-bundle';
import { expectSqliteIntact, kill9, sleep, startJsonChild } from '../../../helpers/process-helpers';

const KILLS = 12;
let dir = '';

beforeAll(async () => {
  ({ dir } = await bundleEngine('kill-import', { 'import-child.cjs': 'tests/children/import-child.ts' }));
});

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('SIGKILL during imports', () => {
  it(`keeps every acknowledged photo across ${KILLS} kills at random moments`, async () => {
    const libDir = join(dir, 'library');
    const acknowledged = new Map<number, string>();
    let kills = 0;
    let recovered = 0;
    for (let i = 0; i < KILLS; i++) {
      const c = startJsonChild(join(dir, 'import-child.cjs'), [libDir, String(i + 1)]);
      if (i % 4 === 3) {
        // While the library opens, migrates or runs recovery.
        await sleep(50 + Math.floor(Math.random() * 400));
      } else {
        await c.waitFor((l) => l.ready === true);
        await sleep(Math.floor(Math.random() * 1500));
      }
      if (await kill9(c)) kills++;
      expect(c.stderr()).not.toMatch(/Error/);
      for (const l of c.lines) {
        for (const p of (l.imported as Array<{ id: number; sha256: string }> | undefined) ?? []) acknowledged.set(p.id, p.sha256);
      }

      expectSqliteIntact(libDir);

      const lib = await Library.open(libDir);
      try {
        const r = lib.recovery;
        recovered += r.tempFilesRemoved + r.orphanFilesRemoved;
        expect(r.photosMarkedMissing).toBe(0);
        expect(lib.integrityCheck()).toEqual(['ok']);
        for (const [id, sha256] of acknowledged) {
          const photo = lib.getPhoto(id);
          expect(photo.missing).toBe(false);
          expect(photo.sha256).toBe(sha256);
          expect(createHash('sha256').update(await lib.readPhotoFile(id)).digest('hex')).toBe(sha256);
        }
      } finally {
        lib.close();
      }
      expectConsistentLibrary(libDir);
    }
    expect(kills).toBe(KILLS);
    expect(acknowledged.size).toBeGreaterThan(KILLS);
    console.log(`import kill test: ${kills} kills survived, ${acknowledged.size} acknowledged photos all intact, ${recovered} temp/orphan files cleaned by recovery`);
  });
});
