import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, promises as fsp, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LibraryError } from '../../../../main/library/errors';
import { headerOnlyAnalyzer } from '../../../../main/library/image-check';
import { Library } from '../../../../main/library/library';
import type { AnalyzeResult, Face } from '../../../../main/library/types';
import { distinctJpeg, jpegClaimingSize, pngImage, wideJpeg } from '../../../fixtures/library/make-images';

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

function face(age: number | null, size = 20): Face {
  return {
    box: { x: 1, y: 2, width: size, height: size },
    score: 0.9,
    landmarks: Array.from({ length: 68 }, (_, i) => ({ x: i, y: i / 2 })),
    age,
    descriptor: Array.from({ length: 128 }, (_, i) => i / 128),
  };
}

/** Analyzer with real header reading and ages chosen per image hash. */
function analyzerWithAges(ages: Map<string, number>) {
  return async (bytes: Buffer): Promise<AnalyzeResult> => {
    const base = await headerOnlyAnalyzer(bytes);
    const age = ages.get(sha(bytes));
    return { ...base, faces: age === undefined ? [] : [face(age, 10), face(age, 30)] };
  };
}

function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => path.join(e.parentPath, e.name));
}

let dir: string;
let lib: Library;

beforeEach(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'lib-api-'));
  lib = await Library.open(dir);
});

afterEach(() => {
  lib.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('projects and photos', () => {
  it('imports real images, detects re-imports by hash and keeps faces, ages and thumbnails', async () => {
    const p = lib.createProject({ name: 'Family' });
    const imgs = await Promise.all([1, 2, 3].map((s) => distinctJpeg(s, 300)));
    const rotated = await distinctJpeg(4, 40, 6); // 40x40 stored; orientation 6
    const ages = new Map([[sha(imgs[0]), 30], [sha(imgs[1]), 62]]);
    const progress: number[] = [];
    const res = await lib.importPhotos(
      p.id,
      [
        { name: 'a.jpg', bytes: imgs[0] },
        { name: 'b.jpg', bytes: imgs[1] },
        { name: 'a-again.jpg', bytes: imgs[0] },
        { name: 'rot.jpg', bytes: rotated },
      ],
      analyzerWithAges(ages),
      (pr) => progress.push(pr.done),
    );
    expect(res.map((r) => r.status)).toEqual(['imported', 'imported', 'duplicate', 'imported']);
    expect(progress).toEqual([1, 2, 3, 4]);
    const first = res[0].status === 'imported' ? res[0].photoId : -1;
    expect(res[2]).toMatchObject({ status: 'duplicate', photoId: first });

    const photo = lib.getPhoto(first);
    expect(photo).toMatchObject({ name: 'a.jpg', width: 300, height: 300, faceCount: 2, estimatedAge: 30 });
    expect(photo.faces[1].landmarks).toHaveLength(68);
    expect(photo.faces[1].descriptor?.[64]).toBeCloseTo(0.5, 6);
    expect((await lib.readPhotoFile(first)).equals(imgs[0])).toBe(true);
    const thumbMeta = await sharp(await lib.readThumbnail(first)).metadata();
    expect([thumbMeta.format, thumbMeta.width]).toEqual(['jpeg', 256]);

    // A second import batch of the same bytes later is still a duplicate, by path too.
    const srcPath = path.join(dir, '..', `${path.basename(dir)}-src.jpg`);
    await fsp.writeFile(srcPath, imgs[1]);
    const again = await lib.importPhotos(p.id, [{ name: 'b2.jpg', path: srcPath }], analyzerWithAges(ages));
    expect(again[0].status).toBe('duplicate');
    await fsp.rm(srcPath);

    const listed = lib.listProjects();
    expect(listed[0]).toMatchObject({ id: p.id, photoCount: 3 });
  });

  it('refuses non-images, truncated files and oversized images before writing anything', async () => {
    const p = lib.createProject({ name: 'Bad input' });
    const good = await distinctJpeg(11, 400);
    const truncated = good.subarray(0, good.length >> 1);
    const res = await lib.importPhotos(
      p.id,
      [
        { name: 'notes.txt', bytes: Buffer.from('this is plainly not a picture, just some text bytes') },
        { name: 'half.jpg', bytes: truncated },
        { name: 'wide.jpg', bytes: await wideJpeg(30_000) },
        { name: 'huge.jpg', bytes: await jpegClaimingSize(12_000, 9_000) },
        { name: 'missing.jpg', path: path.join(dir, 'nope.jpg') },
        { name: 'ok.png', bytes: await pngImage(64, 32) },
      ],
      headerOnlyAnalyzer,
    );
    expect(res.map((r) => (r.status === 'error' ? r.code : r.status))).toEqual([
      'not-an-image',
      'truncated',
      'too-large',
      'too-large',
      'not-found',
      'imported',
    ]);
    const wide = res[2];
    expect(wide.status === 'error' && wide.message).toMatch(/30000 x 8 px.*20,000 px/);
    const huge = res[3];
    expect(huge.status === 'error' && huge.message).toMatch(/108\.0 megapixels/);
    // Only the PNG's original and thumbnail exist: nothing was written for refused files.
    expect(filesUnder(path.join(dir, 'files')).map((f) => path.extname(f)).sort()).toEqual(['.jpg', '.png']);
    expect(filesUnder(path.join(dir, 'tmp'))).toEqual([]);
  });

  it('stores EXIF-oriented dimensions and brings face boxes into that space', async () => {
    const p = lib.createProject({ name: 'Orientation' });
    // 60 x 40 pixels stored, EXIF orientation 6 (rotate 90): displayed 40 x 60.
    const raw = await sharp({ create: { width: 60, height: 40, channels: 3, background: '#468' } })
      .jpeg()
      .withMetadata({ orientation: 6 })
      .toBuffer();
    const halfSize = async (): Promise<AnalyzeResult> => ({
      width: 20, height: 30, orientation: 6, format: 'jpeg',
      faces: [{ ...face(40), box: { x: 5, y: 5, width: 10, height: 12 }, landmarks: [{ x: 10, y: 15 }] }],
    });
    const [ok] = await lib.importPhotos(p.id, [{ name: 'rot.jpg', bytes: raw }], halfSize);
    const photo = lib.getPhoto(ok.status === 'imported' ? ok.photoId : -1);
    expect([photo.width, photo.height, photo.orientation]).toEqual([40, 60, 6]);
    expect(photo.faces[0].box).toEqual({ x: 10, y: 10, width: 20, height: 24 });
    expect(photo.faces[0].landmarks).toEqual([{ x: 20, y: 30 }]);
    const thumb = await sharp(await lib.readThumbnail(photo.id)).metadata();
    expect([thumb.width, thumb.height]).toEqual([40, 60]);

    // An analyzer that ignored the orientation is caught instead of storing misplaced boxes.
    const unrotated = async (): Promise<AnalyzeResult> => ({ width: 60, height: 40, orientation: 1, format: 'jpeg', faces: [] });
    const other = await sharp(raw).withMetadata({ orientation: 8 }).jpeg().toBuffer();
    const [bad] = await lib.importPhotos(p.id, [{ name: 'rot8.jpg', bytes: other }], unrotated);
    expect(bad).toMatchObject({ status: 'error', code: 'invalid-input' });
  });

  it('imports the real fixture photos by path and refuses the fake and a half portrait', async () => {
    const photosDir = path.join(__dirname, '..', '..', '..', 'fixtures', 'photos');
    const p = lib.createProject({ name: 'Portraits' });
    const names = ['one-face.jpg', 'two-faces.jpg', 'rotated-exif.jpg', 'cmyk.jpg', 'grayscale.jpg', 'rgba.png', 'fake.jpg'];
    const half = await fsp.readFile(path.join(photosDir, 'one-face.jpg'));
    const res = await lib.importPhotos(
      p.id,
      [
        ...names.map((name) => ({ name, path: path.join(photosDir, name) })),
        { name: 'half.jpg', bytes: half.subarray(0, half.length >> 1) },
      ],
      headerOnlyAnalyzer,
    );
    expect(res.map((r) => (r.status === 'error' ? r.code : r.status))).toEqual([
      ...Array(6).fill('imported'),
      'not-an-image',
      'truncated',
    ]);
    for (const r of res.slice(0, 6)) {
      const id = r.status === 'imported' ? r.photoId : -1;
      const meta = await sharp(await lib.readThumbnail(id)).metadata();
      expect([meta.format, meta.channels, Math.max(meta.width ?? 0, meta.height ?? 0)]).toEqual(['jpeg', 3, 256]);
      const photo = lib.getPhoto(id);
      expect((await lib.readPhotoFile(id)).length).toBe(photo.byteSize);
    }
    const rotated = lib.getPhoto(res[2].status === 'imported' ? res[2].photoId : -1);
    expect(rotated.orientation).toBe(6);
  });

  it('reports analyzer errors per file with their code and keeps going', async () => {
    const p = lib.createProject({ name: 'No faces' });
    const imgs = await Promise.all([21, 22].map((s) => distinctJpeg(s)));
    const analyzer = async (bytes: Buffer): Promise<AnalyzeResult> => {
      if (bytes.equals(imgs[0])) throw Object.assign(new Error('No face found in "x".'), { code: 'no-face' });
      return headerOnlyAnalyzer(bytes);
    };
    const res = await lib.importPhotos(p.id, [{ name: 'x', bytes: imgs[0] }, { name: 'y', bytes: imgs[1] }], analyzer);
    expect(res[0]).toMatchObject({ status: 'error', code: 'no-face', message: 'No face found in "x".' });
    expect(res[1].status).toBe('imported');
  });

  it('renames, tags, searches by name and filters by age', async () => {
    const p = lib.createProject({ name: 'Search' });
    const imgs = await Promise.all(Array.from({ length: 6 }, (_, i) => distinctJpeg(100 + i)));
    const ages = new Map(imgs.map((b, i) => [sha(b), 10 + i * 10])); // 10..60
    const names = ['beach_2010.jpg', 'Beach_2020.jpg', 'party.jpg', 'graduation.jpg', 'wedding.jpg', '50%_off.jpg'];
    const res = await lib.importPhotos(p.id, imgs.map((b, i) => ({ name: names[i], bytes: b })), analyzerWithAges(ages));
    const ids = res.map((r) => (r.status === 'imported' ? r.photoId : -1));

    expect(lib.listPhotos({ projectId: p.id, search: 'beach', sort: 'name-asc' }).items.map((x) => x.name)).toEqual([
      'beach_2010.jpg',
      'Beach_2020.jpg',
    ]);
    expect(lib.listPhotos({ projectId: p.id, search: '%' }).items.map((x) => x.name)).toEqual(['50%_off.jpg']);
    const mid = lib.listPhotos({ projectId: p.id, minAge: 25, maxAge: 45, sort: 'age-asc' });
    expect(mid.items.map((x) => x.estimatedAge)).toEqual([30, 40]);
    expect(mid.total).toBe(2);

    // A user's label overrides the estimate for filtering.
    lib.setPhotoLabelAge(ids[0], 41);
    expect(lib.listPhotos({ projectId: p.id, minAge: 25, maxAge: 45 }).total).toBe(3);

    lib.renamePhoto(ids[2], 'birthday party.jpg');
    expect(lib.listPhotos({ projectId: p.id, search: 'birthday' }).items[0].id).toBe(ids[2]);

    lib.tagPhotos([ids[0], ids[1]], ['holiday', 'Sea']);
    lib.tagPhotos([ids[1]], ['holiday']);
    expect(lib.listTags(p.id)).toEqual([{ name: 'holiday', count: 2 }, { name: 'Sea', count: 2 }]);
    expect(lib.getPhoto(ids[1]).tags).toEqual(['Sea', 'holiday']);
    expect(lib.listPhotos({ projectId: p.id, tag: 'sea' }).total).toBe(2);
    lib.untagPhotos([ids[0], ids[1]], ['sea']);
    expect(lib.listTags(p.id)).toEqual([{ name: 'holiday', count: 2 }]);

    const page = lib.listPhotos({ projectId: p.id, limit: 4, offset: 4, sort: 'imported-asc' });
    expect([page.total, page.items.length]).toEqual([6, 2]);
    expect(() => lib.renamePhoto(ids[0], '  ')).toThrow(LibraryError);
  });

  it('deleting a project removes its rows and files; deleting photos removes theirs', async () => {
    const keep = lib.createProject({ name: 'Keep' });
    const gone = lib.createProject({ name: 'Gone' });
    const a = await distinctJpeg(201);
    const b = await distinctJpeg(202);
    const [ra] = await lib.importPhotos(keep.id, [{ name: 'a', bytes: a }], headerOnlyAnalyzer);
    await lib.importPhotos(gone.id, [{ name: 'a', bytes: a }, { name: 'b', bytes: b }], headerOnlyAnalyzer);
    expect(filesUnder(path.join(dir, 'files', 'projects', String(gone.id)))).toHaveLength(4);
    await lib.deleteProject(gone.id);
    expect(existsSync(path.join(dir, 'files', 'projects', String(gone.id)))).toBe(false);
    expect(() => lib.getProject(gone.id)).toThrow(/does not exist/);
    expect(lib.listPhotos({ projectId: keep.id }).total).toBe(1);

    const id = ra.status === 'imported' ? ra.photoId : -1;
    const file = lib.photoFilePath(id);
    expect(await lib.deletePhotos([id])).toBe(1);
    expect(existsSync(file)).toBe(false);
  });
});

describe('models, runs and exports', () => {
  async function weightsDir(tag: string): Promise<string> {
    const d = mkdtempSync(path.join(os.tmpdir(), `weights-${tag}-`));
    await fsp.writeFile(path.join(d, 'model.json'), JSON.stringify({ tag }));
    await fsp.mkdir(path.join(d, 'shards'));
    await fsp.writeFile(path.join(d, 'shards', 'group1-shard1of1.bin'), Buffer.alloc(1000, 7));
    return d;
  }

  it('registers versions with lineage and never overwrites a base', async () => {
    const src = await weightsDir('base');
    const base = await lib.registerModel({ kind: 'age-cgan', name: 'UTK base', isBase: true, weightsDir: src, config: { z: 100 } });
    await expect(
      lib.registerModel({ kind: 'age-cgan', name: 'UTK base', isBase: true, weightsDir: src, config: {} }),
    ).rejects.toMatchObject({ code: 'base-model-immutable' });
    const p = lib.createProject({ name: 'Me' });
    const ft1 = await lib.registerModel({
      kind: 'age-cgan', name: 'me v1', isBase: false, parentId: base.id, projectId: p.id,
      weightsDir: await weightsDir('v1'), move: true, config: { lr: 1e-4 }, metrics: { ageMae: 6.1 },
    });
    const ft2 = await lib.registerModel({
      kind: 'age-cgan', name: 'me v2', isBase: false, parentId: ft1.id, projectId: p.id,
      weightsDir: await weightsDir('v2'), config: {},
    });
    expect(ft2.lineage.map((l) => l.name)).toEqual(['me v1', 'UTK base']);
    expect(lib.listModels({ projectId: p.id }).map((m) => m.name)).toEqual(['UTK base', 'me v1', 'me v2']);
    const stored = JSON.parse(await fsp.readFile(path.join(lib.modelWeightsPath(base.id), 'model.json'), 'utf8'));
    expect(stored).toEqual({ tag: 'base' });
    expect((await fsp.stat(path.join(lib.modelWeightsPath(ft2.id), 'shards', 'group1-shard1of1.bin'))).size).toBe(1000);
    await expect(lib.deleteModel(base.id)).rejects.toMatchObject({ code: 'base-model-immutable' });
    await expect(
      lib.registerModel({ kind: 'cyclegan', name: 'x', isBase: false, parentId: base.id, weightsDir: src, config: {} }),
    ).rejects.toMatchObject({ code: 'invalid-input' });
    expect(lib.updateModelMetrics(ft1.id, { identity: 0.4 }).metrics).toEqual({ ageMae: 6.1, identity: 0.4 });
    const empty = mkdtempSync(path.join(os.tmpdir(), 'weights-empty-'));
    await expect(
      lib.registerModel({ kind: 'age-cgan', name: 'empty', isBase: false, parentId: base.id, weightsDir: empty, config: {} }),
    ).rejects.toMatchObject({ code: 'invalid-input' });
    await fsp.rm(empty, { recursive: true });
    // Lost weights are flagged at the next start, and the base stays listed.
    const basePath = lib.modelWeightsPath(base.id);
    lib.close();
    await fsp.rm(basePath, { recursive: true });
    lib = await Library.open(dir);
    expect(lib.recovery.modelsMarkedMissing).toBe(1);
    expect(lib.getModel(base.id).missing).toBe(true);
    expect(() => lib.modelWeightsPath(base.id)).toThrow(/missing/);
    // Deleting the project takes its fine-tuned versions; the base stays.
    await lib.deleteProject(p.id);
    expect(lib.listModels().map((m) => m.name)).toEqual(['UTK base']);
    await fsp.rm(src, { recursive: true });
  });

  it('moves runs through their states, appends metrics, stores sample grids', async () => {
    const p = lib.createProject({ name: 'Train' });
    const run = lib.createRun({ projectId: p.id, kind: 'cyclegan', config: { steps: 500 }, totalSteps: 500 });
    expect(run.status).toBe('queued');
    expect(() => lib.recordRunProgress(run.id, 1, [])).toThrow(/only recorded while running/);
    expect(lib.setRunStatus(run.id, 'running').startedAt).not.toBeNull();
    for (let s = 1; s <= 300; s++) lib.recordRunProgress(run.id, s, [{ step: s, values: { G: 1 / s, D: 0.5 } }]);
    expect(lib.getRun(run.id).step).toBe(300);
    const series = lib.getRunMetrics(run.id, { maxPoints: 50 });
    expect(series.map((s) => s.name)).toEqual(['D', 'G']);
    expect(series[1].steps).toHaveLength(50);
    expect(series[1].steps.at(-1)).toBe(300);
    expect(series[1].values[0]).toBe(1);
    const grid = await sharp({ create: { width: 64, height: 32, channels: 3, background: '#123' } }).png().toBuffer();
    const sample = await lib.addRunSample(run.id, 100, grid);
    expect(sample.format).toBe('png');
    expect((await lib.readRunSample(sample.id)).equals(grid)).toBe(true);
    await expect(lib.addRunSample(run.id, 101, Buffer.from('garbage bytes here'))).rejects.toMatchObject({ code: 'not-an-image' });
    lib.setRunStatus(run.id, 'paused');
    lib.setRunStatus(run.id, 'running');
    const done = lib.setRunStatus(run.id, 'completed');
    expect(done.finishedAt).not.toBeNull();
    expect(() => lib.setRunStatus(run.id, 'running')).toThrow(/cannot go from completed to running/);
    expect(lib.listRuns({ projectId: p.id, status: 'completed' })).toHaveLength(1);
  });

  it('records exports after writing their file', async () => {
    const p = lib.createProject({ name: 'Export' });
    const [r] = await lib.importPhotos(p.id, [{ name: 'a', bytes: await distinctJpeg(301) }], headerOnlyAnalyzer);
    const photoId = r.status === 'imported' ? r.photoId : -1;
    const out = await distinctJpeg(302, 120);
    const ex = await lib.recordExport({ photoId, targetAge: 70, bytes: out, settings: { feather: 12 } });
    expect(ex).toMatchObject({ photoId, projectId: p.id, targetAge: 70, format: 'jpeg', width: 120, settings: { feather: 12 } });
    expect((await lib.readExport(ex.id)).equals(out)).toBe(true);
    expect(lib.listExports({ projectId: p.id })).toHaveLength(1);
    await expect(lib.recordExport({ photoId: 9999, targetAge: 1, bytes: out })).rejects.toMatchObject({ code: 'not-found' });
  });
});

describe('startup recovery', () => {
  it('removes temp and orphan files, marks missing originals, rebuilds thumbnails, interrupts runs', async () => {
    const p = lib.createProject({ name: 'Recover' });
    const res = await lib.importPhotos(
      p.id,
      await Promise.all([401, 402, 403].map(async (s) => ({ name: `${s}`, bytes: await distinctJpeg(s) }))),
      headerOnlyAnalyzer,
    );
    const [id1, id2, id3] = res.map((r) => (r.status === 'imported' ? r.photoId : -1));
    const run = lib.createRun({ projectId: p.id, kind: 'age-cgan', config: {}, totalSteps: 10 });
    lib.setRunStatus(run.id, 'running');
    const sample = await lib.addRunSample(run.id, 1, await distinctJpeg(404));
    const original1 = lib.photoFilePath(id1);
    const thumb2 = path.join(dir, 'files', 'projects', String(p.id), 'thumbs', `${lib.getPhoto(id2).sha256}.jpg`);
    const samplePath = filesUnder(path.join(dir, 'files', 'projects', String(p.id), 'runs'))[0];
    lib.close();

    await fsp.writeFile(path.join(dir, 'tmp', 'half-written.tmp'), 'x');
    await fsp.writeFile(path.join(dir, 'files', 'projects', String(p.id), 'photos', 'orphan.jpg'), 'y');
    await fsp.rm(original1);
    await fsp.rm(thumb2);
    await fsp.rm(samplePath);

    lib = await Library.open(dir);
    expect(lib.recovery).toEqual({
      tempFilesRemoved: 1,
      orphanFilesRemoved: 1,
      photosMarkedMissing: 1,
      thumbnailsRebuilt: 1,
      modelsMarkedMissing: 0,
      samplesDropped: 1,
      exportsDropped: 0,
      runsInterrupted: 1,
    });
    expect(lib.getPhoto(id1).missing).toBe(true);
    expect(lib.getPhoto(id3).missing).toBe(false);
    expect(existsSync(thumb2)).toBe(true);
    expect(lib.listRunSamples(run.id).map((s) => s.id)).not.toContain(sample.id);
    expect(lib.getRun(run.id).status).toBe('interrupted');
    expect(lib.setRunStatus(run.id, 'running').status).toBe('running');
    expect(lib.integrityCheck()).toEqual(['ok']);
  });

  it('refuses a second open of the same library while the first is open', async () => {
    await expect(Library.open(dir)).rejects.toMatchObject({ code: 'locked' });
  });

  it('never adopts a non-empty folder that is not a library (recovery would delete its files)', async () => {
    const home = mkdtempSync(path.join(os.tmpdir(), 'not-a-library-'));
    await fsp.mkdir(path.join(home, 'files'));
    await fsp.writeFile(path.join(home, 'files', 'tax-return.pdf'), 'precious');
    await expect(Library.open(home)).rejects.toMatchObject({ code: 'invalid-input' });
    await expect(Library.open(home)).rejects.toThrow(/neither a studio library nor an empty folder/);
    expect(await fsp.readFile(path.join(home, 'files', 'tax-return.pdf'), 'utf8')).toBe('precious');
    expect(existsSync(path.join(home, 'library.sqlite'))).toBe(false);
    rmSync(home, { recursive: true });
  });
});
