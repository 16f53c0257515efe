import { LibraryError, toLibraryError } from './errors';
import { type LibraryContext, type ProjectRow, notFound, toProject } from './rows';
import { withReserve } from './space-reserve';
import type { Project, ProjectSummary } from './types';

// Projects. Deleting one cascades (foreign keys) to its photos, faces, tags, fine-tuned models,
// runs and exports in one statement, then removes its folder files/projects/<id>.

function cleanName(name: unknown): string {
  const clean = typeof name === 'string' ? name.trim() : '';
  if (!clean || clean.length > 200) throw new LibraryError('invalid-input', 'A project name must be 1 to 200 characters.');
  return clean;
}

export function listProjects(ctx: LibraryContext): ProjectSummary[] {
  const rows = ctx.db
    .prepare(
      `SELECT pr.*, (SELECT count(*) FROM photos p WHERE p.project_id = pr.id) AS photo_count,
              (SELECT p.id FROM photos p WHERE p.project_id = pr.id ORDER BY p.imported_at DESC, p.id DESC LIMIT 1)
                AS cover
       FROM projects pr ORDER BY pr.updated_at DESC, pr.id DESC`,
    )
    .all() as (ProjectRow & { photo_count: number; cover: number | null })[];
  return rows.map((r) => ({ ...toProject(r), photoCount: r.photo_count, coverPhotoId: r.cover }));
}

export function getProject(ctx: LibraryContext, id: number): Project {
  const row = ctx.db.prepare('SELECT * FROM projects WHERE id = ?').get(id) as ProjectRow | undefined;
  if (!row) throw notFound('Project', id);
  return toProject(row);
}

export function createProject(ctx: LibraryContext, input: { name: string; description?: string }): Project {
  const name = cleanName(input.name);
  const now = ctx.now();
  try {
    const r = ctx.db
      .prepare('INSERT INTO projects (name, description, created_at, updated_at) VALUES (?, ?, ?, ?)')
      .run(name, input.description ?? '', now, now);
    return getProject(ctx, Number(r.lastInsertRowid));
  } catch (err) {
    throw toLibraryError(err, `creating project "${name}"`);
  }
}

export function renameProject(ctx: LibraryContext, id: number, name: string): Project {
  const clean = cleanName(name);
  const r = ctx.db.prepare('UPDATE projects SET name = ?, updated_at = ? WHERE id = ?').run(clean, ctx.now(), id);
  if (r.changes === 0) throw notFound('Project', id);
  return getProject(ctx, id);
}

export async function deleteProject(ctx: LibraryContext, id: number): Promise<void> {
  const r = await withReserve(ctx.reserve, `deleting project ${id}`, () =>
    ctx.db.prepare('DELETE FROM projects WHERE id = ?').run(id),
  );
  if (r.changes === 0) throw notFound('Project', id);
  // If this fails (or the process dies), the files are unreferenced and recovery deletes them.
  await ctx.store.remove(`projects/${id}`).catch(() => undefined);
  await ctx.reserve.ensure();
}
