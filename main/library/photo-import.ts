import { createHash } from 'node:crypto';
import { constants as fsConstants, promises as fsp } from 'node:fs';
import path from 'node:path';
import { LibraryError, toLibraryError } from './errors';
import { type ImageHeader, checkImage, makeThumbnail } from './image-check';
import {
  type LibraryContext,
  descriptorBlob,
  extensionFor,
  isUniqueViolation,
  notFound,
} from './rows';
import type {
  Analyzer,
  AnalyzeResult,
  Face,
  ImportFile,
  ImportOutcome,
  ImportProgress,
  LibraryErrorCode,
} from './types';

// Photo import: validate -> analyze -> write original + thumbnail durably -> one transaction
// inserts the photo and its faces. Nothing is written for a refused file; a crash between the
// file writes and the commit leaves only unreferenced files, which startup recovery deletes.

const KNOWN_CODES = new Set<LibraryErrorCode>([
  'not-an-image',
  'truncated',
  'too-large',
  'unsupported-format',
  'no-face',
  'face-too-small',
  'animated',
  'read-failed',
  'disk-full',
  'read-only',
  'io',
  'invalid-input',
]);

/** Largest face (by box area) gives the photo's estimated age. */
export function primaryAge(faces: Face[]): number | null {
  let best: Face | null = null;
  for (const f of faces) if (!best || f.box.width * f.box.height > best.box.width * best.box.height) best = f;
  return best?.age ?? null;
}

function analyzerError(err: unknown, name: string): { code: LibraryErrorCode; message: string } {
  const code = (err as { code?: unknown } | null)?.code;
  const message = err instanceof Error ? err.message : String(err);
  if (typeof code === 'string' && KNOWN_CODES.has(code as LibraryErrorCode)) {
    return { code: code as LibraryErrorCode, message };
  }
  return { code: 'io', message: `Analysing "${name}" failed: ${message}` };
}

/**
 * Validate the analyzer's result and bring it to the oriented pixel space of the header check:
 * the stored width/height are always sharp's EXIF-oriented dimensions, and face coordinates are
 * rescaled when the analyzer worked on a proportionally resized decode.
 */
function normalizeAnalysis(a: AnalyzeResult, header: ImageHeader, name: string): AnalyzeResult {
  const ok =
    Number.isFinite(a.width) &&
    Number.isFinite(a.height) &&
    a.width > 0 &&
    a.height > 0 &&
    Array.isArray(a.faces) &&
    a.faces.every((f) => f && f.box && Number.isFinite(f.box.x) && Number.isFinite(f.box.width));
  if (!ok) throw new LibraryError('invalid-input', `The analyzer returned malformed results for "${name}".`);
  const sx = header.width / a.width;
  const sy = header.height / a.height;
  const result = { ...a, width: header.width, height: header.height, orientation: header.orientation };
  if (Math.abs(sx - 1) < 1e-6 && Math.abs(sy - 1) < 1e-6) return result;
  if (Math.abs(sx / sy - 1) > 0.02) {
    throw new LibraryError(
      'invalid-input',
      `The analyzer saw "${name}" as ${a.width} x ${a.height} px but it is ${header.width} x ${header.height} px once EXIF orientation is applied.`,
    );
  }
  const faces = a.faces.map((f) => ({
    ...f,
    box: { x: f.box.x * sx, y: f.box.y * sy, width: f.box.width * sx, height: f.box.height * sy },
    landmarks: (f.landmarks ?? []).map((p) => ({ x: p.x * sx, y: p.y * sy })),
  }));
  return { ...result, faces };
}

/** Largest source file read from disk (a 100 MP 16-bit TIFF is ~600 MB); bytes imports cap at 80 MB. */
export const MAX_SOURCE_BYTES = 1024 * 1024 * 1024;

/** A failure reading a file the user picked, named by its file name (the renderer never sees paths). */
function sourceError(err: unknown, name: string): LibraryError {
  const code = (err as { code?: unknown } | null)?.code;
  switch (code) {
    case 'ENOENT':
    case 'ENOTDIR':
      return new LibraryError('not-found', `"${name}" does not exist any more (it was moved, renamed or deleted).`, { cause: err });
    case 'ELOOP':
      return new LibraryError('read-failed', `"${name}" is a symbolic link that leads back to itself (a link loop), so there is no photo to read.`, { cause: err });
    case 'EACCES':
    case 'EPERM':
      return new LibraryError('read-failed', `"${name}" cannot be read: permission denied. Check the file's permissions.`, { cause: err });
    case 'EISDIR':
      return new LibraryError('not-an-image', `"${name}" is a folder, not a photo.`, { cause: err });
    default:
      return new LibraryError('read-failed', `"${name}" could not be read (${typeof code === 'string' ? code : err instanceof Error ? err.message : String(err)}).`, { cause: err });
  }
}

// Non-blocking open: opening a named pipe for reading would otherwise wait for a writer forever.
const OPEN_FLAGS = fsConstants.O_RDONLY | (fsConstants.O_NONBLOCK ?? 0);

async function readSource(file: ImportFile, name: string): Promise<Buffer> {
  if (file.bytes) return file.bytes;
  if (!file.path) throw new LibraryError('invalid-input', `"${name}" has neither bytes nor a path.`);
  let handle: fsp.FileHandle;
  try {
    handle = await fsp.open(file.path, OPEN_FLAGS);
  } catch (err) {
    throw sourceError(err, name);
  }
  try {
    const info = await handle.stat();
    if (info.isDirectory()) throw new LibraryError('not-an-image', `"${name}" is a folder, not a photo.`);
    // Devices (/dev/zero), pipes and sockets never end or block: only regular files are photos.
    if (!info.isFile()) throw new LibraryError('not-an-image', `"${name}" is not a regular file (a device, pipe or socket), so it cannot be a photo.`);
    if (info.size > MAX_SOURCE_BYTES) {
      throw new LibraryError('too-large', `"${name}" is ${(info.size / 2 ** 30).toFixed(1)} GB; the studio imports photo files up to ${MAX_SOURCE_BYTES / 2 ** 30} GB.`);
    }
    return await handle.readFile();
  } catch (err) {
    throw err instanceof LibraryError ? err : sourceError(err, name);
  } finally {
    await handle.close().catch(() => undefined);
  }
}

/** A validated, analysed photo waiting to be written and committed with its group. */
interface Prepared {
  index: number;
  name: string;
  sha256: string;
  bytes: Buffer;
  thumb: Buffer;
  format: string;
  analysis: AnalyzeResult;
  photoRel: string;
  thumbRel: string;
}

type Settled<T> = { ok: true; value: T } | { ok: false; error: unknown };

function settle<T>(p: Promise<T>): Promise<Settled<T>> {
  return p.then((value) => ({ ok: true as const, value }), (error: unknown) => ({ ok: false as const, error }));
}

async function checkAndThumb(bytes: Buffer, name: string): Promise<{ header: ImageHeader; thumb: Buffer }> {
  const header = await checkImage(bytes, name);
  // Before the analyzer: a file whose pixels cannot be decoded costs no engine work.
  const thumb = await makeThumbnail(bytes).catch((err: unknown) => {
    const why = (err instanceof Error ? err.message : String(err)).split('\n')[0]!.replace(/^Vips\w*:\s*/, '');
    throw new LibraryError('truncated', `"${name}" is damaged: its image data cannot be decoded (${why}).`, { cause: err });
  });
  return { header, thumb };
}

/**
 * Read and hash a file; unless the library already holds those bytes, also check it and make its
 * thumbnail (a repeat within the batch is only known in order, so it may get a wasted thumbnail).
 */
async function prepareFile(
  file: ImportFile,
  name: string,
  known: (sha256: string) => unknown,
): Promise<{ bytes: Buffer; sha256: string; checked: { header: ImageHeader; thumb: Buffer } | null }> {
  const bytes = await readSource(file, name);
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  return { bytes, sha256, checked: known(sha256) ? null : await checkAndThumb(bytes, name) };
}

// Photos are committed in groups: files of a group are written concurrently, each folder is
// fsynced once, then one transaction inserts the group's rows. This shares fsyncs (about 7 ms
// each on a desktop SSD) between photos; a group is flushed at GROUP_SIZE photos or after
// GROUP_MS so progress keeps flowing when the analyzer is slow.
const GROUP_SIZE = 16;
const GROUP_MS = 500;

export async function importPhotos(
  ctx: LibraryContext,
  projectId: number,
  files: ImportFile[],
  analyze: Analyzer,
  onProgress?: (p: ImportProgress) => void,
): Promise<ImportOutcome[]> {
  const { db } = ctx;
  if (!db.prepare('SELECT 1 FROM projects WHERE id = ?').get(projectId)) throw notFound('Project', projectId);
  const findDup = db.prepare<[number, string], { id: number }>(
    'SELECT id FROM photos WHERE project_id = ? AND sha256 = ?',
  );
  const results: ImportOutcome[] = new Array(files.length);
  let done = 0;
  const report = (index: number, outcome: ImportOutcome) => {
    results[index] = outcome;
    done++;
    onProgress?.({ done, total: files.length, last: outcome });
  };
  let group: Prepared[] = [];
  let groupStart = 0;
  // Same bytes twice in one group: resolved once the first copy is committed.
  let repeats: { index: number; name: string; sha256: string }[] = [];
  const flush = async () => {
    for (const [index, outcome] of await commitGroup(ctx, projectId, group)) report(index, outcome);
    for (const r of repeats) {
      const row = findDup.get(projectId, r.sha256);
      report(r.index, row
        ? { name: r.name, status: 'duplicate', photoId: row.id }
        : { name: r.name, status: 'error', code: 'io', message: `"${r.name}" repeats a file of this batch that could not be imported.` });
    }
    group = [];
    repeats = [];
  };

  // The next file is read, hashed, checked and thumbnailed while this one is analysed (sharp
  // works off the JS thread, the analyzer usually in the engine process): import overlaps its own
  // work with the face analysis instead of adding to it.
  const nameOf = (file: ImportFile) => (file.name || (file.path ? path.basename(file.path.toString()) : '')).trim() || 'untitled';
  const start = (i: number) => (i < files.length ? settle(prepareFile(files[i]!, nameOf(files[i]!), (sha) => findDup.get(projectId, sha))) : null);
  let next = start(0);
  for (const [index, file] of files.entries()) {
    const name = nameOf(file);
    const current = next!;
    next = start(index + 1);
    try {
      const pre = await current;
      if (!pre.ok) throw pre.error;
      const { bytes, sha256 } = pre.value;
      const dup = findDup.get(projectId, sha256);
      if (dup) {
        report(index, { name, status: 'duplicate', photoId: dup.id });
      } else if (group.some((g) => g.sha256 === sha256)) {
        repeats.push({ index, name, sha256 });
      } else {
        const { header, thumb } = pre.value.checked ?? (await checkAndThumb(bytes, name));
        let analysis: AnalyzeResult;
        try {
          analysis = await analyze(bytes);
        } catch (err) {
          const e = analyzerError(err, name);
          throw new LibraryError(e.code, e.message, { cause: err });
        }
        analysis = normalizeAnalysis(analysis, header, name);
        if (group.length === 0) groupStart = performance.now();
        group.push({
          index, name, sha256, bytes, thumb, format: header.format, analysis,
          photoRel: `projects/${projectId}/photos/${sha256}.${extensionFor(header.format)}`,
          thumbRel: `projects/${projectId}/thumbs/${sha256}.jpg`,
        });
      }
    } catch (err) {
      const e = err instanceof LibraryError ? err : toLibraryError(err, `importing "${name}"`);
      report(index, { name, status: 'error', code: e.code, message: e.message });
    }
    if (group.length >= GROUP_SIZE || (group.length > 0 && performance.now() - groupStart > GROUP_MS)) await flush();
  }
  await flush();
  return results;
}

function errorOutcome(p: Prepared, err: unknown, doing: string): ImportOutcome {
  const e = toLibraryError(err, doing);
  return { name: p.name, status: 'error', code: e.code, message: e.message };
}

/** Write a group's files durably, then insert its rows in one transaction. */
async function commitGroup(ctx: LibraryContext, projectId: number, group: Prepared[]): Promise<[number, ImportOutcome][]> {
  const { db, store } = ctx;
  const out = new Map<Prepared, ImportOutcome>();
  const dirs: string[] = [];
  await Promise.all(
    group.map(async (p) => {
      try {
        dirs.push(await store.writeUnsyncedRename(p.photoRel, p.bytes, `saving "${p.name}"`));
        dirs.push(await store.writeUnsyncedRename(p.thumbRel, p.thumb, `saving the thumbnail of "${p.name}"`));
      } catch (err) {
        out.set(p, errorOutcome(p, err, `saving "${p.name}"`));
      }
    }),
  );
  let written = group.filter((p) => !out.has(p));
  try {
    await store.syncDirs(dirs);
  } catch (err) {
    for (const p of written) out.set(p, errorOutcome(p, err, `saving "${p.name}"`));
    written = [];
  }
  const insertPhoto = db.prepare(
    `INSERT INTO photos (project_id, name, sha256, file_path, thumb_path, format, byte_size, width, height,
                         orientation, imported_at, primary_age)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const insertFace = db.prepare(
    `INSERT INTO faces (photo_id, idx, box_x, box_y, box_w, box_h, score, landmarks, age, descriptor)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const findDup = db.prepare<[number, string], { id: number }>('SELECT id FROM photos WHERE project_id = ? AND sha256 = ?');
  // Nested db.transaction calls are savepoints: one bad row does not undo the others.
  const insertOne = db.transaction((p: Prepared): number => {
    const a = p.analysis;
    const r = insertPhoto.run(
      projectId, p.name, p.sha256, p.photoRel, p.thumbRel, p.format, p.bytes.length,
      Math.round(a.width), Math.round(a.height), a.orientation || 1, ctx.now(), primaryAge(a.faces),
    );
    const photoId = Number(r.lastInsertRowid);
    a.faces.forEach((f, i) => {
      insertFace.run(
        photoId, i, f.box.x, f.box.y, f.box.width, f.box.height, f.score ?? 0,
        JSON.stringify(f.landmarks ?? []), f.age ?? null, descriptorBlob(f.descriptor ?? null),
      );
    });
    return photoId;
  });
  const inserted = new Map<Prepared, ImportOutcome>();
  try {
    db.transaction(() => {
      for (const p of written) {
        try {
          inserted.set(p, { name: p.name, status: 'imported', photoId: insertOne(p) });
        } catch (err) {
          // A concurrent import of the same bytes won: its row points at the very same files.
          const row = isUniqueViolation(err) ? findDup.get(projectId, p.sha256) : undefined;
          inserted.set(p, row ? { name: p.name, status: 'duplicate', photoId: row.id } : errorOutcome(p, err, `recording "${p.name}"`));
        }
      }
    })();
  } catch (err) {
    // The commit itself failed (e.g. the WAL could not grow on a full disk): nothing was inserted.
    inserted.clear();
    for (const p of written) inserted.set(p, errorOutcome(p, err, `recording "${p.name}"`));
  }
  for (const [p, o] of inserted) out.set(p, o);
  // Free the space of files no row points at now (a full disk is the usual cause).
  const unused = group.filter((p) => out.get(p)?.status === 'error').flatMap((p) => [p.photoRel, p.thumbRel]);
  if (unused.length) await removeIfUnreferenced(ctx, unused);
  return group.map((p) => [p.index, out.get(p)!]);
}

/** Delete store files that no photo row points at (best effort; recovery catches the rest). */
export async function removeIfUnreferenced(ctx: LibraryContext, rels: string[]): Promise<void> {
  const used = ctx.db.prepare('SELECT 1 FROM photos WHERE file_path = ? OR thumb_path = ?');
  for (const rel of rels) {
    try {
      if (!used.get(rel, rel)) await ctx.store.remove(rel);
    } catch {
      // Left for startup recovery.
    }
  }
}
