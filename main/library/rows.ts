import type Database from 'better-sqlite3';
import type { FileStore } from './file-store';
import type { SpaceReserve } from './space-reserve';
import { LibraryError } from './errors';
import type {
  ExportRecord,
  Face,
  JsonObject,
  Model,
  ModelKind,
  TrainableKind,
  Photo,
  Project,
  Run,
  RunSample,
  RunStatus,
} from './types';

// Shared state of the repository modules and the SQL-row -> DTO mappers.

export interface LibraryContext {
  db: Database.Database;
  store: FileStore;
  reserve: SpaceReserve;
  now: () => number;
}

export interface ProjectRow {
  id: number;
  name: string;
  description: string;
  created_at: number;
  updated_at: number;
}

export interface PhotoRow {
  id: number;
  project_id: number;
  name: string;
  sha256: string;
  file_path: string;
  thumb_path: string;
  format: string;
  byte_size: number;
  width: number;
  height: number;
  orientation: number;
  imported_at: number;
  label_age: number | null;
  primary_age: number | null;
  missing: number;
  face_count: number;
  face_centre?: string | null;
  tag_list: string | null;
}

export interface FaceRow {
  idx: number;
  box_x: number;
  box_y: number;
  box_w: number;
  box_h: number;
  score: number;
  landmarks: string;
  age: number | null;
  descriptor: Buffer | null;
}

export interface ModelRow {
  id: number;
  kind: ModelKind;
  name: string;
  is_base: number;
  parent_id: number | null;
  project_id: number | null;
  weights_dir: string;
  config: string;
  metrics: string;
  created_at: number;
  missing: number;
}

export interface RunRow {
  id: number;
  project_id: number | null;
  kind: TrainableKind;
  parent_model_id: number | null;
  output_model_id: number | null;
  config: string;
  status: RunStatus;
  step: number;
  total_steps: number;
  error: string | null;
  created_at: number;
  started_at: number | null;
  updated_at: number;
  finished_at: number | null;
}

export interface SampleRow {
  id: number;
  run_id: number;
  step: number;
  file_path: string;
  format: string;
  created_at: number;
}

export interface ExportRow {
  id: number;
  photo_id: number;
  project_id: number;
  model_id: number | null;
  target_age: number;
  file_path: string;
  external_path: string | null;
  format: string;
  width: number;
  height: number;
  byte_size: number;
  settings: string;
  created_at: number;
}

/** Separator for group_concat of tag names (a control character no tag may contain). */
export const TAG_SEP = '\u001f';

/** SELECT list for PhotoRow, with face count and tags joined in. */
export const PHOTO_COLUMNS = `p.id, p.project_id, p.name, p.sha256, p.file_path, p.thumb_path, p.format,
  p.byte_size, p.width, p.height, p.orientation, p.imported_at, p.label_age, p.primary_age, p.missing,
  (SELECT count(*) FROM faces f WHERE f.photo_id = p.id) AS face_count,
  (SELECT (f.box_x + f.box_w / 2) || ',' || (f.box_y + f.box_h / 2) FROM faces f WHERE f.photo_id = p.id
     ORDER BY f.box_w * f.box_h DESC LIMIT 1) AS face_centre,
  (SELECT group_concat(t.name, char(31)) FROM photo_tags pt JOIN tags t ON t.id = pt.tag_id
     WHERE pt.photo_id = p.id) AS tag_list`;

export function parseJson(text: string): JsonObject {
  const v: unknown = JSON.parse(text);
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as JsonObject) : {};
}

export function toProject(r: ProjectRow): Project {
  return { id: r.id, name: r.name, description: r.description, createdAt: r.created_at, updatedAt: r.updated_at };
}

/** "x,y" of the largest face's box centre, in photo pixels. */
function parseCentre(text: string | null | undefined): { x: number; y: number } | null {
  if (!text) return null;
  const [x, y] = text.split(',').map(Number);
  return Number.isFinite(x) && Number.isFinite(y) ? { x: x!, y: y! } : null;
}

export function toPhoto(r: PhotoRow): Photo {
  return {
    id: r.id,
    projectId: r.project_id,
    name: r.name,
    sha256: r.sha256,
    format: r.format,
    byteSize: r.byte_size,
    width: r.width,
    height: r.height,
    orientation: r.orientation,
    importedAt: r.imported_at,
    faceCount: r.face_count,
    faceCentre: parseCentre(r.face_centre),
    estimatedAge: r.primary_age,
    labelAge: r.label_age,
    missing: r.missing === 1,
    tags: r.tag_list ? r.tag_list.split(TAG_SEP).sort() : [],
  };
}

export function toFace(r: FaceRow): Face {
  let descriptor: number[] | null = null;
  if (r.descriptor) {
    // Stored as little-endian float32: 128 floats -> 512 bytes.
    const copy = Buffer.from(r.descriptor);
    descriptor = Array.from(new Float32Array(copy.buffer, copy.byteOffset, copy.byteLength / 4));
  }
  return {
    box: { x: r.box_x, y: r.box_y, width: r.box_w, height: r.box_h },
    score: r.score,
    landmarks: JSON.parse(r.landmarks) as Face['landmarks'],
    age: r.age,
    descriptor,
  };
}

export function descriptorBlob(d: number[] | null): Buffer | null {
  return d ? Buffer.from(new Float32Array(d).buffer) : null;
}

export function toModel(r: ModelRow): Model {
  return {
    id: r.id,
    kind: r.kind,
    name: r.name,
    isBase: r.is_base === 1,
    parentId: r.parent_id,
    projectId: r.project_id,
    config: parseJson(r.config),
    metrics: parseJson(r.metrics),
    createdAt: r.created_at,
    missing: r.missing === 1,
  };
}

export function toRun(r: RunRow): Run {
  return {
    id: r.id,
    projectId: r.project_id,
    kind: r.kind,
    parentModelId: r.parent_model_id,
    outputModelId: r.output_model_id,
    config: parseJson(r.config),
    status: r.status,
    step: r.step,
    totalSteps: r.total_steps,
    error: r.error,
    createdAt: r.created_at,
    startedAt: r.started_at,
    updatedAt: r.updated_at,
    finishedAt: r.finished_at,
  };
}

export function toSample(r: SampleRow): RunSample {
  return { id: r.id, runId: r.run_id, step: r.step, format: r.format, createdAt: r.created_at };
}

export function toExport(r: ExportRow): ExportRecord {
  return {
    id: r.id,
    photoId: r.photo_id,
    projectId: r.project_id,
    modelId: r.model_id,
    targetAge: r.target_age,
    format: r.format,
    width: r.width,
    height: r.height,
    byteSize: r.byte_size,
    externalPath: r.external_path,
    settings: parseJson(r.settings),
    createdAt: r.created_at,
  };
}

export function notFound(what: string, id: number): LibraryError {
  return new LibraryError('not-found', `${what} ${id} does not exist.`);
}

/** Extension used in the store for an image format reported by sharp. */
export function extensionFor(format: string): string {
  return format === 'jpeg' ? 'jpg' : format === 'heif' ? 'heic' : format;
}

export function isUniqueViolation(err: unknown): boolean {
  const code = (err as { code?: string } | null)?.code;
  return code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY';
}
