import { constants as fsConstants } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { LibraryError, toLibraryError } from './errors';
import { deleteExport, listExports, readExport, recordExport } from './export-repo';
import { FileStore, type FsOps, defaultFsOps } from './file-store';
import { migrate, schemaVersion } from './migrations';
import {
  deleteModel,
  getModel,
  listModels,
  modelWeightsPath,
  registerModel,
  renameModel,
  updateModelMetrics,
} from './model-repo';
import { importPhotos } from './photo-import';
import {
  deletePhotos,
  getPhoto,
  getPhotoRow,
  listPhotos,
  listTags,
  renamePhoto,
  replaceFaces,
  setLabelAge,
  tagPhotos,
  untagPhotos,
} from './photo-repo';
import { recover } from './recovery';
import { DEFAULT_RESERVE_BYTES, SpaceReserve } from './space-reserve';
import { createProject, deleteProject, getProject, listProjects, renameProject } from './project-repo';
import type { LibraryContext } from './rows';
import {
  addRunSample,
  createRun,
  deleteRun,
  getRun,
  getRunMetrics,
  listRunSamples,
  listRuns,
  readRunSample,
  recordRunProgress,
  setRunOutputModel,
  setRunStatus,
} from './run-repo';
import type {
  Analyzer,
  CreateRunInput,
  ExportRecord,
  Face,
  ImportFile,
  ImportOutcome,
  ImportProgress,
  JsonObject,
  MetricPoint,
  MetricSeries,
  Model,
  ModelKind,
  ModelWithLineage,
  Page,
  Photo,
  PhotoDetail,
  PhotoQuery,
  Project,
  ProjectSummary,
  RecordExportInput,
  RecoveryReport,
  RegisterModelInput,
  Run,
  RunSample,
  RunStatus,
  TagCount,
} from './types';

export const DATABASE_FILE = 'library.sqlite';

export interface LibraryOpenOptions {
  /** fs/promises replacement for the file store (tests inject ENOSPC/EROFS faults). */
  fs?: FsOps;
  /** Clock in Unix ms (tests pin it). */
  now?: () => number;
  /** Bytes kept free beside the database so deletes work on a full disk (0 disables). */
  reserveBytes?: number;
}

/**
 * The studio's project library: one SQLite database (WAL, foreign keys, exclusive lock held by
 * this process) plus a file store, in one folder. Main is its only writer; every method takes and
 * returns plain JSON-able objects (Buffers for file bytes) and throws LibraryError with a code.
 */
export class Library {
  readonly dir: string;
  /** What startup recovery cleaned up when this library was opened. */
  readonly recovery: RecoveryReport;
  private readonly ctx: LibraryContext;

  private constructor(dir: string, ctx: LibraryContext, recovery: RecoveryReport) {
    this.dir = dir;
    this.ctx = ctx;
    this.recovery = recovery;
  }

  /** Open (creating if needed), migrate to the latest schema and run startup recovery. */
  static async open(dir: string, options: LibraryOpenOptions = {}): Promise<Library> {
    const root = path.resolve(dir);
    const fs = options.fs ?? defaultFsOps;
    try {
      await fs.mkdir(root, { recursive: true });
    } catch (err) {
      throw toLibraryError(err, `creating the library folder ${root}`);
    }
    try {
      // A read-only folder would otherwise surface as SQLite's opaque "disk I/O error".
      await fs.access(root, fsConstants.W_OK);
    } catch (err) {
      throw new LibraryError(
        'read-only',
        `The library folder ${root} is read-only (${(err as { code?: string }).code ?? 'not writable'}); the studio needs to write there. Make it writable or choose another folder.`,
        { cause: err },
      );
    }
    await refuseForeignFolder(root, fs);
    let db: Database.Database | undefined;
    try {
      db = new Database(path.join(root, DATABASE_FILE), { timeout: 200 });
      // Exclusive locking makes the open itself the inter-process lock: a second studio (or the
      // CLI) on the same folder gets SQLITE_BUSY here instead of racing recovery against imports.
      // The OS drops the lock when the process dies, even by SIGKILL.
      db.pragma('locking_mode = EXCLUSIVE');
      db.pragma('journal_mode = WAL');
      // FULL: a commit survives power loss, matching the fsync'd files rows point at.
      db.pragma('synchronous = FULL');
      db.pragma('foreign_keys = ON');
      db.exec('BEGIN IMMEDIATE; COMMIT');
      migrate(db);
      const store = new FileStore(root, fs);
      await store.init();
      const reserve = new SpaceReserve(root, fs, options.reserveBytes ?? DEFAULT_RESERVE_BYTES);
      const ctx: LibraryContext = { db, store, reserve, now: options.now ?? Date.now };
      const report = await recover(ctx);
      await reserve.ensure();
      return new Library(root, ctx, report);
    } catch (err) {
      db?.close();
      const code = (err as { code?: string }).code;
      if (code === 'SQLITE_BUSY' || code === 'SQLITE_BUSY_SNAPSHOT') {
        throw new LibraryError('locked', `The library at ${root} is open in another studio window or process.`, {
          cause: err,
        });
      }
      throw toLibraryError(err, `opening the library at ${root}`);
    }
  }

  close(): void {
    if (!this.ctx.db.open) return;
    try {
      this.ctx.db.pragma('wal_checkpoint(TRUNCATE)');
    } catch {
      // A checkpoint that fails (full or read-only disk) is redone by the next open.
    }
    this.ctx.db.close();
  }

  /** Schema version (number of the last migration applied). */
  get schemaVersion(): number {
    return schemaVersion(this.ctx.db);
  }

  /** SQLite's own consistency check: 'ok' or the list of problems. */
  integrityCheck(): string[] {
    return (this.ctx.db.pragma('integrity_check') as { integrity_check: string }[]).map((r) => r.integrity_check);
  }

  // Projects

  listProjects(): ProjectSummary[] {
    return guard('trying to list projects', () => listProjects(this.ctx));
  }

  getProject(id: number): Project {
    return getProject(this.ctx, id);
  }

  createProject(input: { name: string; description?: string }): Project {
    return guard('trying to create a project', () => createProject(this.ctx, input));
  }

  renameProject(id: number, name: string): Project {
    return guard('trying to rename the project', () => renameProject(this.ctx, id, name));
  }

  /** Delete a project with its photos, fine-tuned models, runs and exports, rows first then files. */
  deleteProject(id: number): Promise<void> {
    return guard('trying to delete the project', () => deleteProject(this.ctx, id));
  }

  // Photos

  importPhotos(
    projectId: number,
    files: ImportFile[],
    analyze: Analyzer,
    onProgress?: (p: ImportProgress) => void,
  ): Promise<ImportOutcome[]> {
    return guard('trying to import photos', () => importPhotos(this.ctx, projectId, files, analyze, onProgress));
  }

  listPhotos(query: PhotoQuery): Page<Photo> {
    return guard('trying to list photos', () => listPhotos(this.ctx, query));
  }

  getPhoto(id: number): PhotoDetail {
    return guard('trying to get photo', () => getPhoto(this.ctx, id));
  }

  readPhotoFile(id: number): Promise<Buffer> {
    return this.ctx.store.read(getPhotoRow(this.ctx, id).file_path);
  }

  readThumbnail(id: number): Promise<Buffer> {
    return this.ctx.store.read(getPhotoRow(this.ctx, id).thumb_path);
  }

  /** Absolute path of the original, for the engine to read without copying bytes through IPC. */
  photoFilePath(id: number): string {
    return this.ctx.store.abs(getPhotoRow(this.ctx, id).file_path);
  }

  renamePhoto(id: number, name: string): Photo {
    return guard('trying to rename photo', () => renamePhoto(this.ctx, id, name));
  }

  setPhotoLabelAge(id: number, age: number | null): Photo {
    return guard('trying to set label age', () => setLabelAge(this.ctx, id, age));
  }

  replaceFaces(id: number, faces: Face[]): PhotoDetail {
    return guard('trying to replace faces', () => replaceFaces(this.ctx, id, faces));
  }

  deletePhotos(ids: number[]): Promise<number> {
    return guard('trying to delete photos', () => deletePhotos(this.ctx, ids));
  }

  tagPhotos(photoIds: number[], tags: string[]): void {
    guard('trying to tag photos', () => tagPhotos(this.ctx, photoIds, tags));
  }

  untagPhotos(photoIds: number[], tags: string[]): void {
    guard('trying to untag photos', () => untagPhotos(this.ctx, photoIds, tags));
  }

  listTags(projectId: number): TagCount[] {
    return guard('trying to list tags', () => listTags(this.ctx, projectId));
  }

  // Models

  registerModel(input: RegisterModelInput): Promise<ModelWithLineage> {
    return guard('trying to register model', () => registerModel(this.ctx, input));
  }

  listModels(filter?: { kind?: ModelKind; projectId?: number }): ModelWithLineage[] {
    return guard('trying to list models', () => listModels(this.ctx, filter));
  }

  getModel(id: number): ModelWithLineage {
    return guard('trying to get model', () => getModel(this.ctx, id));
  }

  modelWeightsPath(id: number): string {
    return guard('trying to find model weights', () => modelWeightsPath(this.ctx, id));
  }

  updateModelMetrics(id: number, metrics: JsonObject): Model {
    return guard('trying to update model metrics', () => updateModelMetrics(this.ctx, id, metrics));
  }

  renameModel(id: number, name: string): Model {
    return guard('trying to rename model', () => renameModel(this.ctx, id, name));
  }

  deleteModel(id: number): Promise<void> {
    return guard('trying to delete model', () => deleteModel(this.ctx, id));
  }

  // Training runs

  createRun(input: CreateRunInput): Run {
    return guard('trying to create run', () => createRun(this.ctx, input));
  }

  getRun(id: number): Run {
    return guard('trying to get run', () => getRun(this.ctx, id));
  }

  listRuns(filter?: { projectId?: number; status?: RunStatus }): Run[] {
    return guard('trying to list runs', () => listRuns(this.ctx, filter));
  }

  setRunStatus(id: number, status: RunStatus, error?: string): Run {
    return guard('trying to set run status', () => setRunStatus(this.ctx, id, status, error));
  }

  recordRunProgress(id: number, step: number, points: MetricPoint[]): void {
    guard('trying to record run progress', () => recordRunProgress(this.ctx, id, step, points));
  }

  getRunMetrics(id: number, opts?: { names?: string[]; sinceStep?: number; maxPoints?: number }): MetricSeries[] {
    return guard('trying to get run metrics', () => getRunMetrics(this.ctx, id, opts));
  }

  addRunSample(runId: number, step: number, bytes: Buffer): Promise<RunSample> {
    return guard('trying to add run sample', () => addRunSample(this.ctx, runId, step, bytes));
  }

  listRunSamples(runId: number): RunSample[] {
    return guard('trying to list run samples', () => listRunSamples(this.ctx, runId));
  }

  readRunSample(sampleId: number): Promise<Buffer> {
    return guard('trying to read run sample', () => readRunSample(this.ctx, sampleId));
  }

  setRunOutputModel(runId: number, modelId: number): Run {
    return guard('trying to set run output model', () => setRunOutputModel(this.ctx, runId, modelId));
  }

  deleteRun(runId: number): Promise<void> {
    return guard('trying to delete run', () => deleteRun(this.ctx, runId));
  }

  // Exports

  recordExport(input: RecordExportInput): Promise<ExportRecord> {
    return guard('trying to record export', () => recordExport(this.ctx, input));
  }

  listExports(filter: { projectId?: number; photoId?: number } = {}): ExportRecord[] {
    return guard('trying to list exports', () => listExports(this.ctx, filter));
  }

  readExport(id: number): Promise<Buffer> {
    return guard('trying to read export', () => readExport(this.ctx, id));
  }

  deleteExport(id: number): Promise<void> {
    return guard('trying to delete export', () => deleteExport(this.ctx, id));
  }
}

// Files an OS drops into any folder; their presence does not make a folder "someone else's".
const OS_LITTER = new Set(['.DS_Store', 'Thumbs.db', 'desktop.ini', '.directory']);

/**
 * Recovery deletes whatever in files/ and tmp/ no row points at, so a library is only created in
 * an empty (or new) folder: pointing --library at a home folder must not wipe its files/ folder.
 */
async function refuseForeignFolder(root: string, fs: FsOps): Promise<void> {
  const entries = await fs.readdir(root).catch(() => [] as string[]);
  if (entries.includes(DATABASE_FILE)) return;
  const other = entries.filter((e) => !OS_LITTER.has(e));
  if (other.length > 0) {
    throw new LibraryError(
      'invalid-input',
      `${root} is neither a studio library nor an empty folder (it holds ${other.slice(0, 3).join(', ')}${other.length > 3 ? ', ...' : ''}); choose an empty or new folder for the library.`,
    );
  }
}

/** Map fs/SQLite failures of any call (full or read-only disk, ...) to a LibraryError with a code. */
function guard<T>(doing: string, fn: () => T): T {
  try {
    const r = fn();
    if (r instanceof Promise) {
      return r.catch((err: unknown) => {
        throw toLibraryError(err, doing);
      }) as T;
    }
    return r;
  } catch (err) {
    throw toLibraryError(err, doing);
  }
}
