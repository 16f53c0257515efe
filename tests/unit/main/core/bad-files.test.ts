import { rmSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NativeDialogs } from '../../../../main/core/context';
import type { StudioCore } from '../../../../main/core/core';
import type { Photo, Result } from '../../../../preload/contract';
import { startTestCore } from '../../../helpers/core-fixtures';
import { bundleEngine } from '../../../helpers/engine-bundle';
import { buildCorpus, type BadFile } from '../../../helpers/bad-files-corpus';
import { expectTypedError, isReadableMessage, snapshotLibrary } from '../../../helpers/reliability-fixtures';

// Every kind of bad file through the real import path (photos:import on a real core: SQLite
// library, engine process running the face pipeline), dropped as bytes or picked through the
// desktop dialogs' grants. A refused file gets its own clear message and leaves the library exactly
// as it was; a legitimately unusual photo (CMYK, 16-bit, no face, five faces) is imported correctly.

interface ImportValue {
  imported: Photo[];
  duplicates: Photo[];
  failed: { name: string; code: string; message: string }[];
}

/** A refusal: each named file fails with this library code and a message matching `message`. */
interface Refusal {
  refused: Record<string, { code: string; message: RegExp }>;
}
/** An import that succeeds for `accepted` (names), refusing the other entries as listed. */
interface Acceptance {
  accepted: string[];
  refused?: Record<string, { code: string; message: RegExp }>;
  check: (photos: Photo[], file: BadFile) => Promise<void> | void;
}
type Expectation = Refusal | Acceptance | { wholeCall: { code: string; message: RegExp } };

const call = { host: 'test' as const };
let dir = '';
let core: StudioCore;
let projectId = '';
let corpus: BadFile[] = [];
const picks = { files: [] as string[], folder: null as string | null };
const table: { kind: string; outcome: string; detail: string }[] = [];

const dialogs: NativeDialogs = {
  openFiles: async () => picks.files,
  openFolder: async () => picks.folder,
  chooseExportDestination: async () => null,
};

/** Imports one corpus entry the way the UI does for its route. */
async function importOne(f: BadFile): Promise<Result<unknown>> {
  let source: unknown;
  if (f.route === 'bytes') source = { kind: 'bytes', files: [{ name: f.name, bytes: f.bytes }] };
  else if (f.route === 'file') {
    picks.files = [f.path!];
    const g = await core.dispatch('dialogs:openFiles', { multiple: false }, call);
    source = { kind: 'grants', grantIds: g.ok ? (g.value as { grants: { grantId: string }[] }).grants.map((x) => x.grantId) : [] };
  } else {
    picks.folder = f.path!;
    const g = await core.dispatch('dialogs:openFolder', {}, call);
    source = { kind: 'grants', grantIds: g.ok ? [(g.value as { grant: { grantId: string } }).grant.grantId] : [] };
  }
  return core.dispatch('photos:import', { projectId, source }, call);
}

/** The photo's displayable image (what the library view shows): decodable, 8-bit sRGB, right size. */
async function checkView(photo: Photo, width: number, height: number): Promise<Uint8Array> {
  expect([photo.width, photo.height]).toEqual([width, height]);
  const img = await core.dispatch('photos:image', { photoId: photo.id, maxEdge: 128 }, call);
  expect(img.ok, JSON.stringify(img).slice(0, 200)).toBe(true);
  const bytes = img.ok ? (img.value as { image: { bytes: Uint8Array } }).image.bytes : new Uint8Array();
  const m = await sharp(bytes).metadata();
  expect(m).toMatchObject({ format: 'jpeg', space: 'srgb', depth: 'uchar' });
  expect(Math.max(m.width ?? 0, m.height ?? 0)).toBe(Math.min(128, Math.max(width, height)));
  return bytes;
}

const tooLarge = (w: string, h: string) => new RegExp(`is ${w} x ${h} px .*the limit is 20,000 px on a side and 100 megapixels`);
const one = (name: string, code: string, message: RegExp): Refusal => ({ refused: { [name]: { code, message } } });
const LOOP = /is a symbolic link that leads back to itself \(a link loop\)/;

/** Mean RGB of an encoded image (to compare colours after a colour-space conversion). */
async function meanRgb(bytes: Uint8Array | Buffer): Promise<number[]> {
  const { channels } = await sharp(bytes).toColourspace('srgb').removeAlpha().stats();
  return channels.slice(0, 3).map((c) => c.mean);
}

const EXPECT: Record<string, Expectation> = {
  'truncated JPEG': one('truncated.jpg', 'truncated', /"truncated\.jpg" is truncated or damaged: its image data ends early/),
  'truncated PNG': one('truncated.png', 'truncated', /"truncated\.png" is truncated or damaged: its image data ends early/),
  'corrupt JPEG (4 KB overwritten mid-scan)': one('corrupt.jpg', 'truncated', /"corrupt\.jpg" is damaged: its image data cannot be decoded \(Corrupt JPEG data/),
  'zero bytes': one('empty.jpg', 'not-an-image', /"empty\.jpg" is not an image \(only 0 bytes\)/),
  '30,000 px wide PNG (real pixels)': one('wide.png', 'too-large', tooLarge('30000', '8')),
  '30,000 px wide PNG (header only)': one('wide-header.png', 'too-large', tooLarge('30000', '400')),
  'PNG bomb (19,000 x 19,000 declared, tiny file)': one('bomb.png', 'too-large', /"bomb\.png" is 19000 x 19000 px \(361\.0 megapixels\)/),
  '1 x 1 image': {
    accepted: ['pixel.png'],
    // Useless for aging but a valid image: kept, with no face.
    check: async ([p]) => {
      await checkView(p!, 1, 1);
      expect(p!.faceCount).toBe(0);
    },
  },
  'CMYK JPEG': {
    accepted: ['cmyk.jpg'],
    check: async ([p], f) => {
      const m = await sharp(f.bytes!).metadata();
      expect(m.space).toBe('cmyk');
      const view = await checkView(p!, m.width!, m.height!);
      // Converted through the profile, not shown inverted: the same colours sharp itself gets.
      const [got, want] = [await meanRgb(view), await meanRgb(await sharp(f.bytes!).resize(128).toColourspace('srgb').png().toBuffer())];
      for (let i = 0; i < 3; i++) expect(Math.abs(got[i]! - want[i]!)).toBeLessThan(6);
      // Its face (between 40 and 64 px between the eyes, refused as too small before session 6) is
      // found in the converted pixels.
      expect(p!.faceCount).toBe(1);
    },
  },
  '16-bit PNG': {
    accepted: ['deep.png'],
    check: async ([p], f) => {
      const m = await sharp(f.bytes!).metadata();
      expect(m.depth).toBe('ushort');
      await checkView(p!, m.width!, m.height!);
      // Decoded to the right pixels: the face pipeline finds the face of the 8-bit original.
      expect(p!.faceCount).toBe(1);
    },
  },
  'animated GIF': one('animated.gif', 'animated', /This image is animated \(2 frames\)\. Please use a still photo/),
  'HEIC (ftypheic header)': one('photo.heic', 'unsupported-format', /"photo\.heic" is a HEIC photo \(HEVC-coded, as iPhones save them\), which the studio cannot decode; export it as JPEG first\./),
  'SVG with <script>': one('drawing.svg', 'unsupported-format', /"drawing\.svg" is a svg file; the studio reads JPEG/),
  'SVG with <script> renamed .jpg': one('drawing.jpg', 'unsupported-format', /"drawing\.jpg" is a svg file/),
  'text renamed .jpg': one('notes.jpg', 'not-an-image', /"notes\.jpg" is a text file, not a photo/),
  'HTML renamed .png': one('page.png', 'not-an-image', /"page\.png" is a web page \(HTML\), not a photo/),
  'PDF renamed .jpg': one('scan.jpg', 'not-an-image', /"scan\.jpg" is a PDF document, not a photo/),
  'EXIF orientation 255 (invalid)': {
    accepted: ['bad-orientation.jpg'],
    // An orientation outside 1..8 (the tag holds 255) reads as 1, no rotation: the stored size stays.
    check: async ([p], f) => {
      const m = await sharp(f.bytes!).metadata();
      expect(m.orientation ?? 1).toBe(1);
      await checkView(p!, m.width!, m.height!);
    },
  },
  'photo with no face': {
    accepted: ['landscape.jpg'],
    check: async ([p], f) => {
      const m = await sharp(f.bytes!).metadata();
      await checkView(p!, m.width!, m.height!);
      expect([p!.faceCount, p!.estimatedAge]).toEqual([0, null]);
    },
  },
  'photo with five faces': {
    accepted: ['five.jpg'],
    check: async ([p]) => {
      expect(p!.faceCount).toBe(5);
      const faces = await core.dispatch('faces:list', { photoId: p!.id }, call);
      const list = faces.ok ? (faces.value as { faces: { box: { x: number; y: number; width: number }; estimatedAge: number | null }[] }).faces : [];
      // One face per tile of the 3 + 2 grid (400 px cells), each with an age.
      const cells = new Set(list.map((f) => `${Math.floor((f.box.x + f.box.width / 2) / 200)},${Math.floor(f.box.y / 400)}`));
      expect(cells.size).toBe(5);
      for (const f of list) expect(f.estimatedAge).toBeGreaterThan(0);
    },
  },
  'symlink loop (picked file)': one('a.jpg', 'read-failed', LOOP),
  'symlink loop + folder named .jpg in an imported folder': {
    accepted: ['link.jpg', 'real.jpg'],
    refused: {
      'x.jpg': { code: 'read-failed', message: LOOP },
      'y.jpg': { code: 'read-failed', message: LOOP },
      'folder.jpg': { code: 'not-an-image', message: /"folder\.jpg" is a folder, not a photo/ },
    },
    check: (photos) => {
      const byName = Object.fromEntries(photos.map((p) => [p.name, p]));
      expect([byName['link.jpg']?.width, byName['link.jpg']?.height]).toEqual([400, 320]);
      expect([byName['real.jpg']?.width, byName['real.jpg']?.height]).toEqual([320, 400]);
    },
  },
  'symlink loop only, in an imported folder': { refused: { 'a.jpg': { code: 'read-failed', message: LOOP }, 'b.jpg': { code: 'read-failed', message: LOOP } } },
  'directory named x.jpg (picked file)': one('x.jpg', 'not-an-image', /"x\.jpg" is a folder, not a photo/),
  'named pipe named .jpg (picked file)': one('pipe.jpg', 'not-an-image', /"pipe\.jpg" is not a regular file \(a device, pipe or socket\)/),
  'device file (/dev/zero, picked)': one('zero', 'not-an-image', /"zero" is not a regular file/),
  'file deleted after it was picked': one('gone.jpg', 'not-found', /"gone\.jpg" does not exist any more/),
  'unreadable permissions (picked file)': one('locked.jpg', 'read-failed', /"locked\.jpg" cannot be read: permission denied/),
  'non-UTF-8 file name in an imported folder': {
    accepted: ['café.jpg'],
    check: async ([p], f) => {
      expect(p!.name).toBe('café.jpg');
      expect(f.path).toBeDefined();
      await checkView(p!, 320, 400);
    },
  },
};

beforeAll(async () => {
  ({ dir } = await bundleEngine('reliability-bad-files'));
  core = startTestCore(dir, { dialogs });
  const p = await core.dispatch('projects:create', { name: 'Bad files' }, call);
  projectId = p.ok ? (p.value as { id: string }).id : '';
  corpus = await buildCorpus(join(dir, 'corpus'));
});

afterAll(async () => {
  if (table.length > 0) {
    console.log(`bad files: ${table.length} kinds`);
    for (const r of table) console.log(`  ${r.kind.padEnd(56)} ${r.outcome.padEnd(30)} ${r.detail}`);
  }
  await core?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('bad files through photos:import on the real core', () => {
  it('covers at least 20 kinds', () => {
    expect(corpus.length).toBeGreaterThanOrEqual(20);
    for (const f of corpus) expect(EXPECT[f.kind], f.kind).toBeDefined();
  });

  it('answers each kind clearly, and leaves the library unchanged for every refused file', async () => {
    const lib = await core.context.library();
    for (const f of corpus) {
      const expected = EXPECT[f.kind]!;
      const before = snapshotLibrary(lib);
      const r = await importOne(f);
      const what = `${f.kind}: ${JSON.stringify(r).slice(0, 500)}`;
      if ('wholeCall' in expected) {
        const code = expectTypedError(r, what);
        expect(code, what).toBe(expected.wholeCall.code);
        expect(r.ok ? '' : r.error.message, what).toMatch(expected.wholeCall.message);
        expect(snapshotLibrary(lib), what).toEqual(before);
        table.push({ kind: f.kind, outcome: `refused (${code})`, detail: r.ok ? '' : r.error.message });
        continue;
      }
      expect(r.ok, what).toBe(true);
      const v = (r as { value: ImportValue }).value;
      const refusals = expected.refused ?? {};
      // Every refused entry has its own failure with a specific, readable message.
      expect(v.failed.map((x) => x.name).sort(), what).toEqual(Object.keys(refusals).sort());
      for (const x of v.failed) {
        expect(x.code, what).toBe(refusals[x.name]!.code);
        expect(x.message, what).toMatch(refusals[x.name]!.message);
        expect(isReadableMessage(x.message), `${what}: ${x.message}`).toBe(true);
        expect(x.message, 'no absolute path reaches the renderer').not.toContain(dir);
      }
      if ('accepted' in expected) {
        expect(v.imported.map((p) => p.name).sort(), what).toEqual(expected.accepted);
        await expected.check(v.imported, f);
        const after = snapshotLibrary(lib);
        // Exactly the accepted photos were added (one photo file and one thumbnail each).
        expect(after.tables.photos!.length - before.tables.photos!.length, what).toBe(expected.accepted.length);
        expect(Object.keys(after.files).length - Object.keys(before.files).length, what).toBe(2 * expected.accepted.length);
        const failed = v.failed.map((x) => `${x.name}: ${x.code}`).join(', ');
        table.push({
          kind: f.kind,
          outcome: `accepted${failed ? ' + refused' : ''}`,
          detail: `${v.imported.map((p) => `${p.name} ${p.width}x${p.height}, ${p.faceCount} faces`).join('; ')}${failed ? `; ${failed}` : ''}`,
        });
      } else {
        expect(v.imported, what).toEqual([]);
        expect(v.duplicates, what).toEqual([]);
        // Refused: not a row, not a file, not a setting changed.
        expect(snapshotLibrary(lib), what).toEqual(before);
        table.push({ kind: f.kind, outcome: `refused (${v.failed.map((x) => x.code).join(', ')})`, detail: v.failed.map((x) => x.message).join(' | ') });
      }
    }
    expect(lib.integrityCheck()).toEqual(['ok']);
    expect(table.filter((t) => t.outcome.startsWith('refused')).length).toBeGreaterThanOrEqual(15);
  });
});
