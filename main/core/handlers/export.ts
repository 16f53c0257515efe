/**
 * export:* handlers. export:start resolves photos, faces and the model from the library, answers
 * with an export id at once and renders in the background, one engine request per output image
 * (so export:cancel stops between images and progress is per image):
 * - 'files': photos x ages, each the original photo at full resolution with the faces pasted back;
 * - 'contact-sheet': one image, rows = photo faces, columns = ages, aligned aged crops;
 * - 'animated-timeline': one animation per photo face (animated WebP, or GIF for png/jpeg).
 * 'download' keeps outputs in the library's export store; 'grant' writes into the chosen folder
 * through a temp name and a rename. A cancelled or failed export removes everything it wrote.
 */
import { randomUUID } from 'node:crypto';
import { promises as fs } from 'node:fs';
import { basename, extname, join } from 'node:path';
import { ExportStartSchema } from '../../../preload/schemas/export';
import type { ExportJob } from '../../../preload/schemas/export';
import type { Library } from '../../library/library';
import type { CoreContext } from '../context';
import { partialPath, type ExportPartials } from '../export-partials';
import { toLibraryId, viaLibrary } from '../errors';
import { StudioFailure, defineHandlers } from '../router';
import type { ExportImageWire } from '../../engine/protocol';

/** A contact sheet's file name says what it holds: whose faces and at which ages. */
export function contactSheetStem(photos: { stem: string }[], ages: number[]): string {
  const who = photos.length === 1 ? photos[0]!.stem : `${photos.length}-photos`;
  return `${who}-contact-sheet-ages-${ages.join('-')}`;
}

/** Smallest cell of contact sheets and timelines, px (crops are resized up to it). */
export const MIN_CELL = 128;
/** Largest cell, px: faces aged at their size in the photo (crops up to 512 px) are shrunk to it. */
export const MAX_CELL = 256;

/** Used when a face has no age estimate (as aging previews do). */
const FALLBACK_SOURCE_AGE = 35;
const EXT = { 'image/png': 'png', 'image/jpeg': 'jpg', 'image/webp': 'webp', 'image/gif': 'gif' } as const;

type StartRequest = ReturnType<typeof ExportStartSchema.parse>;

interface FaceRef {
  index: number;
  landmarks: { x: number; y: number }[];
  sourceAge: number;
}

interface PhotoRef {
  photoId: number;
  path: string;
  stem: string;
  faces: FaceRef[];
}

interface Written {
  name: string;
  mime: string;
  /** Library export id (download) or the final file path (grant). */
  exportRecordId: number | null;
  path: string | null;
}

interface Job {
  state: ExportJob;
  abort: AbortController;
  written: Written[];
}

export function exportHandlers(ctx: CoreContext, partials: ExportPartials) {
  const jobs = new Map<string, Job>();

  async function resolvePhotos(req: StartRequest): Promise<PhotoRef[]> {
    const l = await ctx.library();
    const refs: PhotoRef[] = [];
    for (const id of req.photoIds) {
      const photo = await viaLibrary(() => l.getPhoto(toLibraryId(id, 'photo')));
      const picked = req.faces === 'all' ? photo.faces.map((f, i) => ({ f, i })) : [{ f: photo.faces[req.faces], i: req.faces }];
      const faces: FaceRef[] = [];
      for (const { f, i } of picked) {
        if (!f) throw new StudioFailure('not-found', `photo ${id} has no face ${i}`);
        if (f.landmarks.length !== 68) continue;
        faces.push({ index: i, landmarks: f.landmarks, sourceAge: f.age ?? FALLBACK_SOURCE_AGE });
      }
      if (faces.length === 0) throw new StudioFailure('no-face', `photo ${photo.name} has no face to age`);
      refs.push({ photoId: photo.id, path: l.photoFilePath(photo.id), stem: safeStem(photo.name), faces });
    }
    return refs;
  }

  function emit(job: Job, currentName: string | null): void {
    ctx.events.emit('export:progress', { ...job.state, outputs: [...job.state.outputs], currentName });
  }

  async function engine<K extends 'exportPhoto' | 'exportCompose' | 'ageFaces'>(
    job: Job,
    op: K,
    payload: Parameters<CoreContext['supervisor']['request']>[1] & object,
  ) {
    const r = await ctx.supervisor.request(op, payload as never, { signal: job.abort.signal });
    if (!r.ok) throw new StudioFailure(r.error.code, r.error.message);
    return r.value;
  }

  async function save(job: Job, req: StartRequest, dir: string | null, name: string, image: ExportImageWire, photoId: number, age: number) {
    if (job.abort.signal.aborted) throw new StudioFailure('cancelled', 'cancelled');
    const bytes = Buffer.from(image.bytes);
    if (dir === null) {
      const l = await ctx.library();
      const rec = await viaLibrary(() =>
        l.recordExport({ photoId, modelId: Number(toLibraryId(req.modelId, 'model')), targetAge: age, bytes, settings: { layout: req.layout, name } }),
      );
      job.written.push({ name, mime: image.mime, exportRecordId: rec.id, path: null });
    } else {
      const finalName = await freeName(dir, name);
      const finalPath = join(dir, finalName);
      // Never a half-written file under the final name: write a hidden temp file, then rename.
      // Journaled first, so a kill mid-write leaves nothing the next start does not remove.
      const temp = partialPath(dir, finalName);
      await partials.add(temp);
      try {
        // fsync before the rename: after a power cut the final name must not hold an empty file.
        const fh = await fs.open(temp, 'wx');
        try {
          await fh.writeFile(bytes);
          await fh.sync();
        } finally {
          await fh.close();
        }
        if (job.abort.signal.aborted) throw new StudioFailure('cancelled', 'cancelled');
        await fs.rename(temp, finalPath);
      } catch (err) {
        await fs.rm(temp, { force: true });
        throw err;
      } finally {
        await partials.remove(temp);
      }
      job.written.push({ name: finalName, mime: image.mime, exportRecordId: null, path: finalPath });
      name = finalName;
    }
    job.state.outputs.push(name);
  }

  async function removeWritten(job: Job): Promise<void> {
    const l = await ctx.library();
    for (const w of job.written) {
      if (w.path) await fs.rm(w.path, { force: true }).catch(() => undefined);
      if (w.exportRecordId !== null) await l.deleteExport(w.exportRecordId).catch(() => undefined);
    }
    job.written = [];
    job.state.outputs = [];
  }

  async function run(job: Job, req: StartRequest, photos: PhotoRef[], dir: string | null, modelDir: string): Promise<void> {
    const step = (name: string | null) => {
      job.state.done += 1;
      emit(job, name);
    };
    const quality = req.quality;
    if (req.layout === 'files') {
      for (const p of photos) {
        for (const age of req.ages) {
          const faces = p.faces.map(({ landmarks, sourceAge }) => ({ landmarks, sourceAge }));
          const image = await engine(job, 'exportPhoto', {
            path: p.path, faces, age, modelDir, format: req.format, quality, keepLocation: req.keepLocation,
          });
          const name = `${p.stem}-age${age}.${EXT[(image as ExportImageWire).mime]}`;
          await save(job, req, dir, name, image as ExportImageWire, p.photoId, age);
          step(name);
        }
      }
      return;
    }
    // Sheets and timelines: aligned aged crops of each photo face at every age.
    const rows: { photo: PhotoRef; face: FaceRef; crops: Uint8Array[] }[] = [];
    let cellSize = 0;
    for (const p of photos) {
      for (const face of p.faces) {
        const r = (await engine(job, 'ageFaces', {
          path: p.path,
          landmarks: face.landmarks,
          sourceAge: face.sourceAge,
          ages: req.ages,
          modelDir,
          output: 'crop',
        })) as { frames: { crop: { bytes: Uint8Array } | null }[]; resolution: number };
        // A 64 px model's crops are enlarged to 128 px cells: 64 px faces are too small to judge.
        // A contact sheet's cells fit its largest face.
        const faceCell = Math.min(MAX_CELL, Math.max(MIN_CELL, r.resolution));
        cellSize = Math.max(cellSize, faceCell);
        const crops = r.frames.map((f) => {
          if (!f.crop) throw new StudioFailure('internal', 'the engine returned no crop');
          return f.crop.bytes;
        });
        if (req.layout === 'animated-timeline') {
          const image = (await engine(job, 'exportCompose', {
            layout: 'animated-timeline', rows: [crops], ages: req.ages, cellSize: faceCell, format: req.format, quality, frameMs: req.frameMs,
          })) as ExportImageWire;
          const name = `${p.stem}-face${face.index}-timeline.${EXT[image.mime]}`;
          await save(job, req, dir, name, image, p.photoId, req.ages[req.ages.length - 1]);
          step(name);
        } else {
          rows.push({ photo: p, face, crops });
          step(null);
        }
      }
    }
    if (req.layout === 'contact-sheet') {
      const image = (await engine(job, 'exportCompose', {
        layout: 'contact-sheet', rows: rows.map((r) => r.crops), ages: req.ages, cellSize, format: req.format, quality, frameMs: req.frameMs,
      })) as ExportImageWire;
      const name = `${contactSheetStem(photos, req.ages)}.${EXT[image.mime]}`;
      await save(job, req, dir, name, image, photos[0].photoId, req.ages[0]);
      step(name);
    }
  }

  return defineHandlers({
    'export:start': async (raw) => {
      const req = ExportStartSchema.parse(raw);
      const dir = req.destination.kind === 'grant' ? ctx.grants.resolve(req.destination.grantId, ['destination']) : null;
      const modelDir = await resolveModel(await ctx.library(), req.modelId);
      const photos = await resolvePhotos(req);
      const faceRows = photos.reduce((n, p) => n + p.faces.length, 0);
      const total =
        req.layout === 'files' ? photos.length * req.ages.length : req.layout === 'contact-sheet' ? faceRows + 1 : faceRows;
      const exportId = randomUUID();
      const job: Job = {
        state: { exportId, state: 'running', done: 0, total, createdAt: new Date().toISOString(), outputs: [], error: null },
        abort: new AbortController(),
        written: [],
      };
      jobs.set(exportId, job);
      emit(job, null);
      // Leftovers of an earlier, killed export into this folder go when this job ends.
      const sweep = () => (dir === null ? undefined : partials.sweep(dir).catch(() => 0));
      void run(job, req, photos, dir, modelDir).then(
        async () => {
          await sweep();
          job.state.state = 'done';
          emit(job, null);
        },
        async (err: unknown) => {
          await removeWritten(job);
          await sweep();
          const cancelled = job.abort.signal.aborted;
          job.state.state = cancelled ? 'cancelled' : 'failed';
          job.state.error = cancelled ? null : err instanceof Error ? err.message : String(err);
          emit(job, null);
        },
      );
      return { exportId };
    },
    'export:cancel': ({ exportId }) => {
      const job = jobs.get(exportId);
      if (!job || job.state.state !== 'running') return { cancelled: false };
      job.abort.abort();
      return { cancelled: true };
    },
    'export:list': () => ({ exports: [...jobs.values()].map((j) => ({ ...j.state, outputs: [...j.state.outputs] })) }),
    'export:result': async ({ exportId }) => {
      const job = jobs.get(exportId);
      if (!job) throw new StudioFailure('not-found', `no export ${exportId}`);
      if (job.state.state !== 'done') throw new StudioFailure('invalid-payload', `export ${exportId} is ${job.state.state}`);
      const l = await ctx.library();
      const files = [];
      for (const w of job.written) {
        const bytes = w.exportRecordId !== null ? await viaLibrary(() => l.readExport(w.exportRecordId as number)) : await fs.readFile(w.path as string);
        files.push({ name: w.name, mime: w.mime, bytes: new Uint8Array(bytes) });
      }
      return { files };
    },
  });
}

/** Kinds the engine ages with (ops/aging-core.ts through loadEvalModel). */
const AGEABLE_KINDS: ReadonlySet<string> = new Set(['age-cgan', 'cyclegan', 'prototype']);

/**
 * The model's weights folder, checked before a job is queued: the row exists, its kind ages faces,
 * its weights are present and carry the meta.json the engine dispatches on. A bad modelId is a
 * not-found answer to export:start, not a job that fails later.
 */
async function resolveModel(lib: Library, modelId: string): Promise<string> {
  const id = toLibraryId(modelId, 'model');
  const model = await viaLibrary(() => lib.getModel(id));
  if (!AGEABLE_KINDS.has(model.kind)) throw new StudioFailure('unsupported', `model ${modelId} (${model.kind}) does not age faces`);
  const dir = await viaLibrary(() => lib.modelWeightsPath(id));
  let meta: unknown;
  try {
    meta = JSON.parse(await fs.readFile(join(dir, 'meta.json'), 'utf8'));
  } catch {
    throw new StudioFailure('not-found', `the weights of model "${model.name}" are missing or unreadable (no meta.json)`);
  }
  const m = meta as { kind?: unknown; format?: unknown } | null;
  if (typeof m !== 'object' || m === null || (typeof m.kind !== 'string' && typeof m.format !== 'string')) {
    throw new StudioFailure('not-found', `the weights of model "${model.name}" are not a loadable model (meta.json names no kind)`);
  }
  return dir;
}

function safeStem(name: string): string {
  const stem = basename(name, extname(name)).replace(/[^\p{L}\p{N}._-]+/gu, '_').replace(/^\.+/, '');
  return stem || 'photo';
}

/** `name`, or `name (2)`, ... so an export never overwrites a file already in the folder. */
async function freeName(dir: string, name: string): Promise<string> {
  const ext = extname(name);
  const stem = name.slice(0, name.length - ext.length);
  for (let i = 1; ; i++) {
    const candidate = i === 1 ? name : `${stem} (${i})${ext}`;
    try {
      await fs.access(join(dir, candidate));
    } catch {
      return candidate;
    }
  }
}
