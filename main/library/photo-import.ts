import { createHash } from 'node:crypto';
import { promises as fsp } from 'node:fs';
import path from 'node:path';
import { LibraryError, toLibraryError } from './errors';
import { checkImage, makeThumbnail } from './image-check';
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

function checkAnalysis(a: AnalyzeResult, name: string): void {
  const ok =
    Number.isFinite(a.width) &&
    Number.isFinite(a.height) &&
    a.width > 0 &&
    a.height > 0 &&
    Array.isArray(a.faces) &&
    a.faces.every((f) => f && f.box && Number.isFinite(f.box.x) && Number.isFinite(f.box.width));
  if (!ok) throw new LibraryError('invalid-input', `The analyzer returned malformed results for "${name}".`);
}

async function readSource(file: ImportFile): Promise<Buffer> {
  if (file.bytes) return file.bytes;
  if (!file.path) throw new LibraryError('invalid-input', `"${file.name}" has neither bytes nor a path.`);
  try {
    return await fsp.readFile(file.path);
  } catch (err) {
    if ((err as { code?: string }).code === 'ENOENT') {
      throw new LibraryError('not-found', `"${file.path}" does not exist.`);
    }
    throw toLibraryError(err, `reading "${file.path}"`);
  }
}

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
  const results: ImportOutcome[] = [];
  for (const file of files) {
    const name = (file.name || (file.path ? path.basename(file.path) : '')).trim() || 'untitled';
    let outcome: ImportOutcome;
    try {
      const bytes = await readSource(file);
      const sha256 = createHash('sha256').update(bytes).digest('hex');
      const dup = findDup.get(projectId, sha256);
      if (dup) {
        outcome = { name, status: 'duplicate', photoId: dup.id };
      } else {
        const header = await checkImage(bytes, name);
        let analysis: AnalyzeResult;
        try {
          analysis = await analyze(bytes);
        } catch (err) {
          const e = analyzerError(err, name);
          throw new LibraryError(e.code, e.message, { cause: err });
        }
        checkAnalysis(analysis, name);
        outcome = await storePhoto(ctx, projectId, name, sha256, bytes, header.format, analysis);
      }
    } catch (err) {
      const e = err instanceof LibraryError ? err : toLibraryError(err, `importing "${name}"`);
      outcome = { name, status: 'error', code: e.code, message: e.message };
    }
    results.push(outcome);
    onProgress?.({ done: results.length, total: files.length, last: outcome });
  }
  return results;
}

async function storePhoto(
  ctx: LibraryContext,
  projectId: number,
  name: string,
  sha256: string,
  bytes: Buffer,
  format: string,
  a: AnalyzeResult,
): Promise<ImportOutcome> {
  const { db, store } = ctx;
  const photoRel = `projects/${projectId}/photos/${sha256}.${extensionFor(format)}`;
  const thumbRel = `projects/${projectId}/thumbs/${sha256}.jpg`;
  const thumb = await makeThumbnail(bytes);
  try {
    await store.writeAtomic(photoRel, bytes, `saving "${name}"`);
    await store.writeAtomic(thumbRel, thumb, `saving the thumbnail of "${name}"`);
  } catch (err) {
    // Free the space now (a full disk is the usual cause) rather than at the next start.
    await removeIfUnreferenced(ctx, [photoRel, thumbRel]);
    throw err;
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
  try {
    const id = db.transaction(() => {
      const r = insertPhoto.run(
        projectId, name, sha256, photoRel, thumbRel, format, bytes.length,
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
    })();
    return { name, status: 'imported', photoId: id };
  } catch (err) {
    if (isUniqueViolation(err)) {
      // A concurrent import of the same bytes won: its row points at the very same files.
      const row = db.prepare<[number, string], { id: number }>(
        'SELECT id FROM photos WHERE project_id = ? AND sha256 = ?',
      ).get(projectId, sha256);
      if (row) return { name, status: 'duplicate', photoId: row.id };
    }
    await removeIfUnreferenced(ctx, [photoRel, thumbRel]);
    throw toLibraryError(err, `recording "${name}"`);
  }
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
