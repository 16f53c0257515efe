/** projects:*, photos:* and faces:* handlers, backed by the SQLite library (main/library). */
import { readdir } from 'node:fs/promises';
import { extname, join } from 'node:path';
import sharp from 'sharp';
import type { EncodedImage, ImageMime } from '../../../preload/schemas/common';
import type { Photo } from '../../../preload/schemas/library';
import type { Library } from '../../library/library';
import type { ImportFile, PhotoSort } from '../../library/types';
import type { CoreContext } from '../context';
import { faceDto, photoDto, projectDto } from '../dto';
import { engineAnalyzer } from '../engine-analyzer';
import { toLibraryId, viaLibrary } from '../errors';
import { PendingDeletes } from '../pending-deletes';
import { StudioFailure, defineHandlers } from '../router';

const DEFAULT_PROJECT_NAME = 'My photos';
const IMAGE_EXTENSIONS = new Set(['.jpg', '.jpeg', '.png', '.webp', '.gif', '.tif', '.tiff', '.avif', '.heic', '.heif']);
const SORTS: Record<string, PhotoSort> = {
  'imported-desc': 'imported-desc',
  'imported-asc': 'imported-asc',
  name: 'name-asc',
  age: 'age-asc',
};
/** Side of the canonical face crop shown in the UI (the models work at 128-256 px). */
const FACE_CROP_SIZE = 256;
const WEB_MIMES = new Set<string>(['image/png', 'image/jpeg', 'image/webp', 'image/gif']);

/** Photos without an explicit project go to the oldest project, created on first use. */
function defaultProjectId(lib: Library): number {
  const projects = lib.listProjects();
  if (projects.length > 0) return Math.min(...projects.map((p) => p.id));
  return lib.createProject({ name: DEFAULT_PROJECT_NAME }).id;
}

async function encode(bytes: Buffer, maxEdge: number | undefined, mimeHint: string): Promise<EncodedImage> {
  let pipeline = sharp(bytes).autoOrient();
  if (maxEdge) pipeline = pipeline.resize(maxEdge, maxEdge, { fit: 'inside', withoutEnlargement: true });
  // Re-encode when resized or when the browser cannot show the original format.
  if (!maxEdge && WEB_MIMES.has(mimeHint)) {
    const meta = await sharp(bytes).autoOrient().metadata();
    const width = meta.autoOrient?.width ?? meta.width ?? 1;
    const height = meta.autoOrient?.height ?? meta.height ?? 1;
    return { mime: mimeHint as ImageMime, width, height, bytes: new Uint8Array(bytes) };
  }
  const { data, info } = await pipeline.jpeg({ quality: 88 }).toBuffer({ resolveWithObject: true });
  return { mime: 'image/jpeg', width: info.width, height: info.height, bytes: new Uint8Array(data) };
}

/** A file name for people: UTF-8 when it is, else Latin-1 (what such names almost always are). */
function displayName(raw: Buffer): string {
  const utf8 = raw.toString('utf8');
  return Buffer.from(utf8, 'utf8').equals(raw) ? utf8 : raw.toString('latin1');
}

async function filesFromGrants(ctx: CoreContext, grantIds: string[]): Promise<ImportFile[]> {
  const files: ImportFile[] = [];
  for (const id of grantIds) {
    let path: string;
    try {
      path = ctx.grants.resolve(id, ['file']);
    } catch {
      const dir = ctx.grants.resolve(id, ['folder']);
      // Names as raw bytes: a Latin-1 name (old cameras, archives) is not valid UTF-8 and would
      // not round-trip through a string. Every entry with a photo extension is handed on, whatever
      // it is (link, link loop, folder, pipe): the import reads regular files only and says why not.
      const entries = await readdir(Buffer.from(dir), { withFileTypes: true, encoding: 'buffer' });
      for (const e of entries) {
        const name = displayName(e.name);
        if (IMAGE_EXTENSIONS.has(extname(name).toLowerCase())) files.push({ name, path: Buffer.concat([Buffer.from(join(dir, '/')), e.name]) });
      }
      continue;
    }
    files.push({ name: path.split(/[\\/]/).pop() ?? path, path });
  }
  if (files.length === 0) throw new StudioFailure('not-found', 'no image files in the chosen folder');
  return files;
}

export function libraryHandlers(ctx: CoreContext) {
  const deletes = new PendingDeletes(async (ids) => (await ctx.library()).deletePhotos(ids));
  const lib = () => ctx.library();
  const analyzer = engineAnalyzer(ctx.supervisor);
  const changed = (kind: 'projects' | 'photos', ids: (string | number)[]) =>
    ctx.events.emit('library:changed', { kind, ids: ids.map(String) });
  const visiblePhoto = (l: Library, id: string) => {
    const n = toLibraryId(id, 'photo');
    if (deletes.isHidden(n)) throw new StudioFailure('not-found', `photo ${id} was deleted`);
    return l.getPhoto(n);
  };

  const handlers = defineHandlers({
    'projects:list': async () => {
      const l = await lib();
      return { projects: l.listProjects().map(projectDto) };
    },
    'projects:create': async ({ name }) => {
      const l = await lib();
      const p = await viaLibrary(() => l.createProject({ name }));
      changed('projects', [p.id]);
      return projectDto({ ...p, photoCount: 0, coverPhotoId: null });
    },
    'projects:rename': async ({ projectId, name }) => {
      const l = await lib();
      const id = toLibraryId(projectId, 'project');
      await viaLibrary(() => l.renameProject(id, name));
      changed('projects', [id]);
      const summary = l.listProjects().find((p) => p.id === id);
      if (!summary) throw new StudioFailure('not-found', `project ${projectId} does not exist`);
      return projectDto(summary);
    },
    'projects:delete': async ({ projectId }) => {
      const l = await lib();
      const id = toLibraryId(projectId, 'project');
      await viaLibrary(() => l.deleteProject(id));
      changed('projects', [id]);
      return { deleted: true };
    },

    'photos:import': async (req) => {
      const l = await lib();
      const projectId = req.projectId === null ? defaultProjectId(l) : toLibraryId(req.projectId, 'project');
      const files: ImportFile[] =
        req.source.kind === 'bytes'
          ? req.source.files.map((f) => ({ name: f.name, bytes: Buffer.from(f.bytes.buffer, f.bytes.byteOffset, f.bytes.byteLength) }))
          : await filesFromGrants(ctx, req.source.grantIds);
      // Faces, landmarks and ages come from the engine's face pipeline while the photo is imported.
      const outcomes = await viaLibrary(() =>
        l.importPhotos(projectId, files, analyzer, (p) =>
          ctx.events.emit('photos:importProgress', {
            importId: req.importId ?? null,
            done: p.done,
            total: p.total,
            name: p.last.name,
            status: p.last.status,
          }),
        ),
      );
      const imported: Photo[] = [];
      const duplicates: Photo[] = [];
      const failed: { name: string; code: string; message: string }[] = [];
      for (const o of outcomes) {
        if (o.status === 'error') failed.push({ name: o.name, code: o.code, message: o.message });
        else (o.status === 'imported' ? imported : duplicates).push(photoDto(l.getPhoto(o.photoId)));
      }
      if (req.tags.length > 0 && imported.length + duplicates.length > 0) {
        const ids = [...imported, ...duplicates].map((p) => Number(p.id));
        l.tagPhotos(ids, req.tags);
        for (const p of [...imported, ...duplicates]) p.tags = photoDto(l.getPhoto(Number(p.id))).tags;
      }
      changed('photos', imported.map((p) => p.id));
      return { imported, duplicates, failed };
    },

    'photos:list': async (req) => {
      const l = await lib();
      const projectId = req.projectId === undefined ? defaultProjectId(l) : toLibraryId(req.projectId, 'project');
      const hidden = deletes.hiddenIds();
      // Over-fetch by the number of hidden photos so a page stays full while an undo window is open.
      const page = await viaLibrary(() =>
        l.listPhotos({
          projectId,
          search: req.search,
          minAge: req.ageMin,
          maxAge: req.ageMax,
          tag: req.tag,
          sort: SORTS[req.sort] ?? 'imported-desc',
          offset: req.offset,
          limit: req.limit + hidden.size,
        }),
      );
      const visible = page.items.filter((p) => !hidden.has(p.id));
      const items = visible.slice(0, req.limit).map(photoDto);
      const total = Math.max(0, page.total - [...hidden].filter((id) => page.items.some((p) => p.id === id)).length);
      const nextOffset = req.offset + req.limit < total ? req.offset + req.limit : null;
      return { items, total, nextOffset };
    },

    'photos:get': async ({ photoId }) => photoDto(await viaLibrary(async () => visiblePhoto(await lib(), photoId))),

    'photos:image': async ({ photoId, maxEdge }) => {
      const l = await lib();
      const photo = await viaLibrary(() => visiblePhoto(l, photoId));
      const bytes = await viaLibrary(() => (maxEdge && maxEdge <= 256 ? l.readThumbnail(photo.id) : l.readPhotoFile(photo.id)));
      const image = await encode(bytes, maxEdge, maxEdge && maxEdge <= 256 ? 'image/jpeg' : photoDto(photo).mime).catch(() => {
        throw new StudioFailure('bad-image', `photo ${photoId} could not be decoded`);
      });
      return { image };
    },

    'photos:delete': async ({ photoIds }) => {
      const l = await lib();
      const ids = photoIds.map((id) => toLibraryId(id, 'photo'));
      for (const id of ids) await viaLibrary(() => l.getPhoto(id));
      const { undoToken, expiresAt } = deletes.schedule(ids);
      changed('photos', ids);
      return { deleted: ids.length, undoToken, expiresAt };
    },

    'photos:undoDelete': ({ undoToken }) => {
      const ids = deletes.undo(undoToken);
      if (!ids) throw new StudioFailure('not-found', 'the undo window has closed');
      changed('photos', ids);
      return { restored: ids.length };
    },

    'photos:tag': async ({ photoIds, add, remove }) => {
      const l = await lib();
      const ids = photoIds.map((id) => toLibraryId(id, 'photo'));
      await viaLibrary(() => {
        if (add.length > 0) l.tagPhotos(ids, add);
        if (remove.length > 0) l.untagPhotos(ids, remove);
      });
      changed('photos', ids);
      return { photos: ids.map((id) => photoDto(l.getPhoto(id))) };
    },

    'photos:tags': async () => {
      const l = await lib();
      return { tags: l.listTags(defaultProjectId(l)).map((t) => ({ tag: t.name, count: t.count })) };
    },

    'faces:list': async ({ photoId }) => {
      const detail = await viaLibrary(async () => visiblePhoto(await lib(), photoId));
      return { photoId, faces: detail.faces.map(faceDto) };
    },

    'faces:detect': async ({ photoId, force }, call) => {
      const l = await lib();
      const photo = await viaLibrary(() => visiblePhoto(l, photoId));
      if (!force && photo.faces.length > 0) return { photoId, faces: photo.faces.map(faceDto) };
      const r = await ctx.supervisor.request('analyze', { path: l.photoFilePath(photo.id) }, { signal: call.signal });
      if (!r.ok) return r;
      const detail = await viaLibrary(() => l.replaceFaces(photo.id, r.value.faces));
      ctx.events.emit('library:changed', { kind: 'faces', ids: [photoId] });
      return { photoId, faces: detail.faces.map(faceDto) };
    },

    'faces:crop': async ({ photoId, faceIndex }, call) => {
      const l = await lib();
      const photo = await viaLibrary(() => visiblePhoto(l, photoId));
      const face = photo.faces[faceIndex];
      if (!face) throw new StudioFailure('not-found', `photo ${photoId} has no face ${faceIndex}`);
      if (face.landmarks.length !== 68) throw new StudioFailure('no-face', `face ${faceIndex} has no landmarks; run face detection again`);
      const r = await ctx.supervisor.request(
        'faceCrop',
        { path: l.photoFilePath(photo.id), landmarks: face.landmarks, size: FACE_CROP_SIZE },
        { signal: call.signal },
      );
      if (!r.ok) return r;
      return { image: r.value };
    },
  });

  return { handlers, flushDeletes: () => deletes.flush() };
}
