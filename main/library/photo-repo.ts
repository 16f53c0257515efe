import { LibraryError } from './errors';
import { primaryAge } from './photo-import';
import { withReserve } from './space-reserve';
import {
  type FaceRow,
  type LibraryContext,
  PHOTO_COLUMNS,
  type PhotoRow,
  TAG_SEP,
  descriptorBlob,
  notFound,
  toFace,
  toPhoto,
} from './rows';
import type { Face, Page, Photo, PhotoDetail, PhotoQuery, PhotoSort, TagCount } from './types';

// Photo queries and edits. Deleting commits the row removal first and unlinks files after, so a
// crash in between leaves unreferenced files (cleaned at startup), never a row without its file.

const SORTS: Record<PhotoSort, string> = {
  'imported-desc': 'p.imported_at DESC, p.id DESC',
  'imported-asc': 'p.imported_at ASC, p.id ASC',
  'name-asc': 'p.name COLLATE NOCASE ASC, p.id ASC',
  'age-asc': 'coalesce(p.label_age, p.primary_age) ASC NULLS LAST, p.id ASC',
  'age-desc': 'coalesce(p.label_age, p.primary_age) DESC NULLS LAST, p.id ASC',
};

const MAX_LIMIT = 1000;

function escapeLike(s: string): string {
  return s.replace(/[\\%_]/g, (c) => `\\${c}`);
}

export function listPhotos(ctx: LibraryContext, q: PhotoQuery): Page<Photo> {
  const where = ['p.project_id = ?'];
  const args: (string | number)[] = [q.projectId];
  if (q.search && q.search.trim()) {
    where.push(`p.name LIKE ? ESCAPE '\\'`);
    args.push(`%${escapeLike(q.search.trim())}%`);
  }
  if (q.minAge !== undefined) {
    where.push('coalesce(p.label_age, p.primary_age) >= ?');
    args.push(q.minAge);
  }
  if (q.maxAge !== undefined) {
    where.push('coalesce(p.label_age, p.primary_age) <= ?');
    args.push(q.maxAge);
  }
  if (q.tag) {
    where.push(`EXISTS (SELECT 1 FROM photo_tags pt JOIN tags t ON t.id = pt.tag_id
                        WHERE pt.photo_id = p.id AND t.name = ?)`);
    args.push(q.tag.trim());
  }
  const limit = Math.max(1, Math.min(MAX_LIMIT, Math.floor(q.limit ?? 100)));
  const offset = Math.max(0, Math.floor(q.offset ?? 0));
  const order = SORTS[q.sort ?? 'imported-desc'];
  if (!order) throw new LibraryError('invalid-input', `Unknown sort "${String(q.sort)}".`);
  const whereSql = where.join(' AND ');
  const total = (ctx.db.prepare(`SELECT count(*) AS n FROM photos p WHERE ${whereSql}`).get(...args) as {
    n: number;
  }).n;
  const rows = ctx.db
    .prepare(`SELECT ${PHOTO_COLUMNS} FROM photos p WHERE ${whereSql} ORDER BY ${order} LIMIT ? OFFSET ?`)
    .all(...args, limit, offset) as PhotoRow[];
  return { items: rows.map(toPhoto), total, offset, limit };
}

export function getPhotoRow(ctx: LibraryContext, id: number): PhotoRow {
  const row = ctx.db.prepare(`SELECT ${PHOTO_COLUMNS} FROM photos p WHERE p.id = ?`).get(id) as
    | PhotoRow
    | undefined;
  if (!row) throw notFound('Photo', id);
  return row;
}

export function getPhoto(ctx: LibraryContext, id: number): PhotoDetail {
  const row = getPhotoRow(ctx, id);
  const faces = ctx.db
    .prepare('SELECT * FROM faces WHERE photo_id = ? ORDER BY idx')
    .all(id) as FaceRow[];
  return { ...toPhoto(row), faces: faces.map(toFace) };
}

export function renamePhoto(ctx: LibraryContext, id: number, name: string): Photo {
  const clean = name.trim();
  if (!clean) throw new LibraryError('invalid-input', 'A photo name cannot be empty.');
  const r = ctx.db.prepare('UPDATE photos SET name = ? WHERE id = ?').run(clean, id);
  if (r.changes === 0) throw notFound('Photo', id);
  return toPhoto(getPhotoRow(ctx, id));
}

export function setLabelAge(ctx: LibraryContext, id: number, age: number | null): Photo {
  if (age !== null && !(Number.isFinite(age) && age >= 0 && age <= 120)) {
    throw new LibraryError('invalid-input', `An age label must be between 0 and 120 (got ${age}).`);
  }
  const r = ctx.db.prepare('UPDATE photos SET label_age = ? WHERE id = ?').run(age, id);
  if (r.changes === 0) throw notFound('Photo', id);
  return toPhoto(getPhotoRow(ctx, id));
}

/** Replace a photo's faces (after re-analysis with a newer pipeline). */
export function replaceFaces(ctx: LibraryContext, id: number, faces: Face[]): PhotoDetail {
  const { db } = ctx;
  const insert = db.prepare(
    `INSERT INTO faces (photo_id, idx, box_x, box_y, box_w, box_h, score, landmarks, age, descriptor)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  db.transaction(() => {
    const r = db.prepare('UPDATE photos SET primary_age = ? WHERE id = ?').run(primaryAge(faces), id);
    if (r.changes === 0) throw notFound('Photo', id);
    db.prepare('DELETE FROM faces WHERE photo_id = ?').run(id);
    faces.forEach((f, i) =>
      insert.run(id, i, f.box.x, f.box.y, f.box.width, f.box.height, f.score, JSON.stringify(f.landmarks),
        f.age, descriptorBlob(f.descriptor)),
    );
  })();
  return getPhoto(ctx, id);
}

export async function deletePhotos(ctx: LibraryContext, ids: number[]): Promise<number> {
  const { db, store } = ctx;
  const files: string[] = [];
  const deleted = await withReserve(ctx.reserve, 'deleting photos', db.transaction(() => {
    files.length = 0; // a retry after releasing the reserve starts over
    let n = 0;
    const photo = db.prepare<[number], { file_path: string; thumb_path: string }>(
      'SELECT file_path, thumb_path FROM photos WHERE id = ?',
    );
    const exportsOf = db.prepare<[number], { file_path: string }>('SELECT file_path FROM exports WHERE photo_id = ?');
    for (const id of ids) {
      const row = photo.get(id);
      if (!row) continue;
      files.push(row.file_path, row.thumb_path, ...exportsOf.all(id).map((e) => e.file_path));
      n += db.prepare('DELETE FROM photos WHERE id = ?').run(id).changes;
    }
    return n;
  }));
  for (const rel of files) await store.remove(rel).catch(() => undefined);
  await ctx.reserve.ensure();
  return deleted;
}

function cleanTag(tag: string): string {
  const t = tag.trim();
  if (!t || t.length > 64 || t.includes(TAG_SEP)) {
    throw new LibraryError('invalid-input', `"${tag}" is not a valid tag (1 to 64 characters).`);
  }
  return t;
}

export function tagPhotos(ctx: LibraryContext, photoIds: number[], tags: string[]): void {
  const { db } = ctx;
  const names = tags.map(cleanTag);
  db.transaction(() => {
    const projectOf = db.prepare<[number], { project_id: number }>('SELECT project_id FROM photos WHERE id = ?');
    const addTag = db.prepare('INSERT INTO tags (project_id, name) VALUES (?, ?) ON CONFLICT DO NOTHING');
    const tagId = db.prepare<[number, string], { id: number }>('SELECT id FROM tags WHERE project_id = ? AND name = ?');
    const link = db.prepare('INSERT OR IGNORE INTO photo_tags (photo_id, tag_id) VALUES (?, ?)');
    for (const pid of photoIds) {
      const p = projectOf.get(pid);
      if (!p) throw notFound('Photo', pid);
      for (const name of names) {
        addTag.run(p.project_id, name);
        link.run(pid, tagId.get(p.project_id, name)!.id);
      }
    }
  })();
}

export function untagPhotos(ctx: LibraryContext, photoIds: number[], tags: string[]): void {
  const { db } = ctx;
  const names = tags.map(cleanTag);
  db.transaction(() => {
    const unlink = db.prepare(
      `DELETE FROM photo_tags WHERE photo_id = ? AND tag_id IN
         (SELECT t.id FROM tags t JOIN photos p ON p.project_id = t.project_id WHERE p.id = ? AND t.name = ?)`,
    );
    for (const pid of photoIds) for (const name of names) unlink.run(pid, pid, name);
    // Tags no photo carries any more disappear from the tag list.
    db.prepare('DELETE FROM tags WHERE id NOT IN (SELECT tag_id FROM photo_tags)').run();
  })();
}

export function listTags(ctx: LibraryContext, projectId: number): TagCount[] {
  return ctx.db
    .prepare(
      `SELECT t.name AS name, count(pt.photo_id) AS count FROM tags t
       LEFT JOIN photo_tags pt ON pt.tag_id = t.id WHERE t.project_id = ?
       GROUP BY t.id ORDER BY t.name COLLATE NOCASE`,
    )
    .all(projectId) as TagCount[];
}
