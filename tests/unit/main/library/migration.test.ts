import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { headerOnlyAnalyzer } from '../../../../main/library/image-check';
import { Library } from '../../../../main/library/library';
import { LATEST_VERSION, migrate, schemaVersion } from '../../../../main/library/migrations';
import { distinctJpeg } from '../../../fixtures/library/make-images';
import { buildV1Library } from '../../../fixtures/library/make-v1-library';

const FIXTURE = path.join(__dirname, '..', '..', '..', 'fixtures', 'library', 'v1');
const dirs: string[] = [];

function tempDir(): string {
  const d = mkdtempSync(path.join(os.tmpdir(), 'lib-mig-'));
  dirs.push(d);
  return d;
}

afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function schemaOf(file: string): string[] {
  const db = new Database(file, { readonly: true });
  const sql = (db.prepare("SELECT sql FROM sqlite_master WHERE sql NOT NULL ORDER BY name").all() as { sql: string }[]).map(
    (r) => r.sql,
  );
  db.close();
  return sql;
}

async function expectUpgradedV1(dir: string): Promise<void> {
  const lib = await Library.open(dir);
  try {
    // Nothing in a healthy v1 library is an orphan or missing.
    expect(lib.recovery).toMatchObject({ orphanFilesRemoved: 0, photosMarkedMissing: 0, samplesDropped: 0, exportsDropped: 0 });
    expect(lib.integrityCheck()).toEqual(['ok']);
    expect(lib.schemaVersion).toBe(LATEST_VERSION);

    // Largest face's age was backfilled into the new column; age filtering works on old photos.
    const photo = lib.getPhoto(1);
    expect(photo).toMatchObject({ name: 'grandpa.jpg', estimatedAge: 52, labelAge: null, missing: false, tags: [] });
    expect(lib.listPhotos({ projectId: 1, minAge: 50, maxAge: 60 }).total).toBe(1);

    // Loss series moved from the JSON column to run_metrics, step by step.
    expect(lib.getRunMetrics(1)).toEqual([
      { name: 'D', steps: [1, 2], values: [0.7, 0.6] },
      { name: 'G', steps: [1, 2], values: [2.5, 2.0] },
    ]);
    // The run a v1 studio left running is interrupted: a status v1's CHECK could not hold.
    expect(lib.getRun(2).status).toBe('interrupted');
    expect(lib.getRunMetrics(2)).toEqual([{ name: 'G', steps: [1], values: [3.0] }]);
    expect(lib.listRunSamples(1)).toHaveLength(1);
    expect(lib.listExports({ photoId: 1 })[0]).toMatchObject({ targetAge: 70, modelId: 1, settings: { feather: 8 } });
    expect(lib.getModel(1)).toMatchObject({ name: 'UTK base', isBase: true, metrics: { ageMae: 7.2 } });

    // New features work on the upgraded library.
    lib.tagPhotos([1], ['family']);
    expect(lib.listTags(1)).toEqual([{ name: 'family', count: 1 }]);
    const res = await lib.importPhotos(1, [{ name: 'new.jpg', bytes: await distinctJpeg(77) }], headerOnlyAnalyzer);
    expect(res[0].status).toBe('imported');
    lib.recordRunProgress(lib.setRunStatus(2, 'running').id, 2, [{ step: 2, values: { G: 2.9 } }]);
    expect(lib.getRunMetrics(2)[0].values).toEqual([3.0, 2.9]);
  } finally {
    lib.close();
  }
  const db = new Database(path.join(dir, 'library.sqlite'));
  expect(schemaVersion(db)).toBe(LATEST_VERSION);
  expect(db.pragma('foreign_key_check')).toEqual([]);
  const runCols = (db.pragma('table_info(runs)') as { name: string }[]).map((c) => c.name);
  expect(runCols).not.toContain('loss_series');
  db.close();
}

describe('library migrations', () => {
  it('has at least two numbered migrations', () => {
    expect(LATEST_VERSION).toBeGreaterThanOrEqual(2);
  });

  it('upgrades the committed version-1 library', async () => {
    const dir = tempDir();
    cpSync(FIXTURE, dir, { recursive: true });
    const db = new Database(path.join(dir, 'library.sqlite'), { readonly: true });
    expect(schemaVersion(db)).toBe(1);
    db.close();
    await expectUpgradedV1(dir);
  });

  it('migration 1 still builds exactly the committed version-1 schema', async () => {
    const fresh = tempDir();
    const db = new Database(path.join(fresh, 'library.sqlite'));
    expect(migrate(db, 1)).toEqual([1]);
    db.close();
    // Read the fixture from a copy: closing the last connection to a WAL database deletes its
    // -wal/-shm files, which would change the committed fixture.
    const copy = tempDir();
    cpSync(FIXTURE, copy, { recursive: true });
    expect(schemaOf(path.join(fresh, 'library.sqlite'))).toEqual(schemaOf(path.join(copy, 'library.sqlite')));
  });

  it('upgrades a version-1 library built in the test by applying migration 1 only', async () => {
    const dir = tempDir();
    await buildV1Library(dir);
    await expectUpgradedV1(dir);
  });

  it('refuses a library written by a newer schema without touching it', async () => {
    const dir = tempDir();
    const db = new Database(path.join(dir, 'library.sqlite'));
    migrate(db);
    db.pragma(`user_version = ${LATEST_VERSION + 5}`);
    db.close();
    await expect(Library.open(dir)).rejects.toThrow(/newer version of the studio/);
  });
});
