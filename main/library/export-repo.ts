import { randomUUID } from 'node:crypto';
import sharp, { type Metadata } from 'sharp';
import { LibraryError, toLibraryError } from './errors';
import { getModelRow } from './model-repo';
import { withReserve } from './space-reserve';
import { type ExportRow, type LibraryContext, extensionFor, notFound, toExport } from './rows';
import type { ExportRecord, RecordExportInput } from './types';

// Finished exports: the aged image is written to the store (durably) before its row exists.
// externalPath only remembers where the user saved a copy; the library never manages that file.

const EXPORT_SELECT = `SELECT e.*, p.project_id FROM exports e JOIN photos p ON p.id = e.photo_id`;

function getExportRow(ctx: LibraryContext, id: number): ExportRow {
  const row = ctx.db.prepare(`${EXPORT_SELECT} WHERE e.id = ?`).get(id) as ExportRow | undefined;
  if (!row) throw notFound('Export', id);
  return row;
}

export async function recordExport(ctx: LibraryContext, input: RecordExportInput): Promise<ExportRecord> {
  const photo = ctx.db.prepare<[number], { project_id: number }>('SELECT project_id FROM photos WHERE id = ?').get(
    input.photoId,
  );
  if (!photo) throw notFound('Photo', input.photoId);
  if (input.modelId != null) getModelRow(ctx, input.modelId);
  if (!Number.isFinite(input.targetAge)) throw new LibraryError('invalid-input', 'The target age must be a number.');
  let meta: Metadata;
  try {
    meta = await sharp(input.bytes).metadata();
  } catch {
    throw new LibraryError('not-an-image', 'The exported bytes are not an image.');
  }
  const format = meta.format ?? 'unknown';
  const rel = `projects/${photo.project_id}/exports/${randomUUID()}.${extensionFor(format)}`;
  await ctx.store.writeAtomic(rel, input.bytes, 'saving the export');
  try {
    const r = ctx.db
      .prepare(
        `INSERT INTO exports (photo_id, model_id, target_age, file_path, external_path, format, width, height,
                              byte_size, settings, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(input.photoId, input.modelId ?? null, input.targetAge, rel, input.externalPath ?? null, format,
        meta.width ?? 0, meta.height ?? 0, input.bytes.length, JSON.stringify(input.settings ?? {}), ctx.now());
    return toExport(getExportRow(ctx, Number(r.lastInsertRowid)));
  } catch (err) {
    await ctx.store.remove(rel).catch(() => undefined);
    throw toLibraryError(err, 'recording the export');
  }
}

export function listExports(ctx: LibraryContext, filter: { projectId?: number; photoId?: number }): ExportRecord[] {
  const where: string[] = [];
  const args: number[] = [];
  if (filter.projectId !== undefined) {
    where.push('p.project_id = ?');
    args.push(filter.projectId);
  }
  if (filter.photoId !== undefined) {
    where.push('e.photo_id = ?');
    args.push(filter.photoId);
  }
  const sql = `${EXPORT_SELECT} ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY e.created_at DESC, e.id DESC`;
  return (ctx.db.prepare(sql).all(...args) as ExportRow[]).map(toExport);
}

export async function readExport(ctx: LibraryContext, id: number): Promise<Buffer> {
  return ctx.store.read(getExportRow(ctx, id).file_path);
}

export async function deleteExport(ctx: LibraryContext, id: number): Promise<void> {
  const row = getExportRow(ctx, id);
  await withReserve(ctx.reserve, 'deleting the export', () => ctx.db.prepare('DELETE FROM exports WHERE id = ?').run(id));
  await ctx.store.remove(row.file_path).catch(() => undefined);
  await ctx.reserve.ensure();
}
